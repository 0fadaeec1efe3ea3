"""Shared fixtures: a data dir, a settable clock, a wired terminal without devices."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support import SettableClock

if TYPE_CHECKING:
    from kiosk.terminal import Terminal


@pytest.fixture
def clock() -> SettableClock:
    """A clock at 09:00 on a Friday in China Standard Time."""
    return SettableClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory."""
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def terminal(data_dir: Path, clock: SettableClock) -> Terminal:
    """A terminal wired with the default configuration and no devices."""
    # Wiring a terminal costs 0.6 s of imports (pydantic, the catalogue): deferred, so
    # only the tests that ask for one pay it (deferred on purpose)
    from kiosk.bootstrap import build_terminal
    from kiosk.config import KioskConfig  # deferred with build_terminal

    return build_terminal(KioskConfig(), data_dir, clock=clock, with_devices=False)
