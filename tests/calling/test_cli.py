"""``kiosk display --screenshot``, ``kiosk announce`` and ``kiosk console`` from the command line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from PIL import Image

from tests.calling.test_console_http import seed
from tests.support import PYTHON, ROOT, kiosk_env



def kiosk(data_dir: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "kiosk.cli", *args], env=kiosk_env(data_dir), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def test_kiosk_display_renders_the_queue_to_a_png(data_dir: Path, tmp_path: Path) -> None:
    seed(data_dir, 3)
    assert kiosk(data_dir, "queue", "call", "--window", "2").returncode == 0
    out = tmp_path / "display.png"
    proc = kiosk(data_dir, "display", "--size", "1280x720", "--windows", "1,2", "--screenshot", str(out))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert Image.open(out).size == (1280, 720)


def test_kiosk_announce_says_calls_made_by_kiosk_queue_call(data_dir: Path) -> None:
    seed(data_dir, 3)
    proc = subprocess.Popen(
        [PYTHON, "-m", "kiosk.cli", "announce", "--speaker", "sim:", "--seconds", "4", "--json"],
        env=kiosk_env(data_dir), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert proc.stderr is not None
    while "announcing calls" not in (line := proc.stderr.readline()):  # ready: the queue as it is was taken
        assert line, "kiosk announce stopped before it was ready"
    assert kiosk(data_dir, "queue", "call", "--window", "5").returncode == 0
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err[-2000:]
    said = json.loads(out)
    assert said == {"number": "A001", "window": 5, "recall": False, "text": "请A零零一号到5号窗口办理"}


def test_kiosk_console_refuses_a_bad_address(data_dir: Path) -> None:
    proc = kiosk(data_dir, "console", "--http", "nowhere")
    assert proc.returncode == 2 and "HOST:PORT" in proc.stderr


def test_transfer_handler_for_kiosk_queue_transfer(data_dir: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The handler the proposed ``kiosk queue transfer SERVICE [--window N] [--json]`` runs."""
    import argparse

    from kiosk.cli.queue import transfer_ticket

    seed(data_dir, 3)  # A001 (elderly) B001 C001
    assert kiosk(data_dir, "queue", "call", "--window", "4", "--service", "legal_aid").returncode == 0
    args = argparse.Namespace(data_dir=str(data_dir), window=4, service="mediation", json=True)
    assert transfer_ticket(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["number"], doc["service"], doc["state"], doc["ahead"]) == ("B001", "mediation", "waiting", 0)
