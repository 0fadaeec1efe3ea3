"""What a person (or a technician) still met on a walk through the real app, offscreen:
each test plays a scenario of tests/screens/walk_scenarios.py in a fresh process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from screens import theme
from tests.support.ui import run_scenario, text

MODULE = "tests.screens.walk_scenarios"


def run(name: str, data_dir: Path, size: str = "1280x800", **given: Any) -> dict[str, Any]:
    """Play scenario ``name`` and return its record."""
    return run_scenario(MODULE, name, data_dir, given, size=size)


def test_the_technician_sees_a_missing_device_in_red_and_the_elder_offer_waits(data_dir: Path) -> None:
    r = run("technician_walk", data_dir)
    # 未连接 is a fault to repair: the same red as 故障, not a quiet grey.
    assert r["rows"]["未连接"] == list(theme.ACCENT)
    assert r["rows"]["正常"] == list(theme.OK)
    # The 60+ card read while the technician works does not cover the technician screen...
    assert r["screen_with_card"] == "technician"
    assert r["offer_over_technician"] is False
    # ...and is offered to the visitor once the technician has left.
    assert r["screen_after"] != "technician"
    assert r["offer_after"] is True


def test_the_rating_keypad_fits_whole_with_its_confirm_in_view(data_dir: Path) -> None:
    for elder in (False, True):
        r = run("rating_keypad", data_dir / f"elder{elder}", elder=elder)
        assert r["out_of_view"] == [], (elder, r["out_of_view"])  # 确定 too, without scrolling
        assert r["lowest_key_dp"] >= 60  # and the keys are not squashed to make room
        assert r["after_ok"] in ("rate_ticket", "rate")  # 确定 answers


def test_printing_the_ticket_again_says_what_happens(data_dir: Path) -> None:
    r = run("reprint_after_paper_out", data_dir)
    assert "未能打印号票" in text(r, "failed")
    # The press is answered at once, and the button does not move under the finger.
    assert "正在重新打印号票" in text(r, "pressed")
    assert r["button_y_pressed"] == r["button_y"]
    # Still no paper: said anew, with the printer's own reason.
    assert "还是没有打印出来：打印机缺纸" in text(r, "still_no_paper")
    assert "号票已打印" in text(r, "printed")


def test_a_refused_card_is_told_apart_from_the_reader_on_the_band(data_dir: Path) -> None:
    for elder in (False, True):
        r = run("refused_card", data_dir / f"elder{elder}", elder=elder)
        for label in ("at_card_step", "before_card_step"):
            seen = r[label]
            # The band says why the card was refused, never that the reader is broken.
            assert "身份证已过有效期" in seen["problem"], (elder, label, seen)
            assert "读卡器" not in seen["problem"]
            assert seen["title"] == "这张身份证不能在本机使用"  # the heading agrees
        unplugged = r["reader_unplugged"]
        assert "读卡器暂时不能使用" in unplugged["problem"]  # the reader's own state, apart
        assert unplugged["title"] == "本机现在不能读身份证"
        for label in ("at_card_step", "before_card_step", "reader_unplugged"):
            (button,) = r[label]["way_on"]
            # One full-size target, clear of the screen's edge, in words that fit the heading.
            assert button["action"] == "window_ticket"
            assert "不用身份证" not in button["text"]
            assert button["height_dp"] >= 60
            assert button["width"] >= 0.3, button
            assert button["centre"] + button["width"] / 2 <= 0.99, button
        assert r["after_way_on"] == "ticket"


WINDOWS = ('[queue]\nwaiting_area = "一楼大厅东侧等候区"\n'
           '[queue.windows.consultation]\nzh_CN = "2号窗口"\nen = "window 2"\n')


def test_the_ticket_names_the_window_where_it_is_called(data_dir: Path) -> None:
    r = run("ticket_window", data_dir / "a", config=WINDOWS, service="consultation")
    line = "请到一楼大厅东侧等候区等候叫号，叫到后到2号窗口办理"
    assert line in text(r, "ticket")
    assert line in r["printed"].replace("\n", "")  # the slip wraps it at its width
    # A service whose window the site has not named: only where to wait, no window made up.
    r = run("ticket_window", data_dir / "b", config=WINDOWS, service="mediation")
    assert "请到一楼大厅东侧等候区等候叫号" in text(r, "ticket") and "窗口办理" not in text(r, "ticket")


def test_the_ticket_qr_keeps_its_size_in_elder_mode(data_dir: Path) -> None:
    standard = run("ticket_window", data_dir / "standard", service="consultation")
    elder = run("ticket_window", data_dir / "elder", service="consultation", elder=True)
    assert elder["qr_px"] >= standard["qr_px"] >= 300


def test_the_service_screen_fits_whole_in_elder_mode(data_dir: Path) -> None:
    for lang in ("zh_CN", "en"):
        for service in ("legal_aid", "notary"):
            r = run("service_fits", data_dir / f"{lang}-{service}", service=service, elder=True, lang=lang)
            assert r["out_of_view"] == [], (lang, service, r["out_of_view"])  # priorities, materials, take
            assert r["wait_in_view"], (lang, service)  # and the queue line


def test_the_elder_home_screen_shows_whole_rows_whole_words_and_reachable_notes(data_dir: Path) -> None:
    r = run("home_elder", data_dir)
    assert r["rows_in_view"] >= 2  # not one and a half
    assert r["broken"] == []  # no "当面问律\n师"
    # A tile not offered now: its note is reached by the keypad, scrolled to and said.
    assert r["notes"]
    assert r["note_in_view"] is True
    assert any(r["notes"][0] in s for s in r["spoken"])
