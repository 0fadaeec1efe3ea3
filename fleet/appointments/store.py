"""The centre's appointment book (SQLAlchemy Core, on the fleet store's engine).

Slots are published per site and service with a capacity. A booking takes a place with
one conditional update (``booked = booked + 1 WHERE booked < capacity``) inside the
booking's transaction, so two terminals booking the last place at once give one
booking and one "full" — on SQLite (one writer at a time) as on PostgreSQL (row lock).

People are kept as little as the service needs: an HMAC of the ID number under the
centre's key (never the number), the name already masked (张*), and the phone number
(staff call when a slot must be moved). Terminals get, for offline check-in, today's and
tomorrow's list of their site: per booking an HMAC of the ID number under a site key
derived one-way from the centre's key, the code, service and time — no name, no phone.
Someone holding a terminal's disk could still try ID numbers against that short list
(they are not random enough to resist it); it holds two days of one site, nothing more.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, UniqueConstraint, and_, select, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError

log = logging.getLogger(__name__)

metadata = MetaData()

slots = Table(
    "appt_slots",
    metadata,
    Column("slot_id", Integer, primary_key=True, autoincrement=True),
    Column("site", String(200), nullable=False),
    Column("service", String(32), nullable=False),
    Column("day", String(10), nullable=False),  # ISO date, the site's local day
    Column("start", String(5), nullable=False),  # HH:MM local
    Column("end", String(5), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("booked", Integer, nullable=False, default=0),
    UniqueConstraint("site", "service", "day", "start", name="uq_appt_slot"),
)

bookings = Table(
    "appt_bookings",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("slot_id", Integer, nullable=False, index=True),
    Column("site", String(200), nullable=False),
    Column("service", String(32), nullable=False),
    Column("day", String(10), nullable=False, index=True),
    Column("start", String(5), nullable=False),
    Column("end", String(5), nullable=False),
    Column("id_hash", String(64), nullable=False, index=True),
    Column("site_hash", String(64), nullable=False),  # under the site key: for terminal caches
    Column("masked_name", String(40), nullable=False, default=""),
    Column("phone", String(20), nullable=False),
    Column("state", String(16), nullable=False),  # booked | cancelled | checked_in
    Column("terminal_id", String(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True)),
)

BOOKED, CANCELLED, CHECKED_IN = "booked", "cancelled", "checked_in"
CODE_DIGITS = 6  # digits only: typed on the kiosk's numeric keypad
KEY_FILENAME = "appointments.key"


class BookingError(Exception):
    """A booking request refused; ``code`` is what the terminal shows (full, …)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SlotSpec:
    """What ``publish`` creates: a run of slots on each working day of a date range."""

    site: str
    service: str
    first_day: date
    last_day: date
    start: time
    end: time
    every_minutes: int
    capacity: int
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)


def load_key(data_dir: Path) -> bytes:
    """The centre's appointment key (created on first use, readable by the owner only)."""
    path = data_dir / KEY_FILENAME
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


def site_key(key: bytes, site: str) -> bytes:
    """The key a site's terminals get with the day lists (derived one-way from the
    centre's key: holding it reveals nothing of the centre's key or of other sites)."""
    return hmac.new(key, f"site|{site}".encode(), hashlib.sha256).digest()


def keyed_hash(key: bytes, id_number: str) -> str:
    """HMAC-SHA256 of an ID number (upper-cased ``X``), hex."""
    return hmac.new(key, id_number.strip().upper().encode(), hashlib.sha256).hexdigest()


def _minutes(t: str) -> int:
    h, m = t.split(":")
    return int(h) * 60 + int(m)


