"""Presence as a feature of the kiosk: what the terminal does when someone comes, faces
it, and goes.

- engaged (facing the screen from close by ~1.5 s) on the attract screen: greeted aloud
  once per person, outside quiet hours (the app's side says it, screens/presence/ui.py);
- left while a visit is open and nobody else is in view: the idle question comes at
  once, so the wipe comes sooner;
- a video call takes the camera: the watcher stops looking at once and starts again
  when the call is over;
- anonymous footfall (approached, engaged, served = a visit started) goes to the centre
  as ``footfall`` outbox events: a day, an hour and what happened, nothing else.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from typing import Callable

from kiosk.config import KioskConfig, PresenceSettings
from kiosk.events import Event
from kiosk.feature import FeatureBase, FeatureContext, State, load
from kiosk.outbox import add_event
from kiosk.ports import Camera, Clock, DeviceKind
from kiosk.presence.events import PersonApproached, PersonEngaged, PersonLeft
from kiosk.presence.tracker import TrackerSettings
from kiosk.presence.watcher import FaceFinder, PresenceWatcher
from kiosk.states import VisitState
from kiosk.video_call.states import VideoCallState
from kiosk.visit import VisitFlow

log = logging.getLogger(__name__)

FOOTFALL = "footfall"  # outbox event: day, hour, what (approached | engaged | served)
# The video call's states in which its call holds the camera.
_CAMERA_IN_CALL = frozenset({VideoCallState.CALL_WAIT, VideoCallState.CALL_ACTIVE})


def quiet_now(hours: tuple[int, int], hour: int) -> bool:
    """Is ``hour`` inside the quiet hours ``[from, to)`` (which may wrap past midnight)?"""
    start, end = hours
    if start == end:
        return False
    return start <= hour < end if start < end else (hour >= start or hour < end)


class PresenceFeature(FeatureBase):
    """The terminal notices people (no state of its own: it answers person events)."""

    name = "presence"
    events = (PersonApproached, PersonEngaged, PersonLeft)
    config_section = "presence"

    def __init__(self, settings: PresenceSettings, clock: Clock, conn: sqlite3.Connection | None,
                 watcher: PresenceWatcher | None) -> None:
        self.settings = settings
        self._clock = clock
        self._conn = conn
        self.watcher = watcher
        self._greeted: set[int] = set()  # people in view already greeted (numbers, not faces)
        self.to_greet: int | None = None  # the person the app should greet now
        self.engaged: int | None = None  # the person facing the screen now

    # --- the watcher ------------------------------------------------------------------

    def start(self, sink: Callable[[Event], None]) -> None:
        """Start watching, the events going to ``sink`` (the terminal's inbox)."""
        if self.watcher is not None:
            self.watcher.sink = sink
            self.watcher.start()

    def stop(self) -> None:
        """Stop watching."""
        if self.watcher is not None:
            self.watcher.stop()

    def gaze(self) -> float | None:
        """Where the face on the attract screen looks (0 left … 1 right); None: nobody."""
        return self.watcher.gaze() if self.watcher is not None else None

    # --- events ----------------------------------------------------------------------------

    def on_event(self, flow: VisitFlow, event: Event, target: State | None) -> State | None:
        """Count, greet, shorten the wait; never moves the visit by itself."""
        if isinstance(event, PersonApproached):
            self._count("approached")
        elif isinstance(event, PersonEngaged):
            self._count("engaged")
            self.engaged = event.person
            if (flow.state is VisitState.ATTRACT and event.person not in self._greeted and self.settings.greet
                    and not quiet_now(self.settings.quiet_hours, self._clock.now().hour)):
                self._greeted.add(event.person)
                self.to_greet = event.person
        elif isinstance(event, PersonLeft):
            self._greeted.discard(event.person)
            if self.engaged == event.person:
                self.engaged = None
            nobody = self.watcher is None or self.watcher.people() == 0
            if nobody and flow.idle_timeout() is not None and not flow.visit.idle_warning:
                # The person walked away mid-visit: ask "还在吗？" now rather than after the
                # whole idle time, so what they left on screen is wiped sooner.
                flow.visit = replace(flow.visit, idle_warning=True)
                log.info("visit %d: the person left; idle question now", flow.visit.visit_id)
        return None

    def observe(self, flow: VisitFlow, old: State, new: State, event: Event) -> None:
        """A visit started: served; the call took the camera or gave it back."""
        if old is VisitState.ATTRACT and new is not VisitState.ATTRACT:
            self._count("served")
        if self.watcher is not None:
            if new in _CAMERA_IN_CALL and not self.watcher.paused:
                self.watcher.pause()
                log.info("presence: camera handed to the video call")
            elif new not in _CAMERA_IN_CALL and self.watcher.paused:
                self.watcher.resume()
                log.info("presence: camera back from the video call")

    def take_greeting(self) -> bool:
        """True once after an engaged person is due a greeting (the app says it)."""
        due, self.to_greet = self.to_greet is not None, None
        return due

    def _count(self, what: str) -> None:
        if self._conn is None:
            return
        now = self._clock.now()
        with self._conn:  # one transaction: the count is stored or not at all
            add_event(self._conn, FOOTFALL, {"day": now.date().isoformat(), "hour": now.hour, "what": what}, now)


def make_watcher(config: KioskConfig, camera: Callable[[], Camera | None]) -> PresenceWatcher:
    """A watcher on ``camera`` with the configured detector and thresholds (sink unset)."""
    s = config.presence

    def finder() -> FaceFinder:
        # Resolved on the watcher's worker at its first frame: the detector's libraries
        # are not paid for before the app's first frame.
        factory: Callable[[], FaceFinder] = load(s.detector)
        return factory()

    settings = TrackerSettings(engage_seconds=s.engage_seconds, engage_size=s.engage_size, leave_seconds=s.leave_seconds)
    return PresenceWatcher(camera, finder, lambda _e: None, fps=s.fps, settings=settings)


def setup(ctx: FeatureContext) -> PresenceFeature:
    """The feature; its watcher when presence is on (the app starts it)."""

    def camera() -> Camera | None:
        device = ctx.devices().get(DeviceKind.CAMERA)
        return device if isinstance(device, Camera) else None

    watcher = make_watcher(ctx.config, camera) if ctx.config.presence.enabled else None
    return PresenceFeature(ctx.config.presence, ctx.clock, ctx.queue.connection, watcher)
