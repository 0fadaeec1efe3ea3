"""Helpers shared by tests: paths, the interpreter, a settable clock, subprocess env.

The package also holds the one DevTools driver (``tests.support.cdp``) and the one way
to drive the real app in a process of its own (``tests.support.ui``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
CST = timezone(timedelta(hours=8))


class SettableClock:
    """Wall-clock time the test sets: days and waits without sleeping."""

    def __init__(self, now: datetime | None = None) -> None:
        self._now = now or datetime(2026, 11, 27, 9, 0, tzinfo=CST)
        self._mono = 1000.0

    def now(self) -> datetime:
        """The set time."""
        return self._now

    def monotonic(self) -> float:
        """Moves with ``advance``."""
        return self._mono

    def advance(self, **delta: float) -> None:
        """Move time forward."""
        step = timedelta(**delta)
        self._now += step
        self._mono += step.total_seconds()


class ShiftedClock:
    """The real clock moved to start at ``start``: a UI scenario plays at 19:32 on a
    weekday, and its timers still run in real seconds."""

    def __init__(self, start: datetime) -> None:
        self._tz = start.tzinfo or CST
        self._offset = start - datetime.now(self._tz)

    def now(self) -> datetime:
        """Real time, shifted."""
        return datetime.now(self._tz) + self._offset

    def monotonic(self) -> float:
        """The real monotonic clock."""
        return time.monotonic()


def kiosk_env(data_dir: Path | None = None) -> dict[str, str]:
    """The environment for running ``kiosk`` commands in a subprocess."""
    env = dict(os.environ)
    env["SDL_VIDEODRIVER"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT)
    # A centre run as root keeps its broker's state outside its data dir: in tests, in /tmp.
    env.setdefault("KIOSK_CENTER_BROKER_BASE", str(Path(tempfile.gettempdir()) / "kiosk-center-test-brokers"))
    if data_dir is not None:
        env["KIOSK_DATA_DIR"] = str(data_dir)
    return env


def wait_for_screen(data_dir: Path, proc: subprocess.Popen[Any], timeout: float = 60.0) -> Path:
    """Wait until ``kiosk run`` (offscreen, data in ``data_dir``) has saved its first live
    screenshot — the screen is up — and return it; fail if it never came or the process
    ended first. A loaded machine is slow to start: ``timeout`` is generous."""
    shot = data_dir / "screenshots" / "screen.png"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not shot.exists() and proc.poll() is None:
        time.sleep(0.5)
    assert proc.poll() is None, f"kiosk run stopped (exit {proc.returncode})"
    assert shot.exists(), "kiosk run rendered no screen"
    return shot


def stop_process(proc: subprocess.Popen[Any], grace: float = 30.0) -> str:
    """Stop ``proc`` as systemd would (SIGTERM, then SIGKILL after ``grace`` seconds)
    and return what it wrote to a piped stderr ("" when not piped)."""
    if proc.poll() is None:
        proc.terminate()
    try:
        _, err = proc.communicate(timeout=grace)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
    if isinstance(err, bytes):
        return err.decode(errors="replace")
    return err or ""
