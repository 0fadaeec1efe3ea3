"""The real app, offscreen: due slides play on the attract screen when nobody uses it,
each showing goes into the outbox, a touch stops the show at once and starts a visit,
and a ``PublicityInterrupted`` event stops it too."""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from PIL import Image

from kiosk.publicity.package import install_package
from tests.publicity.media import item, package
from tests.support import ROOT
from tests.support.ui import run_scenario, text

pytestmark = pytest.mark.ui

TODAY = date.today()  # the app runs on the real clock


def _install(data_dir: Path, tmp: Path, items: list[dict[str, Any]]) -> None:
    install_package(package(tmp / "p.zip", items, version="2026-12-xianfa"), data_dir / "publicity", 1)


def _items() -> list[dict[str, Any]]:
    span = {"from": (TODAY - timedelta(days=1)).isoformat(), "to": (TODAY + timedelta(days=1)).isoformat()}
    return [
        item("image1", title="12月4日 国家宪法日", seconds=3, **span),
        item("text1", "text", title="宪法宣传周", seconds=4, **span),
        item("clip1", "video", title="民法典进万家", seconds=6, **span),
        # Not for this site, and not today: never shown.
        item("elsewhere", title="别处的宣传", sites=["另一个司法所"], **span),
        item("old", title="去年的宣传", **{"from": "2025-12-01", "to": "2025-12-07"}),
    ]


def _plays(data_dir: Path) -> list[dict[str, Any]]:
    db = next(data_dir.glob("*.sqlite3"))
    with sqlite3.connect(db) as c:
        rows = c.execute("SELECT payload FROM outbox WHERE kind = 'publicity_played' ORDER BY seq").fetchall()
    return [json.loads(r[0]) for r in rows]


def test_due_slides_play_on_attract_and_a_touch_stops_them(tmp_path: Path) -> None:
    data = tmp_path / "kiosk"
    data.mkdir()
    _install(data, tmp_path, _items())
    shots = str(ROOT / "docs" / "screens") if os.environ.get("KIOSK_DOC_SHOTS") else ""
    r = run_scenario("tests.publicity.ui_scenarios", "plays_then_touch", data, {"shots": shots}, timeout=180)
    assert r["seen"] == ["image1", "text1", "clip1"]  # in the package's order; the others are not due here
    assert "法治宣传" in text(r, "publicity_image") and "轻触屏幕  开始办理" in text(r, "publicity_image")
    slide = text(r, "publicity_text")
    assert "宪法宣传周" in slide and "宪法是国家的根本法" in slide and "朗读" in slide
    assert "视频" in text(r, "publicity_video")
    # The video's picture plays (decoded frame by frame): the middle of the slide changes colour.
    assert r["video_frames_b"] > r["video_frames_a"] >= 1
    with Image.open(data / "video-a.png") as a, Image.open(data / "video-b.png") as b:
        ra, rb = a.convert("RGB"), b.convert("RGB")
        middle = (a.width // 2, a.height // 2)
        pa, pb = cast(tuple[int, int, int], ra.getpixel(middle)), cast(tuple[int, int, int], rb.getpixel(middle))
        column = [cast(tuple[int, int, int], rb.getpixel((a.width // 2, y))) for y in range(a.height)]
    assert pa != pb and pa[0] > 100 and pb[0] > 100  # red-ish frames (160 in red), green rising with each frame
    # The right way up: the frame's white band is at the top of the picture.
    top = next(px for px in column[60:] if px != column[60])
    assert min(top) > 200, top
    # 朗读 reads the slide and does not stop the show.
    assert any("宪法宣传周" in s and "宪法是国家的根本法" in s for s in r["spoken"])
    assert r["still_playing_after_read"] is True
    # The touch stopped the show at once and started a visit.
    assert r["playing_after_touch"] is False and r["slideshow_on_screen"] is False
    assert r["screen_after_touch"] == "home"
    assert "法治宣传" not in text(r, "after_touch")
    assert r["plays_again"] == "image1"
    # Each showing is one outbox event: the item and the package, nothing else.
    plays = _plays(data)
    assert [p["item"] for p in plays][:3] == ["image1", "text1", "clip1"]
    assert len(plays) == r["shown_before_touch"] + 1
    assert all(set(p) == {"day", "item", "package"} and p["package"] == "2026-12-xianfa" for p in plays)


def test_an_interrupting_event_stops_the_show_and_it_comes_back(tmp_path: Path) -> None:
    data = tmp_path / "kiosk"
    data.mkdir()
    _install(data, tmp_path, _items())
    r = run_scenario("tests.publicity.ui_scenarios", "interrupted", data, {"start_after_s": 1.5}, timeout=120)
    assert r["before"] == "image1"
    assert r["playing_after_event"] is False and r["screen_after_event"] == "attract"
    assert "法治宣传" not in text(r, "after_event") and "公共法律服务" in text(r, "after_event")
    assert r["back_after"] == "image1"
    assert r["playing_after_key"] is False and r["focused_after_key"] in ("start", "voice")


def test_nothing_due_leaves_the_attract_screen_alone(tmp_path: Path) -> None:
    data = tmp_path / "kiosk"
    data.mkdir()
    _install(data, tmp_path, [item("old", **{"from": "2025-12-01", "to": "2025-12-07"})])
    r = run_scenario("tests.publicity.ui_scenarios", "nothing_due", data, {}, timeout=120)
    assert r["playing"] is False
    assert "法治宣传" not in text(r, "attract")
    assert _plays(data) == []


@pytest.mark.parametrize("size", ["1280x800", "800x1280"])
def test_a_long_text_slide_fits_in_elder_type(tmp_path: Path, size: str) -> None:
    data = tmp_path / "kiosk"
    data.mkdir()
    text600 = ("宪法是国家的根本法，是治国安邦的总章程，具有最高的法律地位、法律权威、法律效力。" * 20)[:600]
    span = {"from": (TODAY - timedelta(days=1)).isoformat(), "to": (TODAY + timedelta(days=1)).isoformat()}
    _install(data, tmp_path, [item("long", "text", title="宪法宣传周", text=text600, seconds=30, **span)])
    r = run_scenario("tests.publicity.ui_scenarios", "long_text", data, {"elder": True}, size=size, timeout=120)
    assert r["fits"] and r["below_title"], r
    assert r["font_size"] >= 14
    assert "治国安邦" in text(r, "publicity_long_text")
