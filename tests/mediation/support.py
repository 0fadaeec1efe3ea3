"""Helpers of the mediation tests: ports and addresses for a real Janus on this machine,
and parties with a test-pattern camera and a tone for a microphone (the tracks of a
two-party call, remote_video/sfu/selftest.py)."""

from __future__ import annotations

# The throwaway Janus's helpers, shared with `kiosk call selftest --parties N`.
from fleet.mediation.local import free_port, media_address  # noqa: F401 — re-exported for the tests
from remote_video.media import SendLog, VideoLevel
from remote_video.sfu.party import RoomParty
from remote_video.sfu.rooms import RoomPass
from remote_video.sfu.selftest import pattern_party

# Small pictures: three parties encode and six subscriptions decode on two shared cores.
LEVEL = VideoLevel(320, 240, 15, 300)


def party(room_pass: RoomPass, send_log: SendLog | None = None, level: VideoLevel = LEVEL) -> RoomParty:
    """A party publishing the pattern and a tone."""
    return pattern_party(room_pass, level, 0, send_log)
