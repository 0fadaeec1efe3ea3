"""A real camera through OpenCV, read on its own capture thread into a latest-frame slot.

URLs: ``opencv://0`` (device index), ``v4l2:/dev/video0`` (a V4L2 node), ``file:///clip.mp4``
(a recording, looped — for a demo terminal without a camera). Readers take the newest
frame and never wait on the sensor; a missing or unplugged camera is reported once as
absent and retried every few seconds (it comes back by itself when plugged in).
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import unquote, urlsplit

from devices.health import HealthTracker
from devices.registry import DeviceContext
from kiosk.ports import DeviceHealth, DeviceKind, DeviceState, Frame

log = logging.getLogger(__name__)
_RETRY_S = 3.0


class OpenCVCamera:
    """A camera opened with ``cv2.VideoCapture``."""

    kind = DeviceKind.CAMERA

    def __init__(self, url: str, width: int = 640, height: int = 480, fps: float = 15.0) -> None:
        self.url = url
        self._size = (width, height)
        self._fps = fps
        self._tracker = HealthTracker(self.kind, url)
        self._latest: Frame | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        parts = urlsplit(url)
        self._source: int | str
        if parts.scheme == "opencv":
            self._source = int(parts.netloc or parts.path.strip("/") or 0)
        else:
            self._source = unquote(parts.path)
        self._loop_file = parts.scheme == "file"

    def open(self) -> None:
        """Start the capture thread (which opens the device)."""
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="camera", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """Stop capturing and release the device."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)

    def health(self) -> DeviceHealth:
        """Ready while frames come."""
        return self._tracker.health

    def latest_frame(self) -> Frame | None:
        """The newest frame, or None."""
        return self._latest

    def _run(self) -> None:
        import cv2  # deferred: heavy; a terminal without a camera never imports OpenCV

        while not self._stop.is_set():
            cap = cv2.VideoCapture(self._source)
            if not cap.isOpened():
                self._latest = None
                self._tracker.report(DeviceState.ABSENT, f"camera {self._source!r} cannot be opened", "device.fault")
                self._stop.wait(_RETRY_S)
                continue
            cap.set(cv2.CAP_PROP_FRAME_WIDTH, self._size[0])
            cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self._size[1])
            cap.set(cv2.CAP_PROP_FPS, self._fps)
            period = 1.0 / self._fps
            try:
                while not self._stop.is_set():
                    ok, bgr = cap.read()
                    if not ok:
                        if self._loop_file:
                            cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
                            continue
                        self._tracker.report(DeviceState.FAULT, "camera stopped delivering frames", "device.fault")
                        break
                    if (bgr.shape[1], bgr.shape[0]) != self._size:
                        bgr = cv2.resize(bgr, self._size, interpolation=cv2.INTER_AREA)
                    rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
                    self._latest = Frame(self._size[0], self._size[1], rgb.tobytes(), time.monotonic())
                    self._tracker.report(DeviceState.READY)
                    if self._loop_file:
                        time.sleep(period)  # a file reads faster than real time
            finally:
                cap.release()
            self._latest = None
            self._stop.wait(_RETRY_S)


def open_opencv_camera(url: str, ctx: DeviceContext) -> OpenCVCamera:
    """Registry factory for ``opencv://N``, ``v4l2:/dev/videoN`` and ``file:///clip``."""
    return OpenCVCamera(url)
