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


def test_a_redrawn_keypad_screen_keeps_its_keypad_empty_and_typing(tmp_path: Path) -> None:
    r = run_scenario("tests.screens.leak_scenarios", "keypad_kept", tmp_path / "kiosk", out=tmp_path / "out.json")
    assert r["typed_before"] == "999"
    # No such ticket: the message, and the keypad empty again, as a new one would be ...
    after = r["after_search"]
    assert "没有找到可评价的号（办结后4小时内可评价）" in after["texts"]
    assert after["value"] == ""
    # ... and what is typed next is shown.
    assert r["typed"] == {"value": "4", "display": "4"}
    # In English: the screen's words change, the keypad is emptied as before.
    english = r["english"]
    assert "Rate the service you just had" in english["texts"]
    assert "Clear" in english["texts"] and "清空" not in english["texts"]
    assert english["value"] == ""
    # The same keypad each time, not a new one at each redraw.
    assert after["same"] and english["same"]


def test_the_phone_keypad_shows_what_the_next_person_types_too(tmp_path: Path) -> None:
    r = run_scenario("tests.screens.leak_scenarios", "phone_keypad_twice", tmp_path / "kiosk", out=tmp_path / "out.json")
    first, second = r["typed"]
    assert first["value"] == "138" and "138" in first["display"]
    assert second["value"] == "139" and "139" in second["display"], second
