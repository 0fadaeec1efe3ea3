"""A keypad that a screen rebuilds at each redraw leaves nothing behind (a kiosk runs
for months: one listener and one dead keypad per redraw add up)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.ui import run_scenario

pytestmark = pytest.mark.ui


def test_redrawn_code_keypad_leaves_no_listener_and_still_types(tmp_path: Path) -> None:
    r = run_scenario("tests.screens.leak_scenarios", "keypad_redraws", tmp_path / "kiosk", out=tmp_path / "out.json")
    assert r["screen"] == "appt_mine"
    # 40 redraws: the window's key listeners and the keypads alive are as before.
    assert r["after"]["listeners"] <= r["before"]["listeners"], r
    assert r["after"]["keypads"] <= r["before"]["keypads"], r
    # The keypad on screen still types from a USB keypad, once per key.
    assert r["typed"] == "7"
