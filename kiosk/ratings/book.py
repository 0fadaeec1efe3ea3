"""Service ratings (服务评价): the book that records them: five faces, optional reasons, anonymous.

A rating is asked for after a ticket is served (on the window's tablet, or at the kiosk
with the ticket's number) and after a video call. What is kept:

- the rating itself goes to the centre as a ``rating`` outbox event (day, service,
  score, reasons, source) — no ticket number, no time finer than the day, nobody;
- locally, ``ratings_given`` remembers *that* a ticket was rated (its id only, never
  the score), so each served ticket is rated once and the two records cannot be
  joined back into "who said what".

The rating and its "rated" mark are written in one transaction with the event.
"""

from __future__ import annotations

import enum
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from kiosk.errors import KioskError
from kiosk.outbox import add_event
from kiosk.ports import Clock
from kiosk.store import transaction
from kiosk.tickets import Ticket, TicketState

# The faces, best first, as people say them; score 5 is 非常满意.
SCORES = (5, 4, 3, 2, 1)
# Reasons offered under the faces (codes; texts are rating.reason.<code> in the catalogues).
# The first four praise, the last four complain: the screen shows the ones that fit the score.
GOOD_REASONS = ("patient", "professional", "quick", "clear")
BAD_REASONS = ("long_wait", "unclear", "attitude", "not_solved")
REASONS = GOOD_REASONS + BAD_REASONS
# A ticket can be rated at the kiosk for this long after it was finished.
RATE_WITHIN = timedelta(hours=4)
VIDEO_SERVICE = "video"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS ratings_given (
    ticket_id INTEGER PRIMARY KEY,
    given_at  TEXT NOT NULL
)
"""


class Source(str, enum.Enum):
    """Where the rating was given for."""

    TICKET = "ticket"  # a ticket served at a window
    VIDEO = "video"  # a video call with a lawyer


class RatingError(KioskError):
    """A rating was refused (bad score, ticket not served, already rated)."""

    message_key = "rating.error"


@dataclass(frozen=True)
class Rating:
    """One rating as given: score 1–5, reason codes, what it was for."""

    service: str
    score: int
    reasons: tuple[str, ...] = ()
    source: Source = Source.TICKET

    def __post_init__(self) -> None:
        if self.score not in SCORES:
            raise RatingError(f"score must be 1..5, got {self.score!r}", message_key="rating.error")
        unknown = [r for r in self.reasons if r not in REASONS]
        if unknown:
            raise RatingError(f"unknown reason codes {unknown}", message_key="rating.error")


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the module's table (idempotent; the store's migrations stay untouched)."""
    conn.execute(_SCHEMA)


class RatingBook:
    """Records ratings on the terminal's store (one per connection and thread)."""

    def __init__(self, conn: sqlite3.Connection, clock: Clock) -> None:
        self._conn = conn
        self._clock = clock
        ensure_schema(conn)

    def was_rated(self, ticket_id: int) -> bool:
        """True when the ticket already has a rating."""
        return self._conn.execute("SELECT 1 FROM ratings_given WHERE ticket_id = ?", (ticket_id,)).fetchone() is not None

    def can_rate(self, ticket: Ticket) -> bool:
        """A served ticket, finished recently, not yet rated."""
        if ticket.state is not TicketState.DONE or ticket.finished_at is None:
            return False
        if self._clock.now() - ticket.finished_at > RATE_WITHIN:
            return False
        return not self.was_rated(ticket.ticket_id)

    def rate_ticket(self, ticket: Ticket, score: int, reasons: tuple[str, ...] = ()) -> Rating:
        """Record the rating of a served ticket; refused when it cannot be rated."""
        rating = Rating(ticket.service, score, tuple(reasons), Source.TICKET)
        if ticket.state is not TicketState.DONE:
            raise RatingError(f"ticket {ticket.number} has not been served", message_key="rating.not_served")
        now = self._clock.now()
        with transaction(self._conn) as c:
            # INSERT OR IGNORE inside the transaction: two tablets tapping at once rate once.
            cur = c.execute("INSERT OR IGNORE INTO ratings_given (ticket_id, given_at) VALUES (?, ?)", (ticket.ticket_id, now.isoformat()))
            if cur.rowcount == 0:
                raise RatingError(f"ticket {ticket.number} was already rated", message_key="rating.already")
            _event(c, rating, now)
        return rating

    def rate_video(self, score: int, reasons: tuple[str, ...] = ()) -> Rating:
        """Record the rating of a video call (one per call: the screen asks once)."""
        rating = Rating(VIDEO_SERVICE, score, tuple(reasons), Source.VIDEO)
        now = self._clock.now()
        with transaction(self._conn) as c:
            _event(c, rating, now)
        return rating

    def recently_served(self, digits: str, day_tickets: list[Ticket]) -> list[Ticket]:
        """Today's served, unrated, recent tickets whose number ends in ``digits``
        (the person types the digits of their number: 12 → A012, C012)."""
        digits = digits.lstrip("0")
        if not digits.isdigit():
            return []
        return [
            t for t in day_tickets
            if t.number[1:].lstrip("0") == digits and self.can_rate(t)
        ]


def _event(c: sqlite3.Connection, rating: Rating, at: datetime) -> None:
    # Counts only: the day (not the minute), the service, the score and the reasons.
    add_event(
        c,
        "rating",
        {
            "day": at.date().isoformat(),
            "service": rating.service,
            "score": rating.score,
            "reasons": list(rating.reasons),
            "source": rating.source.value,
        },
        at,
    )
