"""The presence watcher: one worker that looks at the camera's newest frame a few times
a second, asks the detector what it sees and turns that into person events.

The detector is a ``FaceFinder`` (devices/camera/presence.py); the frames stay in this
process, in memory, one at a time, and are dropped after each look. ``pause()`` stops
looking at once (a video call needs the camera) and forgets everyone in view;
``resume()`` starts again.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Protocol

from kiosk.events import Event
from kiosk.ports import Camera, Frame
from kiosk.presence.events import PersonApproached, PersonEngaged, PersonLeft
from kiosk.presence.tracker import APPROACHED, ENGAGED, PresenceChange, PresenceTracker, Sighting, TrackerSettings

log = logging.getLogger(__name__)


class FaceFinder(Protocol):
    """A face detector: one frame in, motion and faces out (never the pixels)."""

    def look(self, frame: Frame) -> Sighting:
        """What this frame shows."""


def to_event(change: PresenceChange) -> Event:
    """The kiosk event for one tracker change."""
    if change.kind == APPROACHED:
        return PersonApproached(change.person)
    if change.kind == ENGAGED:
        return PersonEngaged(change.person)
    return PersonLeft(change.person)


class PresenceWatcher:
    """Looks ``fps`` times a second on its own thread; ``sink`` gets each event."""

    def __init__(
        self,
        camera: Callable[[], Camera | None],
        finder: Callable[[], FaceFinder],
        sink: Callable[[Event], None],
        *,
        fps: float = 4.0,
        settings: TrackerSettings | None = None,
    ) -> None:
        self._camera = camera
        self._finder_factory = finder
        self._finder: FaceFinder | None = None
        self.sink = sink
        self._period = 1.0 / fps
        self.tracker = PresenceTracker(settings or TrackerSettings())
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._thread: threading.Thread | None = None
        self.looks = 0  # frames looked at (the camera hand-over test counts them)
        self.last_sighting: Sighting | None = None
        # What the UI reads ten times a second, set after each look: reading it never
        # waits for a look in progress.
        self._gaze: float | None = None
        self._people = 0

    @property
    def paused(self) -> bool:
        """True while the camera is left to something else (a video call)."""
        return self._paused.is_set()

    def start(self) -> None:
        """Start looking (the detector's model is loaded on the worker, not here)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="presence", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the worker."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)
            self._thread = None

    def pause(self) -> None:
        """Leave the camera alone from now on (no frame is read after this returns) and
        forget who was in view."""
        with self._lock:  # waits for a look in progress to finish
            self._paused.set()
            changes = self.tracker.reset()
            self.last_sighting = None
            self._gaze, self._people = None, 0
        for c in changes:
            self.sink(to_event(c))

    def resume(self) -> None:
        """Look again."""
        self._paused.clear()

    def gaze(self) -> float | None:
        """Where the face on screen should look (0 left … 1 right), None: nobody."""
        return self._gaze

    def people(self) -> int:
        """How many people are in view now."""
        return self._people

    def look_once(self, now: float | None = None) -> list[Event]:
        """One look (the worker's step; also for tests and the bench). Nothing when
        paused or when there is no frame."""
        with self._lock:
            if self.paused:
                return []
            camera = self._camera()
            frame = camera.latest_frame() if camera is not None else None
            if frame is None:
                sighting = Sighting(0.0)
            else:
                if self._finder is None:
                    self._finder = self._finder_factory()
                sighting = self._finder.look(frame)
                self.looks += 1
            del frame  # nothing of the picture is kept past the look
            self.last_sighting = sighting
            changes = self.tracker.feed(sighting, time.monotonic() if now is None else now)
            self._gaze, self._people = self.tracker.gaze(), self.tracker.people()
        events = [to_event(c) for c in changes]
        for e in events:
            self.sink(e)
        return events

    def _run(self) -> None:
        next_at = time.monotonic()
        while not self._stop.is_set():
            next_at += self._period
            delay = next_at - time.monotonic()
            if delay < -self._period:
                next_at = time.monotonic()
            elif delay > 0 and self._stop.wait(delay):
                break
            try:
                self.look_once()
            except Exception:  # a bad frame or a detector fault must not end presence for good
                log.exception("presence: a look failed")
                self._stop.wait(1.0)