class AppointmentBook:
    """Slots and bookings on ``engine``; ``key`` keys the ID-number hashes."""

    def __init__(self, engine: Engine, key: bytes) -> None:
        self.engine = engine
        self._key = key
        metadata.create_all(engine)

    # --- slots ----------------------------------------------------------------------

    def publish(self, spec: SlotSpec) -> int:
        """Create the slots ``spec`` describes (existing ones keep their bookings; a new
        capacity applies, never below what is booked); returns how many were written."""
        if spec.every_minutes < 5 or spec.capacity < 1 or spec.end <= spec.start or spec.last_day < spec.first_day:
            raise ValueError("slots need a positive capacity, 5+ minutes each, end after start and a forward date range")
        written = 0
        with self.engine.begin() as c:
            day = spec.first_day
            while day <= spec.last_day:
                if day.isoweekday() in spec.weekdays:
                    t = datetime.combine(day, spec.start)
                    while (t + timedelta(minutes=spec.every_minutes)).time() <= spec.end and t.date() == day:
                        nxt = t + timedelta(minutes=spec.every_minutes)
                        key = (spec.site, spec.service, day.isoformat(), f"{t:%H:%M}")
                        row = c.execute(select(slots.c.slot_id, slots.c.booked).where(
                            slots.c.site == key[0], slots.c.service == key[1], slots.c.day == key[2], slots.c.start == key[3])).first()
                        if row is None:
                            c.execute(slots.insert().values(site=spec.site, service=spec.service, day=key[2], start=key[3],
                                                            end=f"{nxt:%H:%M}", capacity=spec.capacity, booked=0))
                        else:
                            c.execute(update(slots).where(slots.c.slot_id == row.slot_id).values(capacity=max(spec.capacity, row.booked)))
                        written += 1
                        t = nxt
                day += timedelta(days=1)
        return written

    def free_slots(self, site: str, service: str, now: datetime, days: int = 7) -> list[dict[str, Any]]:
        """Slots with a free place from ``now`` on, over the next ``days`` days that have
        any (working days), by day then time."""
        today = now.date().isoformat()
        with self.engine.connect() as c:
            rows = c.execute(
                select(slots).where(slots.c.site == site, slots.c.service == service, slots.c.day >= today,
                                    slots.c.booked < slots.c.capacity).order_by(slots.c.day, slots.c.start)
            ).all()
        out: list[dict[str, Any]] = []
        seen_days: list[str] = []
        for r in rows:
            if r.day == today and _minutes(r.start) <= now.hour * 60 + now.minute:
                continue  # a slot that has begun cannot be booked
            if r.day not in seen_days:
                if len(seen_days) == days:
                    break
                seen_days.append(r.day)
            out.append({"id": r.slot_id, "day": r.day, "start": r.start, "end": r.end, "free": r.capacity - r.booked})
        return out

    def all_slots(self, site: str | None = None, from_day: str = "") -> list[dict[str, Any]]:
        """Every slot (for staff), with its capacity and bookings."""
        q = select(slots).where(slots.c.day >= from_day).order_by(slots.c.site, slots.c.day, slots.c.start, slots.c.service)
        if site:
            q = q.where(slots.c.site == site)
        with self.engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(q).all()]

    # --- bookings -------------------------------------------------------------------

    def book(self, site: str, terminal_id: str, slot_id: int, id_number: str, phone: str, masked_name: str, now: datetime) -> dict[str, Any]:
        """Take a place in ``slot_id`` for the card holder; raises ``BookingError``
        ``full`` / ``no_slot`` / ``already_booked`` / ``bad_request``."""
        _check_phone(phone)
        id_hash = keyed_hash(self._key, id_number)
        with self.engine.begin() as c:
            slot = self._slot(c, slot_id, site)
            existing = c.execute(select(bookings.c.code).where(
                bookings.c.id_hash == id_hash, bookings.c.service == slot.service, bookings.c.state == BOOKED,
                bookings.c.day >= now.date().isoformat())).first()
            if existing is not None:
                raise BookingError("already_booked", "one open appointment per person and service")
            self._take_place(c, slot_id)
            code = self._new_code(c)
            c.execute(bookings.insert().values(
                code=code, slot_id=slot_id, site=site, service=slot.service, day=slot.day, start=slot.start, end=slot.end,
                id_hash=id_hash, site_hash=keyed_hash(site_key(self._key, site), id_number), masked_name=masked_name[:40], phone=phone, state=BOOKED, terminal_id=terminal_id,
                created_at=now.astimezone(timezone.utc), changed_at=None))
            row = c.execute(select(bookings).where(bookings.c.code == code)).one()
        log.info("appointment %s booked: %s %s %s (terminal %s)", code, slot.service, slot.day, slot.start, terminal_id)
        return _public(row)

    def find(self, site: str, now: datetime, *, id_number: str | None = None, code: str | None = None,
             phone_last4: str | None = None) -> list[dict[str, Any]]:
        """Open bookings (today on) of the card holder, or the one with ``code`` whose
        phone ends in ``phone_last4`` (a code alone is not enough to see or change it)."""
        q = select(bookings).where(bookings.c.site == site, bookings.c.state == BOOKED, bookings.c.day >= now.date().isoformat())
        if id_number:
            q = q.where(bookings.c.id_hash == keyed_hash(self._key, id_number))
        elif code and phone_last4 and len(phone_last4) == 4:
            q = q.where(bookings.c.code == code)
        else:
            raise BookingError("bad_request", "an ID number, or a code with the phone's last four digits")
        with self.engine.connect() as c:
            rows = c.execute(q.order_by(bookings.c.day, bookings.c.start)).all()
        if code and not id_number:
            rows = [r for r in rows if r.phone.endswith(phone_last4 or "-")]
        return [_public(r) for r in rows]

    def cancel(self, site: str, code: str, now: datetime, *, id_number: str | None = None, phone_last4: str | None = None) -> dict[str, Any]:
        """Cancel an open booking (the holder proved by card or phone digits); its place is free again."""
        with self.engine.begin() as c:
            row = self._own(c, site, code, id_number, phone_last4)
            c.execute(update(bookings).where(bookings.c.code == code).values(state=CANCELLED, changed_at=now.astimezone(timezone.utc)))
            c.execute(update(slots).where(slots.c.slot_id == row.slot_id, slots.c.booked > 0).values(booked=slots.c.booked - 1))
            out = c.execute(select(bookings).where(bookings.c.code == code)).one()
        log.info("appointment %s cancelled", code)
        return _public(out)

    def move(self, site: str, code: str, slot_id: int, now: datetime, *, id_number: str | None = None,
             phone_last4: str | None = None) -> dict[str, Any]:
        """Move an open booking to another slot of the same service: the new place is
        taken and the old one freed in one transaction (full: nothing changes)."""
        with self.engine.begin() as c:
            row = self._own(c, site, code, id_number, phone_last4)
            slot = self._slot(c, slot_id, site)
            if slot.service != row.service:
                raise BookingError("bad_request", "a booking moves within its service")
            if slot.slot_id == row.slot_id:
                raise BookingError("same_slot", "that is the booked slot")
            self._take_place(c, slot_id)
            c.execute(update(slots).where(slots.c.slot_id == row.slot_id, slots.c.booked > 0).values(booked=slots.c.booked - 1))
            c.execute(update(bookings).where(bookings.c.code == code).values(
                slot_id=slot_id, day=slot.day, start=slot.start, end=slot.end, changed_at=now.astimezone(timezone.utc)))
            out = c.execute(select(bookings).where(bookings.c.code == code)).one()
        log.info("appointment %s moved to %s %s", code, slot.day, slot.start)
        return _public(out)

    def check_in(self, site: str, code: str, now: datetime) -> dict[str, Any]:
        """Mark a booking checked in (told by the terminal that issued the ticket;
        idempotent, so a terminal that checked someone in offline can tell it again)."""
        with self.engine.begin() as c:
            row = c.execute(select(bookings).where(bookings.c.code == code, bookings.c.site == site)).first()
            if row is None:
                raise BookingError("not_found", "no such booking at this site")
            if row.state == BOOKED:
                c.execute(update(bookings).where(bookings.c.code == code).values(state=CHECKED_IN, changed_at=now.astimezone(timezone.utc)))
            out = c.execute(select(bookings).where(bookings.c.code == code)).one()
        return _public(out)

    def day_list(self, site: str, day: str) -> dict[str, Any]:
        """One day's open bookings at ``site`` for its terminals' check-in cache: per
        booking the HMAC of the ID number under the site key (sent along, so the
        terminal can hash a card the same way) — never the number, the name or the phone."""
        with self.engine.connect() as c:
            rows = c.execute(select(bookings).where(bookings.c.site == site, bookings.c.day == day, bookings.c.state == BOOKED)).all()
        entries = [{"h": r.site_hash, "code": r.code, "service": r.service, "start": r.start, "end": r.end} for r in rows]
        return {"day": day, "key": site_key(self._key, site).hex(), "entries": entries}

    def bookings_of(self, site: str | None, day: str | None = None) -> list[dict[str, Any]]:
        """Bookings for staff (masked name, phone), by day and time."""
        q = select(bookings).order_by(bookings.c.day, bookings.c.start)
        if site:
            q = q.where(bookings.c.site == site)
        if day:
            q = q.where(bookings.c.day == day)
        with self.engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(q).all()]

    # --- inside transactions ---------------------------------------------------------

    def _slot(self, c: Connection, slot_id: int, site: str) -> Row[Any]:
        slot = c.execute(select(slots).where(slots.c.slot_id == slot_id, slots.c.site == site)).first()
        if slot is None:
            raise BookingError("no_slot", f"slot {slot_id} is not published at this site")
        return slot

    def _take_place(self, c: Connection, slot_id: int) -> None:
        # The one guard against overbooking: the count and the check in one statement.
        res = c.execute(update(slots).where(and_(slots.c.slot_id == slot_id, slots.c.booked < slots.c.capacity))
                        .values(booked=slots.c.booked + 1))
        if res.rowcount != 1:
            raise BookingError("full", "no place left in that slot")

    def id_hash(self, id_number: str) -> str:
        """The keyed hash bookings are filed under (for audits: never the number itself)."""
        return keyed_hash(self._key, id_number)

    def _own(self, c: Connection, site: str, code: str, id_number: str | None, phone_last4: str | None) -> Row[Any]:
        row = c.execute(select(bookings).where(bookings.c.code == code, bookings.c.site == site, bookings.c.state == BOOKED)).first()
        if row is None:
            raise BookingError("not_found", "no open booking with that code here")
        if id_number:
            ok = hmac.compare_digest(row.id_hash, keyed_hash(self._key, id_number))
        else:
            ok = bool(phone_last4) and len(phone_last4 or "") == 4 and row.phone.endswith(phone_last4 or "-")
        if not ok:
            raise BookingError("not_found", "no open booking with that code for this person")
        return row

    def _new_code(self, c: Connection) -> str:
        for _ in range(50):
            code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
            if c.execute(select(bookings.c.code).where(bookings.c.code == code)).first() is None:
                return code
        raise BookingError("failed", "no free booking code")


def _check_phone(phone: str) -> None:
    if not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
        raise BookingError("bad_phone", "a mainland mobile number has 11 digits and starts with 1")


def _public(row: Any) -> dict[str, Any]:
    # What a terminal may see of a booking: no hash, no phone beyond its last digits.
    return {
        "code": row.code, "service": row.service, "day": row.day, "start": row.start, "end": row.end,
        "state": row.state, "name": row.masked_name, "phone_last4": row.phone[-4:],
    }


def rows_by_day(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Group rows by their ``day`` (for the CLI)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        out.setdefault(r["day"], []).append(r)
    return out


__all__ = ["AppointmentBook", "BookingError", "SlotSpec", "load_key", "site_key", "keyed_hash", "IntegrityError"]
