"""Shared fixtures: a data dir, a settable clock, a wired terminal without devices."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.support import SettableClock

if TYPE_CHECKING:
    from kiosk.terminal import Terminal


@pytest.fixture
def clock() -> SettableClock:
    """A clock at 09:00 on a Friday in China Standard Time."""
    return SettableClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty data directory."""
    d = tmp_path / "data"
    d.mkdir()
    return d


@pytest.fixture
def terminal(data_dir: Path, clock: SettableClock) -> Terminal:
    """A terminal wired with the default configuration and no devices."""
    # Wiring a terminal costs 0.6 s of imports (pydantic, the catalogue): deferred, so
    # only the tests that ask for one pay it (deferred on purpose)
    from kiosk.bootstrap import build_terminal
    from kiosk.config import KioskConfig  # deferred with build_terminal

    return build_terminal(KioskConfig(), data_dir, clock=clock, with_devices=False)


# The files that take longest, longest first (from `pytest --durations`), started first:
# `make test` runs files on several workers, and a long file that starts last keeps one
# worker busy after the others are done.
SLOW_FIRST = (
    "tests/screens/test_walk.py",
    "tests/screens/test_walkfix.py",
    "tests/presence/test_presence_app.py",
    "tests/lookup/test_lookup_ui.py",
    "tests/screens/test_card_device.py",
    "tests/screens/test_visit_ui.py",
    "tests/screens/test_layout_audit.py",
    "tests/unattended/test_schedule_run.py",
    "tests/wake/test_wake_ui.py",
    "tests/mediation/test_party_screens.py",
    "tests/documents/test_documents_ui.py",
    "tests/unattended/test_watchdog.py",
    "tests/screens/test_notices.py",
    "tests/legal_aid/test_ui.py",
    "tests/legal_aid/test_centre.py",
    "tests/update/test_rollouts_page.py",
    "tests/mediation/test_ticket_call_screens.py",
    "tests/legal_aid/test_sign_alternatives.py",
    "tests/lookup/test_guide_ui.py",
    "tests/screens/test_card_reminder.py",
    "tests/lookup/test_guide_document_ui.py",
    "tests/appointments/test_ui_keypad.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put the slow files first, each file's tests kept together and in order."""
    rank = {path: i for i, path in enumerate(SLOW_FIRST)}
    order = {id(item): i for i, item in enumerate(items)}

    def key(item: pytest.Item) -> tuple[int, int]:
        path = item.nodeid.split("::", 1)[0]
        return (rank.get(path, len(SLOW_FIRST)), order[id(item)])

    items.sort(key=key)
