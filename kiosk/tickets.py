"""Queue tickets: the value the queue hands out, and its priority classes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime


class Priority(str, enum.Enum):
    """Priority classes: served ahead of normal tickets (优先受理老年人、残疾人、军人)."""

    NORMAL = "normal"
    ELDERLY = "elderly"  # 60 and over
    DISABLED = "disabled"
    MILITARY = "military"
    # Checked in for an appointment (预约签到): ranked like the other priority classes,
    # see docs/appointments.md "Check-in, offline, and the queue".
    APPOINTMENT = "appointment"

    @property
    def is_priority(self) -> bool:
        """True for every class that is served ahead of normal tickets."""
        return self is not Priority.NORMAL


class TicketState(str, enum.Enum):
    """Where a ticket is in its life."""

    WAITING = "waiting"
    CALLED = "called"
    DONE = "done"
    NO_SHOW = "no_show"


@dataclass(frozen=True)
class Ticket:
    """One issued ticket. ``number`` is what people see and hear (``B007``)."""

    ticket_id: int
    day: date
    service: str
    number: str
    priority: Priority
    state: TicketState
    issued_at: datetime
    called_at: datetime | None = None
    finished_at: datetime | None = None
    window: int | None = None
    recalls: int = 0
    ahead: int = 0  # people ahead when the ticket was last looked at
    eta_minutes: int = 0  # estimated wait when the ticket was last looked at
    printed: bool | None = None  # the paper came out; False: it could not be printed; None: not tried


def ticket_url(template: str, terminal_id: str, ticket: Ticket) -> str:
    """The URL a ticket's QR code holds: where to follow the queue. It names the
    terminal, day and number only — never the person."""
    return template.format(terminal_id=terminal_id, date=ticket.day.isoformat(), number=ticket.number)


def spoken_number(number: str, language: str = "zh_CN") -> str:
    """A ticket number the way a caller says it: ``B007`` → ``B零零七号`` (digit by digit,
    as queue announcements do, so no one hears "B seven"); in English ``B 0 0 7``."""
    if language == "en":
        return " ".join(number)
    # deferred: the voice package loads its matcher (about 0.1 s), paid only when a number is spoken
    from kiosk.voice.numbers import say_number

    return say_number(number)
