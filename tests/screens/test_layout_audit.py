"""The layout check of ``kiosk audit a11y``: nothing cut off, nothing over anything else,
keys large enough — over every screen, window size, language and mode; and the check
really finds what it looks for."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.screens.test_home_tiles import run
from tests.support import PYTHON, kiosk_env

pytestmark = pytest.mark.ui


def test_the_layout_check_finds_cut_text_overlaps_notices_and_small_keys(data_dir: Path) -> None:
    found = run("layout_catches", data_dir)["found"]

    def checks(widget_start: str) -> set[str]:
        return {check for widget, check, _ in found if widget.startswith(widget_start)}

    assert "clipped" in checks("label '第一行")  # its second line is not drawn
    assert "clipped" in checks("label '这一行字太长了")  # runs out of its box
    assert {"keypad_key", "target"} <= checks("button 'numpad:7'")  # 40 px high
    assert "overlap" in checks("button 'take'") | checks("button 'materials'")
    assert "notice" in checks("button 'take'") | checks("button 'materials'")
    # The home screen itself is clean: only the planted widgets are reported.
    planted = ("label '第一行", "label '这一行字太长了", "button 'numpad:7'", "button 'take'", "button 'materials'", "label '打印机缺纸")
    assert [f for f in found if not f[0].startswith(planted) and "'take'" not in f[2] and "'materials'" not in f[2]
            and "打印机缺纸" not in f[2] and "第一行" not in f[2] and "这一行字" not in f[2] and "numpad:7" not in f[2]] == []


@pytest.mark.timeout(900)  # every screen × 4 sizes × 2 languages × 2 modes, in one process
def test_every_screen_fits_in_every_size_language_and_mode(tmp_path: Path) -> None:
    proc = subprocess.run([PYTHON, "-m", "kiosk.cli", "audit", "a11y", "--matrix", "--json"],
                          env=kiosk_env(tmp_path), capture_output=True, text=True, timeout=900)
    assert proc.stdout.strip(), proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    # 18 screens × 3 sizes (1280x800, 1920x1080, 1080x1920) × 2 languages × 2 modes.
    assert result["screens"] == 18 * 3 * 2 * 2
    assert result["violations"] == [], result["violations"][:20]
    assert proc.returncode == 0
