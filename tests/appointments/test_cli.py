"""``kiosk-center slots`` and ``kiosk-center appointments``: staff publish and list slots."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from fleet.center_cli import main
from tests.support import PYTHON, ROOT, kiosk_env


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def center(capsys):  # type: ignore[no-untyped-def]
    """``kiosk-center`` in this process (its real parser and handlers), output captured."""

    def run(data: Path, *args: str) -> Ran:
        code = main([*args, "--data-dir", str(data)])
        out = capsys.readouterr()
        return Ran(code, out.out, out.err)

    return run


def test_the_command_is_installed(tmp_path: Path) -> None:
    proc = subprocess.run([PYTHON, "-m", "fleet.center_cli", "slots", "list", "--data-dir", str(tmp_path)], env=kiosk_env(),
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout == ""


def test_publish_list_and_refuse_bad_input(tmp_path: Path, center) -> None:  # type: ignore[no-untyped-def]
    added = center(tmp_path, "slots", "add", "--site", "团城山", "--service", "notary", "--from", "2026-11-27",
                   "--to", "2026-11-30", "--start", "09:00", "--end", "10:30", "--every", "30m", "--capacity", "2")
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "6 slots published for 团城山 · notary"  # Fri and Mon, 3 each; no weekend
    rows = json.loads(center(tmp_path, "slots", "list", "--json").stdout)
    assert [(r["day"], r["start"], r["capacity"], r["booked"]) for r in rows][:3] == [
        ("2026-11-27", "09:00", 2, 0), ("2026-11-27", "09:30", 2, 0), ("2026-11-27", "10:00", 2, 0)]
    assert {r["day"] for r in rows} == {"2026-11-27", "2026-11-30"}
    bad_service = center(tmp_path, "slots", "add", "--site", "x", "--service", "nope", "--from", "2026-11-30")
    assert bad_service.returncode == 2 and "unknown service 'nope'" in bad_service.stderr
    bad_every = center(tmp_path, "slots", "add", "--site", "x", "--service", "notary", "--from", "2026-11-30", "--every", "2h30")
    assert bad_every.returncode == 2 and "not a slot length" in bad_every.stderr
    assert json.loads(center(tmp_path, "appointments", "--json").stdout) == []
    assert (tmp_path / "appointments.key").stat().st_mode & 0o077 == 0  # the centre's key: owner only
