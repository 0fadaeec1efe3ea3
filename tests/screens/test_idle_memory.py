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
