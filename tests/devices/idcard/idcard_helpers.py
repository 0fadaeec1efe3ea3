"""Shared helpers for the ID card tests: a simulator on a real pty with the real
serial driver on the other end, and an event collector that waits with a deadline."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Callable, Iterator

from devices.idcard.adapter import SerialCardReader
from devices.idcard.driver import DriverOptions
from devices.idcard.simulator import ResponseDelays, SamModel, SamSimulator, load_cards
from devices.registry import DeviceContext
from kiosk.events import DeviceEvent

TODAY = date(2026, 11, 27)

# Short timeouts keep fault tests quick; they are still ten times the wire time.
FAST = DriverOptions(
    poll_interval=0.02,
    reconnect_interval=0.1,
    attempts=3,
    timeouts={"STATUS": 0.2, "FIND": 0.2, "SELECT": 0.2, "READ": 0.5, "SET_MAX_RF_BYTE": 0.2},
)


@dataclass
class FixedClock:
    """A clock fixed on TODAY (so expiry and age do not drift with the calendar)."""

    def now(self) -> datetime:
        return datetime(TODAY.year, TODAY.month, TODAY.day, 10, 0).astimezone()

    def monotonic(self) -> float:
        return time.monotonic()


class Events:
    """Collects events from the reader's thread; ``wait_for`` blocks until one matches."""

    def __init__(self) -> None:
        self.items: list[DeviceEvent] = []
        self._cond = threading.Condition()

    def __call__(self, event: DeviceEvent) -> None:
        with self._cond:
            self.items.append(event)
            self._cond.notify_all()

    def wait_for(self, match: Callable[[DeviceEvent], bool], timeout: float = 5.0) -> DeviceEvent:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for event in self.items:
                    if match(event):
                        return event
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching event in {timeout}s; got {[type(e).__name__ for e in self.items]}")
                self._cond.wait(left)

    def of(self, kind: type) -> list[DeviceEvent]:
        with self._cond:
            return [e for e in self.items if isinstance(e, kind)]


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


@contextmanager
def sim_and_reader(
    tmp_path: Path,
    *,
    transport: str = "pty",
    delays: ResponseDelays | None = None,
    options: DriverOptions = FAST,
) -> Iterator[tuple[SamModel, SamSimulator, SerialCardReader, Events]]:
    """A simulator on a pty (or TCP) and the real driver reading it."""
    model = SamModel(load_cards())
    sim = SamSimulator(model, delays=delays or ResponseDelays.none(), transport=transport, link_dir=tmp_path)
    device = sim.start()
    reader = SerialCardReader("test:", DeviceContext(data_dir=tmp_path, clock=FixedClock()), port_url=device, options=options)
    events = Events()
    reader.subscribe(events)
    reader.open()
    try:
        yield model, sim, reader, events
    finally:
        reader.close()
        sim.stop()
