"""The centre's answers to terminals' appointment asks (the centre channel).

Every ask names its terminal; the site is the terminal's registered site, so a terminal
books, finds and changes appointments of its own site only. Errors are answered with
the ``BookingError`` code (``full``, ``already_booked``, ``not_found``…), which the
terminal turns into a message for the person.

The asks that look a booking up by a person's ID number or by a code with the phone's
last digits (find, cancel, move) are rate-limited per terminal and audited
(fleet/center/lookups.py); a code given with wrong digits too often is locked for a
while. A check-in answers with the booking's state only, no name or phone digits.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Callable

from fleet.appointments.store import AppointmentBook, BookingError
from fleet.center.lookups import Throttled
from fleet.center.service import AskError, CenterLink

log = logging.getLogger(__name__)

# The sites' local time (China Standard Time): slots are published in it.
CST = timezone(timedelta(hours=8))
ASKS = ("appointments.slots", "appointments.book", "appointments.find", "appointments.cancel",
        "appointments.move", "appointments.checkin", "appointments.days")
LOOKUPS = frozenset({"find", "cancel", "move"})  # the asks that find a person's booking
FAMILY = "appointments"


class Answers:
    """Turns asks into calls on the appointment book."""

    def __init__(self, book: AppointmentBook, site_of: Callable[[str], str | None],
                 now: Callable[[], datetime] | None = None, tz: tzinfo = CST) -> None:
        self.book = book
        self._site_of = site_of
        self._now = now or (lambda: datetime.now(tz))
        self._tz = tz

    def register(self, link: CenterLink) -> None:
        """Answer every appointment ask on ``link``."""
        guard = link.lookup_guard

        def wrap(short: str, fn: Callable[[str, str, dict[str, Any]], dict[str, Any]]) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
            kind = f"{FAMILY}.{short}"

            def handler(terminal_id: str, args: dict[str, Any]) -> dict[str, Any]:
                site = self._site_of(terminal_id)
                if not site:
                    raise AskError("no_site", f"terminal {terminal_id} has no site")
                lookup = short in LOOKUPS
                code = str(args.get("code") or "")[:16] if lookup and not args.get("id_number") else ""
                subject = ""
                if lookup:
                    subject = self.book.id_hash(str(args["id_number"])) if args.get("id_number") else code
                    try:
                        guard.admit(terminal_id, FAMILY, kind, subject)
                        if code:
                            guard.check_not_locked(FAMILY, code, terminal_id, kind)
                    except Throttled as exc:
                        raise AskError("rate_limited", str(exc)) from None
                try:
                    result = fn(terminal_id, site, args)
                except BookingError as exc:
                    if lookup:
                        if code and exc.code == "not_found":
                            guard.wrong_proof(FAMILY, code)
                        guard.audit(terminal_id, kind, subject, "none" if exc.code == "not_found" else "refused")
                    raise AskError(exc.code, exc.message) from None
                except (KeyError, TypeError, ValueError) as exc:
                    raise AskError("bad_request", f"{type(exc).__name__}: {exc}"[:200]) from None
                if lookup:
                    n = len(result.get("bookings", [])) if "bookings" in result else 1
                    if code and not n:
                        guard.wrong_proof(FAMILY, code)  # a code with the wrong phone digits finds nothing
                    guard.audit(terminal_id, kind, subject, "found" if n else "none", n)
                return result
            return handler

        for name in ASKS:
            short = name.split(".", 1)[1]
            link.answer(name, wrap(short, getattr(self, _method(short))))

    # --- one method per ask: (terminal_id, site, args) → result -------------------------

    def slots(self, tid: str, site: str, args: dict[str, Any]) -> dict[str, Any]:
        """Free slots of a service over the next working days."""
        days = int(args.get("days", 7))
        return {"slots": self.book.free_slots(site, str(args["service"]), self._now(), max(1, min(days, 31)))}

    def book_(self, tid: str, site: str, args: dict[str, Any]) -> dict[str, Any]:
        """Book a slot for the card holder."""
        booking = self.book.book(site, tid, int(args["slot_id"]), str(args["id_number"]), str(args["phone"]),
                                 str(args.get("name", "")), self._now())
        return {"booking": booking}

    def find(self, tid: str, site: str, args: dict[str, Any]) -> dict[str, Any]:
        """Open bookings of the card holder, or of a code with the phone's last digits."""
        return {"bookings": self.book.find(site, self._now(), id_number=args.get("id_number"), code=args.get("code"),
                                           phone_last4=args.get("phone_last4"))}

    def cancel(self, tid: str, site: str, args: dict[str, Any]) -> dict[str, Any]:
        """Cancel a booking."""
        return {"booking": self.book.cancel(site, str(args["code"]), self._now(), id_number=args.get("id_number"),
                                            phone_last4=args.get("phone_last4"))}

    def move(self, tid: str, site: str, args: dict[str, Any]) -> dict[str, Any]:
        """Move a booking to another slot."""
        return {"booking": self.book.move(site, str(args["code"]), int(args["slot_id"]), self._now(),
                                          id_number=args.get("id_number"), phone_last4=args.get("phone_last4"))}

    def checkin(self, tid: str, site: str, args: dict[str, Any]) -> dict[str, Any]:
        """A terminal checked a booking in (now, or earlier while offline). The answer is
        the booking's state only: a code alone must not tell anyone's name or phone digits."""
        b = self.book.check_in(site, str(args["code"]), self._now())
        return {"booking": {k: b[k] for k in ("code", "service", "day", "start", "end", "state")}}

    def days(self, tid: str, site: str, args: dict[str, Any]) -> dict[str, Any]:
        """Today's and tomorrow's lists for the terminal's offline check-in cache."""
        today = self._now().date()
        return {"days": [self.book.day_list(site, (today + timedelta(days=i)).isoformat()) for i in range(2)]}



def _method(name: str) -> str:
    # ``book`` is the appointment book itself; the ask's method has a trailing underscore.
    return "book_" if name == "book" else name
