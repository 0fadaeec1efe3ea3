"""The card left on the reader: "请取回身份证" is said and shown from the read on, on the
last screen, after the visit, and printed on the ticket — in every flow that reads a card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.appointments.slip import appointment_slip
from kiosk.legal_aid.receipt import legal_aid_receipt
from tests.support.ui import run_scenario

pytestmark = pytest.mark.ui
REMINDER = "请取回身份证"


def run(name: str, data_dir: Path, **given: Any) -> dict[str, Any]:
    """Run one scenario of device_scenarios.py in its own process."""
    return run_scenario("tests.screens.device_scenarios", name, data_dir, given)


def texts(record: dict[str, Any], label: str) -> str:
    """Everything on screen at step ``label``."""
    return "\n".join(next(s for s in record["steps"] if s["label"] == label)["texts"])


def test_ticket_with_card_reminds_on_screen_aloud_and_on_paper(data_dir: Path) -> None:
    r = run("card_left_ticket", data_dir)
    assert REMINDER not in texts(r, "card")  # nothing read yet
    assert REMINDER in texts(r, "ticket")  # a lasting band from the read on
    assert any(REMINDER in s for s in r["spoken_after_read"])  # said, voice mode or not
    assert "请取回您的身份证" in r["printed"]  # on the ticket itself
    assert REMINDER in texts(r, "done")
    assert sum(REMINDER in s for s in r["spoken_done"]) > sum(REMINDER in s for s in r["spoken_after_read"])
    # The visit is over, the card may still be there: the attract screen keeps saying it.
    assert REMINDER in texts(r, "attract")


def test_a_card_refused_at_the_start_is_still_to_be_taken_back(data_dir: Path) -> None:
    r = run("card_left_at_start", data_dir)
    assert any(REMINDER in s for s in r["spoken_placed"])
    assert REMINDER in texts(r, "home")
    assert REMINDER in texts(r, "ended")  # ended by the idle timeout: still reminded
    assert sum(REMINDER in s for s in r["spoken_end"]) > sum(REMINDER in s for s in r["spoken_placed"])


def test_slips_and_receipts_carry_the_reminder() -> None:
    """The legal-aid receipt and the appointment slip print it when a card was read, and
    only then."""
    from datetime import date, datetime

    from kiosk.appointments.desk import Booking
    from kiosk.catalog import load_catalog
    from kiosk.config import KioskConfig
    from kiosk.legal_aid.application import Submitted
    from kiosk.legal_aid.data import load_legal_aid

    config = KioskConfig()
    sub = Submitted("2611270001001", "7KQ2MX", "wages", datetime(2026, 11, 27, 10, 0), "e1")
    booking = Booking("123456", "notary", date(2026, 12, 3), "09:00", "09:30")
    service = load_catalog(None).get("notary")
    for card_placed in (True, False):
        papers = (
            legal_aid_receipt(sub, load_legal_aid(), config, holder_name="张*", take_card=card_placed),
            appointment_slip(booking, service, config, take_card=card_placed),
        )
        for paper in papers:
            assert ("请取回您的身份证" in paper.text_content()) is card_placed, paper.title
