"""Real media for publicity tests: PNG and JPEG posters drawn with Pillow (Chinese text
in the CJK font the app uses), a real MP4 written by OpenCV, and packages built with
the same builder the centre uses."""

from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from kiosk.publicity.package import build_package

FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def poster(path: Path, title: str, size: tuple[int, int] = (960, 540), colour: tuple[int, int, int] = (178, 34, 34)) -> Path:
    """A slide picture: a coloured field with ``title`` in large Chinese type."""
    img = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, size[1] // 7)
    box = draw.textbbox((0, 0), title, font=font)
    draw.text(((size[0] - box[2]) / 2, (size[1] - box[3]) / 2), title, font=font, fill=(255, 215, 0))
    draw.rectangle((20, 20, size[0] - 20, size[1] - 20), outline=(255, 215, 0), width=6)
    img.save(path)
    return path


def png_header_only(path: Path, width: int, height: int) -> Path:
    """A PNG whose header claims ``width``×``height`` (a decompression bomb's shape)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))
    path.write_bytes(data + b"\x00" * 64)
    return path


def video(path: Path, frames: int = 12) -> Path:
    """A short real MP4 (mp4v), as a camera file would be."""
    import cv2  # deferred: only the video tests need OpenCV
    import numpy as np  # deferred with cv2

    out = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), 6, (320, 240))
    for n in range(frames):
        frame = np.full((240, 320, 3), (40, 40 + 10 * n, 160), np.uint8)
        frame[:40] = 255  # a white band at the top: a picture shown upside down is seen at once
        out.write(frame)
    out.release()
    return path


def item(item_id: str, kind: str = "image", **over: Any) -> dict[str, Any]:
    """A manifest entry due all day every day for a long while, changed by ``over``."""
    today = date(2026, 11, 27)
    doc: dict[str, Any] = {"id": item_id, "kind": kind, "title": over.pop("title", f"宣传 {item_id}"), "seconds": 5,
                           "from": (today - timedelta(days=30)).isoformat(), "to": (today + timedelta(days=60)).isoformat(),
                           "days": [1, 2, 3, 4, 5, 6, 7], "hours": [0, 24], "sites": ["*"]}
    if kind == "text":
        doc["text"] = "宪法是国家的根本法，是治国安邦的总章程。"
    else:
        doc["file"] = f"media/{item_id}.{'mp4' if kind == 'video' else 'png'}"
    if kind == "video":
        doc["poster"] = f"media/{item_id}-poster.png"
    doc.update(over)
    return doc


def package(out: Path, items: list[dict[str, Any]], version: str = "test-1") -> Path:
    """A valid package of ``items``, their media drawn or recorded in ``out``'s folder."""
    work = out.parent / f"{out.stem}-media"
    work.mkdir(parents=True, exist_ok=True)
    media: dict[str, Path] = {}
    for doc in items:
        if doc["kind"] == "image":
            media[doc["file"]] = poster(work / Path(doc["file"]).name, doc["title"])
        elif doc["kind"] == "video":
            media[doc["file"]] = video(work / Path(doc["file"]).name)
            media[doc["poster"]] = poster(work / Path(doc["poster"]).name, doc["title"], colour=(20, 60, 120))
    build_package(out, version, items, media)
    return out
