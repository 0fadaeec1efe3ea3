"""The frozen-screen watch: a kiosk whose attract screen stopped changing is restarted.

A process can be alive and its UI thread responsive while what the person sees is stuck
(a screen that stopped refreshing, a clock that no longer moves). While the terminal
idles on the attract screen, its content (the clock, at least every minute) must change;
when it has not for ``frozen_after_s``, the app stops pinging systemd's watchdog and is
restarted. During a visit nothing is judged: a person may read a screen for long.
"""

from __future__ import annotations

from typing import Hashable


class FreezeWatch:
    """Feed it what the attract screen shows, as often as you like; it says when that
    has not changed for ``frozen_after_s`` seconds while idle on attract."""

    def __init__(self, frozen_after_s: float) -> None:
        self.frozen_after_s = frozen_after_s
        self._seen: Hashable = None
        self._since: float | None = None

    def observe(self, on_attract: bool, fingerprint: Hashable, now_s: float) -> bool:
        """True when frozen. ``now_s`` is monotonic seconds."""
        if not on_attract:
            self._since = None  # a visit: start afresh when the attract screen is back
            return False
        if self._since is None or fingerprint != self._seen:
            self._seen, self._since = fingerprint, now_s
            return False
        return now_s - self._since >= self.frozen_after_s

    def unchanged_s(self, now_s: float) -> float:
        """How long the attract screen has shown the same thing (0 during a visit)."""
        return 0.0 if self._since is None else now_s - self._since


def resident_mb(status: str = "/proc/self/status") -> float | None:
    """This process's resident memory in MB (``VmRSS``), or None where it cannot be read."""
    try:
        with open(status, encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None
