"""``kiosk call selftest``: a loopback call on 127.0.0.1 with the test pattern.

A terminal-side peer (the product's code path: simulated camera on its capture thread →
latest-frame slot → CameraTrack → aiortc on its own loop thread) calls a centre-side
peer (its own loop thread, its own pattern). Each frame carries its number in the
picture (devices/camera/framecode.py); the receiver reads it back and, as both peers
share one clock, the difference is the glass-to-glass latency minus the camera.

``bare_loopback`` is the yardstick for the bench: the same pattern generated inside a
plain aiortc track, both peers on one loop — what aiortc costs with nothing of ours.
"""

from __future__ import annotations

import asyncio
import fractions
import os
import time
from typing import NotRequired, TypedDict

import av
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, MediaStreamTrack, VideoStreamTrack

from devices.camera.framecode import read_code
from devices.camera.sim import SimCamera, _background, pattern_array
from remote_video.media import AudioTrack, CameraTrack, SendLog, VideoLevel, tone
from remote_video.peer import CallPeer, LoopThread, restrict_host_addresses


class CallFigures(TypedDict):
    """What a loopback call measured: ``kiosk call selftest --json`` prints it and
    bench/bench_call.py compares two of them."""

    seconds: float
    frames_sent: int
    frames_received: int
    fps: float
    latency_p50_ms: float
    latency_p99_ms: float
    cpu_percent: float
    # The product's peers only (``run_selftest``); the bare yardstick has none of these.
    reverse_frames_received: NotRequired[int]
    audio_frames_received: NotRequired[int]
    reverse_audio_frames_received: NotRequired[int]
    audio_peak: NotRequired[int]
    level: NotRequired[str]
    rtt_ms: NotRequired[float | None]
    ok: NotRequired[bool]  # the command's verdict: media flowed both ways


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` quantile of ``values`` (nearest rank), None when there are none."""
    if not values:
        return None
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))]


def process_cpu_seconds() -> float:
    """CPU time this process has used (user + system), in seconds."""
    t = os.times()
    return t.user + t.system


def _summary(seconds: float, sent: int, received: int, latencies: list[float], cpu_s: float, wall: float) -> CallFigures:
    return {
        "seconds": round(wall, 2),
        "frames_sent": sent,
        "frames_received": received,
        "fps": round(received / seconds, 2) if seconds else 0.0,
        "latency_p50_ms": round(1000 * (percentile(latencies, 0.5) or 0), 1),
        "latency_p99_ms": round(1000 * (percentile(latencies, 0.99) or 0), 1),
        "cpu_percent": round(100 * cpu_s / wall, 1) if wall else 0.0,
    }


def run_selftest(seconds: float = 5.0, level: VideoLevel | None = None) -> CallFigures:
    """Call for ``seconds`` between two peers of the product on 127.0.0.1; the figures."""
    restrict_host_addresses(["127.0.0.1"])
    level = level or VideoLevel(640, 480, 15, 500)
    cam_t = SimCamera("sim:", level.width, level.height, level.fps)
    cam_c = SimCamera("sim:", level.width, level.height, level.fps)
    cam_t.open()
    cam_c.open()
    loop_t, loop_c = LoopThread("call-terminal"), LoopThread("call-centre")
    log_t, log_c = SendLog(), SendLog()
    cpu0, wall0 = process_cpu_seconds(), time.monotonic()
    try:
        async def make_t() -> tuple[CallPeer, CameraTrack]:
            track = CameraTrack(cam_t, level, log_t)
            return CallPeer(track, AudioTrack(generated=True), send_log=log_c, max_kbps=level.kbps), track

        async def make_c() -> CallPeer:
            return CallPeer(CameraTrack(cam_c, level, log_c), AudioTrack(generated=True), send_log=log_t, max_kbps=level.kbps, adapt=False)

        term, term_track = loop_t.call(make_t())
        centre = loop_c.call(make_c())
        offer = loop_t.call(term.offer())
        answer = loop_c.call(centre.answer(offer))
        loop_t.call(term.accept(answer))
        connected_by = time.monotonic() + 15
        while term.video_counter.frames == 0 or centre.video_counter.frames == 0:
            if time.monotonic() > connected_by:
                raise RuntimeError("the loopback call did not connect within 15 s")
            time.sleep(0.05)
        # Measure a steady window only (connection set-up is not frame rate).
        c0, t0, s0, lat0, cpu0, wall0 = centre.video_counter.frames, term.video_counter.frames, term_track.frames_sent, len(centre.video_counter.latencies), process_cpu_seconds(), time.monotonic()
        time.sleep(seconds)
        cpu_s, wall = process_cpu_seconds() - cpu0, time.monotonic() - wall0
        st_t = loop_t.call(term.stats())
        st_c = loop_c.call(centre.stats())
        received = centre.video_counter.frames - c0
        result = _summary(wall, st_t.video_sent - s0, received, centre.video_counter.latencies[lat0:], cpu_s, wall)
        result["reverse_frames_received"] = term.video_counter.frames - t0
        result["audio_frames_received"] = st_c.audio_received
        result["reverse_audio_frames_received"] = st_t.audio_received
        result["audio_peak"] = st_c.audio_peak
        result["level"] = st_t.level
        result["rtt_ms"] = round(1000 * st_t.rtt_s, 1) if st_t.rtt_s is not None else None
        loop_t.call(term.close())
        loop_c.call(centre.close())
        return result
    finally:
        loop_t.stop()
        loop_c.stop()
        cam_t.close()
        cam_c.close()


def bare_loopback(seconds: float = 5.0, level: VideoLevel | None = None) -> CallFigures:
    """The same call with plain aiortc: a track that draws the pattern in ``recv``."""
    restrict_host_addresses(["127.0.0.1"])
    lv = level or VideoLevel(640, 480, 15, 500)  # a name of its own: the tracks below close over it

    class Pattern(VideoStreamTrack):
        def __init__(self) -> None:
            super().__init__()
            self.n = 0
            # Each side its own log: both draw the same numbers, each on its own schedule,
            # so a shared one would time a frame from whichever side drew it last.
            self.sent = SendLog()
            self.bg = _background(lv.width, lv.height)

        async def recv(self) -> av.VideoFrame:
            # VideoStreamTrack paces at 30 fps; pace at the level's rate like ours.
            if not hasattr(self, "_t0"):
                self._t0 = time.monotonic()
            wait = self._t0 + self.n / lv.fps - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            img = pattern_array(lv.width, lv.height, self.n, background=self.bg)
            self.sent.mark(read_code(img))
            f = av.VideoFrame.from_ndarray(img, format="rgb24")
            f.pts, f.time_base = int(self.n * 90000 / lv.fps), fractions.Fraction(1, 90000)
            self.n += 1
            return f

    class Tone(AudioStreamTrack):
        def __init__(self) -> None:
            super().__init__()
            self.k = 0

        async def recv(self) -> av.AudioFrame:
            if not hasattr(self, "_t0"):
                self._t0 = time.monotonic()
            wait = self._t0 + self.k * 0.02 - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            f = av.AudioFrame.from_ndarray(tone(0.02, start=self.k * 960).reshape(1, -1), format="s16", layout="mono")
            f.sample_rate, f.pts, f.time_base = 48000, self.k * 960, fractions.Fraction(1, 48000)
            self.k += 1
            return f

    async def main() -> CallFigures:
        a, b = RTCPeerConnection(RTCConfiguration(iceServers=[])), RTCPeerConnection(RTCConfiguration(iceServers=[]))
        va, vb = Pattern(), Pattern()
        a.addTrack(va), a.addTrack(Tone()), b.addTrack(vb), b.addTrack(Tone())
        got = {"a": 0, "b": 0}  # video frames each end received
        latencies: list[float] = []  # of the frames b received

        def sink(pc: RTCPeerConnection, key: str) -> None:
            @pc.on("track")
            def _t(track: MediaStreamTrack) -> None:
                async def run() -> None:
                    while True:
                        try:
                            fr = await track.recv()
                        except MediaStreamError:
                            return
                        if isinstance(fr, av.VideoFrame):
                            img = fr.to_ndarray(format="rgb24")
                            got[key] += 1
                            if key == "b":
                                s = va.sent.sent_at.get(read_code(img))
                                if s is not None:
                                    latencies.append(time.monotonic() - s)

                tasks.append(asyncio.ensure_future(run()))

        tasks: list[asyncio.Task[None]] = []
        sink(a, "a")
        sink(b, "b")
        await a.setLocalDescription(await a.createOffer())
        await b.setRemoteDescription(a.localDescription)
        await b.setLocalDescription(await b.createAnswer())
        await a.setRemoteDescription(b.localDescription)
        while got["a"] == 0 or got["b"] == 0:
            await asyncio.sleep(0.05)
        b0, lat0, n0, cpu0, wall0 = got["b"], len(latencies), va.n, process_cpu_seconds(), time.monotonic()
        await asyncio.sleep(seconds)
        cpu_s, wall = process_cpu_seconds() - cpu0, time.monotonic() - wall0
        res = _summary(wall, va.n - n0, got["b"] - b0, latencies[lat0:], cpu_s, wall)
        await a.close()
        await b.close()
        for t in tasks:
            t.cancel()
        return res

    return asyncio.run(main())


def format_text(r: CallFigures) -> str:
    """The figures as a person reads them."""
    return (
        f"loopback call, {r['seconds']} s at {r.get('level') or 'fixed level'}\n"
        f"  video frames sent {r['frames_sent']}, received {r['frames_received']} ({r['fps']} fps); "
        f"back the other way {r.get('reverse_frames_received', '-')}\n"
        f"  audio frames received {r.get('audio_frames_received', '-')} / {r.get('reverse_audio_frames_received', '-')} (peak {r.get('audio_peak', '-')})\n"
        f"  latency p50 {r['latency_p50_ms']} ms, p99 {r['latency_p99_ms']} ms; RTT {r.get('rtt_ms')} ms\n"
        f"  CPU {r['cpu_percent']} % of one core"
    )


__all__ = ["CallFigures", "run_selftest", "bare_loopback", "format_text"]
