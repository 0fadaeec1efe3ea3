"""``kiosk audit a11y`` passes on every screen in standard mode, and the audit really
finds what it checks for (elder mode: test_a11y_elder.py, so the two run side by side)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.screens.test_visit_ui import run
from tests.support import PYTHON, kiosk_env

pytestmark = pytest.mark.ui


def audit(tmp_path: Path, mode: list[str]) -> None:
    """Run ``kiosk audit a11y`` in ``mode`` and check it covered every screen cleanly."""
    proc = subprocess.run(
        [PYTHON, "-m", "kiosk.cli", "audit", "a11y", "--json", *mode], env=kiosk_env(tmp_path), capture_output=True, text=True, timeout=420
    )
    assert proc.stdout.strip(), proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    # Every screen the shots reach (screens/shots.py SCREEN_NAMES; the legal-aid steps
    # are audited by tests/legal_aid, which needs a sealing key).
    assert result["screens"] == 18 and result["widgets"] > 100
    assert result["violations"] == [], result["violations"]
    assert proc.returncode == 0


def test_every_screen_passes_in_chinese(tmp_path: Path) -> None:
    audit(tmp_path, [])


def test_the_audit_finds_a_bad_button(data_dir: Path) -> None:
    r = run("audit_catches", data_dir)
    assert r["checks"] == ["contrast", "keypad", "label", "target", "text", "voice"]
