"""The centre's side of publicity without a browser: what an upload becomes, schedules
checked with the terminal's own rules, removal, preview, and publishing only once the
centre may sign publicity."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image, PngImagePlugin

from fleet.center.publicity import PublicityDesk, PublicityError
from fleet.center.releases import ReleaseRepo
from kiosk.publicity.package import check_package
from tests.publicity.media import png_header_only, poster, video
from tests.support import CST

WEEK = {"title": "国家宪法日", "seconds": 8, "from": "2026-12-01", "to": "2026-12-07", "days": [1, 2, 3, 4, 5],
        "hours": [8, 18], "sites": ["城关司法所"]}


def test_a_picture_is_written_again_from_its_pixels(tmp_path: Path) -> None:
    src = poster(tmp_path / "in.png", "国家宪法日")
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<script>alert(1)</script>")
    Image.open(src).save(tmp_path / "tagged.png", pnginfo=info)
    desk = PublicityDesk(tmp_path / "centre")
    item = desk.add("image", WEEK, tmp_path / "tagged.png", ".png")
    kept = tmp_path / "centre" / "publicity" / item["file"]
    assert item["file"].endswith(".jpg") and kept.stat().st_mode & 0o077 == 0
    assert b"<script>" not in kept.read_bytes()
    with Image.open(kept) as img:
        assert img.format == "JPEG" and img.size == (960, 540)


def test_uploads_that_are_not_what_they_say_are_refused_and_leave_nothing(tmp_path: Path) -> None:
    desk = PublicityDesk(tmp_path / "centre")
    text = tmp_path / "x.png"
    text.write_text("not a picture")
    with pytest.raises(PublicityError, match="not a picture"):
        desk.add("image", WEEK, text, ".png")
    with pytest.raises(PublicityError, match="not a picture"):
        desk.add("image", WEEK, png_header_only(tmp_path / "bomb.png", 20000, 20000), ".png")
    Image.new("1", (5000, 5000)).save(tmp_path / "wide.png")  # a few KB on disk, 25 Mpx decoded
    with pytest.raises(PublicityError, match="5000×5000 pixels"):
        desk.add("image", WEEK, tmp_path / "wide.png", ".png")
    with pytest.raises(PublicityError, match="mp4 or .webm"):
        desk.add("video", WEEK, video(tmp_path / "v.mp4"), ".exe")
    with pytest.raises(PublicityError, match="not an MP4"):
        desk.add("video", WEEK, poster(tmp_path / "p.png", "x"), ".mp4")
    with pytest.raises(PublicityError, match="not a real date"):
        desk.add("image", {**WEEK, "to": "2026-13-01"}, poster(tmp_path / "q.png", "x"), ".png")
    assert desk.items() == []
    assert not list((tmp_path / "centre" / "publicity" / "media").glob("*"))


def test_schedule_preview_remove(tmp_path: Path) -> None:
    desk = PublicityDesk(tmp_path / "centre")
    pic = desk.add("image", WEEK, poster(tmp_path / "a.png", "国家宪法日"), ".png")
    clip = desk.add("video", {**WEEK, "title": "民法典进万家", "sites": ["*"]}, video(tmp_path / "v.mp4"), ".mp4")
    assert clip["poster"].endswith("-poster.jpg")
    monday = datetime(2026, 12, 7, 10, tzinfo=CST)
    assert desk.preview("城关司法所", monday) == [pic["id"], clip["id"]]
    assert desk.preview("下陆司法所", monday) == [clip["id"]]
    # Rescheduled to the weekend only; a schedule that does not hold is refused and changes nothing.
    desk.schedule(pic["id"], {"days": [6, 7]})
    assert desk.preview("城关司法所", monday) == [clip["id"]]
    with pytest.raises(PublicityError, match="at or before they start"):
        desk.schedule(pic["id"], {"hours": [12, 9]})
    assert desk.items()[0]["days"] == [6, 7] and desk.items()[0]["hours"] == [8, 18]
    with pytest.raises(PublicityError, match="no item"):
        desk.schedule("nope", {"days": [1]})
    desk.remove(clip["id"])
    assert [i["id"] for i in desk.items()] == [pic["id"]]
    assert sorted(p.name for p in desk.media_dir.iterdir()) == [Path(pic["file"]).name]


def test_publishing_needs_the_delegation_then_signs_the_next_package(tmp_path: Path) -> None:
    desk = PublicityDesk(tmp_path / "centre")
    desk.add("text", {**WEEK, "text": "宪法是国家的根本法。"})
    with pytest.raises(PublicityError, match="content delegate publicity"):
        desk.publish()
    repo = ReleaseRepo(tmp_path / "centre" / "updates")
    repo.init(tmp_path / "usb")
    with pytest.raises(PublicityError, match="content delegate publicity"):
        desk.publish()
    repo.delegate("publicity", tmp_path / "usb")
    out = desk.publish()
    assert out["name"] == "content/publicity-1.zip" and out["serial"] == 1
    manifest = check_package(repo.targets_dir / out["name"])
    assert [i.text for i in manifest.items] == ["宪法是国家的根本法。"]
    assert desk.titles() == {desk.items()[0]["id"]: "国家宪法日"}
