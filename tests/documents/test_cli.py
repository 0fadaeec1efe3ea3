"""``kiosk doc``: list, render a template to PDF, print it (the simulator, a real CUPS);
bad input is one line on stderr with its exit code, never a traceback."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.support import PYTHON, kiosk_env
from tests.support.cups import PrivateCups, available, wait_for_pdf


def kiosk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``kiosk ARGS`` as a technician would."""
    return subprocess.run([PYTHON, "-m", "kiosk.cli", "--data-dir", str(data_dir), *args], env=kiosk_env(),
                          capture_output=True, text=True, timeout=120)


def test_list_names_every_template_and_its_fields(tmp_path: Path) -> None:
    done = kiosk(tmp_path, "doc", "list", "--json")
    assert done.returncode == 0, done.stderr
    listed = {t["name"]: t for t in json.loads(done.stdout)}
    assert {"iou", "owe", "receipt", "labour-arbitration", "mediation", "complaint-wages"} <= set(listed)
    assert listed["iou"]["short"] and "amount" in [f["key"] for f in listed["iou"]["fields"]]


def test_render_writes_a_pdf_with_the_values_and_the_capitals(tmp_path: Path) -> None:
    out = tmp_path / "iou.pdf"
    done = kiosk(tmp_path, "doc", "render", "iou", "--field", "lender=李四", "--field", "amount=10050.3",
                 "--date", "2026-12-02", "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = PdfReader(io.BytesIO(out.read_bytes())).pages[0].extract_text().replace("\n", "")
    assert "今借到李四人民币壹万零伍拾元叁角整（¥10,050.30）" in text and "2026年12月2日" in text


@pytest.mark.parametrize(("args", "code", "says"), [
    (["doc", "render", "nosuch", "-o", "x.pdf"], 1, "no document template 'nosuch'"),
    (["doc", "render", "iou", "--field", "amount=abc", "-o", "x.pdf"], 1, "amount: not an amount"),
    (["doc", "render", "iou", "--field", "nokey=1", "-o", "x.pdf"], 1, "iou has no field 'nokey'"),
    (["doc", "render", "iou", "--field", "amount", "-o", "x.pdf"], 1, "--field wants KEY=VALUE"),
    (["doc", "render", "iou", "-o", "/nonexistent/x.pdf"], 1, "cannot write /nonexistent/x.pdf"),
    (["doc", "print", "iou", "--sample"], 3, "no A4 printer configured"),
    (["doc", "print", "iou", "--device", "cups://a%2Fb"], 3, "bad CUPS queue name"),
])
def test_bad_input_is_one_line_never_a_traceback(tmp_path: Path, args: list[str], code: int, says: str) -> None:
    done = kiosk(tmp_path, *args)
    assert done.returncode == code
    assert says in done.stderr and "Traceback" not in done.stderr


def test_print_on_the_simulator_keeps_the_pdf(tmp_path: Path) -> None:
    done = kiosk(tmp_path, "doc", "print", "receipt", "--sample", "--device", "sim:")
    assert done.returncode == 0, done.stderr
    (job,) = sorted((tmp_path / "a4printer" / "jobs").glob("*.pdf"))
    assert "人民币伍仟元整" in PdfReader(job).pages[0].extract_text()


def test_print_through_real_cups_and_a_queue_that_is_not_there(tmp_path: Path) -> None:
    why = available()
    if why:
        pytest.skip(why)
    base = Path(tempfile.mkdtemp(prefix="kiosk-cups-"))
    cups = PrivateCups(base).start()
    try:
        queue = cups.add_pdf_queue(tmp_path / "out")
        done = kiosk(tmp_path, "doc", "print", "labour-arbitration", "--sample", "--device", f"cups://{queue}?server={cups.socket}")
        assert done.returncode == 0, done.stderr
        assert len(PdfReader(wait_for_pdf(tmp_path / "out")).pages) >= 1
        done = kiosk(tmp_path, "doc", "print", "iou", "--sample", "--device", f"cups://nosuch?server={cups.socket}")
        assert done.returncode == 5 and "A4打印机没有连接好" in done.stderr and "Traceback" not in done.stderr
    finally:
        cups.stop()
        shutil.rmtree(base, ignore_errors=True)
