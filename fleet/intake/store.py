"""Applications at the centre: opened from the delivered outbox events, kept sealed.

Each ``legal_aid_application`` event the fleet service stored (once per event id) is
opened here with the centre's private key, checked, and filed in ``legal_aid_applications``
with what the intake list needs to sort and find it: number, matter, groups, the check
code and a keyed hash of the ID number. The personal part (name, ID number, phone, what
happened, the signature) stays in the table as the sealed box it arrived in and is
opened only when a member of staff opens the application: a copy of the database alone
reads as ciphertext.
"""

from __future__ import annotations

import base64
import builtins
import json
import logging
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, Text, select
from sqlalchemy.engine import Engine, Row

from fleet.center.tables import aware, dialect_insert, events
from fleet.intake.keys import IntakeKeys
from kiosk.legal_aid.application import APPLICATION_KIND
from kiosk.legal_aid.sealing import SealError, open_box

log = logging.getLogger(__name__)

STATUSES = ("submitted", "received", "more_material", "accepted", "refused")

metadata = MetaData()

applications = Table(
    "legal_aid_applications",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("number", String(32), nullable=False, index=True),
    Column("check_code", String(16), nullable=False),
    Column("terminal_id", String(32), nullable=False),
    Column("site", String(200), nullable=False, default=""),
    Column("submitted_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("matter", String(64), nullable=False),
    Column("groups", Text, nullable=False, default="[]"),
    Column("hardship", Integer, nullable=False, default=0),
    Column("id_hash", String(64), nullable=False, index=True),
    Column("sealed", Text, nullable=False),
    Column("status", String(32), nullable=False, default="submitted"),
    Column("note", Text, nullable=False, default=""),
    Column("status_at", DateTime(timezone=True)),
    Column("status_by", String(64), nullable=False, default=""),
)

status_log = Table(
    "legal_aid_status_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("status", String(32), nullable=False),
    Column("note", Text, nullable=False, default=""),
    Column("by", String(64), nullable=False),
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Intake:
    """The legal-aid applications of one centre (thread-safe: short transactions)."""

    def __init__(self, engine: Engine, keys: IntakeKeys) -> None:
        self.engine = engine
        self.keys = keys
        metadata.create_all(engine)

    # --- filing -------------------------------------------------------------------------

    def import_new(self) -> int:
        """Open and file every delivered application not filed yet; returns how many.
        Idempotent (keyed by event id): safe from several requests and workers at once."""
        with self.engine.connect() as c:
            rows = list(c.execute(
                select(events.c.event_id, events.c.terminal_id, events.c.payload, events.c.received_at)
                .where(events.c.kind == APPLICATION_KIND)
                .where(~events.c.event_id.in_(select(applications.c.event_id)))
            ))
        filed = 0
        for r in rows:
            try:
                values = self._open_event(r.event_id, r.terminal_id, json.loads(r.payload), aware(r.received_at) or _now())
            except (SealError, ValueError, KeyError) as exc:
                # For the technician: which event, never its content.
                log.error("legal-aid application in event %s cannot be opened: %s", r.event_id, exc)
                continue
            with self.engine.begin() as c:
                c.execute(dialect_insert(c, applications).values(**values).on_conflict_do_nothing(index_elements=["event_id"]))
            filed += 1
            log.info("legal-aid application %s filed (terminal %s)", values["number"], r.terminal_id)
        return filed

    def _open_event(self, event_id: str, terminal_id: str, payload: dict[str, Any], received: datetime) -> dict[str, Any]:
        number, box = str(payload["number"]), str(payload["sealed"])
        doc = json.loads(open_box(self.keys.private, box, number.encode("ascii")))
        if doc.get("number") != number:
            raise ValueError("the box names another application number")
        groups = list(doc["groups"].get("card", [])) + list(doc["groups"].get("declared", []))
        return {
            "event_id": event_id,
            "number": number,
            "check_code": str(doc["check_code"]),
            "terminal_id": terminal_id,
            "site": str(doc.get("site", "")),
            "submitted_at": datetime.fromisoformat(doc["submitted_at"]),
            "received_at": received,
            "matter": str(doc["matter"]),
            "groups": json.dumps(groups),
            "hardship": 1 if doc.get("hardship_declared") else 0,
            "id_hash": self.keys.id_hash(doc["applicant"]["id_number"]),
            "sealed": box,
            "status": "submitted",
            "note": "",
        }

    # --- reading ------------------------------------------------------------------------

    def _doc(self, r: Any) -> dict[str, Any]:
        return dict(json.loads(open_box(self.keys.private, r.sealed, r.number.encode("ascii"))))

    @staticmethod
    def _summary(r: Any) -> dict[str, Any]:
        return {
            "id": r.event_id,
            "number": r.number,
            "terminal_id": r.terminal_id,
            "site": r.site,
            "submitted_at": aware(r.submitted_at).isoformat(),
            "matter": r.matter,
            "groups": json.loads(r.groups),
            "hardship": bool(r.hardship),
            "status": r.status,
            "note": r.note,
            "status_at": aware(r.status_at).isoformat() if r.status_at else None,
        }

    def list(self, status: str | None = None) -> list[dict[str, Any]]:
        """Every application, newest first, with the applicant's name (for staff)."""
        q = select(applications).order_by(applications.c.submitted_at.desc())
        if status:
            q = q.where(applications.c.status == status)
        with self.engine.connect() as c:
            rows = list(c.execute(q))
        out = []
        for r in rows:
            item = self._summary(r)
            item["name"] = self._doc(r)["applicant"]["name"]
            out.append(item)
        return out

    def _row(self, app_id: str) -> Row[Any] | None:
        with self.engine.connect() as c:
            return c.execute(select(applications).where(applications.c.event_id == app_id)).first()

    def detail(self, app_id: str) -> dict[str, Any] | None:
        """One application opened for staff (everything but the signature's bytes)."""
        r = self._row(app_id)
        if r is None:
            return None
        doc = self._doc(r)
        doc.pop("signature_png", None)
        with self.engine.connect() as c:
            history = [
                {"at": aware(h.at).isoformat(), "status": h.status, "note": h.note, "by": h.by}
                for h in c.execute(select(status_log).where(status_log.c.event_id == app_id).order_by(status_log.c.id))
            ]
        return {**self._summary(r), "application": doc, "history": history}

    def signature_png(self, app_id: str) -> bytes | None:
        """The signature (or fingerprint mark) image of one application; None when it has
        none (kept to be signed at the window)."""
        r = self._row(app_id)
        if r is None:
            return None
        return base64.b64decode(self._doc(r).get("signature_png") or "") or None

    # --- status -------------------------------------------------------------------------

    def set_status(self, app_id: str, status: str, note: str, by: str) -> dict[str, Any] | None:
        """Set an application's status (with the note of what is missing, for
        ``more_material``); kept in its history with who set it."""
        if status not in STATUSES[1:]:
            raise ValueError(f"unknown status {status!r}; one of {', '.join(STATUSES[1:])}")
        note = note.strip()[:500]
        if status == "more_material" and not note:
            raise ValueError("say which material is still needed")
        now = _now()
        with self.engine.begin() as c:
            n = c.execute(applications.update().where(applications.c.event_id == app_id).values(status=status, note=note, status_at=now, status_by=by)).rowcount
            if not n:
                return None
            c.execute(status_log.insert().values(event_id=app_id, at=now, status=status, note=note, by=by))
        log.info("legal-aid application %s: status %s (by %s)", app_id[:8], status, by)
        return self.detail(app_id)

    # --- progress ---------------------------------------------------------------------------

    def progress(self, *, number: str | None = None, id_number: str | None = None, check_code: str | None = None) -> builtins.list[dict[str, Any]]:
        """What a person may know of their applications: number, matter, status, note,
        dates. By number (with the check code on the public page) or by ID number."""
        self.import_new()
        q = select(applications).order_by(applications.c.submitted_at.desc()).limit(10)
        if number is not None:
            q = q.where(applications.c.number == number.strip())
        elif id_number is not None:
            q = q.where(applications.c.id_hash == self.keys.id_hash(id_number))
        else:
            return []
        with self.engine.connect() as c:
            rows = list(c.execute(q))
        if check_code is not None:
            rows = [r for r in rows if r.check_code.upper() == check_code.strip().upper()]
        return [
            {
                "number": r.number,
                "matter": r.matter,
                "status": r.status,
                "note": r.note,
                "submitted": aware(r.submitted_at).date().isoformat(),
                "status_at": aware(r.status_at).isoformat() if r.status_at else None,
            }
            for r in rows
        ]
