"""Events from worker threads, waiting for the one thread that runs the visit.

Devices, the centre asker and the video call post here from any thread. The app's UI
bridge drains it on the UI thread (``wake`` schedules that); a test without Kivy takes
the events itself with ``take``.
"""

from __future__ import annotations

import collections
import threading
from typing import Callable

from kiosk.events import Event


class EventInbox:
    """A thread-safe queue of events for the visit's thread."""

    def __init__(self) -> None:
        self._events: collections.deque[Event] = collections.deque()
        self._ready = threading.Condition()
        self._wake: Callable[[], None] | None = None

    def post(self, event: Event) -> None:
        """Queue ``event`` (any thread) and wake whoever drains the inbox."""
        with self._ready:
            self._events.append(event)
            self._ready.notify_all()
            wake = self._wake
        if wake is not None:
            wake()

    def on_post(self, wake: Callable[[], None] | None) -> None:
        """Call ``wake`` (from the posting thread) after each event arrives: the UI
        bridge schedules its drain with it."""
        with self._ready:
            self._wake = wake
            pending = bool(self._events)
        if wake is not None and pending:
            wake()

    def pop(self) -> Event | None:
        """The oldest waiting event, or None at once when there is none."""
        with self._ready:
            return self._events.popleft() if self._events else None

    def take(self, timeout: float) -> Event:
        """The oldest event, waiting up to ``timeout`` seconds for one (TimeoutError)."""
        with self._ready:
            if not self._ready.wait_for(lambda: bool(self._events), timeout):
                raise TimeoutError(f"no event within {timeout} s")
            return self._events.popleft()
