"""No ID card with you: the card screen always offers the way on, a ticket for the window."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.screens.test_card_reminder import run, texts

pytestmark = pytest.mark.ui


def test_the_card_screen_offers_a_window_ticket_to_a_person_without_a_card(data_dir: Path) -> None:
    r = run("no_card_with_me", data_dir)
    assert "没带身份证？取号到窗口办理" in texts(r, "card")
    ticket = texts(r, "ticket")
    assert next(s for s in r["steps"] if s["label"] == "ticket")["screen"] == "ticket"
    assert "法律援助" in ticket and "B001" in ticket
