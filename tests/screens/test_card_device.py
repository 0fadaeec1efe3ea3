"""The ID card and its reader across visits, in the real app offscreen: each test plays
a scenario of tests/screens/card_device_scenarios.py in a fresh process."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.support.ui import run_scenario, text

pytestmark = pytest.mark.ui
MODULE = "tests.screens.card_device_scenarios"
HAN = re.compile(r"[\u4e00-\u9fff]")


def run(name: str, data_dir: Path, **given: Any) -> dict[str, Any]:
    """Play scenario ``name`` and return its record."""
    return run_scenario(MODULE, name, data_dir, given, timeout=180)


def test_a_reader_fault_cleared_gives_the_card_step_back(data_dir: Path) -> None:
    r = run("reader_fault_cleared", data_dir)
    live = r["fault_live"]
    assert live["title"] == "本机现在不能读身份证"
    assert "window_ticket" in live["actions"]  # the way on while the reader is down
    # In English the band and the screen say it in English, not the Chinese of before.
    en = r["fault_live_en"]
    assert en["problem"] and not HAN.search(en["problem"]), en
    assert not HAN.search(en["notice"]), en
    # Once the reader is back: the normal card step, in the same visit and the next ones,
    # in legal aid too, and after the reader was unplugged and plugged back elsewhere.
    for label in ("same_visit_after_clear", "next_visit", "legal_aid", "after_replug"):
        seen = r[label]
        assert seen["screen"] == "card", (label, seen)
        assert seen["title"] == "请把身份证放在读卡区", (label, seen)
        assert seen["problem"] == "" and seen["notice"] == "", (label, seen)
        # Always a working way on for someone whose card will not do: the window.
        assert "window_ticket" in seen["actions"], (label, seen)
    assert "window_ticket" in r["unplugged"]["actions"]


REMINDER = "请取回身份证"


def test_a_card_left_on_the_reader_is_not_forgotten(data_dir: Path) -> None:
    r = run("card_left_across_visits", data_dir)
    # Once read, the card is of no more use (the visit keeps what it needs): the band
    # says so right after the read, as the voice does, and to the visit's last screen.
    assert REMINDER in text(r, "home_with_card")
    assert REMINDER in text(r, "ticket")
    # The visit ended: said large on the start screen, and still after 20 s.
    for label in ("attract_end", "attract_later"):
        assert "请取回读卡区上的身份证" in text(r, label), label
    # The next person is told what to do with a card that is not theirs.
    assert "读卡区如有他人遗留的身份证，请交给工作人员" in r["next_card_step"]["others_card"]
    assert "读卡区如有他人遗留的身份证，请交给工作人员" in text(r, "next_card_step")
    # That person's visit ends; the card still lies there: the start screen says it again.
    assert "请取回读卡区上的身份证" in text(r, "attract_after_next")
    # A new card entered the field: the old one has gone.
    assert r["left_after_new_card"] is False
    # A visit that ends on the idle timeout with a card: shown large and said.
    assert "请取回读卡区上的身份证" in text(r, "after_idle")
    assert any(REMINDER in s for s in r["spoken_end"])


def test_a_refused_card_is_explained_where_it_is_put_down(data_dir: Path) -> None:
    # A terminal that takes legal-aid applications (the centre's key is set).
    r = run("refused_at_start", data_dir, config='[legal_aid]\npublic_key = "' + "A" * 43 + '="\n')
    # The reason at once, on the start screen and on the home screen, shown and said.
    for label in ("attract_expired", "home_expired"):
        assert "身份证已过有效期" in text(r, label), label
    assert any("身份证已过有效期" in s for s in r["spoken_expired"])
    for label in ("attract_invalid", "home_invalid"):
        assert "身份证信息核验未通过" in text(r, label), label
    # A dead reader is said on the home screen, before a legal-aid application is begun,
    # and the start screen no longer invites a card.
    assert "读卡器暂时不能使用，请取号到窗口申请" in text(r, "home_no_reader")
    assert "la:open" not in r["home_actions"]
    assert "la:open" in r["home_actions_with_reader"]  # offered while the reader works
    assert "也可以直接把身份证放在读卡区" not in text(r, "attract_no_reader")


def test_a_printer_that_is_down_is_said_once_in_words_that_fit(data_dir: Path) -> None:
    r = run("printer_down", data_dir, config="[hours]\ndays = []\n")  # closed: the line that offers printing
    # The start screen invites only what works: no "打印材料清单".
    assert "现在不是办理时间，可查看须知" in text(r, "attract")
    assert "打印材料清单" not in text(r, "attract")
    # The materials list: one message, the band's; no "正在打印" under it, no ticket number.
    assert "打印机暂时不能打印" in r["materials_problem"]
    assert r["materials_banner"] == ""
    assert "号码" not in text(r, "materials_print")
    # A list that failed to print: no number to save, said as what it is.
    assert "没有打印出来" in r["service_banner"]
    assert "号码" not in r["service_banner"]
