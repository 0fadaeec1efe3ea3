"""``kiosk idcard read`` / ``simulate`` as subprocesses, against the simulator on a pty."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest

from devices.idcard.simulator import load_cards
from kiosk.cli import COMMAND_MODULES

ROOT = Path(__file__).resolve().parents[3]
DEMO = {c.card_id: c.card for c in load_cards()}


def _kiosk() -> list[str]:
    # `python -m kiosk.cli` needs every command module of the full CLI; while some are
    # still being written, run the idcard commands through their own entry point.
    modules = (*COMMAND_MODULES, "kiosk.cli.__main__")
    if all(importlib.util.find_spec(m) is not None for m in modules):
        return [sys.executable, "-m", "kiosk.cli"]
    return [sys.executable, "-m", "kiosk.cli.idcard"]


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([*_kiosk(), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


@pytest.fixture
def simulator(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """``kiosk idcard simulate`` in the background; yields it and its device path."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [*_kiosk(), "idcard", "simulate", "--delays", "none", "--insert", "elderly"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env=env,
    )
    try:
        assert proc.stdout is not None
        device = proc.stdout.readline().strip()
        assert device, "simulate printed no device path"
        yield proc, device
    finally:
        proc.terminate()
        proc.wait(10)


def control(proc: subprocess.Popen[str], line: str) -> None:
    assert proc.stdin is not None
    proc.stdin.write(line + "\n")
    proc.stdin.flush()


def test_read_masked_json_from_simulate(simulator: tuple[subprocess.Popen[str], str], tmp_path: Path) -> None:
    _proc, device = simulator
    result = run("idcard", "read", "--device", device, "--timeout", "10", "--json", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert list(record) == ["card_type", "name", "name_en", "gender", "nation", "birth_date", "address",
                            "id_number", "authority", "valid_from", "valid_to", "age", "id_number_valid"]
    card = DEMO["elderly"]
    assert record["card_type"] == "resident" and record["gender"] == "female" and record["nation"] == "汉"
    assert record["age"] >= 70 and record["valid_to"] is None and record["id_number_valid"] is True
    assert record["birth_date"] == card.birth_date.isoformat()
    # Masked: none of the personal values appear in full.
    assert card.id_number not in result.stdout and card.name not in result.stdout and card.address not in result.stdout
    assert record["id_number"] == card.id_number[:4] + "*" * 10 + card.id_number[-4:]
    assert record["name"].startswith(card.name[0]) and "*" in record["name"]


def test_read_reveal_after_swapping_cards(simulator: tuple[subprocess.Popen[str], str], tmp_path: Path) -> None:
    proc, device = simulator
    control(proc, "remove")
    control(proc, "insert foreign_2023")
    result = run("idcard", "read", "--device", device, "--timeout", "10", "--json", "--reveal", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    card = DEMO["foreign_2023"]  # demo data: printing it unmasked is the point of --reveal
    assert record["card_type"] == "foreign_2023"
    assert (record["id_number"], record["name"], record["name_en"]) == (card.id_number, card.name, card.name_en)


def test_read_text_output(tmp_path: Path) -> None:
    result = run("idcard", "read", "--device", "sim:?insert=hk_mo_tw&delays=none", "--timeout", "10", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "card_type" in result.stdout and "hk_mo_tw" in result.stdout
    assert DEMO["hk_mo_tw"].id_number not in result.stdout


@pytest.mark.parametrize("card_id", ["expired", "invalid_number"])
def test_invalid_card_data_exits_4(tmp_path: Path, card_id: str) -> None:
    result = run("idcard", "read", "--device", f"sim:?insert={card_id}&delays=none", "--timeout", "10", "--data-dir", str(tmp_path))
    assert result.returncode == 4, result.stderr
    assert DEMO[card_id].id_number not in result.stdout + result.stderr


def test_no_card_exits_2(tmp_path: Path) -> None:
    result = run("idcard", "read", "--device", "sim:?delays=none", "--timeout", "1", "--data-dir", str(tmp_path))
    assert result.returncode == 2
    assert "no card" in result.stderr


def test_missing_device_exits_3_naming_it(tmp_path: Path) -> None:
    device = str(tmp_path / "ttyMISSING")
    result = run("idcard", "read", "--device", device, "--timeout", "5", "--data-dir", str(tmp_path))
    assert result.returncode == 3
    assert device in result.stderr


def test_unsupported_url_exits_3(tmp_path: Path) -> None:
    result = run("idcard", "read", "--device", "ftp://x", "--timeout", "1", "--data-dir", str(tmp_path))
    assert result.returncode == 3 and "ftp://x" in result.stderr
