"""The one bridge from worker threads to the UI thread.

Device workers call ``post`` from any thread; the UI thread drains the inbox in one
coalesced Clock trigger, however many events arrived in between.
"""

from __future__ import annotations

import collections
import threading
from typing import Callable

from kivy.clock import Clock

from kiosk.events import Event


class UiBridge:
    """Carries events to ``handler`` on the UI thread."""

    def __init__(self, handler: Callable[[Event], None]) -> None:
        self._handler = handler
        self._inbox: collections.deque[Event] = collections.deque()
        self._lock = threading.Lock()
        self._trigger = Clock.create_trigger(self._drain, 0)

    def post(self, event: Event) -> None:
        """Queue ``event`` (any thread)."""
        with self._lock:
            self._inbox.append(event)
        self._trigger()

    def _drain(self, _dt: float) -> None:
        while True:
            with self._lock:
                if not self._inbox:
                    return
                event = self._inbox.popleft()
            self._handler(event)
