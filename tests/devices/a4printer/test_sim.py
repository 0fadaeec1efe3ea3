"""The A4 simulator: the CUPS driver's own code on stand-in lp/lpstat commands; the PDFs
kept 0600 for a person to look at; its technician controls change what the kiosk sees."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from devices.a4printer.sim import SimA4Printer
from devices.registry import DeviceContext, open_device
from kiosk.errors import PrinterError
from kiosk.events import DeviceEvent, DeviceFaulted, DeviceRecovered
from kiosk.ports import A4Printer, DeviceKind, DeviceState, Simulated
from pdfdoc.layout import Document, Paragraph, render_pdf

PDF = render_pdf(Document("收条", (Paragraph("今收到李四交来人民币伍仟元整。"),)))


def test_sim_keeps_each_pdf_private_and_follows_its_controls(tmp_path: Path) -> None:
    """Printed PDFs land in the data dir 0600; stopped, absent and a failing job are told
    with their messages, and the faults and the recovery come as events."""
    printer = open_device(DeviceKind.A4PRINTER, "sim:", DeviceContext(tmp_path))
    assert isinstance(printer, A4Printer) and isinstance(printer, Simulated) and isinstance(printer, SimA4Printer)
    events: list[DeviceEvent] = []
    printer.subscribe(events.append)
    printer.open()
    try:
        assert printer.health().state is DeviceState.READY
        printer.print_pdf(PDF, "收条")
        (job,) = printer.jobs
        assert job.read_bytes() == PDF
        assert stat.S_IMODE(job.stat().st_mode) == 0o600
        assert stat.S_IMODE(job.parent.parent.stat().st_mode) == 0o700

        actions = {a.action_id: a for a in printer.sim_actions()}
        assert set(actions) == {"a4printer.ready", "a4printer.stopped", "a4printer.absent", "a4printer.fail_next"}
        actions["a4printer.fail_next"].run()
        with pytest.raises(PrinterError) as err:
            printer.print_pdf(PDF, "收条")
        assert err.value.message_key == "a4printer.job_failed"
        assert printer.health().message_key == "a4printer.stopped"

        actions["a4printer.absent"].run()
        with pytest.raises(PrinterError) as err:
            printer.print_pdf(PDF, "收条")
        assert err.value.message_key == "a4printer.absent"

        actions["a4printer.ready"].run()
        printer.refresh()
        assert printer.health().state is DeviceState.READY
        assert any(isinstance(e, DeviceFaulted) for e in events) and isinstance(events[-1], DeviceRecovered)
    finally:
        printer.close()


def test_sim_keeps_only_the_last_ten(tmp_path: Path) -> None:
    """Old documents do not pile up on a demonstration terminal."""
    printer = SimA4Printer("sim:", tmp_path)
    printer.open()
    try:
        for _ in range(12):
            printer.print_pdf(PDF, "x")
        assert len(printer.jobs) == 10 and printer.jobs[-1].name == "0012.pdf"
    finally:
        printer.close()


def test_something_not_a_pdf_is_refused(tmp_path: Path) -> None:
    """Only PDFs go to the queue."""
    printer = SimA4Printer("sim:", tmp_path)
    with pytest.raises(PrinterError):
        printer.print_pdf(b"hello", "x")
    assert printer.jobs == []
