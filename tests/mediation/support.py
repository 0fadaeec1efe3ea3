"""Helpers of the mediation tests: a real Janus on this machine, and parties with a
test-pattern camera and a tone for a microphone (the tracks of a two-party call)."""

from __future__ import annotations

import socket
from typing import Callable

import numpy as np

from devices.camera.sim import _background, pattern_array
from remote_video.media import AudioTrack, CameraTrack, SendLog, VideoLevel
from remote_video.sfu.party import RoomParty
from remote_video.sfu.rooms import RoomPass

# Small pictures: three parties encode and six subscriptions decode on two shared cores.
LEVEL = VideoLevel(320, 240, 15, 300)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pattern_source(level: VideoLevel = LEVEL) -> Callable[[], np.ndarray]:
    """A camera stand-in: the moving test pattern with each frame's number in it."""
    bg = _background(level.width, level.height)
    tick = [0]

    def next_frame() -> np.ndarray:
        tick[0] += 1
        return pattern_array(level.width, level.height, tick[0], background=bg, clock=False)

    return next_frame


def party(room_pass: RoomPass, send_log: SendLog | None = None, level: VideoLevel = LEVEL) -> RoomParty:
    """A party publishing the pattern and a tone (the receive side measures latency
    against ``send_log`` when given)."""
    video = CameraTrack(pattern_source(level), level, send_log)
    return RoomParty(room_pass, video, AudioTrack(generated=True), send_log=send_log, adapt=False)


def media_address() -> str:
    """This machine's own IPv4 address (the first non-loopback one that is up).

    Janus never gathers ICE candidates on a loopback interface (ice.c skips
    IFF_LOOPBACK), and libnice does not answer checks from 127.0.0.1 to that address,
    so both Janus and the aiortc parties use this address: the kernel delivers it
    locally, nothing leaves the machine.
    """
    import psutil

    stats = psutil.net_if_stats()
    for name, addrs in sorted(psutil.net_if_addrs().items()):
        if name == "lo" or not (stats.get(name) and stats[name].isup):
            continue
        for a in addrs:
            if a.family == socket.AF_INET and not a.address.startswith("127."):
                return str(a.address)
    raise RuntimeError("this machine has no non-loopback IPv4 address: Janus cannot gather a media candidate")
