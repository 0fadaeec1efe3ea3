"""A screen switch draws the next screen alone, from its first frame (screens/switch.py),
and the screens' own events still come after they are filled in."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.ui import run_scenario


@pytest.mark.ui
def test_a_switch_draws_only_the_next_screen(data_dir: Path) -> None:
    r = run_scenario("tests.screens.switch_scenarios", "switches", data_dir, timeout=180)
    frames = r["frames"]
    shown = [name for name, _n in frames]
    for name in ("home", "service", "materials", "ticket", "done", "attract"):
        assert name in shown
    # No frame drew the screen just left under the next one (Kivy's NoTransition did,
    # one frame per switch, then a second frame to take it away).
    assert [f for f in frames if f[1] != 1] == []
    # The screen is filled in for the service chosen before it is entered, each time.
    assert r["entered"] == ["法律咨询", "人民调解"]
