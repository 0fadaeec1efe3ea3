"""What a screen change shows and what it is made of: a screen filled in before it is
entered, list rows and button outlines that cost nothing they need not cost."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.ui import run_scenario


@pytest.mark.ui
def test_a_screen_is_filled_in_before_it_is_entered(data_dir: Path) -> None:
    r = run_scenario("tests.screens.switch_scenarios", "switches", data_dir, timeout=180)
    shown = [name for name, _n in r["frames"]]
    for name in ("home", "service", "materials", "ticket", "done", "attract"):
        assert name in shown
    # The service chosen is on the screen when it is entered, each time.
    assert r["entered"] == ["法律咨询", "法律咨询", "人民调解"]  # back from its materials, then another


@pytest.mark.ui
def test_materials_rows_follow_the_service_and_are_reused(data_dir: Path) -> None:
    r = run_scenario("tests.screens.switch_scenarios", "switches", data_dir, timeout=180)
    consultation, mediation = r["consultation"], r["mediation"]
    assert consultation["rows"][1] == ["如有请带", "2. 与问题有关的合同、协议、借条、收据等书面材料", False]
    assert mediation["rows"][:2] == [["必带", "1. 当事人身份证", True], ["必带", "2. 对方当事人的姓名、住址和联系电话", True]]
    # Nothing of the first list is left on screen.
    shown = "\n".join(mediation["texts"])
    assert "借条" not in shown and "对方当事人的姓名、住址和联系电话" in shown
    assert len(mediation["rows"]) == 4
    # The rows are the same widgets, given the new service's words.
    n = min(len(consultation["ids"]), len(mediation["ids"]))
    assert n and mediation["ids"][:n] == consultation["ids"][:n]


@pytest.mark.ui
def test_buttons_draw_no_invisible_wide_lines_and_the_focus_ring_still_shows(data_dir: Path) -> None:
    r = run_scenario("tests.screens.switch_scenarios", "button_lines", data_dir, timeout=180)
    # Outlines and focus rings that cannot be seen are not drawn through the stencil.
    assert r["home"] == 0 and r["service"] == 0
    # The ring of the button the keypad is on: two thick, opaque lines (dark, then gold).
    ring = r["ring"]
    assert len(ring) == 2 and all(line["width"] > 2 for line in ring)
    assert all(line["rgba"][3] == 1 for line in ring)
