"""A simulated camera: a moving test pattern with a clock, on its own capture thread.

It keeps only the latest frame, as the real capture does (devices/camera/opencv.py), so a
slow consumer never makes the producer wait. Every frame differs: a stripe moves, the
clock ticks, and a frame counter is drawn as a row of black/white blocks along the
bottom (``framecode``) so a receiver can tell which frame it got and how late — the
call self-test measures latency with it.

It can also show people (``scenes``): real face photographs walking by, walking up,
two at once, leaving — chosen by ``?scene=`` in its URL or by hand on the technician
screen, so the presence detector runs on real faces without a camera.
"""

from __future__ import annotations

import functools
import threading
import time
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import numpy as np

from devices.camera.framecode import draw_code
from devices.camera.scenes import SCENARIOS, Faces
from devices.health import HealthTracker
from devices.registry import DeviceContext
from kiosk.ports import DeviceHealth, DeviceKind, DeviceState, Frame, SimAction

_BARS = [(235, 235, 235), (235, 235, 16), (16, 235, 235), (16, 235, 16), (235, 16, 235), (235, 16, 16), (16, 16, 235)]


def _background(width: int, height: int) -> np.ndarray:
    img = np.zeros((height, width, 3), np.uint8)
    bar_w = max(1, width // len(_BARS))
    for i, colour in enumerate(_BARS):
        img[:, i * bar_w : (i + 1) * bar_w if i < len(_BARS) - 1 else width] = colour
    return img


def pattern_array(width: int, height: int, tick: int, *, background: np.ndarray | None = None, clock: bool = True) -> np.ndarray:
    """One test-pattern frame (H×W×3 RGB): colour bars, a stripe that moves one step per
    frame, the wall clock, and ``tick`` encoded in the bottom blocks."""
    img = (background if background is not None else _background(width, height)).copy()
    stripe = (tick * 8) % width
    img[:, stripe : stripe + 16] = 16
    if clock:
        import cv2  # deferred: heavy; only when the simulator draws its clock

        text = datetime.now().strftime("%H:%M:%S.") + f"{datetime.now().microsecond // 100000}"
        scale = height / 320
        cv2.putText(img, text, (width // 20, height // 5), cv2.FONT_HERSHEY_SIMPLEX, scale, (16, 16, 16), max(1, int(4 * scale)), cv2.LINE_AA)
        cv2.putText(img, f"#{tick}", (width // 20, height // 3), cv2.FONT_HERSHEY_SIMPLEX, scale * 0.8, (16, 16, 16), max(1, int(3 * scale)), cv2.LINE_AA)
    draw_code(img, tick)
    return img


def test_pattern(width: int, height: int, tick: int) -> bytes:
    """Packed RGB24 bytes of ``pattern_array`` (no clock: the same tick gives the same
    bytes)."""
    return pattern_array(width, height, tick, clock=False).tobytes()


class SimCamera:
    """The ``sim:`` camera (``sim:?width=640&height=480&fps=15``)."""

    kind = DeviceKind.CAMERA

    def __init__(self, url: str, width: int = 640, height: int = 480, fps: float = 15.0, scene: str = "nobody") -> None:
        if scene not in SCENARIOS:
            raise ValueError(f"unknown camera scene {scene!r} (one of {', '.join(SCENARIOS)})")
        self.url = url
        self._size = (width, height)
        self.scene = scene
        self._scene_start = time.monotonic()
        self._faces: Faces | None = None
        self._period = 1.0 / fps
        self._tracker = HealthTracker(self.kind, url)
        self._latest: Frame | None = None
        self._stop = threading.Event()
        self._plugged = threading.Event()
        self._plugged.set()
        self._thread: threading.Thread | None = None
        self.frames = 0  # frames produced (for tests and the self-test)

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
        """Unplug and plug back; show nobody, a passer-by, someone walking up, two
        people, someone leaving."""
        return [SimAction("camera.toggle", "sim.camera.toggle", self._toggle)] + [
            SimAction(f"camera.scene.{name}", f"presence.sim.{name}", functools.partial(self.play, name))
            for name in SCENARIOS
        ]

    def play(self, scene: str) -> None:
        """Show ``scene`` from its start (any thread)."""
        if scene not in SCENARIOS:
            raise ValueError(f"unknown camera scene {scene!r}")
        self._scene_start = time.monotonic()
        self.scene = scene

    def _toggle(self) -> None:
        if self._plugged.is_set():
            self._plugged.clear()
        else:
            self._plugged.set()

    def _run(self) -> None:
        tick = 0
        w, h = self._size
        background = _background(w, h)
        next_at = time.monotonic()
        while not self._stop.is_set():
            # Paced against an absolute schedule, so drawing time does not slow the rate.
            next_at += self._period
            delay = next_at - time.monotonic()
            if delay < -self._period:
                next_at = time.monotonic()  # fell far behind (suspended): do not burst
            elif delay > 0 and self._stop.wait(delay):
                break
            if not self._plugged.is_set():
                self._latest = None
                self._tracker.report(DeviceState.ABSENT, "simulated camera unplugged", "device.fault")
                continue
            img = pattern_array(w, h, tick, background=background)
            people = SCENARIOS[self.scene](time.monotonic() - self._scene_start)
            if people:
                if self._faces is None:
                    self._faces = Faces()
                self._faces.paint(img, people)
            self._latest = Frame(w, h, img.tobytes(), time.monotonic())
            self._tracker.report(DeviceState.READY)
            tick += 1
            self.frames = tick


def open_sim_camera(url: str, ctx: DeviceContext) -> SimCamera:
    """Registry factory for ``sim:`` cameras; ``?width=&height=&fps=`` override the size,
    ``?scene=`` picks the people shown (devices/camera/scenes.py)."""
    q = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
    return SimCamera(url, int(q.get("width", 640)), int(q.get("height", 480)), float(q.get("fps", 15)),
                     q.get("scene", "nobody"))
