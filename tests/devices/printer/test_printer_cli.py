"""``kiosk print`` run as a user runs it (subprocess), checking exit codes and messages."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from devices.printer.sim import FakeEscposPrinter
from kiosk.ports import PrinterStatus

ROOT = Path(__file__).resolve().parents[3]


def kiosk(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KIOSK_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "print", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize(("what", "width", "dots"), [(("ticket",), "58", 384), (("materials", "legal_aid"), "80", 576),
                                                     (("test",), "80", 576)])
def test_preview_writes_a_png_of_the_paper_width(tmp_path: Path, what: tuple[str, ...], width: str, dots: int) -> None:
    out = tmp_path / "r.png"
    result = kiosk("preview", *what, "--out", str(out), "--width", width, data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert Image.open(out).width == dots


def test_test_page_on_the_simulator(tmp_path: Path) -> None:
    result = kiosk("test", "--device", "sim:", data_dir=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "printer" / "last.png").exists()


@pytest.mark.parametrize(("status", "reason"), [(PrinterStatus.PAPER_OUT, "打印机缺纸 / printer out of paper"),
                                                (PrinterStatus.COVER_OPEN, "打印机纸仓盖未关 / printer cover open")])
def test_not_ready_printer_exits_5_with_the_reason(tmp_path: Path, status: PrinterStatus, reason: str) -> None:
    fake = FakeEscposPrinter(status)
    fake.start()
    try:
        result = kiosk("test", "--device", f"escpos+tcp://127.0.0.1:{fake.port}", data_dir=tmp_path)
    finally:
        fake.stop()
    assert result.returncode == 5
    assert reason in result.stderr
    assert fake.received == b""


def test_unreachable_printer_exits_5_offline(tmp_path: Path) -> None:
    fake = FakeEscposPrinter()
    port = fake.start()
    fake.stop()  # a port nobody listens on any more
    result = kiosk("test", "--device", f"escpos+tcp://127.0.0.1:{port}", data_dir=tmp_path)
    assert result.returncode == 5
    assert "打印机未连接或离线 / printer offline" in result.stderr


def test_bad_device_url_exits_3(tmp_path: Path) -> None:
    result = kiosk("test", "--device", "escpos+tcp://127.0.0.1:9100?profile=nope", data_dir=tmp_path)
    assert result.returncode == 3
    assert "unknown profile" in result.stderr
