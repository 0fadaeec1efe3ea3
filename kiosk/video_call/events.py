"""The events of a video call: the person's steps and what the call reports (posted by
remote_video on its own thread, carried to the UI thread by the event inbox).

``Event`` is re-exported: the call's side (remote_video) types its sink with it."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.events import Event


@dataclass(frozen=True)
class CallOpened(Event):
    """The person chose "视频咨询" (talk to a lawyer by video) on the home screen."""


@dataclass(frozen=True)
class CallConsented(Event):
    """The person answered the consent question: ``record`` is their consent to the
    call being recorded (False: a call without recording, where the centre allows it)."""

    record: bool


@dataclass(frozen=True)
class CallQueued(Event):
    """The centre put the call in the lawyers' line (sent again when the place changes)."""

    call_id: str
    position: int
    estimate_s: float
    lawyers_on_duty: int


@dataclass(frozen=True)
class CallConnected(Event):
    """A lawyer answered; ``lawyer`` is the name to show (e.g. "王律师")."""

    call_id: str
    lawyer: str


@dataclass(frozen=True)
class CallEnded(Event):
    """The call is over, however it ended (``reason``: hung_up, cancelled,
    lawyer_hung_up, lawyer_lost, no_lawyer, offline, no_camera, failed…)."""

    call_id: str
    reason: str


__all__ = ["CallConnected", "CallConsented", "CallEnded", "CallOpened", "CallQueued", "Event"]
