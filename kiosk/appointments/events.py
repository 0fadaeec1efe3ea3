"""The events only appointments answer: opening the menu, a choice, an answer from the
centre asker."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.events import Event


@dataclass(frozen=True)
class AppointmentsOpened(Event):
    """The person chose "预约" on the home screen."""


@dataclass(frozen=True)
class AppointmentAsked(Event):
    """One choice on an appointment screen: ``step`` (service, day, slot, phone, mine,
    by_code, code, last4, cancel, move, checkin, walkin) and its ``value``, which may be
    personal (a phone number): never logged."""

    step: str
    value: str = field(default="", repr=False)


@dataclass(frozen=True)
class AppointmentAnswered(Event):
    """An appointment ask came back from its worker (through the UI bridge): ``what``
    was asked (slots, book, find, cancel, move, offer), ``result`` (None when it
    failed) and ``message_key`` saying why it failed."""

    request_id: int
    what: str
    result: object = field(default=None, repr=False)
    message_key: str | None = None
