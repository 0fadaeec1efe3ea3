"""The real ESC/POS serial driver (pyserial) against a printer on the other end of a
pty that answers DLE EOT the way an Epson-style printer does."""

from __future__ import annotations

import os
import select
import threading
import tty
from pathlib import Path
from typing import Iterator

import pytest

from devices.printer.escpos_parse import EscPosReader, printed_text
from devices.printer.escpos_render import render_escpos
from devices.printer.profiles import get_profile
from devices.printer.status import status_bytes
from devices.registry import DeviceContext, open_device
from kiosk.errors import PrinterError
from kiosk.ports import DeviceKind, DeviceState, PrinterStatus, ReceiptPrinter
from tests.devices.printer.printer_samples import ticket


class PtyPrinter:
    """A serial printer at the far end of a pty: keeps what it is sent, answers status
    queries for ``status``."""

    def __init__(self) -> None:
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.device = os.ttyname(slave)
        self._slave = slave  # kept open, so the line stays up between connections
        self.status = PrinterStatus.READY
        self.received = bytearray()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="pty-printer", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        reader = EscPosReader()
        while not self._stop.is_set():
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 4096)
            except OSError:
                return
            for token in reader.feed(data):
                if token.kind == "status_query":
                    os.write(self.master, bytes((status_bytes(self.status)[token.data[2]],)))
                else:
                    self.received += token.data

    def close(self) -> None:
        """Stop answering and close both ends."""
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self.master)
        os.close(self._slave)


@pytest.fixture
def line() -> Iterator[PtyPrinter]:
    printer = PtyPrinter()
    yield printer
    printer.close()


def _open(line: PtyPrinter, tmp_path: Path) -> ReceiptPrinter:
    device = open_device(DeviceKind.PRINTER, f"escpos+serial://{line.device}?baudrate=115200&profile=80mm",
                         DeviceContext(data_dir=tmp_path))
    assert isinstance(device, ReceiptPrinter)
    device.open()
    return device


def test_serial_printer_prints_the_ticket(line: PtyPrinter, tmp_path: Path) -> None:
    printer = _open(line, tmp_path)
    try:
        assert printer.health().state is DeviceState.READY
        printer.print_receipt(ticket())
        assert bytes(line.received) == render_escpos(ticket(), get_profile("80mm"))
        assert "B007" in printed_text(bytes(line.received))
        assert printer.status() is PrinterStatus.READY
    finally:
        printer.close()


def test_serial_printer_out_of_paper_refuses_the_job(line: PtyPrinter, tmp_path: Path) -> None:
    line.status = PrinterStatus.PAPER_OUT
    printer = _open(line, tmp_path)
    try:
        with pytest.raises(PrinterError) as err:
            printer.print_receipt(ticket())
        assert err.value.status is PrinterStatus.PAPER_OUT and err.value.message_key == "printer.paper_out"
        assert bytes(line.received) == b""  # not one byte of a half ticket
        assert printer.health().state is DeviceState.FAULT
    finally:
        printer.close()
