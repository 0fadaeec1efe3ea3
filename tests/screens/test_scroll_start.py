"""A screen opens at its top: where the last person scrolled it says nothing to the next."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.screens.test_card_reminder import run

pytestmark = pytest.mark.ui


def test_the_next_visit_sees_the_home_screen_from_its_top(data_dir: Path) -> None:
    r = run("home_scrolled_then_next_visit", data_dir)
    assert r["scrollable"] and r["scrolled"] == 0.0  # the first person really was at the end
    assert r["screen"] == "home" and r["next_visit"] == 1.0
