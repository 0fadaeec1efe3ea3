"""Helpers of the mediation tests: ports and addresses for a real Janus on this machine,
and parties with a test-pattern camera and a tone for a microphone (the tracks of a
two-party call, remote_video/sfu/selftest.py)."""

from __future__ import annotations

import socket

from remote_video.media import SendLog, VideoLevel
from remote_video.sfu.party import RoomParty
from remote_video.sfu.rooms import RoomPass
from remote_video.sfu.selftest import pattern_party

# Small pictures: three parties encode and six subscriptions decode on two shared cores.
LEVEL = VideoLevel(320, 240, 15, 300)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def party(room_pass: RoomPass, send_log: SendLog | None = None, level: VideoLevel = LEVEL) -> RoomParty:
    """A party publishing the pattern and a tone."""
    return pattern_party(room_pass, level, 0, send_log)


def media_address() -> str:
    """This machine's own IPv4 address (the first non-loopback one that is up).

    Janus never gathers ICE candidates on a loopback interface (its ice.c skips
    IFF_LOOPBACK), and its answers to checks from 127.0.0.1 never reach an aiortc socket
    on 127.0.0.1 here; so Janus and the aiortc parties both use this address. The kernel
    delivers traffic to its own address locally: nothing leaves the machine.
    """
    import psutil  # deferred: only the media tests need it (a test dependency)

    stats = psutil.net_if_stats()
    for name, addrs in sorted(psutil.net_if_addrs().items()):
        if name == "lo" or not (stats.get(name) and stats[name].isup):
            continue
        for a in addrs:
            if a.family == socket.AF_INET and not a.address.startswith("127."):
                return str(a.address)
    raise RuntimeError("this machine has no non-loopback IPv4 address: Janus cannot gather a media candidate")
