"""A notice never covers an action, and the layout does not move when one appears."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.support.ui import run_scenario

pytestmark = pytest.mark.ui


def run(name: str, data_dir: Path, size: str = "1280x800", **given: Any) -> dict[str, Any]:
    """Run one scenario of small_scenarios.py in its own process; its record."""
    return run_scenario("tests.screens.small_scenarios", name, data_dir, given, size=size, timeout=300)


def _overlap(a: list[float], b: list[float]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _check(screens: dict[str, Any]) -> list[str]:
    problems = []
    for name, shot in screens.items():
        shown = [n for n in shot["after"]["notices"] if n["shown"]]
        if len(shown) != 1:
            problems.append(f"{name}: {len(shown)} notices shown")
        for n in shown:
            for b in shot["after"]["buttons"]:
                if _overlap(n["rect"], b["rect"]):
                    problems.append(f"{name}: the notice covers {b['action']}")
        if shot["before"]["buttons"] != shot["after"]["buttons"]:
            problems.append(f"{name}: buttons moved when the notice appeared")
    return problems


@pytest.mark.parametrize("size", ["1280x800", "800x1280"])
def test_no_notice_covers_a_button_on_any_screen(data_dir: Path, size: str) -> None:
    r = run("notices_everywhere", data_dir, size)
    assert not r.get("errors"), r.get("errors")
    # Every screen of the app, in both modes, was looked at.
    expected = {"attract", "home", "service", "ticket", "done", "la_sign", "la_story", "call_active", "technician"}
    assert expected <= set(r["screens"]) and len(r["screens"]) >= 2 * 30
    assert _check(r["screens"]) == []


def test_the_checks_see_a_notice_over_a_button() -> None:
    # The check itself: a notice placed over a button, or a button that moved, is caught.
    shot = {"before": {"buttons": [{"action": "take", "rect": [0, 0, 100, 60]}], "notices": []},
            "after": {"buttons": [{"action": "take", "rect": [0, 10, 100, 60]}],
                      "notices": [{"rect": [0, 40, 500, 50], "text": "x", "shown": True}]}}
    assert _check({"s": shot}) == ["s: the notice covers take", "s: buttons moved when the notice appeared"]


def test_a_real_notice_shows_in_the_line_and_moves_nothing(data_dir: Path) -> None:
    r = run("sign_notice", data_dir)
    assert r["notice"] == "还没有签名，请用手指在框内写下您的名字"
    shown = [n for n in r["after"]["notices"] if n["shown"]]
    assert [n["text"] for n in shown] == [r["notice"]]
    assert r["before"]["buttons"] == r["after"]["buttons"]
    assert "还没有签名，请用手指在框内写下您的名字" in "\n".join(r["steps"][0]["texts"])


def test_a_message_is_rendered_on_the_screen_shown_and_follows_to_the_next(tmp_path: Path) -> None:
    """The message line of the screen shown carries the message, and so does the next
    screen's while it lasts; the lines of the screens not shown are left alone
    (each would render and fit the same text: most of a second of CPU offscreen)."""
    rec = run("banner_follows_the_screen", tmp_path)
    assert rec["lines"] > 10  # the screens with a message line
    assert rec["home_text"] == rec["banner"] != ""
    assert rec["holding"] == ["home"], rec["holding"]
    assert rec["next_screen"] == "service" and rec["next_text"] == rec["banner"]
