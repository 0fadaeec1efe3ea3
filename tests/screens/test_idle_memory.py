"""A terminal at idle holds only what it uses: the voice matcher's pinyin tables
(≈ 55 MB of Python objects) load where speech can be heard, not on a terminal without
a speech model."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.ui import run_scenario

pytestmark = pytest.mark.ui


def test_idle_terminal_without_a_speech_model_leaves_the_pinyin_tables_unloaded(tmp_path: Path) -> None:
    r = run_scenario("tests.screens.memory_scenarios", "idle", tmp_path / "kiosk", out=tmp_path / "out.json")
    assert r["screen"] == "attract" and r["voice_input"] is False, r
    assert r["loaded"] == [], r


def test_the_heap_is_given_back_when_a_visit_ends(tmp_path: Path) -> None:
    data = tmp_path / "kiosk"
    r = run_scenario("tests.screens.memory_scenarios", "visit_ends", data, out=tmp_path / "out.json")
    assert r["during"] == "home" and r["screen"] == "attract", r
    log = (data / "logs" / "kiosk.log").read_text(encoding="utf-8")
    lines = [line for line in log.splitlines() if "given back after the visit" in line]
    assert len(lines) == 1, log[-2000:]  # once per visit, not per screen
    assert "resident" in lines[0]
