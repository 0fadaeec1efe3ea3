"""The call's WebRTC peer (aiortc) on its own asyncio loop in its own thread.

Kivy owns the UI thread and its own loop; aiortc gets a loop of its own
(``LoopThread``) so that encoding, DTLS and ICE never stall the screen and the screen
never stalls the call. Other threads talk to the peer through ``LoopThread.run`` (a
concurrent future) only.

Signalling is not trickled: ``offer``/``answer`` return once ICE gathering is complete,
so one message each way carries everything (aiortc gathers before it returns anyway).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Coroutine, Iterable, Protocol, TypeVar

import aioice.ice
from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.mediastreams import MediaStreamTrack

from kiosk.config import IceServer
from remote_video.bandwidth import BandwidthPolicy
from remote_video.jitter import decode_on_marker
from remote_video.media import (
    AudioSink,
    CameraTrack,
    FrameSlot,
    SendLog,
    VideoCounter,
    consume_audio,
    consume_video,
)

log = logging.getLogger(__name__)
T = TypeVar("T")


class LoopThread:
    """An asyncio loop running in a daemon thread of its own."""

    def __init__(self, name: str = "call-loop") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T]) -> "concurrent.futures.Future[T]":
        """Schedule ``coro`` on the loop from any thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        """Run ``coro`` on the loop and wait for its result (never from the loop itself)."""
        return self.run(coro).result(timeout)

    def stop(self) -> None:
        """Stop the loop and join the thread."""
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        if not self.loop.is_running():
            self.loop.close()


def ice_configuration(servers: Iterable[IceServer] = ()) -> RTCConfiguration:
    """aiortc's configuration from the ``[video] ice_servers`` entries — and nothing
    else: aiortc's default is a public STUN server, which a government terminal must not
    contact unasked (and which a village network may not reach anyway)."""
    return RTCConfiguration(
        iceServers=[RTCIceServer(urls=list(s.urls), username=s.username or None, credential=s.credential or None) for s in servers]
    )


def restrict_host_addresses(addresses: list[str]) -> None:
    """Make aioice offer only these host addresses (``["127.0.0.1"]`` for a loopback
    call: aioice leaves loopback out by default). Process-wide; for tests and the
    self-test, which must not put traffic on any other interface."""
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: list(addresses)


class RateControlled(Protocol):
    """A video encoder whose target bitrate can be set (aiortc's VP8 and H.264 ones)."""

    target_bitrate: int


@dataclass
class PeerStats:
    """What a peer counted (frames both ways, sound heard)."""

    video_sent: int = 0
    video_received: int = 0
    audio_sent: int = 0
    audio_received: int = 0
    audio_peak: int = 0
    level: str = ""
    latencies: list[float] = field(default_factory=list)
    rtt_s: float | None = None
    fraction_lost: float | None = None


