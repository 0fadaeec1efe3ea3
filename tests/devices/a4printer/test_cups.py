"""The A4 printer against a real CUPS scheduler (a private one) with the cups-pdf virtual
printer: the PDF that comes out is read back; absent, stopped and failing queues show in
the device's health with the message for the person."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from devices.a4printer.cups import CupsA4Printer, job_pending, open_cups_printer, parse_lpstat_printer
from devices.registry import DeviceContext
from kiosk.errors import PrinterError
from kiosk.ports import DeviceState
from pdfdoc.layout import Document, Field, Fields, Paragraph, render_pdf
from tests.support.cups import PrivateCups, available, wait_for_pdf

WHY_NOT = available()


@pytest.fixture(scope="module")
def cups() -> Iterator[PrivateCups]:
    """One private cupsd for this file's tests (in a directory the lp user can enter:
    CUPS's filters run as lp, and pytest's own temporary directories are 0700)."""
    if WHY_NOT:
        pytest.skip(WHY_NOT)
    base = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    server = PrivateCups(base).start()
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


def _doc(text: str) -> Document:
    return Document("借条", (Paragraph(text), Fields((Field("出借人", "张三"), Field("金额", "人民币壹万元整（¥10,000.00）")))),
                    footer="本文书由公共法律服务终端生成")


def _raster(pdf: Path | bytes, tmp: Path) -> Image.Image:
    """The first page as a 40 dpi grey picture (Ghostscript, which cups-pdf needs anyway)."""
    src = tmp / "in.pdf"
    src.write_bytes(pdf if isinstance(pdf, bytes) else pdf.read_bytes())
    png = tmp / "page.png"
    subprocess.run(["gs", "-q", "-dSAFER", "-sDEVICE=pnggray", "-r40", "-o", str(png), str(src)], check=True, timeout=60)
    return Image.open(io.BytesIO(png.read_bytes())).convert("L")


def _differs(a: Image.Image, b: Image.Image) -> float:
    """Share of pixels that differ clearly between two pages."""
    diff = ImageChops.difference(a, b.resize(a.size))
    return sum(1 for v in diff.get_flattened_data() if v > 96) / (a.size[0] * a.size[1])


def test_a_document_printed_through_cups_comes_out_as_the_same_a4_page(cups: PrivateCups, tmp_path: Path) -> None:
    """What the kiosk sent is what cups-pdf wrote: one A4 page that looks like ours (and
    not like another document), its text readable in the PDF we sent."""
    out = tmp_path / "out"
    queue = cups.add_pdf_queue(out)
    printer = open_cups_printer(f"cups://{queue}?server={cups.socket}", DeviceContext(tmp_path))
    printer.open()
    try:
        assert printer.health().state is DeviceState.READY
        ours = render_pdf(_doc("今借到张三人民币壹万元整，于二〇二七年一月一日前归还。"))
        assert "今借到张三人民币壹万元整" in PdfReader(io.BytesIO(ours)).pages[0].extract_text()
        printer.print_pdf(ours, "借条")
        printed = wait_for_pdf(out)
    finally:
        printer.close()
    reader = PdfReader(printed)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595) < 2 and abs(float(box.height) - 842) < 2  # A4 in points
    # Ghostscript (inside cups-pdf) re-embeds the font without its Unicode map, so the
    # page is compared as a picture: ours, and not a different document's.
    same = _differs(_raster(printed, tmp_path), _raster(ours, tmp_path))
    other = _differs(_raster(printed, tmp_path), _raster(render_pdf(_doc("收到李四归还的全部借款，双方再无债权债务。" * 3)), tmp_path))
    assert same < 0.01 and other > 3 * same, (same, other)


def test_a_queue_that_does_not_exist_is_absent_and_says_so(cups: PrivateCups, tmp_path: Path) -> None:
    """A misnamed queue: absent, with the message for the person, and nothing printed."""
    printer = open_cups_printer(f"cups://nosuchqueue?server={cups.socket}", DeviceContext(tmp_path))
    printer.open()
    try:
        health = printer.health()
        assert health.state is DeviceState.ABSENT and health.message_key == "a4printer.absent"
        with pytest.raises(PrinterError) as err:
            printer.print_pdf(render_pdf(_doc("x")), "x")
        assert err.value.message_key == "a4printer.absent"
    finally:
        printer.close()


def test_a_stopped_queue_is_a_fault_until_it_is_enabled_again(cups: PrivateCups, tmp_path: Path) -> None:
    """cupsdisable: the printer is a fault (stopped) and refuses the job before sending
    it; cupsenable: ready again at the next check."""
    queue = cups.add_pdf_queue(tmp_path / "out")
    printer = CupsA4Printer(f"cups://{queue}", queue, server=cups.socket, poll_interval=0.2)
    printer.open()
    try:
        assert cups.run("cupsdisable", "-r", "paper jam", queue).returncode == 0
        with pytest.raises(PrinterError) as err:
            printer.print_pdf(render_pdf(_doc("x")), "x")
        assert err.value.message_key == "a4printer.stopped"
        health = printer.health()
        assert health.state is DeviceState.FAULT and "paper jam" in health.detail
        assert not list((tmp_path / "out").glob("*.pdf"))
        assert cups.run("cupsenable", queue).returncode == 0
        printer.refresh()
        assert printer.health().state is DeviceState.READY
    finally:
        printer.close()


def test_a_job_cups_cannot_print_fails_with_a_clear_reason(cups: PrivateCups, tmp_path: Path) -> None:
    """A damaged PDF: CUPS's filter gives it up, the kiosk says the document was not
    printed."""
    out = tmp_path / "out"
    queue = cups.add_pdf_queue(out)
    printer = CupsA4Printer(f"cups://{queue}", queue, server=cups.socket, timeout=60)
    printer.open()
    try:
        with pytest.raises(PrinterError) as err:
            printer.print_pdf(b"%PDF-1.4\n" + b"\x00 not a document" * 50, "x")
        assert err.value.message_key == "a4printer.job_failed"
    finally:
        printer.close()


def test_no_scheduler_means_cups_is_not_running(tmp_path: Path) -> None:
    """No cupsd at the address: absent, "CUPS not running" for the technician."""
    if WHY_NOT:
        pytest.skip(WHY_NOT)
    printer = open_cups_printer(f"cups://Office?server={tmp_path / 'none.sock'}", DeviceContext(tmp_path))
    printer.open()
    try:
        health = printer.health()
        assert health.state is DeviceState.ABSENT and health.message_key == "a4printer.no_cups"
    finally:
        printer.close()


@pytest.mark.parametrize(("rc", "out", "err", "state", "key"), [
    (0, "printer Office is idle.  enabled since Wed Dec  2 19:31:57 2026\n", "", DeviceState.READY, None),
    (0, "printer Office now printing Office-3.  enabled since Wed Dec  2 2026\n", "", DeviceState.READY, None),
    (0, "printer Office disabled since Wed Dec  2 2026 -\n\tpaper jam\n", "", DeviceState.FAULT, "a4printer.stopped"),
    (1, "", 'lpstat: Invalid destination name in list "Office".', DeviceState.ABSENT, "a4printer.absent"),
    (1, "", "lpstat: Scheduler is not running.", DeviceState.ABSENT, "a4printer.no_cups"),
])
def test_lpstat_answers(rc: int, out: str, err: str, state: DeviceState, key: str | None) -> None:
    """What lpstat says, as the kiosk reads it."""
    parsed = parse_lpstat_printer("Office", rc, out, err)
    assert (parsed.state, parsed.message_key) == (state, key)


def test_a_job_is_pending_only_while_listed() -> None:
    """``lpstat -W not-completed -o`` lists the job by its id in the first column."""
    listing = "Office-12   root   16384   Wed Dec  2 19:33:23 2026\nOffice-13   root   1   Wed\n"
    assert job_pending("Office-12", listing) and not job_pending("Office-1", listing)


def test_bad_urls_are_refused() -> None:
    """A URL without a queue, or with a bad queue name, is a device error."""
    from kiosk.errors import DeviceError

    for url in ("cups://", "cups://a%2Fb", "cups://Office?timeout=soon"):
        with pytest.raises(DeviceError):
            open_cups_printer(url, DeviceContext(Path("/tmp")))
