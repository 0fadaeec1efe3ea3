"""Shared fixtures: a data dir, a settable clock, a wired terminal without devices."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import SettableClock

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
def terminal(data_dir: Path, clock: SettableClock):  # type: ignore[no-untyped-def]
    """A terminal wired with the default configuration and no devices."""
    from kiosk.bootstrap import build_terminal
    from kiosk.config import KioskConfig

    return build_terminal(KioskConfig(), data_dir, clock=clock, with_devices=False)
