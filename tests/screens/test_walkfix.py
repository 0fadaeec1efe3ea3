"""What a second walk through the real app found, offscreen: each test plays a scenario
of tests/screens/walkfix_scenarios.py in a fresh process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.ui import run_scenario, text

MODULE = "tests.screens.walkfix_scenarios"
# Wednesday 2 December 2026 at 19:32 in China; the default hours are 08:30–17:30, Mon–Fri.
EVENING = "2026-12-02T19:32:00+08:00"


def run(name: str, data_dir: Path, size: str = "1280x800", **given: Any) -> dict[str, Any]:
    """Play scenario ``name`` and return its record."""
    return run_scenario(MODULE, name, data_dir, given, size=size)


def test_after_hours_the_service_and_the_ticket_say_when_service_resumes(data_dir: Path) -> None:
    r = run("after_hours", data_dir, now=EVENING)
    home, service, ticket = text(r, "home"), text(r, "service"), text(r, "ticket")
    assert "明天 08:30 起办理" in home and "无需等候" not in home
    assert "今天已下班，明天 08:30 起办理" in service
    assert "取号后即可办理" not in service and "现在可以先取号，开门后您排第一位" in service
    assert r["take_disabled"] is False
    # The ticket is for tomorrow's queue, and says so on screen and on paper.
    assert r["ticket_day"] == "2026-12-03"
    assert "今天已下班，明天 08:30 起办理" in ticket and "开门后您排第一位" in ticket
    for said in (ticket, r["printed"]):
        assert "马上就到您" not in said and "前面没有人" not in said
    assert "2026-12-03 08:30" in r["printed"]


def test_on_friday_evening_the_ticket_is_for_monday_in_english_too(data_dir: Path) -> None:
    r = run("after_hours", data_dir, now="2026-12-04T18:05:00+08:00", lang="en")
    assert "Closed for today: service from 08:30 on Monday 7/12" in text(r, "service")
    assert r["ticket_day"] == "2026-12-07"
    assert "right away" not in text(r, "service") and "Nobody ahead" not in text(r, "ticket")


def test_a_site_without_after_hours_tickets_says_when_to_come_back(data_dir: Path) -> None:
    r = run("after_hours", data_dir, now=EVENING, config="[queue]\nafter_hours_tickets = false\n")
    assert "今天已下班，明天 08:30 起办理。现在不发号，请在办理时间内来取号" in text(r, "service")
    assert r["take_disabled"] is True


def test_elder_mode_with_a_priority_and_the_visit_banners_keeps_every_control_whole(data_dir: Path) -> None:
    for size, lang, card in (("1280x800", "zh_CN", True), ("1280x800", "en", False), ("800x1280", "zh_CN", True)):
        r = run("elder_priority", data_dir / f"{size}-{lang}", size=size, lang=lang, voice=True, card=card)
        where = (size, lang)
        # The chosen priority, the others and both actions whole, with the wait above them on one line.
        assert r["out_of_view"] == [], (where, r["out_of_view"])
        assert r["wait_in_view"] and r["wait_lines"] == 1, where
        assert r["materials_items"] >= 2, where  # more than one and a half items of the list
        assert r["qr_gap"] >= 0, where  # the ticket's QR clear of the bar


SHORT_TIMEOUTS = "[timeouts]\nelder_idle_seconds = 30\nelder_warning_seconds = 8\nwarning_seconds = 5\n"


def test_the_visit_is_wiped_when_the_countdown_reaches_zero_even_while_speaking(data_dir: Path) -> None:
    r = run("idle_wipe", data_dir, config=SHORT_TIMEOUTS)
    assert r["asked"] and r["screen"] == "attract"
    # At zero (a frame or two of slack), not when the speech ends.
    assert r["warning_seconds"] - 0.5 <= r["wiped_after"] <= r["warning_seconds"] + 1.5, r["wiped_after"]


def test_the_keypad_starts_on_the_main_action_moves_spatially_and_asks_before_ending(data_dir: Path) -> None:
    r = run("keypad_walk", data_dir, config="[timeouts]\nidle_seconds = 10\n")
    assert r["after_first_enter"] == "home"  # the first Enter starts, not just shows a ring
    assert r["home_focus"] not in ("voice", "lang", "elder")  # never 关闭语音 first
    # Escape on home asks (the ring on 结束办理) and ends nothing.
    assert r["after_escape"] == "home" and r["escape_focus"] == "finish"
    assert r["service_focus"] == "take"  # a new screen: the ring on its main action
    assert r["up_from_take"].startswith("priority:")  # Up goes up, not back in list order
    assert r["down_back"] in ("take", "materials")
    # The idle question: the first Enter answers 我还在.
    assert r["asked"] and r["after_idle_enter"] == {"asked": False, "screen": "service"}


def test_a_ticket_without_a_card_says_to_bring_it_and_nothing_printed_is_not_taken(data_dir: Path) -> None:
    r = run("ticket_without_card_or_paper", data_dir, service="legal_aid")
    assert "到窗口时请出示身份证" in text(r, "ticket")
    assert r["finish_label"] == "我记下号码了"  # not 我拿好了: nothing came out

