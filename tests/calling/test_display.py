"""The calling display follows calls made by another process: it shows them and says
them (twice), rendered offscreen through the pilot, in its own process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from tests.support import PYTHON, ROOT, kiosk_env

pytestmark = pytest.mark.ui
RUNNER = Path(__file__).with_name("display_run.py")
NOTICE = "本站提供免费法律咨询。办理法律援助请携带身份证。"
# Set KIOSK_DOC_SHOTS=1 to refresh docs/screens/display*.png from this test.
DOC_SHOTS = ROOT / "docs" / "screens" if os.environ.get("KIOSK_DOC_SHOTS") else None


def run_display(tmp_path: Path, size: str, lang: str = "zh_CN") -> tuple[dict, Path]:  # type: ignore[type-arg]
    out, shot = tmp_path / "record.json", tmp_path / f"display-{size}-{lang}.png"
    proc = subprocess.run(
        [PYTHON, str(RUNNER), str(tmp_path / "data"), str(out), size, "--shot", str(shot), "--lang", lang, "--notice", NOTICE],
        env=kiosk_env(tmp_path / "data"), cwd=ROOT, capture_output=True, text=True, timeout=90,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8")), shot


def test_the_display_shows_and_says_each_call(tmp_path: Path) -> None:
    record, shot = run_display(tmp_path, "1920x1080")
    before, after = record["before"], record["after"]
    # Before: windows 1 and 2 serving (the elderly A002 was called first), 3 and 4 free.
    assert "1号窗口" in before and "A002" in before and "B003" in before
    assert "请留意叫号和屏幕提示" in before and "B001" in before  # B001 among the next
    assert NOTICE in before
    # Window 3 called B001 from another process: shown on its card, in the banner, said twice.
    assert record["called"] == "B001"
    assert record["calls_shown"] == ["B001"]
    assert "请 B001 号到 3 号窗口办理" in after
    i = after.index("3号窗口")
    assert after[i : i + 3] == ["3号窗口", "法律援助", "B001"]
    assert record["spoken"] == ["请B零零一号到3号窗口办理"] * 2
    assert "等候 6 人" in after
    image = Image.open(shot).convert("RGB")
    assert image.size == (1920, 1080)
    assert ImageStat.Stat(image.convert("L")).stddev[0] > 20
    if DOC_SHOTS is not None:
        shutil.copy(shot, DOC_SHOTS / "display.png")


def test_the_display_in_english_on_a_portrait_screen(tmp_path: Path) -> None:
    record, shot = run_display(tmp_path, "1080x1920", "en")
    assert "Window 3" in record["after"] and "Number B001, please go to window 3" in record["after"]
    assert record["spoken"] == ["Number B 0 0 1, please go to window 3"] * 2
    assert Image.open(shot).size == (1080, 1920)
    if DOC_SHOTS is not None:
        shutil.copy(shot, DOC_SHOTS / "display-portrait-en.png")
