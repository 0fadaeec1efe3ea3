"""The village line's bandwidth policy: a ladder of video levels, stepped by RTCP.

Start at 640×480, 15 fps within about 500 kbps. When the far end reports loss or a long
round trip (RTCP receiver reports, read every two seconds), step the video down one
rung; after a quiet spell, step back up one. Audio is never degraded: Opus at ~32 kbps
is what a consultation cannot do without, so the video gives way first (and at the last
rung it is a postage stamp at 5 fps, leaving the line to the voice).
"""

from __future__ import annotations

from remote_video.media import VideoLevel

LADDER: tuple[VideoLevel, ...] = (
    VideoLevel(640, 480, 15, 500),
    VideoLevel(480, 360, 12, 350),
    VideoLevel(320, 240, 10, 250),
    VideoLevel(160, 120, 5, 250),  # aiortc's VP8 does not go below 250 kbps target
)
LOSS_BAD = 0.05  # 5 % lost: the picture is breaking up
RTT_BAD = 0.40  # 400 ms round trip: a conversation starts to stumble
GOOD_TO_STEP_UP = 5  # consecutive good reports (≈10 s) before trying one rung up


class BandwidthPolicy:
    """Which rung to send at, from a stream of (fraction lost, round-trip time)."""

    def __init__(self, max_kbps: int = 500, ladder: tuple[VideoLevel, ...] = LADDER) -> None:
        # The configured cap picks the starting rung (a site on a 300 kbps line starts lower).
        self.ladder = ladder
        self.index = next((i for i, lv in enumerate(ladder) if lv.kbps <= max_kbps), len(ladder) - 1)
        self.top = self.index
        self._good = 0

    @property
    def level(self) -> VideoLevel:
        """The rung in use."""
        return self.ladder[self.index]

    def observe(self, fraction_lost: float, rtt_s: float) -> VideoLevel:
        """Take one report; returns the rung to use now."""
        if fraction_lost > LOSS_BAD or rtt_s > RTT_BAD:
            self._good = 0
            self.index = min(self.index + 1, len(self.ladder) - 1)
        else:
            self._good += 1
            if self._good >= GOOD_TO_STEP_UP and self.index > self.top:
                self._good = 0
                self.index -= 1
        return self.level
