"""The events only ratings answer: asking for a rating, and one choice on its screens."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.events import Event


@dataclass(frozen=True)
class RatingOpened(Event):
    """A rating was asked for: ``source`` is ``ticket`` (a served ticket) or ``video``
    (after a video call; the video screen's ``rate:video`` action)."""

    source: str = "ticket"


@dataclass(frozen=True)
class RatingAsked(Event):
    """One choice on a rating screen: ``step`` (digits, ticket, score, reason, submit)."""

    step: str
    value: str = ""
