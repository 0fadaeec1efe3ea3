"""A multi-party self-test: several parties with the test pattern through one room.

Each party publishes the moving test pattern (its frames numbered in the picture,
devices/camera/framecode.py; party *i* counts from ``i * 20000`` so the numbers never
collide) and a tone, and watches every other party. All parties run in this process
(a loop thread each) and share one monotonic clock, so a decoded frame's number gives its
glass-to-glass latency minus the camera. Figures are per direction (who sees whom),
over a steady window after everyone receives everyone.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Mapping, Sequence

from devices.camera.sim import _background, pattern_array
from kiosk.ports import Frame
from remote_video.media import AudioTrack, CameraTrack, SendLog, VideoLevel
from remote_video.peer import LoopThread
from remote_video.selftest import percentile, process_cpu_seconds
from remote_video.sfu.party import RoomParty
from remote_video.sfu.rooms import RoomPass

log = logging.getLogger(__name__)

CODE_STRIDE = 20000  # frame numbers per party (16-bit codes: three parties, 22 min each)


class PatternSource:
    """A camera stand-in: the moving test pattern, each read a new frame numbered from
    ``start`` (the receiving side reads the numbers back to count frames per party)."""

    def __init__(self, level: VideoLevel, start: int = 0) -> None:
        self._level = level
        self._bg = _background(level.width, level.height)
        self._tick = start

    def latest_frame(self) -> Frame:
        """The next numbered picture."""
        self._tick += 1
        w, h = self._level.width, self._level.height
        rgb = pattern_array(w, h, self._tick, background=self._bg, clock=False)
        return Frame(w, h, rgb.tobytes(), time.monotonic())


def pattern_source(level: VideoLevel, start: int = 0) -> PatternSource:
    """The moving test pattern as a frame source, frames numbered from ``start``."""
    return PatternSource(level, start)


def pattern_party(room_pass: RoomPass, level: VideoLevel, index: int = 0, send_log: SendLog | None = None) -> RoomParty:
    """A party publishing the numbered pattern and a tone."""
    video = CameraTrack(pattern_source(level, index * CODE_STRIDE), level, send_log)
    return RoomParty(room_pass, video, AudioTrack(generated=True), send_log=send_log, adapt=False)


def run_room_selftest(passes: Sequence[RoomPass], seconds: float = 5.0, level: VideoLevel | None = None) -> dict[str, Any]:
    """Join every pass as a pattern party, measure ``seconds`` of steady media, leave.

    Each party runs on a loop thread of its own, as each terminal runs its call on its
    own loop (remote_video/peer.py): one party's encoder never delays another's."""
    level = level or VideoLevel(640, 480, 15, 500)
    send_log = SendLog()
    loops = [LoopThread(f"party-{i}") for i in range(len(passes))]

    async def make(room_pass: RoomPass, index: int) -> RoomParty:
        return pattern_party(room_pass, level, index, send_log)  # aiortc objects belong to the loop they are made on

    parties = [loop.call(make(p, i)) for i, (loop, p) in enumerate(zip(loops, passes))]
    try:
        for loop, party in zip(loops, parties):
            loop.call(party.join())
        for loop, party in zip(loops, parties):
            loop.call(party.wait_for_feeds(len(parties) - 1, timeout=30.0), timeout=40.0)
        start = {p.room_pass.display: p.stats() for p in parties}
        cpu0, wall0 = process_cpu_seconds(), time.monotonic()
        time.sleep(seconds)
        cpu_s, wall = process_cpu_seconds() - cpu0, time.monotonic() - wall0
        directions: dict[str, dict[str, float]] = {}
        latencies: list[float] = []
        for p in parties:
            for label, now in p.stats().items():
                before = start[p.room_pass.display][label]
                lat = now.latencies[len(before.latencies):]
                latencies.extend(lat)
                directions[f"{label}->{p.room_pass.display}"] = {
                    "fps": round((now.video_frames - before.video_frames) / wall, 2),
                    "audio_fps": round((now.audio_frames - before.audio_frames) / wall, 2),
                    "latency_p50_ms": round(1000 * (percentile(lat, 0.5) or 0), 1),
                }
    finally:
        for loop, party in zip(loops, parties):
            try:
                loop.call(party.leave(), timeout=15.0)
            except Exception as exc:  # noqa: BLE001 — report what failed first, not the clean-up
                log.warning("self-test: %s did not leave cleanly: %r", party.room_pass.display, exc)
            loop.stop()
    fps = [d["fps"] for d in directions.values()]
    return {
        "parties": len(parties),
        "level": f"{level.width}x{level.height}@{level.fps}",
        "seconds": round(wall, 2),
        "fps": round(sum(fps) / len(fps), 2),
        "fps_min": min(fps),
        "latency_p50_ms": round(1000 * (percentile(latencies, 0.5) or 0), 1),
        "latency_p99_ms": round(1000 * (percentile(latencies, 0.99) or 0), 1),
        "cpu_percent": round(100 * cpu_s / wall, 1),
        "cpu_percent_per_party": round(100 * cpu_s / wall / len(parties), 1),
        "directions": directions,
    }


# What a room is compared on with the two-party call, each per party, and how it reads.
COMPARED = {
    "fps": "frame rate (fps)",
    "latency_p50_ms": "latency p50 (ms)",
    "latency_p99_ms": "latency p99 (ms)",
    "cpu_percent_per_party": "CPU per party (% core)",
}


def compare(call: Mapping[str, Any], room: Mapping[str, Any]) -> dict[str, Any]:
    """A room's figures beside the two-party call's: ``{"call", "room", "ratio"}``.

    The call's CPU covers both of its peers, so it is halved here to read per party like
    the room's; each ratio is room / call (None where the call's figure is 0)."""
    call = {**call, "cpu_percent_per_party": round(float(call["cpu_percent"]) / 2, 1)}
    ratio = {k: round(room[k] / call[k], 3) if call[k] else None for k in COMPARED}
    return {"call": call, "room": dict(room), "ratio": ratio}


def format_comparison(figures: Mapping[str, Any], title: str) -> str:
    """``compare``'s figures as a table a person reads, each direction of the room after it."""
    call, room, ratio = figures["call"], figures["room"], figures["ratio"]
    n = room.get("parties", "n")
    lines = [title, f"{'':26}{'2-party call':>14}{f'{n}-party room':>14}{'ratio':>8}"]
    lines += [f"{name:26}{call[k]!s:>14}{room[k]!s:>14}{ratio[k]!s:>8}" for k, name in COMPARED.items()]
    lines.append(f"{'slowest direction (fps)':26}{'':>14}{room['fps_min']!s:>14}")
    lines.append(f"{'Janus CPU (% core)':26}{'':>14}{room.get('janus_cpu_percent', '-')!s:>14}")
    for way, d in room.get("directions", {}).items():
        lines.append(f"  {way:24} video {d['fps']:>6} fps, audio {d['audio_fps']:>6} frames/s, latency p50 {d['latency_p50_ms']} ms")
    return "\n".join(lines)


__all__ = ["CODE_STRIDE", "COMPARED", "compare", "format_comparison", "run_room_selftest", "pattern_party", "pattern_source"]
