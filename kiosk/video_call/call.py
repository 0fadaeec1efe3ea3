"""Video consultation as the core sees it: the request, the port the call runs behind,
the events' bookkeeping and the figure the bureau gets (a ``video_call`` outbox event).

The call itself (aiortc, camera, signalling through the centre) lives in remote_video/
and is wired by kiosk.bootstrap; the core never imports it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Protocol

from kiosk.outbox import add_event

# End reasons (CallEnded.reason) and what the person is told (locale keys under [call]).
REASON_KEYS = {
    "hung_up": "call.ended_you",
    "terminal_hung_up": "call.ended_you",
    "cancelled": "call.ended_cancelled",
    "lawyer_hung_up": "call.ended_lawyer",
    "lawyer_lost": "call.ended_lost",
    "connection_failed": "call.ended_lost",
    "connection_closed": "call.ended_lost",
    "no_lawyer": "call.no_lawyer",
    "offline": "call.offline",
    "no_camera": "call.no_camera",
    "failed": "call.failed",
    "bad_request": "call.failed",
}


def reason_key(reason: str) -> str:
    """The locale key that tells the person why the call ended."""
    return REASON_KEYS.get(reason, "call.failed")


CALL_PRIORITY_CLASSES = ("elderly", "disabled", "military")


def call_priority(priority: str) -> str:
    """The class a call carries: the law's priority classes (优先受理) as they are;
    anything else (an appointment's check-in rank, normal) is ``normal`` — the lawyers'
    line has no appointments."""
    return priority if priority in CALL_PRIORITY_CLASSES else "normal"


@dataclass(frozen=True)
class CallRequest:
    """What the terminal asks the centre for. No personal data: a service code, the
    priority class the visit earned, the consent and the language."""

    service: str
    priority: str
    record: bool
    language: str


class VideoCallPort(Protocol):
    """A video call to the centre's duty lawyers (remote_video.call.VideoCalls).

    Methods return at once; progress comes back as events (CallQueued, CallConnected,
    CallEnded) through the sink given at construction, on a worker thread.
    """

    sink: "Sink"  # where the call's events go (the app sets its UI bridge)

    def available(self) -> bool:
        """True when the terminal can offer calls (enabled, a centre, a camera)."""

    def start(self, request: CallRequest) -> str:
        """Place a call; returns its id."""

    def cancel(self) -> None:
        """Leave the queue."""

    def hang_up(self) -> None:
        """End the call in progress."""

    def set_volume(self, percent: int) -> None:
        """The loudness of the other side, 0–100."""

    def remote_picture(self) -> tuple[int, Any]:
        """``(count, RGB array or None)``: the lawyer's newest picture."""

    def self_picture(self) -> tuple[int, Any]:
        """``(count, RGB array or None)``: what the terminal's camera sends."""

    def close(self) -> None:
        """Hang up any call and stop the call's thread (the app is closing)."""

    def demo_centre(self) -> Any:
        """A centre channel with a duty lawyer on 127.0.0.1 (screenshots, the audit, a
        technician's try-out)."""


@dataclass
class CallRecord:
    """One call's figures, kept until it ends (UI thread)."""

    call_id: str
    service: str
    requested_at: float  # monotonic
    record: bool
    answered_at: float | None = None
    position: int | None = None
    estimate_s: float | None = None
    lawyers_on_duty: int | None = None
    lawyer: str = ""
    ended_reason: str | None = None
    ended_at: float | None = None

    def figures(self) -> dict[str, Any]:
        """The counts the bureau gets (no person, no lawyer)."""
        end = self.ended_at if self.ended_at is not None else self.requested_at
        answered_at = self.answered_at
        answered = answered_at is not None
        return {
            "service": self.service,
            "answered": answered,
            "wait_s": round((answered_at if answered_at else end) - self.requested_at, 1),
            "duration_s": round(end - answered_at, 1) if answered_at is not None else 0.0,
            "recorded": bool(self.record and answered),
        }


def record_call(conn: sqlite3.Connection, rec: CallRecord, at: datetime) -> str:
    """Put the finished call's figures in the durable outbox (``video_call``)."""
    with conn:  # one transaction: the event is stored or not at all
        return add_event(conn, "video_call", {"day": at.date().isoformat(), **rec.figures()}, at)


Sink = Callable[[Any], None]
