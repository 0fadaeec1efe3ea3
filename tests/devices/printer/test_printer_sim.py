"""``sim:`` and ``file:`` printers through the device registry, and the PNG preview."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from devices.printer.escpos_render import render_escpos
from devices.printer.png_render import render_png
from devices.printer.profiles import get_profile
from devices.registry import DeviceContext, open_device
from kiosk.errors import PrinterError
from kiosk.ports import DeviceKind, DeviceState, PrinterStatus, Simulated
from tests.devices.printer.printer_samples import DOCUMENTS, materials, ticket


def test_sim_prints_through_tcp_and_leaves_bytes_and_preview(tmp_path: Path) -> None:
    printer = open_device(DeviceKind.PRINTER, "sim:?profile=58mm", DeviceContext(tmp_path))
    printer.open()
    try:
        printer.print_receipt(ticket())  # type: ignore[attr-defined]
    finally:
        printer.close()
    out = tmp_path / "printer"
    assert (out / "last.bin").read_bytes() == render_escpos(ticket(), get_profile("58mm"))
    assert Image.open(out / "last.png").width == 384
    # A receipt may carry a name: owner-only, like all the kiosk's data; replaced whole,
    # with no temporary file left beside it.
    assert {p.name for p in out.iterdir()} == {"last.bin", "last.png"}
    assert all((out / n).stat().st_mode & 0o077 == 0 for n in ("last.bin", "last.png"))


def test_sim_actions_switch_the_printer_and_the_app_is_told(tmp_path: Path) -> None:
    printer = open_device(DeviceKind.PRINTER, "sim:", DeviceContext(tmp_path))
    assert isinstance(printer, Simulated)
    printer.open()
    try:
        actions = {a.action_id: a for a in printer.sim_actions()}
        assert {a.label_key for a in actions.values()} >= {"sim.printer.paper_out", "sim.printer.offline",
                                                           "sim.printer.cover_open", "sim.printer.ready"}
        actions["printer.paper_out"].run()
        with pytest.raises(PrinterError) as err:
            printer.print_receipt(ticket())  # type: ignore[attr-defined]
        assert err.value.message_key == "printer.paper_out"
        assert printer.health().state is DeviceState.FAULT
        actions["printer.ready"].run()
        assert printer.status() is PrinterStatus.READY  # type: ignore[attr-defined]
        printer.print_receipt(ticket())  # the reprint after recovery  # type: ignore[attr-defined]
    finally:
        printer.close()


def test_file_printer_appends_raw_jobs(tmp_path: Path) -> None:
    target = tmp_path / "out.bin"
    printer = open_device(DeviceKind.PRINTER, f"file://{target}?profile=80mm", DeviceContext(tmp_path))
    printer.open()
    printer.print_receipt(ticket())  # type: ignore[attr-defined]
    printer.print_receipt(materials())  # type: ignore[attr-defined]
    printer.close()
    p80 = get_profile("80mm")
    assert target.read_bytes() == render_escpos(ticket(), p80) + render_escpos(materials(), p80)
    assert printer.health().state is not DeviceState.FAULT


def test_unreachable_file_printer_is_a_fault_not_a_crash(tmp_path: Path) -> None:
    printer = open_device(DeviceKind.PRINTER, f"file://{tmp_path}/missing/dir/out.bin", DeviceContext(tmp_path))
    printer.open()  # never raises for a missing device
    assert printer.health().state is DeviceState.FAULT
    with pytest.raises(PrinterError):
        printer.print_receipt(ticket())  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
@pytest.mark.parametrize(("profile", "dots"), [("58mm", 384), ("80mm", 576)])
def test_preview_is_the_printers_width_and_has_ink(name: str, profile: str, dots: int) -> None:
    img = Image.open(io.BytesIO(render_png(DOCUMENTS[name](), get_profile(profile))))
    assert img.width == dots
    assert img.height > 300
    dark = sum(img.convert("L").histogram()[:128])
    assert dark > 0.02 * img.width * img.height  # text and a QR, not a blank roll
