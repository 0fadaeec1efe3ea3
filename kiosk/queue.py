"""The queue: tickets per service and day, priority classes, calling at windows.

Every state change is one SQLite transaction (BEGIN IMMEDIATE), so any number of
processes — the kiosk app, ``kiosk queue`` commands, a window console — can share one
queue without ever handing out a number twice or calling one ticket at two windows.

Numbers: ``prefix + seq`` (``B007``), ``seq`` counting from 1 per service and day. The
next seq is derived from the tickets table inside the issuing transaction, so a crash
before commit hands out nothing and skips nothing; after commit the number is durable.

Call order (documented in docs/queue.md): priority tickets (elderly, disabled,
military) are called ahead of normal ones, oldest first — except that after
``max_priority_streak`` priority tickets called in a row for a service while a normal
ticket waits, the oldest normal ticket is called next. A normal ticket is therefore
never passed over forever, however many priority tickets keep arriving.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Sequence

from kiosk.catalog import Catalog
from kiosk.config import OpeningHours
from kiosk.errors import QueueError
from kiosk.outbox import add_event
from kiosk.ports import Clock
from kiosk.schedule import next_opening
from kiosk.store import transaction
from kiosk.storecheck import note_issued, numbers_blocked
from kiosk.tickets import Priority, Ticket, TicketState

log = logging.getLogger(__name__)

# How many recent services of a kind the wait estimate averages over.
_RECENT_SERVICES = 20
# Windows that called a service within this span count as serving it now.
_ACTIVE_WINDOW_SPAN = timedelta(hours=2)


@dataclass(frozen=True)
class WaitEstimate:
    """People ahead and the estimated wait in whole minutes; ``waiting``: everyone
    waiting for the service now (the figure every screen shows as "等候 N 人");
    ``resumes``: outside opening hours, when the windows next open (None while open)."""

    ahead: int
    eta_minutes: int
    waiting: int = 0
    resumes: datetime | None = None


def _row_to_ticket(row: sqlite3.Row, ahead: int = 0, eta: int = 0) -> Ticket:
    def ts(value: str | None) -> datetime | None:
        return datetime.fromisoformat(value) if value else None

    return Ticket(
        ticket_id=row["ticket_id"],
        day=date.fromisoformat(row["day"]),
        service=row["service"],
        number=row["number"],
        priority=Priority(row["priority"]),
        state=TicketState(row["state"]),
        issued_at=datetime.fromisoformat(row["issued_at"]),
        called_at=ts(row["called_at"]),
        finished_at=ts(row["finished_at"]),
        window=row["window"],
        recalls=row["recalls"],
        ahead=ahead,
        eta_minutes=eta,
        printed=None if row["printed"] is None else bool(row["printed"]),
    )


def pick_next(waiting: Sequence[Ticket], priority_streak: int, max_streak: int) -> Ticket | None:
    """The ticket to call among ``waiting`` (oldest first), given how many priority
    tickets were called in a row just before. Pure: the whole call rule lives here."""
    first_priority = next((t for t in waiting if t.priority.is_priority), None)
    first_normal = next((t for t in waiting if not t.priority.is_priority), None)
    if first_priority is not None and (first_normal is None or priority_streak < max_streak):
        return first_priority
    return first_normal


class QueueService:
    """Issue, call and finish tickets. One instance per connection; cheap to create."""

    def __init__(self, conn: sqlite3.Connection, catalog: Catalog, clock: Clock, max_priority_streak: int = 3, *,
                 hours: OpeningHours | None = None, after_hours_tickets: bool = True) -> None:
        self._conn = conn
        self._catalog = catalog
        self._clock = clock
        self._max_streak = max_priority_streak
        # Without hours (a window console, a test) the windows count as always open.
        self._hours = hours
        self._after_hours_tickets = after_hours_tickets

    def resumes(self) -> datetime | None:
        """When the windows next open, while they are closed; None while open."""
        return None if self._hours is None else next_opening(self._hours, self._clock.now())

    @property
    def after_hours_tickets(self) -> bool:
        """True when tickets are issued outside opening hours, for the next opening."""
        return self._after_hours_tickets

    def service_day(self) -> date:
        """The day a ticket taken now is for: today while open, else the next opening's."""
        resumes = self.resumes()
        return resumes.date() if resumes is not None else self._clock.now().date()

    @property
    def connection(self) -> sqlite3.Connection:
        """The store connection this queue works on."""
        return self._conn

    # --- issuing ------------------------------------------------------------------------

    def take(
        self,
        service: str,
        priority: Priority = Priority.NORMAL,
        *,
        within: Callable[[sqlite3.Connection, str], None] | None = None,
        by_hours: bool = False,
    ) -> Ticket:
        """Issue the next ticket for ``service``; returns it with its wait estimate.

        The ticket exists (durably) once this returns; only then may it be shown.
        ``within(conn, number)`` runs inside the issuing transaction, so a change that
        goes with the ticket (an appointment's check-in and its event) commits with it
        or not at all. ``by_hours`` (a visitor at the kiosk): outside opening hours the
        ticket is for the next opening day (numbered and called with that day's queue),
        or refused when the site says so. Staff commands issue for today.
        """
        svc = self._catalog.get(service)
        now = self._clock.now()
        resumes = self.resumes() if by_hours else None
        if resumes is not None and not self._after_hours_tickets:
            raise QueueError(
                f"outside opening hours; tickets only from {resumes:%Y-%m-%d %H:%M} ([queue] after_hours_tickets = false)",
                message_key="hours.no_tickets",
            )
        day = (resumes.date() if resumes is not None else now.date()).isoformat()
        with transaction(self._conn) as c:
            if numbers_blocked(c, day):
                raise QueueError(
                    "today's ticket numbers are unknown since the store was damaged; no ticket issued"
                    " (see `kiosk doctor`; `kiosk queue resume PREFIX=LAST…` after checking the last numbers issued)",
                    message_key="store.numbers_unknown",
                )
            # A transferred ticket keeps its number and stands with seq = -ticket_id in
            # its new service (see ``transfer``): it must not move that service's count,
            # and its number must still count for the prefix it was issued under, so a
            # number is never issued twice in a day. Without transfers the second part
            # is empty and this is MAX(seq) + 1 of the service.
            seq = c.execute(
                "SELECT COALESCE(MAX(n), 0) + 1 FROM ("
                " SELECT seq AS n FROM tickets WHERE day = ? AND service = ? AND seq > 0"
                " UNION ALL SELECT CAST(substr(number, 2) AS INTEGER) FROM tickets"
                " WHERE day = ? AND seq < 0 AND substr(number, 1, 1) = ?"
                # After a damaged store was replaced: never below what it had issued.
                " UNION ALL SELECT last FROM ticket_floors WHERE day = ? AND prefix = ?)",
                (day, service, day, svc.prefix, day, svc.prefix),
            ).fetchone()[0]
            number = f"{svc.prefix}{seq:03d}"
            cur = c.execute(
                "INSERT INTO tickets (day, service, seq, number, priority, state, issued_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (day, service, seq, number, priority.value, TicketState.WAITING.value, now.isoformat()),
            )
            ticket_id = cur.lastrowid
            assert ticket_id is not None  # an INSERT always has one
            add_event(
                c,
                "ticket_issued",
                {"day": day, "service": service, "priority": priority.value, "number": number, "issued_at": now.isoformat()},
                now,
            )
            if within is not None:
                within(c, number)
        # After the commit: a crash before it skips no number.
        note_issued(self._conn, day, svc.prefix, seq)
        log.info("ticket issued: %s (%s, %s)", number, service, priority.value)
        ticket = self.get(ticket_id)
        assert ticket is not None
        return ticket

    # --- looking ------------------------------------------------------------------------

    def get(self, ticket_id: int) -> Ticket | None:
        """The ticket with its current wait estimate, or None."""
        row = self._conn.execute("SELECT * FROM tickets WHERE ticket_id = ?", (ticket_id,)).fetchone()
        if row is None:
            return None
        ticket = _row_to_ticket(row)
        if ticket.state is TicketState.WAITING and ticket.day >= self._clock.now().date():
            est = self._estimate_for(ticket)
            return _row_to_ticket(row, est.ahead, est.eta_minutes)
        return ticket

    def find(self, number: str, day: date | None = None) -> Ticket | None:
        """The ticket with ``number`` (e.g. ``B007``) on ``day`` (today by default)."""
        day = day or self._clock.now().date()
        row = self._conn.execute(
            "SELECT ticket_id FROM tickets WHERE day = ? AND number = ?", (day.isoformat(), number.upper())
        ).fetchone()
        return self.get(row["ticket_id"]) if row else None

    def tickets(self, day: date | None = None) -> list[Ticket]:
        """Every ticket of ``day`` (today by default), in issue order."""
        day = day or self._clock.now().date()
        rows = self._conn.execute(
            "SELECT * FROM tickets WHERE day = ? ORDER BY ticket_id", (day.isoformat(),)
        ).fetchall()
        return [_row_to_ticket(r) for r in rows]

    def mark_printed(self, ticket_id: int, printed: bool) -> None:
        """Record whether the ticket's paper came out (a failed one can be reprinted later)."""
        with transaction(self._conn) as c:
            c.execute("UPDATE tickets SET printed = ? WHERE ticket_id = ?", (int(printed), ticket_id))

    def unprinted(self) -> list[Ticket]:
        """Today's waiting tickets whose paper could not be printed, oldest first."""
        return [t for t in self.tickets() if t.state is TicketState.WAITING and t.printed is False]

    def waiting(self, services: Sequence[str] | None = None, day: date | None = None) -> list[Ticket]:
        """The waiting tickets (of ``services``) of ``day`` (today by default), oldest first."""
        return [t for t in self.tickets(day) if t.state is TicketState.WAITING and (not services or t.service in services)]

    def estimate(self, service: str, priority: Priority = Priority.NORMAL) -> WaitEstimate:
        """What a ticket taken now for ``service`` would face: outside opening hours,
        the queue of the next opening day, and when that opening is."""
        self._catalog.get(service)
        resumes = self.resumes()
        waiting = self.waiting([service], resumes.date() if resumes is not None else None)
        if priority.is_priority:
            ahead = sum(1 for t in waiting if t.priority.is_priority)
        else:
            ahead = len(waiting)
        return WaitEstimate(ahead, self._eta(service, ahead), len(waiting), resumes)

    def _estimate_for(self, ticket: Ticket) -> WaitEstimate:
        # Replay the call rule on this service's queue until the ticket comes up: the
        # count of picks before it is exactly how many people are ahead for a window
        # that serves this service.
        waiting = self.waiting([ticket.service], ticket.day)
        # A day not begun has called nobody yet.
        streak = self._priority_streak([ticket.service]) if ticket.day == self._clock.now().date() else 0
        ahead = 0
        while waiting:
            nxt = pick_next(waiting, streak, self._max_streak)
            if nxt is None or nxt.ticket_id == ticket.ticket_id:
                break
            waiting.remove(nxt)
            ahead += 1
            streak = streak + 1 if nxt.priority.is_priority else 0
        return WaitEstimate(ahead, self._eta(ticket.service, ahead))

    def service_minutes(self, service: str) -> float:
        """Median minutes a recent ticket of ``service`` took at the window; the
        catalogue's figure until there is history."""
        rows = self._conn.execute(
            "SELECT called_at, finished_at FROM tickets WHERE service = ? AND state = ?"
            " AND called_at IS NOT NULL AND finished_at IS NOT NULL ORDER BY ticket_id DESC LIMIT ?",
            (service, TicketState.DONE.value, _RECENT_SERVICES),
        ).fetchall()
        durations = [
            (datetime.fromisoformat(r["finished_at"]) - datetime.fromisoformat(r["called_at"])).total_seconds() / 60
            for r in rows
        ]
        durations = [d for d in durations if d > 0]
        if len(durations) >= 3:
            return statistics.median(durations)
        return float(self._catalog.get(service).avg_service_minutes)

    def _eta(self, service: str, ahead: int) -> int:
        if ahead == 0:
            return 0
        since = (self._clock.now() - _ACTIVE_WINDOW_SPAN).isoformat()
        windows = self._conn.execute(
            "SELECT COUNT(DISTINCT window) FROM tickets WHERE service = ? AND called_at >= ?", (service, since)
        ).fetchone()[0]
        return math.ceil(ahead * self.service_minutes(service) / max(1, windows))

    def _priority_streak(self, services: Sequence[str] | None) -> int:
        rows = self._conn.execute(
            "SELECT service, priority FROM tickets WHERE day = ? AND called_at IS NOT NULL ORDER BY called_at DESC, ticket_id DESC",
            (self._clock.now().date().isoformat(),),
        ).fetchall()
        streak = 0
        for r in rows:
            if services and r["service"] not in services:
                continue
            if Priority(r["priority"]).is_priority:
                streak += 1
            else:
                break
        return streak

    # --- calling ------------------------------------------------------------------------

    def call_next(self, window: int, services: Sequence[str] | None = None) -> Ticket | None:
        """Call the next ticket to ``window`` from ``services`` (all when empty).

        The ticket the window was serving, if any, is finished first: calling the next
        person means the last one is done. Returns None when nobody waits.
        """
        for s in services or ():
            self._catalog.get(s)
        at = self._clock.now()
        with transaction(self._conn) as c:
            serving = self.current(window)
            if serving is not None:
                self._finish(c, serving, TicketState.DONE, at)
            nxt = pick_next(self.waiting(services), self._priority_streak(services), self._max_streak)
            if nxt is None:
                return None
            self._mark_called(c, nxt, window, at)
        log.info("ticket called: %s to window %d", nxt.number, window)
        return self.get(nxt.ticket_id)

    def _mark_called(self, c: sqlite3.Connection, ticket: Ticket, window: int | None, at: datetime, place: str | None = None) -> None:
        # Inside the caller's transaction: the call and its event together. ``place``
        # names where a call without a window sends the person (the terminal itself).
        c.execute(
            "UPDATE tickets SET state = ?, called_at = ?, window = ? WHERE ticket_id = ?",
            (TicketState.CALLED.value, at.isoformat(), window, ticket.ticket_id),
        )
        doc: dict[str, object] = {
            "day": ticket.day.isoformat(),
            "service": ticket.service,
            "priority": ticket.priority.value,
            "number": ticket.number,
            "window": window,
            "wait_seconds": round((at - ticket.issued_at).total_seconds()),
        }
        if place is not None:
            doc["place"] = place
        add_event(c, "ticket_called", doc, at)

    def call_number(self, number: str, service: str, place: str) -> Ticket:
        """Call today's ticket ``number`` of ``service`` by name, to ``place`` rather than a
        window (a mediation party called to this terminal). The call is recorded like a
        window's (state, time, the ``ticket_called`` event with the wait) but with no
        window, so no window's current ticket changes and the calling display, which
        shows windows, leaves it alone. A ticket already called there is called again
        (a recall). Raises ``QueueError`` for a number that is not a waiting ticket of
        that service today."""
        number = number.strip().upper()
        at = self._clock.now()
        with transaction(self._conn) as c:
            ticket = self.find(number)
            if ticket is None:
                raise QueueError(f"no ticket {number} today", message_key="queue.no_such_ticket")
            if ticket.service != service:
                raise QueueError(f"{number} is a ticket for {ticket.service}, not {service}", message_key="queue.wrong_service")
            if ticket.state is TicketState.CALLED and ticket.window is None:
                c.execute("UPDATE tickets SET recalls = recalls + 1 WHERE ticket_id = ?", (ticket.ticket_id,))
            elif ticket.state is TicketState.WAITING:
                self._mark_called(c, ticket, None, at, place)
            else:
                raise QueueError(f"{number} is {ticket.state.value}", message_key="queue.not_waiting")
        log.info("ticket called: %s to %s", number, place)
        result = self.get(ticket.ticket_id)
        assert result is not None
        return result

    def finish_number(self, number: str, state: TicketState = TicketState.DONE) -> Ticket | None:
        """Finish today's ticket ``number`` called by name (``call_number``): the person
        came (done) or never did (no-show). None when it is not such a called ticket."""
        with transaction(self._conn) as c:
            ticket = self.find(number)
            if ticket is None or ticket.state is not TicketState.CALLED or ticket.window is not None:
                return None
            self._finish(c, ticket, state, self._clock.now())
        log.info("ticket %s: %s", ticket.number, state.value)
        return self.get(ticket.ticket_id)

    def current(self, window: int) -> Ticket | None:
        """The ticket ``window`` is serving now, if any."""
        row = self._conn.execute(
            "SELECT * FROM tickets WHERE day = ? AND window = ? AND state = ? ORDER BY called_at DESC LIMIT 1",
            (self._clock.now().date().isoformat(), window, TicketState.CALLED.value),
        ).fetchone()
        return _row_to_ticket(row) if row else None

    def _finish(self, c: sqlite3.Connection, ticket: Ticket, state: TicketState, at: datetime) -> None:
        # Inside the caller's transaction: the state change and its event together.
        c.execute("UPDATE tickets SET state = ?, finished_at = ? WHERE ticket_id = ?", (state.value, at.isoformat(), ticket.ticket_id))
        add_event(
            c,
            "ticket_finished",
            {
                "day": ticket.day.isoformat(),
                "service": ticket.service,
                "number": ticket.number,
                "window": ticket.window,
                "state": state.value,
                "service_seconds": round((at - ticket.called_at).total_seconds()) if ticket.called_at else None,
            },
            at,
        )

    def _finish_current(self, window: int, state: TicketState | None) -> Ticket:
        with transaction(self._conn) as c:
            ticket = self.current(window)
            if ticket is None:
                raise QueueError(f"window {window} is not serving a ticket", message_key="queue.window_idle")
            if state is None:  # recall: announce again, keep serving
                c.execute("UPDATE tickets SET recalls = recalls + 1 WHERE ticket_id = ?", (ticket.ticket_id,))
            else:
                self._finish(c, ticket, state, self._clock.now())
        result = self.get(ticket.ticket_id)
        assert result is not None
        log.info("ticket %s at window %d: %s", ticket.number, window, state.value if state else "recalled")
        return result

    def recall(self, window: int) -> Ticket:
        """Call the window's current ticket again (the display and the speaker repeat it)."""
        return self._finish_current(window, None)

    def skip(self, window: int) -> Ticket:
        """The called person did not come: mark the ticket a no-show."""
        return self._finish_current(window, TicketState.NO_SHOW)

    def done(self, window: int) -> Ticket:
        """The window finished serving its current ticket."""
        return self._finish_current(window, TicketState.DONE)

    # --- transferring -------------------------------------------------------------------

    def transfer(self, window: int, service: str) -> Ticket:
        """Send the ticket ``window`` is serving to ``service``, keeping the person's place.

        The ticket waits again, now for ``service``, with its number, priority and issue
        time unchanged: it stands where its issue time puts it among that service's
        tickets (ahead of everyone who took a ticket after it), so nobody is sent to the
        back of a second queue. See docs/queue.md, "Transfers".
        """
        target = self._catalog.get(service)
        at = self._clock.now()
        with transaction(self._conn) as c:
            ticket = self.current(window)
            if ticket is None:
                raise QueueError(f"window {window} is not serving a ticket", message_key="queue.window_idle")
            if ticket.service == target.code:
                raise QueueError(f"{ticket.number} is already for {service}", message_key="queue.same_service")
            # The number stays (the person holds it on paper); seq = -ticket_id keeps
            # (day, service, seq) unique in the new service without taking a count
            # from it. Order in the queue is by ticket_id, i.e. issue order, unchanged.
            c.execute(
                "UPDATE tickets SET service = ?, seq = ?, state = ?, called_at = NULL, window = NULL WHERE ticket_id = ?",
                (target.code, -ticket.ticket_id, TicketState.WAITING.value, ticket.ticket_id),
            )
            add_event(
                c,
                "ticket_transferred",
                {
                    "day": ticket.day.isoformat(),
                    "number": ticket.number,
                    "priority": ticket.priority.value,
                    "from_service": ticket.service,
                    "to_service": target.code,
                    "window": window,
                    "service_seconds": round((at - ticket.called_at).total_seconds()) if ticket.called_at else None,
                },
                at,
            )
        log.info("ticket %s at window %d: transferred %s -> %s", ticket.number, window, ticket.service, target.code)
        result = self.get(ticket.ticket_id)
        assert result is not None
        return result

    # --- what the console and the calling display read -----------------------------------

    def serving(self) -> dict[int, Ticket]:
        """Window → the ticket it is serving now (today), windows in order."""
        rows = self._conn.execute(
            "SELECT * FROM tickets WHERE day = ? AND state = ? AND window IS NOT NULL ORDER BY window, called_at",
            (self._clock.now().date().isoformat(), TicketState.CALLED.value),
        ).fetchall()
        # A window serves one ticket; should two rows ever say otherwise, the latest call wins.
        return {r["window"]: _row_to_ticket(r) for r in rows}

    def upcoming(self, services: Sequence[str] | None = None, limit: int = 5) -> list[Ticket]:
        """The next ``limit`` tickets (of ``services``) in the order the call rule would
        call them to a window serving all of those services."""
        waiting = self.waiting(services)
        streak = self._priority_streak(services)
        out: list[Ticket] = []
        while waiting and len(out) < limit:
            nxt = pick_next(waiting, streak, self._max_streak)
            if nxt is None:
                break
            waiting.remove(nxt)
            out.append(nxt)
            streak = streak + 1 if nxt.priority.is_priority else 0
        return out

    def called_today(self) -> list[Ticket]:
        """Today's tickets that have been called (serving or finished), in call order;
        what the announcer watches to follow calls made by any process."""
        rows = self._conn.execute(
            "SELECT * FROM tickets WHERE day = ? AND called_at IS NOT NULL ORDER BY called_at, ticket_id",
            (self._clock.now().date().isoformat(),),
        ).fetchall()
        return [_row_to_ticket(r) for r in rows]
