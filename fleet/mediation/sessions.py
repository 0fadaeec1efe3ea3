"""Mediation sessions in the centre's store (same MetaData and engine as
fleet/center/store.py): one row per session, one per party.

A session is a matter, a mediator (the account that opened it), its parties and where
each joins — a terminal by its site (terminal id) or a phone by an invitation: a link
with a random token and a 6-digit code the mediator reads out by phone. Only the code's
hash is kept. A party's name is personal data: it stays at the centre and is shown
masked (``张*``) everywhere but on the mediator's own desk.

States: ``open`` (created, waiting for parties) → ``active`` (someone joined) →
``signed`` (the agreement is signed and confirmed) → ``closed``; or ``cancelled``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from sqlalchemy import Boolean, Column, DateTime, Integer, LargeBinary, String, Table, Text, func, select, update

from fleet.center.store import Store, metadata

STATES = ("open", "active", "signed", "closed", "cancelled")
JOINS = ("terminal", "phone")
PARTY_LABELS = ("party-a", "party-b")  # role labels shown to Janus and to the other parties: never names
MAX_CODE_TRIES = 5  # wrong codes for one invitation before it is locked (the mediator issues a new one)

mediation_sessions = Table(
    "mediation_sessions",
    metadata,
    Column("session_id", String(32), primary_key=True),
    Column("matter", Text, nullable=False),
    Column("mediator", String(64), nullable=False, index=True),
    Column("state", String(16), nullable=False, default="open"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("started_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),
    Column("notes", Text, nullable=False, default=""),
    Column("agreement", Text, nullable=False, default=""),
    Column("agreement_sha256", String(64)),
    Column("agreement_path", String(500)),
)

mediation_parties = Table(
    "mediation_parties",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(32), nullable=False, index=True),
    Column("label", String(16), nullable=False),
    Column("name", String(100), nullable=False),
    Column("joins", String(16), nullable=False),  # terminal | phone
    Column("terminal_id", String(32), index=True),  # for a terminal party
    Column("invite", String(64), unique=True),  # for a phone party: the link's token
    Column("code_hash", String(64)),
    Column("code_tries", Integer, nullable=False, default=0),
    Column("consent", Boolean),  # to recording; None until asked
    Column("verified_by_card", Boolean, nullable=False, default=False),
    Column("joined_at", DateTime(timezone=True)),
    Column("signed_at", DateTime(timezone=True)),
    Column("signature", LargeBinary),  # PNG of the finger signature
)


mediation_recordings = Table(
    "mediation_recordings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(32), nullable=False, index=True),
    Column("path", String(500), nullable=False),
    Column("bytes", Integer, nullable=False, default=0),
    Column("sha256", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("purge_after", DateTime(timezone=True), nullable=False),
    Column("purged_at", DateTime(timezone=True)),
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def code_hash(invite: str, code: str) -> str:
    """The stored form of an invitation's code (bound to its invitation)."""
    return hashlib.sha256(f"{invite}:{code}".encode()).hexdigest()


def mask_name(name: str) -> str:
    """``张*`` / ``欧阳**``: the surname only (the family name is one character in most
    Chinese names; two for the common double surnames would need a list, one is safe)."""
    name = name.strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else ""


def name_proof(session_id: str, name: str) -> str:
    """What a terminal sends to show the ID card read there names the invited party:
    a hash bound to the session, never the name itself (the centre computes the same)."""
    return hashlib.sha256(f"{session_id}:{name.strip()}".encode()).hexdigest()


@dataclass(frozen=True)
class PartySpec:
    """A party to invite: the name the mediator typed, and where they join."""

    name: str
    joins: str
    terminal_id: str | None = None

    def check(self) -> None:
        """ValueError with a plain sentence for what is wrong."""
        if not self.name.strip() or len(self.name) > 100:
            raise ValueError("a party needs a name (at most 100 characters)")
        if self.joins not in JOINS:
            raise ValueError(f"a party joins by {' or '.join(JOINS)}, not {self.joins!r}")
        if self.joins == "terminal" and not self.terminal_id:
            raise ValueError("a party at a terminal needs the terminal")