class CallPeer:
    """One end of a call: sends ``video``/``audio`` tracks, receives the other side's
    into ``remote_video`` (a FrameSlot) and ``audio_sink``. All coroutines run on the
    peer's LoopThread."""

    def __init__(
        self,
        video: MediaStreamTrack | None,
        audio: MediaStreamTrack | None,
        *,
        ice_servers: Iterable[IceServer] = (),
        audio_sink: AudioSink | None = None,
        send_log: SendLog | None = None,
        max_kbps: int = 500,
        adapt: bool = True,
        on_closed: Callable[[str], None] | None = None,
    ) -> None:
        self.pc = RTCPeerConnection(ice_configuration(ice_servers))
        self.video = video
        self.audio = audio
        self.remote_video = FrameSlot()
        self.video_counter = VideoCounter()
        self.audio_sink = audio_sink or AudioSink()
        self._send_log = send_log
        self._tasks: list[asyncio.Task[None]] = []
        self._on_closed = on_closed
        self._closed = False
        self.policy = BandwidthPolicy(max_kbps) if adapt else None
        if video is not None:
            self.pc.addTrack(video)
        else:
            self.pc.addTransceiver("video", direction="recvonly")
        if audio is not None:
            sender = self.pc.addTrack(audio)
            # AudioTrack hands aiortc Opus packets (encoded inline on this loop, never in
            # the thread pool — remote_video/media.py): only Opus may be negotiated.
            for t in self.pc.getTransceivers():
                if t.sender is sender:
                    t.setCodecPreferences([c for c in RTCRtpSender.getCapabilities("audio").codecs if c.mimeType.lower() == "audio/opus"])
        else:
            self.pc.addTransceiver("audio", direction="recvonly")
        self.pc.on("track", self._on_track)
        self.pc.on("connectionstatechange", self._on_state)

    def _on_track(self, track: MediaStreamTrack) -> None:
        if track.kind == "video":
            decode_on_marker(self.pc, track)  # a picture decoded when its last packet is in
            coro: Awaitable[None] = consume_video(track, self.remote_video, self.video_counter, self._send_log)
        else:
            coro = consume_audio(track, self.audio_sink)
        self._tasks.append(asyncio.ensure_future(coro))

    async def _on_state(self) -> None:
        state = self.pc.connectionState
        log.info("call: connection %s", state)
        if state == "connected" and self.policy is not None and self.video is not None:
            self._tasks.append(asyncio.ensure_future(self._adapt()))
        if state in ("failed", "closed") and not self._closed:
            self._closed = True
            if self._on_closed is not None:
                self._on_closed("connection_" + state)

    async def offer(self) -> str:
        """Our offer SDP (with every candidate)."""
        await self.pc.setLocalDescription(await self.pc.createOffer())
        return self.pc.localDescription.sdp

    async def accept(self, answer_sdp: str) -> None:
        """The other side's answer to our offer."""
        await self.pc.setRemoteDescription(RTCSessionDescription(answer_sdp, "answer"))

    async def answer(self, offer_sdp: str) -> str:
        """Answer the other side's offer; returns our answer SDP."""
        await self.pc.setRemoteDescription(RTCSessionDescription(offer_sdp, "offer"))
        await self.pc.setLocalDescription(await self.pc.createAnswer())
        return self.pc.localDescription.sdp

    def _video_encoder(self) -> RateControlled | None:
        for sender in self.pc.getSenders():
            if sender.track is not None and sender.track.kind == "video":
                # aiortc keeps the encoder private and lets REMB raise its bitrate up to
                # 1.5 Mbps; the village line's cap is ours to keep (docs/video.md).
                enc = getattr(sender, "_RTCRtpSender__encoder", None)
                return enc if hasattr(enc, "target_bitrate") else None
        return None

    async def _adapt(self) -> None:
        """Every second: keep the encoder under the level's bitrate; every few seconds
        read RTCP (loss, RTT) and step the video down or up. Audio is never touched."""
        assert self.policy is not None
        tick = 0
        while self.pc.connectionState == "connected":
            level = self.policy.level
            if isinstance(self.video, CameraTrack):
                self.video.set_level(level)
            enc = self._video_encoder()
            if enc is not None:
                enc.target_bitrate = min(enc.target_bitrate, level.kbps * 1000)
            tick += 1
            if tick % 2 == 0:
                loss, rtt = await self._remote_report()
                if loss is not None or rtt is not None:
                    new = self.policy.observe(loss or 0.0, rtt or 0.0)
                    if new is not level:
                        log.info("call: video %dx%d@%d (loss %.2f, rtt %s)", new.width, new.height, new.fps, loss or 0, rtt)
            await asyncio.sleep(1.0)

    async def _remote_report(self) -> tuple[float | None, float | None]:
        """Loss and RTT of our video as the far end reports them (RTCP receiver reports)."""
        report = await self.pc.getStats()
        for s in report.values():
            if s.type == "remote-inbound-rtp" and getattr(s, "kind", "") == "video":
                # Either may be missing until the first receiver report with timing arrives.
                loss, rtt = getattr(s, "fractionLost", None), getattr(s, "roundTripTime", None)
                return (float(loss) if loss is not None else None), (float(rtt) if rtt is not None else None)
        return None, None

    async def stats(self) -> PeerStats:
        """Counts so far."""
        st = PeerStats(
            video_sent=getattr(self.video, "frames_sent", 0),
            audio_sent=getattr(self.audio, "frames_sent", 0),
            video_received=self.video_counter.frames,
            audio_received=self.audio_sink.frames,
            audio_peak=self.audio_sink.peak,
            latencies=list(self.video_counter.latencies),
        )
        if self.policy is not None:
            lv = self.policy.level
            st.level = f"{lv.width}x{lv.height}@{lv.fps}"
        loss, rtt = await self._remote_report()
        st.fraction_lost, st.rtt_s = loss, rtt
        return st

    async def close(self) -> None:
        """Hang up: stop the tracks, close the connection, end the receivers."""
        self._closed = True
        for t in (self.video, self.audio):
            if t is not None:
                t.stop()
        # Shielded: aiortc may already be closing this connection itself (the other end
        # hung up) and a second close() waits on its future; cancelling this wait would
        # cancel that future, and aiortc's own close then fails with a traceback.
        await asyncio.shield(self.pc.close())
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.audio_sink.close()
        self.remote_video.clear()


__all__ = ["CallPeer", "LoopThread", "PeerStats", "ice_configuration", "restrict_host_addresses"]
