"""A simulated camera: a moving test pattern at 15 fps on its own capture thread.

It keeps only the latest frame, as the real capture does, so a slow consumer never
makes the producer wait.
"""

from __future__ import annotations

import threading
import time

from devices.health import HealthTracker
from devices.registry import DeviceContext
from kiosk.ports import DeviceHealth, DeviceKind, DeviceState, Frame, SimAction

_BARS = [(235, 235, 235), (235, 235, 16), (16, 235, 235), (16, 235, 16), (235, 16, 235), (235, 16, 16), (16, 16, 235)]


def test_pattern(width: int, height: int, tick: int) -> bytes:
    """Colour bars with a dark stripe that moves one step per frame."""
    row = bytearray()
    bar_w = max(1, width // len(_BARS))
    stripe = (tick * 8) % width
    for x in range(width):
        r, g, b = _BARS[min(x // bar_w, len(_BARS) - 1)]
        if stripe <= x < stripe + 16:
            r, g, b = 16, 16, 16
        row += bytes((r, g, b))
    return bytes(row) * height


class SimCamera:
    """The ``sim:`` camera."""

    kind = DeviceKind.CAMERA

    def __init__(self, url: str, width: int = 320, height: int = 240, fps: float = 15.0) -> None:
        self.url = url
        self._size = (width, height)
        self._period = 1.0 / fps
        self._tracker = HealthTracker(self.kind, url)
        self._latest: Frame | None = None
        self._stop = threading.Event()
        self._plugged = threading.Event()
        self._plugged.set()
        self._thread: threading.Thread | None = None

    def open(self) -> None:
        """Start the capture thread."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="sim-camera", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop the capture thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)

    def health(self) -> DeviceHealth:
        """Ready while frames flow."""
        return self._tracker.health

    def latest_frame(self) -> Frame | None:
        """The newest frame (None while unplugged)."""
        return self._latest

    def sim_actions(self) -> list[SimAction]:
        """Unplug and plug back."""
        return [SimAction("camera.toggle", "sim.camera.toggle", self._toggle)]

    def _toggle(self) -> None:
        if self._plugged.is_set():
            self._plugged.clear()
        else:
            self._plugged.set()

    def _run(self) -> None:
        tick = 0
        w, h = self._size
        while not self._stop.wait(self._period):
            if not self._plugged.is_set():
                self._latest = None
                self._tracker.report(DeviceState.ABSENT, "simulated camera unplugged", "device.fault")
                continue
            self._latest = Frame(w, h, test_pattern(w, h, tick), time.monotonic())
            self._tracker.report(DeviceState.READY)
            tick += 1


def open_sim_camera(url: str, ctx: DeviceContext) -> SimCamera:
    """Registry factory for ``sim:`` cameras."""
    return SimCamera(url)
