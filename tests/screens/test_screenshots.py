"""``kiosk screenshot`` renders every screen, in both languages and sizes."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageStat

from tests.support import PYTHON, kiosk_env

pytestmark = pytest.mark.ui

CASES = [
    ("attract", "1920x1080", "zh_CN", False),
    ("home", "1280x800", "en", True),
    ("service", "1080x1920", "zh_CN", False),
    ("materials", "800x1280", "zh_CN", True),
    ("card", "1280x800", "zh_CN", False),
    ("ticket", "1080x1920", "zh_CN", False),
    ("done", "1280x800", "en", False),
    ("pin", "1280x800", "zh_CN", False),
    ("technician", "1920x1080", "zh_CN", False),
    ("idle", "1280x800", "zh_CN", True),
]


@pytest.mark.parametrize("screen,size,lang,elder", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}{'-elder' if c[3] else ''}" for c in CASES])
def test_screen_renders(tmp_path: Path, screen: str, size: str, lang: str, elder: bool) -> None:
    out = tmp_path / f"{screen}.png"
    args = [PYTHON, "-m", "kiosk.cli", "screenshot", screen, "--size", size, "--lang", lang, "--out", str(out)]
    if elder:
        args.append("--elder")
    proc = subprocess.run(args, env=kiosk_env(tmp_path / "data"), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    image = Image.open(out).convert("RGB")
    assert image.size == tuple(int(v) for v in size.split("x"))
    # A real screen has text and shapes on it: not one flat colour.
    stat = ImageStat.Stat(image.convert("L"))
    assert stat.stddev[0] > 20, "the screenshot is (nearly) blank"
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 50
