"""One owner of a device's health: log and report on transitions only.

Like Home Assistant's update coordinator: "unavailable" is logged once when a device
fails and "recovered" once when it comes back, however often it is polled.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from kiosk.events import DeviceEvent, DeviceFaulted, DeviceRecovered
from kiosk.ports import DeviceHealth, DeviceKind, DeviceState

log = logging.getLogger(__name__)


class HealthTracker:
    """Holds a device's current health and emits events when the state changes."""

    def __init__(self, kind: DeviceKind, url: str, state: DeviceState = DeviceState.UNKNOWN) -> None:
        self.kind = kind
        self.url = url
        self._lock = threading.Lock()
        self._health = DeviceHealth(kind, url, state)
        self._sinks: list[Callable[[DeviceEvent], None]] = []

    def subscribe(self, sink: Callable[[DeviceEvent], None]) -> None:
        """Deliver transition events to ``sink`` (on the thread that reports them)."""
        self._sinks.append(sink)

    def emit(self, event: DeviceEvent) -> None:
        """Deliver any device event to the subscribers."""
        for sink in list(self._sinks):
            sink(event)

    @property
    def health(self) -> DeviceHealth:
        """The latest snapshot."""
        with self._lock:
            return self._health

    def report(self, state: DeviceState, detail: str = "", message_key: str | None = None) -> None:
        """Record the state; on a transition, log once and tell subscribers."""
        with self._lock:
            old = self._health.state
            self._health = DeviceHealth(self.kind, self.url, state, detail, message_key)
        if state is old:
            return
        if state is DeviceState.READY:
            if old in (DeviceState.FAULT, DeviceState.ABSENT):
                log.warning("%s %s recovered", self.kind.value, self.url)
                self.emit(DeviceRecovered(self.kind))
            else:
                log.info("%s %s ready", self.kind.value, self.url)
        elif state in (DeviceState.FAULT, DeviceState.ABSENT):
            log.warning("%s %s unavailable: %s", self.kind.value, self.url, detail or state.value)
            self.emit(DeviceFaulted(self.kind, detail=detail, message_key=message_key or "device.fault"))