@dataclass(frozen=True)
class Invitation:
    """What the mediator reads out to a phone party (shown once: only the hash is kept)."""

    label: str
    invite: str
    code: str


class SessionStore:
    """Sessions and parties (blocking: call from an executor, never the event loop)."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        metadata.create_all(self.engine, tables=[mediation_sessions, mediation_parties, mediation_recordings])

    def create(self, mediator: str, matter: str, parties: Sequence[PartySpec]) -> tuple[str, list[Invitation]]:
        """A new session; returns its id and the phone invitations (code in clear, once)."""
        if not matter.strip() or len(matter) > 2000:
            raise ValueError("the matter is required (at most 2000 characters)")
        if len(parties) != len(PARTY_LABELS):
            raise ValueError(f"a session has {len(PARTY_LABELS)} parties")
        for p in parties:
            p.check()
        sid = "M" + secrets.token_hex(6).upper()
        invitations: list[Invitation] = []
        now = _now()
        with self.engine.begin() as c:
            c.execute(mediation_sessions.insert().values(session_id=sid, matter=matter.strip(), mediator=mediator, state="open",
                                                         created_at=now, notes="", agreement=""))
            for label, p in zip(PARTY_LABELS, parties):
                invite = code = None
                if p.joins == "phone":
                    invite, code = secrets.token_urlsafe(16), f"{secrets.randbelow(10**6):06d}"
                    invitations.append(Invitation(label, invite, code))
                c.execute(mediation_parties.insert().values(
                    session_id=sid, label=label, name=p.name.strip(), joins=p.joins,
                    terminal_id=p.terminal_id if p.joins == "terminal" else None, invite=invite,
                    code_hash=code_hash(invite, code) if invite and code else None, code_tries=0, verified_by_card=False))
        return sid, invitations

    def session(self, sid: str) -> dict[str, Any] | None:
        """One session with its parties (``parties``: label → row)."""
        with self.engine.connect() as c:
            row = c.execute(select(mediation_sessions).where(mediation_sessions.c.session_id == sid)).mappings().first()
            if row is None:
                return None
            parties = c.execute(select(mediation_parties).where(mediation_parties.c.session_id == sid)
                                .order_by(mediation_parties.c.label)).mappings().all()
        doc = dict(row)
        doc["parties"] = {p["label"]: dict(p) for p in parties}
        return doc

    def sessions_of(self, mediator: str, limit: int = 50) -> list[dict[str, Any]]:
        """A mediator's latest sessions (without parties)."""
        with self.engine.connect() as c:
            rows = c.execute(select(mediation_sessions).where(mediation_sessions.c.mediator == mediator)
                             .order_by(mediation_sessions.c.created_at.desc()).limit(limit)).mappings().all()
        return [dict(r) for r in rows]

    def set_state(self, sid: str, state: str) -> None:
        """Move a session on (times set on the way)."""
        if state not in STATES:
            raise ValueError(f"unknown state {state!r}")
        values: dict[str, Any] = {"state": state}
        if state == "active":
            values["started_at"] = _now()
        if state in ("closed", "cancelled"):
            values["ended_at"] = _now()
        with self.engine.begin() as c:
            q = update(mediation_sessions).where(mediation_sessions.c.session_id == sid)
            if state == "active":
                q = q.where(mediation_sessions.c.state == "open")
            c.execute(q.values(**values))

    def save_text(self, sid: str, *, notes: str | None = None, agreement: str | None = None) -> None:
        """The mediator's notes and the draft agreement."""
        values: dict[str, Any] = {}
        if notes is not None:
            values["notes"] = notes[:20000]
        if agreement is not None:
            values["agreement"] = agreement[:20000]
        if values:
            with self.engine.begin() as c:
                c.execute(update(mediation_sessions).where(mediation_sessions.c.session_id == sid).values(**values))

    def by_invitation(self, invite: str, code: str) -> tuple[str, str] | None:
        """(session id, label) for a phone party's invitation and code, or None.

        Each wrong code counts; after ``MAX_CODE_TRIES`` the invitation is locked, so six
        digits cannot be guessed by trying them all."""
        with self.engine.begin() as c:
            row = c.execute(select(mediation_parties).where(mediation_parties.c.invite == invite)).mappings().first()
            if row is None or row["code_hash"] is None or row["code_tries"] >= MAX_CODE_TRIES:
                return None
            if not hmac.compare_digest(row["code_hash"], code_hash(invite, code)):
                c.execute(update(mediation_parties).where(mediation_parties.c.id == row["id"])
                          .values(code_tries=mediation_parties.c.code_tries + 1))
                return None
            state = c.execute(select(mediation_sessions.c.state).where(mediation_sessions.c.session_id == row["session_id"])).scalar()
        if state not in ("open", "active", "signed"):
            return None
        return str(row["session_id"]), str(row["label"])

    def party_update(self, sid: str, label: str, **values: Any) -> None:
        """Consent, card verification, joined, signature."""
        allowed = {"consent", "verified_by_card", "joined_at", "signed_at", "signature"}
        if set(values) - allowed:
            raise ValueError(f"not a party field: {sorted(set(values) - allowed)}")
        with self.engine.begin() as c:
            c.execute(update(mediation_parties).where(mediation_parties.c.session_id == sid, mediation_parties.c.label == label)
                      .values(**values))

    def invited_at(self, terminal_id: str) -> list[dict[str, Any]]:
        """Open sessions with a party at this terminal (what its home screen offers)."""
        with self.engine.connect() as c:
            rows = c.execute(select(mediation_parties.c.session_id, mediation_parties.c.label, mediation_parties.c.name,
                                    mediation_sessions.c.matter)
                             .join(mediation_sessions, mediation_sessions.c.session_id == mediation_parties.c.session_id)
                             .where(mediation_parties.c.terminal_id == terminal_id,
                                    mediation_sessions.c.state.in_(("open", "active")))).mappings().all()
        return [dict(r) for r in rows]

    def agreement_kept(self, sid: str, path: str, sha256: str) -> None:
        """The signed agreement's PDF: where it is and its hash."""
        with self.engine.begin() as c:
            c.execute(update(mediation_sessions).where(mediation_sessions.c.session_id == sid)
                      .values(agreement_path=path, agreement_sha256=sha256, state="signed"))

    def add_recording(self, sid: str, path: str, size: int, sha256: str, retention_days: int) -> None:
        """A closed recording file of a session, its hash and when it must be deleted."""
        now = _now()
        with self.engine.begin() as c:
            c.execute(mediation_recordings.insert().values(session_id=sid, path=path, bytes=size, sha256=sha256, created_at=now,
                                                           purge_after=now + timedelta(days=retention_days)))

    def recordings(self, sid: str) -> list[dict[str, Any]]:
        """The recording files of a session."""
        with self.engine.connect() as c:
            rows = c.execute(select(mediation_recordings).where(mediation_recordings.c.session_id == sid)
                             .order_by(mediation_recordings.c.id)).mappings().all()
        return [dict(r) for r in rows]

    def due_for_purge(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Recordings past their retention, not yet deleted."""
        with self.engine.connect() as c:
            rows = c.execute(select(mediation_recordings).where(mediation_recordings.c.purge_after <= (now or _now()),
                                                                mediation_recordings.c.purged_at.is_(None))).mappings().all()
        return [dict(r) for r in rows]

    def mark_purged(self, rec_id: int) -> None:
        """The file is gone (the row and its hash stay: what existed can be proven)."""
        with self.engine.begin() as c:
            c.execute(update(mediation_recordings).where(mediation_recordings.c.id == rec_id).values(purged_at=_now()))

    def counts(self) -> dict[str, int]:
        """Sessions and signed agreements, for the bureau's figures."""
        with self.engine.connect() as c:
            sessions = c.execute(select(func.count()).select_from(mediation_sessions)
                                 .where(mediation_sessions.c.state != "cancelled")).scalar() or 0
            agreements = c.execute(select(func.count()).select_from(mediation_sessions)
                                   .where(mediation_sessions.c.agreement_sha256.is_not(None))).scalar() or 0
        return {"mediation_sessions": int(sessions), "mediation_agreements": int(agreements)}


__all__ = ["Invitation", "JOINS", "MAX_CODE_TRIES", "PARTY_LABELS", "PartySpec", "STATES", "SessionStore", "mask_name", "name_proof"]
