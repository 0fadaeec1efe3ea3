"""The printer's live state, from its polled DLE EOT status: on the technician screen and
in telemetry within 5 s; a ticket that could not be printed outlives its visit — it is
reprinted by number on the technician screen and staff see it as 未打印."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kiosk.ports import DeviceKind, PrinterStatus
from tests.fleet.conftest import fleet  # noqa: F401 — the real broker + centre fixture
from tests.screens.test_card_reminder import run, texts

pytestmark = pytest.mark.ui


def test_technician_screen_shows_live_state_and_reprints(data_dir: Path) -> None:
    r = run("printer_state", data_dir)
    assert "打印机缺纸" not in texts(r, "technician")
    for status, word in (("paper_out", "打印机缺纸"), ("cover_open", "打印机纸仓盖未关好"), ("offline", "打印机暂时无法使用")):
        assert r[f"{status}_seconds"] <= 5.0, status
        assert word in texts(r, status)
    # The ticket not printed at the last visit: offered again by its number, and printed.
    number = r["number"]
    assert r["after_visit"] == "attract"
    assert f"补打号票 {number}" in texts(r, "reprint_offered")
    assert f"已补打号票 {number}" in texts(r, "reprinted")
    assert number in r["printed"]

    # Staff at the window see which waiting tickets have no paper.
    from fleet.window_console.server import ticket_json
    from kiosk.bootstrap import build_terminal
    from kiosk.config import KioskConfig

    t = build_terminal(KioskConfig(), data_dir, with_devices=False)
    assert ticket_json(t.queue.find(number))["printed"] is True  # reprinted since
    other = t.queue.take("consultation")
    t.queue.mark_printed(other.ticket_id, False)
    assert ticket_json(t.queue.find(other.number))["printed"] is False
    assert [x.number for x in t.queue.unprinted()] == [other.number]


def test_telemetry_carries_the_live_state_within_5_s(fleet) -> None:  # type: ignore[no-untyped-def]
    """A real agent over real Mosquitto: paper out reaches the centre without a print job."""
    from tests.fleet.conftest import until

    # Periodic telemetry every 30 s (the default): the change itself must bring it sooner.
    t = fleet.terminal("P1", devices=True, telemetry_seconds=30)
    try:
        _paper_out_reaches_the_centre(fleet, t)
    finally:
        t.close()


def _paper_out_reaches_the_centre(fleet, t) -> None:  # type: ignore[no-untyped-def]
    from tests.fleet.conftest import until

    fleet.agent(t)
    until(lambda: (row := fleet.store.terminal("P1")) and row["telemetry"])
    t.devices[DeviceKind.PRINTER].set_sim_status(PrinterStatus.PAPER_OUT)
    began = time.monotonic()

    def printer() -> dict | None:  # type: ignore[type-arg]
        tel = fleet.store.terminal("P1")["telemetry"] or {}
        return next((d for d in tel.get("devices", []) if d["kind"] == "printer"), None)

    until(lambda: (d := printer()) is not None and d.get("paper") == "paper_out" and d["state"] == "fault", 10)
    assert time.monotonic() - began <= 5.0
    row = fleet.store.terminal("P1")
    assert "printer:paper_out" in row["faults"]
    # The same terminal has a microphone but no speech model: a fault too.
    assert "speech:absent" in row["faults"]
    t.devices[DeviceKind.PRINTER].set_sim_status(PrinterStatus.READY)
    until(lambda: (d := printer()) is not None and d.get("paper") == "ready", 10)
