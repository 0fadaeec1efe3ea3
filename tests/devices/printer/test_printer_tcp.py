"""The real ESC/POS TCP driver against a printer on a real socket (127.0.0.1) that
answers DLE EOT the way an Epson-style printer does."""

from __future__ import annotations

import time

import pytest

from devices.printer.adapter import EscposReceiptPrinter
from devices.printer.escpos_parse import printed_text
from devices.printer.escpos_render import render_escpos
from devices.printer.profiles import get_profile
from devices.printer.sim import FakeEscposPrinter
from devices.printer.status import StatusReply, interpret, status_bytes
from devices.printer.transports import TcpTransport
from kiosk.errors import PrinterError
from kiosk.events import DeviceRecovered, PrinterFaulted
from kiosk.ports import DeviceState, PrinterStatus
from tests.devices.printer.printer_samples import ticket

P80 = get_profile("80mm")


@pytest.fixture
def fake():  # type: ignore[no-untyped-def]
    printer = FakeEscposPrinter()
    printer.start()
    yield printer
    printer.stop()


def driver(fake: FakeEscposPrinter, read_timeout: float = 0.5) -> EscposReceiptPrinter:
    url = f"escpos+tcp://127.0.0.1:{fake.port}"
    return EscposReceiptPrinter(url, TcpTransport("127.0.0.1", fake.port, connect_timeout=1.0), P80,
                                read_timeout=read_timeout)


def test_ready_printer_prints_the_ticket(fake: FakeEscposPrinter) -> None:
    printer = driver(fake)
    printer.open()
    printer.print_receipt(ticket())
    printer.close()
    assert fake.received == render_escpos(ticket(), P80)
    assert "B007" in printed_text(fake.received)
    assert fake.queries[:2] == [1, 4] and fake.queries[-2:] == [1, 4]  # asked before and after
    assert printer.health().state is DeviceState.READY


def test_paper_out_refuses_the_job_and_says_why(fake: FakeEscposPrinter) -> None:
    fake.status = PrinterStatus.PAPER_OUT
    printer = driver(fake)
    events: list[object] = []
    printer.subscribe(events.append)
    printer.open()
    with pytest.raises(PrinterError) as err:
        printer.print_receipt(ticket())
    assert err.value.status is PrinterStatus.PAPER_OUT
    assert err.value.message_key == "printer.paper_out"
    assert fake.received == b""  # not one byte of a half ticket
    assert printer.health().state is DeviceState.FAULT
    # Logged and reported once, however often it is asked; recovered once.
    printer.status()
    fake.status = PrinterStatus.READY
    printer.print_receipt(ticket())
    printer.close()
    assert [type(e) for e in events] == [PrinterFaulted, DeviceRecovered]
    assert events[0].status == "paper_out"  # type: ignore[attr-defined]


def test_offline_printer_answers_offline(fake: FakeEscposPrinter) -> None:
    fake.status = PrinterStatus.OFFLINE
    printer = driver(fake)
    with pytest.raises(PrinterError) as err:
        printer.print_receipt(ticket())
    assert err.value.status is PrinterStatus.OFFLINE
    assert err.value.message_key == "printer.offline"


def test_cover_open(fake: FakeEscposPrinter) -> None:
    fake.status = PrinterStatus.COVER_OPEN
    assert driver(fake).status() is PrinterStatus.COVER_OPEN


def test_paper_low_still_prints(fake: FakeEscposPrinter) -> None:
    fake.status = PrinterStatus.PAPER_LOW
    printer = driver(fake)
    printer.print_receipt(ticket())
    assert printer.last_status is PrinterStatus.PAPER_LOW
    assert printer.health().message_key == "printer.paper_low"
    printer.close()


def test_switched_off_printer_is_offline_at_once(fake: FakeEscposPrinter) -> None:
    printer = driver(fake)
    printer.open()
    fake.power_off()
    started = time.monotonic()
    with pytest.raises(PrinterError) as err:
        printer.print_receipt(ticket())
    assert err.value.status is PrinterStatus.OFFLINE
    assert time.monotonic() - started < 2
    # Back on: the next job reconnects by itself.
    fake.power_on()
    printer.print_receipt(ticket())
    printer.close()


def test_printer_that_never_answers_costs_one_timeout_and_still_prints() -> None:
    silent = FakeEscposPrinter(silent=True)
    silent.start()
    try:
        printer = driver(silent, read_timeout=0.3)
        started = time.monotonic()
        printer.print_receipt(ticket())
        assert time.monotonic() - started < 1.5
        assert printer.last_status is PrinterStatus.UNKNOWN
        printer.close()
    finally:
        silent.stop()
    assert b"B007" in silent.received


@pytest.mark.parametrize("status", list(PrinterStatus))
def test_status_bytes_round_trip(status: PrinterStatus) -> None:
    if status is PrinterStatus.UNKNOWN:
        return
    b = status_bytes(status)
    first = b[1]
    assert interpret(StatusReply(first, b[2] if first & 0x08 else None, b[4])) is status


@pytest.mark.parametrize(
    ("printer", "cause", "paper", "expected"),
    [
        (0x12, None, 0x12, PrinterStatus.READY),
        (0x12, None, 0x1E, PrinterStatus.PAPER_LOW),
        (0x1A, 0x32, 0x7E, PrinterStatus.PAPER_OUT),  # Epson's "all bad" example: paper end
        (0x1A, 0x36, 0x7E, PrinterStatus.COVER_OPEN),  # cover open wins: closing it is the fix
        (0x1A, 0x52, 0x12, PrinterStatus.OFFLINE),
        (0x12, None, 0x72, PrinterStatus.PAPER_OUT),  # clones that stay "online" when empty
        (0x00, None, 0x12, PrinterStatus.UNKNOWN),  # not a status byte: stray data
        (None, None, None, PrinterStatus.UNKNOWN),
    ],
)
def test_interpret_dle_eot(printer, cause, paper, expected) -> None:  # type: ignore[no-untyped-def]
    assert interpret(StatusReply(printer, cause, paper)) is expected
