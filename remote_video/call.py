"""The terminal's side of a video consultation: places the call through the centre
(signalling on the centre channel, ``call/out`` and ``call/in``) and runs the WebRTC peer
on its own loop thread.

Implements ``kiosk.call.VideoCallPort``. Progress goes to ``sink`` as events
(CallQueued, CallConnected, CallEnded) on whatever thread learnt it; the app's sink is
the UI bridge. Nothing here ever blocks the caller: ``start`` returns the call id at
once and the offer is made on the call's loop.

The terminal keeps no recording: it sends media and consent, the centre records.
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
import uuid
from typing import TYPE_CHECKING, Any, Callable

from kiosk.ports import CentreChannel, DeviceKind, DeviceState, Simulated
from kiosk.terminal import Terminal
from kiosk.video_call import CallRequest, events as ev

if TYPE_CHECKING:
    # Annotations only: these modules import aiortc, which waits for the first call.
    import numpy as np
    import numpy.typing as npt

    from remote_video.loopback import LoopbackCentre
    from remote_video.media import CameraTrack
    from remote_video.peer import CallPeer, LoopThread, PeerStats

log = logging.getLogger(__name__)


class VideoCalls:
    """Video calls of one terminal (at most one at a time)."""

    def __init__(self, terminal: Terminal, sink: Callable[[ev.Event], None] | None = None) -> None:
        self.terminal = terminal
        self.settings = terminal.config.video
        self.sink: Callable[[ev.Event], None] = sink or (lambda e: None)
        self.volume = self.settings.volume
        self._lock = threading.Lock()
        self._subscribed_to: CentreChannel | None = None
        self._loop: LoopThread | None = None
        self._peer: CallPeer | None = None
        self._call_id: str | None = None
        self._camera_track: CameraTrack | None = None
        self.on_peer: Callable[[CallPeer], None] | None = None  # tests: see the peer once made

    # ---- VideoCallPort ------------------------------------------------------------------
    def available(self) -> bool:
        """Enabled, joined to a centre, and a camera that is not absent."""
        cam = self.terminal.devices.get(DeviceKind.CAMERA)
        has_cam = cam is not None and cam.health().state is not DeviceState.ABSENT
        return bool(self.settings.enabled and self.terminal.centre is not None and has_cam)

    def start(self, request: CallRequest) -> str:
        """Place a call: the offer is made on the call's loop, then sent to the centre."""
        call_id = uuid.uuid4().hex
        with self._lock:
            if self._call_id is not None:
                self._end_locked("failed", notify_centre=True)
            self._call_id = call_id
        centre = self.terminal.centre
        if centre is None or not centre.connected():
            log.warning("call %s: the centre is not reachable", call_id)
            with self._lock:
                self._call_id = None
            self._ended(call_id, "offline")
            return call_id
        self._subscribe(centre)

        def begin() -> None:
            # On a worker: the first call imports aiortc (about a second) — never on the UI thread.
            try:
                loop = self._loop_thread()
            except Exception as exc:  # noqa: BLE001 — e.g. aiortc missing: say so, keep the kiosk
                self._failed(call_id, exc)
                return

            def placed(f: concurrent.futures.Future[None]) -> None:
                if f.exception() is not None:
                    self._failed(call_id, f.exception())

            loop.run(self._place(call_id, request)).add_done_callback(placed)

        threading.Thread(target=begin, name="call-start", daemon=True).start()
        return call_id

    def cancel(self) -> None:
        """Leave the queue (the centre is told; the person sees the ended screen)."""
        self._end("cancelled")

    def hang_up(self) -> None:
        """End the call in progress."""
        self._end("hung_up")

    def set_volume(self, percent: int) -> None:
        """The lawyer's loudness on the terminal's loudspeaker."""
        self.volume = max(0, min(100, int(percent)))
        peer = self._peer
        if peer is not None:
            peer.audio_sink.volume = self.volume

    def remote_picture(self) -> tuple[int, npt.NDArray[np.uint8] | None]:
        """The lawyer's newest picture (count, RGB array or None)."""
        peer = self._peer
        return peer.remote_video.get() if peer is not None else (0, None)

    def self_picture(self) -> tuple[int, npt.NDArray[np.uint8] | None]:
        """What the camera sees now (count, RGB array or None): read from the camera's
        own latest-frame slot, so the person sees themselves while still waiting."""
        import numpy as np  # deferred: start-up never loads numpy (~0.1 s); only the call screens need it

        cam = self.terminal.camera()
        frame = cam.latest_frame() if cam is not None else None
        if frame is None:
            return 0, None
        return int(frame.timestamp * 1000), np.frombuffer(frame.rgb, np.uint8).reshape(frame.height, frame.width, 3)

    def stats(self) -> PeerStats | None:
        """The peer's counts (blocking a moment; for tests and the technician)."""
        peer = self._peer
        if peer is None or self._loop is None:
            return None
        return self._loop.call(peer.stats(), timeout=5)

    def demo_centre(self) -> LoopbackCentre:
        """A duty lawyer on 127.0.0.1 (remote_video.loopback) for screenshots, the
        accessibility audit and a technician's try-out; never wired by default. Makes
        aioice offer only 127.0.0.1 in this process."""
        # Both import aiortc, which a terminal pays for only when it is used.
        from remote_video.loopback import LoopbackCentre  # deferred: aiortc
        from remote_video.peer import restrict_host_addresses  # deferred: aiortc

        restrict_host_addresses(["127.0.0.1"])
        return LoopbackCentre(queue_s=2.0)

    def close(self) -> None:
        """End any call and stop the loop (the app is closing)."""
        self._end("hung_up")
        if self._loop is not None:
            self._loop.stop()
            self._loop = None

    # ---- internals ----------------------------------------------------------------------
    def _loop_thread(self) -> LoopThread:
        with self._lock:
            return self._make_loop()

    def _make_loop(self) -> LoopThread:
        if self._loop is None:
            from remote_video.peer import LoopThread  # deferred: aiortc's import waits for the first call

            self._loop = LoopThread("call")
        return self._loop

    def _subscribe(self, centre: CentreChannel) -> None:
        # deferred: fleet.topics builds its pydantic models on import, which the kiosk
        # pays only once it talks to the centre (after the first frame), not at start
        from fleet.topics import CALL_IN

        if self._subscribed_to is not centre:
            centre.subscribe(CALL_IN, self._on_signal)
            self._subscribed_to = centre

    async def _place(self, call_id: str, request: CallRequest) -> None:
        # This module is imported at start-up; aiortc only with the first call's loop.
        from remote_video.media import AudioSink, AudioTrack, CameraTrack, VideoLevel  # deferred: aiortc
        from remote_video.peer import CallPeer  # deferred: aiortc

        s = self.settings
        camera = self.terminal.camera()
        mic = self.terminal.mic()
        speaker = self.terminal.devices.get(DeviceKind.SPEAKER)
        level = VideoLevel(s.width, s.height, s.fps, s.max_bitrate_kbps)
        track = CameraTrack(camera, level)
        # The simulator's microphone is silence: a generated tone proves sound flows.
        audio = AudioTrack(generated=True) if (mic is None or isinstance(mic, Simulated)) else AudioTrack(mic)
        # The call's sound goes to the loudspeaker itself (sounddevice), not through the
        # speaker port: only a simulated speaker means there is none to play on.
        play = speaker is not None and not isinstance(speaker, Simulated)
        peer = CallPeer(track, audio, ice_servers=s.ice_servers, audio_sink=AudioSink(play=play, volume=self.volume),
                        max_kbps=s.max_bitrate_kbps, on_closed=lambda why: self._end(why, only=call_id))
        with self._lock:
            if self._call_id != call_id:  # cancelled while we were getting ready
                await peer.close()
                return
            self._peer, self._camera_track = peer, track
        if self.on_peer is not None:
            self.on_peer(peer)
        sdp = await peer.offer()
        self._send(call_id, type="request", sdp=sdp, service=request.service, priority=request.priority,
                   record=request.record, language=request.language)
        log.info("call %s: requested (%s, priority %s, recording %s)", call_id, request.service, request.priority,
                 "consented" if request.record else "refused")

    def _send(self, call_id: str, **fields: Any) -> None:
        # CallSignal is the one schema of the signalling (fleet.topics owns every topic).
        from fleet.topics import CALL_OUT, CallSignal  # deferred: as in _subscribe

        centre = self.terminal.centre
        if centre is not None:
            centre.send(CALL_OUT, CallSignal(call_id=call_id, **fields).to_bytes())

    def _on_signal(self, payload: bytes) -> None:
        """On the agent's thread: parse and act; the peer work goes to the call's loop."""
        from fleet.topics import CallSignal  # deferred: as in _subscribe

        try:
            sig = CallSignal.from_bytes(payload)
        except ValueError as exc:
            log.warning("bad call signal from the centre: %s", str(exc)[:200])
            return
        if sig.call_id != self._call_id:
            return  # a late message about a call already over
        if sig.type == "queued":
            self.sink(ev.CallQueued(sig.call_id, sig.position or 0, sig.estimate_s if sig.estimate_s is not None else -1.0, sig.lawyers_on_duty or 0))
        elif sig.type == "answered" and sig.sdp:
            peer, loop = self._peer, self._loop
            if peer is None or loop is None:
                return
            fut = loop.run(peer.accept(sig.sdp))
            lawyer = sig.lawyer or ""

            def done(f: concurrent.futures.Future[None]) -> None:
                if f.exception() is not None:
                    self._failed(sig.call_id, f.exception())
                else:
                    self.sink(ev.CallConnected(sig.call_id, lawyer))

            fut.add_done_callback(done)
        elif sig.type in ("ended", "error"):
            self._end(sig.reason or "failed", only=sig.call_id, notify_centre=False)

    def _failed(self, call_id: str, exc: BaseException | None) -> None:
        log.error("call %s failed: %s", call_id, exc)
        self._end("failed", only=call_id)

    def _end(self, reason: str, only: str | None = None, notify_centre: bool = True) -> None:
        with self._lock:
            if self._call_id is None or (only is not None and only != self._call_id):
                return
            self._end_locked(reason, notify_centre)

    def _end_locked(self, reason: str, notify_centre: bool) -> None:
        call_id, peer = self._call_id, self._peer
        self._call_id, self._peer, self._camera_track = None, None, None
        assert call_id is not None
        if notify_centre:
            try:
                self._send(call_id, type="cancel" if reason == "cancelled" else "hangup")
            except Exception as exc:  # noqa: BLE001 — offline: the centre times the call out
                log.warning("call %s: could not tell the centre: %s", call_id, exc)
        if peer is not None and self._loop is not None:
            self._loop.run(peer.close())
        log.info("call %s ended: %s", call_id, reason)
        self._ended(call_id, reason)

    def _ended(self, call_id: str, reason: str) -> None:
        self.sink(ev.CallEnded(call_id, reason))


def open_video_calls(terminal: Terminal) -> VideoCalls:
    """The composition root's factory (kiosk.bootstrap)."""
    return VideoCalls(terminal)


__all__ = ["VideoCalls", "open_video_calls"]
