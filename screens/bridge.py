"""The one bridge from worker threads to the UI thread.

Workers (devices, the centre asker) post to the terminal's event inbox (kiosk/inbox.py)
from any thread; the UI thread drains it in one coalesced Clock trigger, however many
events arrived in between.
"""

from __future__ import annotations

from typing import Callable

from kivy.clock import Clock

from kiosk.events import Event
from kiosk.inbox import EventInbox


class UiBridge:
    """Carries events from ``inbox`` to ``handler`` on the UI thread."""

    def __init__(self, handler: Callable[[Event], None], inbox: EventInbox | None = None) -> None:
        self._handler = handler
        self._inbox = inbox if inbox is not None else EventInbox()
        self._trigger = Clock.create_trigger(self._drain, 0)
        self._inbox.on_post(self._trigger)

    def post(self, event: Event) -> None:
        """Queue ``event`` (any thread)."""
        self._inbox.post(event)

    def _drain(self, _dt: float) -> None:
        while (event := self._inbox.pop()) is not None:
            self._handler(event)
