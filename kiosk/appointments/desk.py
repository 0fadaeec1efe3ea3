"""Appointments at the terminal: slots, booking, cancelling, moving, check-in.

Booking and changes need the centre (one book for every terminal of a site): they are
asks on the centre channel, made on a worker thread, never the UI thread. Check-in does
not: the terminal keeps today's and tomorrow's bookings of its site (refreshed by ask;
per booking only an HMAC of the ID number under the site key, the code, service and
time) and checks a card against that list, so a person who booked is served ahead
even when the village line is down. A check-in made offline is told to the centre
when the link is back (``report_pending``).

Every change writes its count event into the outbox in the same transaction as the
terminal's record of it (``appointment_booked`` / ``_cancelled`` / ``_moved`` /
``_checked_in``: day, service, slot day — never the person).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable

from kiosk.config import AppointmentSettings
from kiosk.errors import KioskError
from kiosk.identity import IdentityCard
from kiosk.outbox import add_event
from kiosk.ports import CentreChannel, CentreError, CentreUnavailable, Clock
from kiosk.queue import QueueService
from kiosk.store import transaction
from kiosk.tickets import Priority, Ticket

log = logging.getLogger(__name__)

ASK_TIMEOUT_S = 8.0
# Slots are published in the sites' local time, China Standard Time (one zone for the
# whole country), whatever zone the terminal's operating system is set to.
SITE_TZ = timezone(timedelta(hours=8))
_SCHEMA = (
    # The check-in cache: one row per booking of the site for today and tomorrow.
    """CREATE TABLE IF NOT EXISTS appt_cache (
        code TEXT PRIMARY KEY, day TEXT NOT NULL, h TEXT NOT NULL, service TEXT NOT NULL,
        start TEXT NOT NULL, "end" TEXT NOT NULL, checked_in_at TEXT)""",
    """CREATE TABLE IF NOT EXISTS appt_keys (day TEXT PRIMARY KEY, key TEXT NOT NULL, fetched_at TEXT NOT NULL)""",
    # Check-ins the centre has not heard of yet (made while offline).
    """CREATE TABLE IF NOT EXISTS appt_checkins_pending (code TEXT PRIMARY KEY, at TEXT NOT NULL)""",
)
# Centre error codes the person is told about; anything else is "could not be done now".
_REFUSALS = {"full", "already_booked", "not_found", "bad_phone", "no_slot", "same_slot"}


class AppointmentError(KioskError):
    """An appointment step could not be done; ``message_key`` is the person's message
    (``appointment.full`` — 已约满, ``appointment.offline`` …)."""

    message_key = "appointment.failed"


@dataclass(frozen=True)
class Slot:
    """A bookable slot: its day and times, and how many places are free."""

    slot_id: int
    day: date
    start: str
    end: str
    free: int


@dataclass(frozen=True)
class Booking:
    """A booking as the terminal sees it (no hash, the phone's last four digits only)."""

    code: str
    service: str
    day: date
    start: str
    end: str
    state: str = "booked"
    phone_last4: str = ""

    @classmethod
    def from_doc(cls, d: dict[str, Any]) -> "Booking":
        """From the centre's answer."""
        return cls(str(d["code"]), str(d["service"]), date.fromisoformat(d["day"]), str(d["start"]), str(d["end"]),
                   str(d.get("state", "booked")), str(d.get("phone_last4", "")))

    def starts_at(self, tz: Any) -> datetime:
        """The slot's start as an aware datetime in ``tz``."""
        h, m = self.start.split(":")
        return datetime(self.day.year, self.day.month, self.day.day, int(h), int(m), tzinfo=tz)


@dataclass(frozen=True)
class CheckInOffer:
    """What a card found in today's list: the booking, and how the person is served —
    ``on_time`` (appointment priority), ``late`` (a walk-in ticket) or ``early`` (come
    back from ``opens_at``)."""

    booking: Booking
    status: str  # on_time | late | early
    opens_at: str = ""


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create this module's tables (idempotent; the store's migrations stay untouched)."""
    for statement in _SCHEMA:
        conn.execute(statement)


def valid_phone(phone: str) -> bool:
    """A mainland mobile number: 11 digits starting with 1."""
    return phone.isdigit() and len(phone) == 11 and phone.startswith("1") and phone[1] in "3456789"


class AppointmentDesk:
    """The terminal's side of appointments, on its own SQLite connection."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock, centre: Callable[[], CentreChannel | None],
                 settings: AppointmentSettings | None = None) -> None:
        self._conn = conn
        self._clock = clock
        self._centre = centre
        self.settings = settings or AppointmentSettings()
        ensure_schema(conn)

    # --- asks ---------------------------------------------------------------------------

    def online(self) -> bool:
        """True when the centre can be asked now."""
        centre = self._centre()
        return centre is not None and centre.connected()

    def _ask(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        centre = self._centre()
        if centre is None:
            raise AppointmentError("no centre configured", message_key="appointment.offline")
        try:
            return centre.ask(name, args, timeout=ASK_TIMEOUT_S)
        except CentreUnavailable as exc:
            raise AppointmentError(f"{name}: centre unavailable ({exc})", message_key="appointment.offline") from None
        except CentreError as exc:
            key = f"appointment.{exc.code}" if exc.code in _REFUSALS else "appointment.failed"
            raise AppointmentError(f"{name}: {exc.code} {exc.message}", message_key=key) from None

    def slots(self, service: str) -> list[Slot]:
        """Free slots of ``service`` over the next working days, by day then time."""
        doc = self._ask("appointments.slots", {"service": service, "days": self.settings.days})
        return [Slot(int(s["id"]), date.fromisoformat(s["day"]), s["start"], s["end"], int(s["free"])) for s in doc["slots"]]

    def book(self, slot: Slot, service: str, card: IdentityCard, phone: str) -> Booking:
        """Book ``slot`` for the card holder; ``AppointmentError`` with
        ``appointment.full`` when the last place went to someone else first."""
        if not valid_phone(phone):
            raise AppointmentError("phone number is not a mobile number", message_key="appointment.bad_phone")
        doc = self._ask("appointments.book", {"slot_id": slot.slot_id, "id_number": card.id_number, "phone": phone,
                                              "name": card.masked_name})
        booking = Booking.from_doc(doc["booking"])
        self._record("appointment_booked", booking)
        log.info("appointment booked: %s %s %s", booking.service, booking.day, booking.start)  # the code is not personal; kept out anyway
        return booking

    def find(self, card: IdentityCard | None = None, code: str = "", phone_last4: str = "") -> list[Booking]:
        """Open bookings of the card holder, or the booking with ``code`` and the phone's last four digits."""
        args: dict[str, Any] = {"id_number": card.id_number} if card else {"code": code, "phone_last4": phone_last4}
        return [Booking.from_doc(b) for b in self._ask("appointments.find", args)["bookings"]]

    def cancel(self, booking: Booking, card: IdentityCard | None = None, phone_last4: str = "") -> Booking:
        """Cancel ``booking`` (the holder proved by card or by the phone's last digits)."""
        doc = self._ask("appointments.cancel", {"code": booking.code, **_proof(card, phone_last4)})
        done = Booking.from_doc(doc["booking"])
        with transaction(self._conn) as c:
            c.execute("DELETE FROM appt_cache WHERE code = ?", (booking.code,))
            _count(c, "appointment_cancelled", booking, self._clock.now())
        return done

    def move(self, booking: Booking, slot: Slot, card: IdentityCard | None = None, phone_last4: str = "") -> Booking:
        """Move ``booking`` to ``slot`` (same service); the old place is freed."""
        doc = self._ask("appointments.move", {"code": booking.code, "slot_id": slot.slot_id, **_proof(card, phone_last4)})
        moved = Booking.from_doc(doc["booking"])
        with transaction(self._conn) as c:
            c.execute("DELETE FROM appt_cache WHERE code = ?", (booking.code,))
            _count(c, "appointment_moved", moved, self._clock.now())
        self._try_refresh()
        return moved

    def _record(self, kind: str, booking: Booking) -> None:
        with transaction(self._conn) as c:
            _count(c, kind, booking, self._clock.now())
        self._try_refresh()

    def _try_refresh(self) -> None:
        try:
            self.refresh_cache()
        except AppointmentError as exc:
            log.info("check-in list not refreshed: %s", exc.detail)

    # --- the check-in cache ------------------------------------------------------------

    def refresh_cache(self) -> int:
        """Fetch today's and tomorrow's bookings of the site; returns how many are kept.
        Check-ins already made here survive the refresh."""
        doc = self._ask("appointments.days", {})
        now = self._site_now()
        n = 0
        with transaction(self._conn) as c:
            done = {r["code"]: r["checked_in_at"] for r in c.execute("SELECT code, checked_in_at FROM appt_cache WHERE checked_in_at IS NOT NULL")}
            days = [d["day"] for d in doc["days"]]
            c.execute(f"DELETE FROM appt_cache WHERE day IN ({','.join('?' * len(days))}) OR day < ?", (*days, now.date().isoformat()))
            c.execute("DELETE FROM appt_keys WHERE day < ?", (now.date().isoformat(),))
            for d in doc["days"]:
                c.execute("INSERT OR REPLACE INTO appt_keys (day, key, fetched_at) VALUES (?, ?, ?)", (d["day"], d["key"], now.isoformat()))
                for e in d["entries"]:
                    c.execute('INSERT OR REPLACE INTO appt_cache (code, day, h, service, start, "end", checked_in_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
                              (e["code"], d["day"], e["h"], e["service"], e["start"], e["end"], done.get(e["code"])))
                    n += 1
        return n

    def offer_for(self, card: IdentityCard) -> CheckInOffer | None:
        """Today's booking of the card holder from the cache (no network), with how
        they will be served; None when they have none (or were checked in already)."""
        now = self._site_now()
        today = now.date().isoformat()
        row = self._conn.execute("SELECT key FROM appt_keys WHERE day = ?", (today,)).fetchone()
        if row is None:
            return None
        h = hmac.new(bytes.fromhex(row["key"]), card.id_number.strip().upper().encode(), hashlib.sha256).hexdigest()
        hit = self._conn.execute(
            'SELECT * FROM appt_cache WHERE day = ? AND h = ? AND checked_in_at IS NULL ORDER BY start LIMIT 1', (today, h)
        ).fetchone()
        if hit is None:
            return None
        booking = Booking(hit["code"], hit["service"], date.fromisoformat(hit["day"]), hit["start"], hit["end"])
        starts = booking.starts_at(SITE_TZ)
        if now > starts + timedelta(minutes=self.settings.late_minutes):
            return CheckInOffer(booking, "late")
        opens = starts - timedelta(minutes=self.settings.early_minutes)
        if now < opens:
            return CheckInOffer(booking, "early", f"{opens:%H:%M}")
        return CheckInOffer(booking, "on_time")

    def check_in(self, offer: CheckInOffer, queue: QueueService, walk_in_priority: Priority = Priority.NORMAL) -> Ticket:
        """Issue the person's ticket and mark the booking checked in, in one transaction:
        on time, an appointment ticket (called ahead of walk-ins); late, a walk-in
        ticket with the person's own priority. The centre is told now or later."""
        if offer.status == "early":
            raise AppointmentError("too early to check in", message_key="appointment.too_early")
        b = offer.booking
        late = offer.status == "late"
        now = self._clock.now()

        def mark(c: sqlite3.Connection, number: str) -> None:
            c.execute("UPDATE appt_cache SET checked_in_at = ? WHERE code = ?", (now.isoformat(), b.code))
            c.execute("INSERT OR REPLACE INTO appt_checkins_pending (code, at) VALUES (?, ?)", (b.code, now.isoformat()))
            add_event(c, "appointment_checked_in",
                      {"day": now.date().isoformat(), "service": b.service, "slot_day": b.day.isoformat(), "late": late}, now)

        ticket = queue.take(b.service, walk_in_priority if late else Priority.APPOINTMENT, within=mark)
        log.info("appointment checked in (%s): ticket %s", offer.status, ticket.number)
        return ticket

    def _site_now(self) -> datetime:
        now = self._clock.now()
        return (now if now.tzinfo else now.astimezone()).astimezone(SITE_TZ)

    def report_pending(self) -> int:
        """Tell the centre of check-ins it has not heard of; returns how many were told."""
        rows = self._conn.execute("SELECT code FROM appt_checkins_pending ORDER BY at").fetchall()
        told = 0
        for r in rows:
            try:
                self._ask("appointments.checkin", {"code": r["code"]})
            except AppointmentError as exc:
                if exc.message_key == "appointment.offline":
                    break  # try again when the link is back
                log.warning("check-in not accepted by the centre: %s", exc.detail)
            with transaction(self._conn) as c:
                c.execute("DELETE FROM appt_checkins_pending WHERE code = ?", (r["code"],))
            told += 1
        return told

    def pending_count(self) -> int:
        """Check-ins waiting to be told to the centre."""
        return int(self._conn.execute("SELECT COUNT(*) FROM appt_checkins_pending").fetchone()[0])


def _proof(card: IdentityCard | None, phone_last4: str) -> dict[str, str]:
    return {"id_number": card.id_number} if card else {"phone_last4": phone_last4}


def _count(c: sqlite3.Connection, kind: str, b: Booking, at: datetime) -> None:
    # Counts for the bureau's figures: never the code, the time of day or the person.
    add_event(c, kind, {"day": at.date().isoformat(), "service": b.service, "slot_day": b.day.isoformat()}, at)


__all__ = ["AppointmentDesk", "AppointmentError", "Booking", "CheckInOffer", "Slot", "valid_phone"]
