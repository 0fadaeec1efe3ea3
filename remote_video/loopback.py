"""A duty lawyer on 127.0.0.1: a centre channel that answers calls itself.

``LoopbackCentre`` speaks the same signalling as the centre (fleet.topics.CallSignal on
``call/out`` / ``call/in``) and answers with a real aiortc peer sending a test pattern and
a tone — the centre-side peer of ``kiosk call selftest``. It lets a technician try the
call screens on a terminal with no centre (and the UI tests and screenshots drive the
real screens and the real terminal-side call with it). It is never wired by default.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from devices.camera.sim import SimCamera
from fleet.topics import CALL_IN, CallSignal
from kiosk.ports import CentreUnavailable
from remote_video.media import AudioTrack, CameraTrack, VideoLevel
from remote_video.peer import CallPeer, LoopThread

log = logging.getLogger(__name__)


class LoopbackCentre:
    """A ``kiosk.ports.CentreChannel`` whose only service is a duty lawyer.

    ``queue_s``: how long the call waits (it is told place 2, then place 1) before the
    "lawyer" answers; ``lawyers``: 0 answers every call with ``no_lawyer``.
    """

    def __init__(self, lawyer: str = "王律师", queue_s: float = 1.0, lawyers: int = 1) -> None:
        self.lawyer = lawyer
        self.queue_s = queue_s
        self.lawyers = lawyers
        self._handlers: dict[str, list[Callable[[bytes], None]]] = {}
        self._loop: LoopThread | None = None
        self._peer: CallPeer | None = None
        self._camera: SimCamera | None = None
        self.call_id: str | None = None
        self.signals: list[CallSignal] = []  # what the terminal sent (tests look)
        self._timers: list[threading.Timer] = []

    # ---- CentreChannel ----------------------------------------------------------------
    def connected(self) -> bool:
        """Always up."""
        return True

    def ask(self, name: str, args: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """No other services here."""
        raise CentreUnavailable("the loopback centre only answers video calls")

    def send(self, leaf: str, payload: bytes) -> None:
        """A signal from the terminal."""
        sig = CallSignal.from_bytes(payload)
        self.signals.append(sig)
        if sig.type == "request":
            self._request(sig)
        elif sig.type in ("cancel", "hangup"):
            self._close_peer()

    def subscribe(self, leaf: str, handler: Callable[[bytes], None]) -> None:
        """The terminal listens on ``call/in``."""
        self._handlers.setdefault(leaf, []).append(handler)

    # ---- the "lawyer" ---------------------------------------------------------------------
    def hang_up(self) -> None:
        """The lawyer ends the call."""
        if self.call_id is not None:
            self._reply(type="ended", call_id=self.call_id, reason="lawyer_hung_up")
            self._close_peer()

    def close(self) -> None:
        """Stop everything."""
        for t in self._timers:
            t.cancel()
        self._close_peer()
        if self._loop is not None:
            self._loop.stop()
            self._loop = None

    def _reply(self, **fields: Any) -> None:
        data = CallSignal(**fields).to_bytes()
        for h in list(self._handlers.get(CALL_IN, ())):
            h(data)

    def _later(self, seconds: float, fn: Callable[[], None]) -> None:
        t = threading.Timer(seconds, fn)
        t.daemon = True
        self._timers.append(t)
        t.start()

    def _request(self, sig: CallSignal) -> None:
        if self.lawyers <= 0:
            self._later(0.1, lambda: self._reply(type="error", call_id=sig.call_id, reason="no_lawyer"))
            return
        self.call_id = sig.call_id
        self._later(0.1, lambda: self._reply(type="queued", call_id=sig.call_id, position=2, estimate_s=300.0, lawyers_on_duty=self.lawyers))
        self._later(max(0.2, self.queue_s / 2), lambda: self._reply(type="queued", call_id=sig.call_id, position=1, estimate_s=0.0,
                                                                   lawyers_on_duty=self.lawyers))
        self._later(self.queue_s, lambda: self._answer(sig))

    def _answer(self, sig: CallSignal) -> None:
        if self.call_id != sig.call_id or not sig.sdp:
            return
        if self._loop is None:
            self._loop = LoopThread("loopback-lawyer")
        camera = self._camera = SimCamera("sim:", 640, 480, 15)
        camera.open()
        for _ in range(40):  # its first frame, so the call never opens on a grey picture
            if camera.latest_frame() is not None:
                break
            threading.Event().wait(0.05)
        level = VideoLevel(640, 480, 15, 500)

        async def make() -> tuple[CallPeer, str]:
            peer = CallPeer(CameraTrack(camera, level), AudioTrack(generated=True), adapt=False)
            return peer, await peer.answer(sig.sdp or "")

        self._peer, answer = self._loop.call(make())
        self._reply(type="answered", call_id=sig.call_id, sdp=answer, lawyer=self.lawyer)

    def _close_peer(self) -> None:
        peer, self._peer = self._peer, None
        self.call_id = None
        if peer is not None and self._loop is not None:
            try:
                self._loop.call(peer.close(), timeout=5)
            except Exception as exc:  # noqa: BLE001
                log.warning("loopback lawyer: close failed: %s", exc)
        if self._camera is not None:
            self._camera.close()
            self._camera = None
