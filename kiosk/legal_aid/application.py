"""One legal-aid application: the draft of the visit, its number, and its submission.

The draft lives in memory for the visit only (``LegalAidFlow.wipe`` drops it). On
submission the whole application — name, ID number, phone, what happened, the
signature — is sealed to the centre's public key (``sealing``) and written to the
outbox in the same transaction as its number, so the terminal stores only ciphertext it
cannot read, delivered once the link is up and blanked when the centre acknowledges it
(``kiosk.outbox``). A second event, ``legal_aid_submitted``, carries counts only
(day, matter, groups) for the bureau's figures.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import zlib
from base64 import b64encode
from dataclasses import dataclass, field
from datetime import datetime

from kiosk.identity import IdentityCard
from kiosk.outbox import add_event
from kiosk.store import transaction

APPLICATION_KIND = "legal_aid_application"  # sealed: the outbox must not touch it
SUBMITTED_KIND = "legal_aid_submitted"  # counts only
FORMAT_VERSION = 1
# Digits only: typed on the kiosk's numeric keypad or a phone's, read aloud digit by digit.
_CHECK_DIGITS = "0123456789"
CHECK_CODE_LENGTH = 6
# How the applicant signs (Legal Aid Law: a signature, or a fingerprint mark for a person
# who cannot write; or the form is kept and finished at the window with staff).
SIGN_METHODS = ("signature", "fingerprint", "window")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS legal_aid_numbers (
    day TEXT PRIMARY KEY,
    seq INTEGER NOT NULL
)
"""


@dataclass
class Draft:
    """What the person has answered so far (personal: memory only, this visit only)."""

    matter: str | None = None
    card_groups: tuple[str, ...] = ()  # read from the ID card (age)
    declared_groups: set[str] = field(default_factory=set)  # said by the person
    hardship: bool | None = None  # signed the self-declaration of hardship
    phone: str = field(default="", repr=False)
    story: str = field(default="", repr=False)
    signature_png: bytes = field(default=b"", repr=False)
    sign_method: str = "signature"  # one of SIGN_METHODS
    outside_reason: str | None = None  # why the person was sent to LA_OUTSIDE
    submitted: "Submitted | None" = None

    @property
    def groups(self) -> list[str]:
        """Every group, card first."""
        return list(self.card_groups) + sorted(g for g in self.declared_groups if g not in self.card_groups)


@dataclass(frozen=True)
class Submitted:
    """What the receipt and the done screen need (nothing personal)."""

    number: str
    check_code: str
    matter: str
    submitted_at: datetime
    event_id: str
    sign_method: str = "signature"  # "window": staff finish the signing with the person


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the terminal's numbering table (idempotent)."""
    conn.execute(_SCHEMA)


def terminal_prefix(terminal_id: str, configured: str = "") -> str:
    """Four digits in every number from this terminal: configured, else from its id."""
    return configured or f"{zlib.crc32(terminal_id.encode('utf-8')) % 10000:04d}"


def new_check_code() -> str:
    """A short random code printed beside the number: the public progress page wants
    both, so numbers alone cannot be walked through. Digits only, so it can be typed on
    any numeric keypad and read aloud without spelling letters."""
    return "".join(secrets.choice(_CHECK_DIGITS) for _ in range(CHECK_CODE_LENGTH))


def _next_number(conn: sqlite3.Connection, at: datetime, prefix: str) -> str:
    # Inside the caller's transaction: a number is never issued twice, even across a crash.
    day = at.strftime("%Y%m%d")
    row = conn.execute("SELECT seq FROM legal_aid_numbers WHERE day = ?", (day,)).fetchone()
    seq = (row[0] if row else 0) + 1
    conn.execute("INSERT INTO legal_aid_numbers (day, seq) VALUES (?, ?) ON CONFLICT(day) DO UPDATE SET seq = ?", (day, seq, seq))
    return f"{at:%y%m%d}{prefix}{seq:03d}"


def application_document(
    draft: Draft,
    card: IdentityCard,
    *,
    number: str,
    check_code: str,
    terminal_id: str,
    site: str,
    at: datetime,
    language: str,
    letter_text: str,
) -> dict[str, object]:
    """The application as the centre receives it (after opening the box)."""
    return {
        "v": FORMAT_VERSION,
        "number": number,
        "check_code": check_code,
        "terminal_id": terminal_id,
        "site": site,
        "submitted_at": at.isoformat(),
        "language": language,
        "matter": draft.matter,
        "groups": {"card": list(draft.card_groups), "declared": sorted(draft.declared_groups)},
        "hardship_declared": bool(draft.hardship),
        # "window": not signed yet; the person signs at the window with the kept form.
        "sign_method": draft.sign_method,
        "applicant": {
            "name": card.name or card.name_en or "",
            "gender": card.gender.value,
            "birth_date": card.birth_date.isoformat(),
            "id_number": card.id_number,
            "address": card.address,
            "nation": card.nation,
            "card_type": card.card_type.value,
        },
        "phone": draft.phone,
        "story": draft.story,
        "letter": letter_text,
        "signature_png": b64encode(draft.signature_png).decode("ascii"),
    }


def submit(
    conn: sqlite3.Connection,
    draft: Draft,
    card: IdentityCard,
    *,
    public_key: str,
    terminal_id: str,
    site: str,
    prefix: str,
    at: datetime,
    language: str,
    letter_text: str,
) -> Submitted:
    """Number, seal and queue the application (one transaction); returns the receipt's facts."""
    if draft.sign_method not in SIGN_METHODS:
        raise ValueError(f"unknown way of signing: {draft.sign_method}")
    if draft.matter is None or not draft.phone:
        raise ValueError("an application needs a matter and a phone number")
    if draft.sign_method != "window" and not draft.signature_png:
        raise ValueError("an application signed at the kiosk needs the signature or the fingerprint mark")
    from kiosk.legal_aid.sealing import key_id, seal  # deferred: cryptography loads on first use

    check = new_check_code()
    with transaction(conn) as c:
        number = _next_number(c, at, prefix)
        doc = application_document(draft, card, number=number, check_code=check, terminal_id=terminal_id, site=site, at=at,
                                   language=language, letter_text=letter_text)
        box = seal(public_key, json.dumps(doc, ensure_ascii=False).encode("utf-8"), number.encode("ascii"))
        event_id = add_event(c, APPLICATION_KIND, {"number": number, "key_id": key_id(public_key), "sealed": box}, at)
        add_event(c, SUBMITTED_KIND, {"day": at.date().isoformat(), "matter": draft.matter, "group": draft.groups}, at)
    return Submitted(number=number, check_code=check, matter=draft.matter, submitted_at=at, event_id=event_id,
                     sign_method=draft.sign_method)
