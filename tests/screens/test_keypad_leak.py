"""A keypad that a screen rebuilds at each redraw leaves nothing behind (a kiosk runs
for months: one listener and one dead keypad per redraw add up)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.support import PYTHON, ROOT, kiosk_env

pytestmark = pytest.mark.ui


def test_redrawn_code_keypad_leaves_no_listener_and_still_types(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    proc = subprocess.run([PYTHON, str(ROOT / "tests" / "screens" / "leak_scenarios.py"), str(tmp_path / "kiosk"), str(out)],
                          env=kiosk_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    r = json.loads(out.read_text(encoding="utf-8"))
    assert r["screen"] == "appt_mine"
    # 40 redraws: the window's key listeners and the keypads alive are as before.
    assert r["after"]["listeners"] <= r["before"]["listeners"], r
    assert r["after"]["keypads"] <= r["before"]["keypads"], r
    # The keypad on screen still types from a USB keypad, once per key.
    assert r["typed"] == "7"
