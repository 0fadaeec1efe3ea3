"""The events only legal aid answers: opening an application or a look-up, its answers,
and the centre's answer to a progress look-up."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.events import Event


@dataclass(frozen=True)
class LegalAidOpened(Event):
    """The person chose "法律援助申请" (apply) on the home screen."""


@dataclass(frozen=True)
class LegalAidAnswered(Event):
    """One answer in the application: ``step`` names the question (matter, group,
    hardship, phone, story, letter, sign), ``value`` the choice. ``value`` and ``data``
    may be personal (a phone number, dictated words, the signature image): never logged."""

    step: str
    value: str = field(default="", repr=False)
    data: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class ProgressOpened(Event):
    """The person chose "查询申请进度" (follow an application) on the home screen."""


@dataclass(frozen=True)
class ProgressAnswered(Event):
    """The centre answered a progress look-up (posted from a worker through the UI
    bridge). ``applications`` are dicts {number, status, note, matter, submitted};
    ``message_key`` says what went wrong when the look-up failed."""

    lookup_id: int
    applications: tuple[dict, ...] = field(default=(), repr=False)
    message_key: str | None = None
