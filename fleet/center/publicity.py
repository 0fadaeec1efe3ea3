"""The bureau's publicity at the centre: the items being prepared (``DATA/publicity/``),
their media, and publishing them as the next signed publicity package.

Everything here is checked the way a terminal will check it (``kiosk.publicity.package``)
before it is kept: an uploaded picture is decoded once with Pillow (bounded pixels) and
written again as a plain PNG or JPEG, so nothing the uploader hid in the file travels on;
a video must be an MP4 or WebM that OpenCV can read, and its first frame becomes its
poster. Items live in ``items.json`` (0600) beside ``media/`` (0700).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fleet.center.releases import ReleaseError, ReleaseRepo
from kiosk.files import private_dir, write_private
from kiosk.publicity.package import (
    MAX_IMAGE_BYTES,
    MAX_PIXELS,
    MAX_SIDE,
    MAX_VIDEO_BYTES,
    PackageError,
    build_package,
    check_image,
    check_package,
    check_video,
    parse_item,
)
from kiosk.publicity.schedule import due

ITEMS = "items.json"
MEDIA = "media"
SCHEDULE_FIELDS = ("title", "text", "seconds", "from", "to", "days", "hours", "sites")
IMAGE_TYPES = {"png": "png", "jpg": "jpeg", "jpeg": "jpeg"}
VIDEO_TYPES = ("mp4", "webm")


class PublicityError(ValueError):
    """A request the bureau's page must be told about (a bad upload, a bad schedule)."""


def max_upload(kind: str) -> int:
    """The largest upload accepted for an item of ``kind``."""
    return MAX_VIDEO_BYTES if kind == "video" else MAX_IMAGE_BYTES


class PublicityDesk:
    """The items being prepared at one centre, and publishing them."""

    def __init__(self, data_dir: Path) -> None:
        self.base = data_dir / "publicity"
        self.repo = ReleaseRepo(data_dir / "updates")
        self._lock = threading.Lock()  # one change at a time (several page requests at once)

    @property
    def media_dir(self) -> Path:
        """Uploaded media, as they will go into the package."""
        return self.base / MEDIA

    def items(self) -> list[dict[str, Any]]:
        """Every item, in the order the slideshow plays them."""
        try:
            doc = json.loads((self.base / ITEMS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [d for d in doc if isinstance(d, dict)] if isinstance(doc, list) else []

    def _save(self, items: list[dict[str, Any]]) -> None:
        private_dir(self.base)
        write_private(self.base / ITEMS, json.dumps(items, ensure_ascii=False, indent=1))

    # ---- adding, scheduling, removing --------------------------------------------------------

    def add(self, kind: str, schedule: dict[str, Any], upload: Path | None = None, ext: str = "") -> dict[str, Any]:
        """A new item of ``kind`` with its ``schedule`` (``SCHEDULE_FIELDS``) and, for an
        image or a video, the uploaded file (``ext``: its file name's ending)."""
        if kind not in ("image", "text", "video"):
            raise PublicityError(f"kind must be image, text or video, not {kind[:20]!r}")
        item_id = f"{datetime.now(timezone.utc):%Y%m%d}-{secrets.token_hex(4)}"
        doc = {"id": item_id, "kind": kind, **{k: schedule[k] for k in SCHEDULE_FIELDS if k in schedule}}
        if kind != "text":
            doc.pop("text", None)
        made: list[Path] = []
        try:
            if kind == "image":
                if upload is None:
                    raise PublicityError("an image item needs its picture")
                doc["file"] = self._keep_image(upload, item_id, made)
            elif kind == "video":
                if upload is None:
                    raise PublicityError("a video item needs its video file")
                doc["file"], doc["poster"] = self._keep_video(upload, ext, item_id, made)
            item = self._checked(doc)
            with self._lock:
                self._save([*self.items(), item])
        except BaseException:
            for path in made:
                path.unlink(missing_ok=True)
            raise
        return item

    def schedule(self, item_id: str, schedule: dict[str, Any]) -> dict[str, Any]:
        """Change the title, text, dates, days, hours, seconds or sites of an item."""
        with self._lock:
            items = self.items()
            for n, old in enumerate(items):
                if old.get("id") == item_id:
                    new = {**old, **{k: schedule[k] for k in SCHEDULE_FIELDS if k in schedule}}
                    if new["kind"] != "text":
                        new.pop("text", None)
                    items[n] = self._checked(new)
                    self._save(items)
                    return items[n]
        raise PublicityError(f"no item {item_id[:80]!r}")

    def remove(self, item_id: str) -> None:
        """Take an item (and its media) out of what the next package holds."""
        with self._lock:
            items = self.items()
            gone = [d for d in items if d.get("id") == item_id]
            if not gone:
                raise PublicityError(f"no item {item_id[:80]!r}")
            self._save([d for d in items if d.get("id") != item_id])
            for name in (gone[0].get("file"), gone[0].get("poster")):
                if isinstance(name, str) and name.startswith(f"{MEDIA}/"):
                    (self.base / name).unlink(missing_ok=True)

    @staticmethod
    def _checked(doc: dict[str, Any]) -> dict[str, Any]:
        try:
            return parse_item(doc).to_json()
        except PackageError as exc:
            raise PublicityError(str(exc)) from None

    def _keep_image(self, upload: Path, item_id: str, made: list[Path]) -> str:
        # deferred: Pillow loads only when someone uploads a picture
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(upload) as img:
                if img.format not in ("PNG", "JPEG", "GIF", "WEBP", "BMP"):
                    raise PublicityError("the picture must be a PNG or JPEG (or GIF, WebP, BMP: converted)")
                w, h = img.size
                if not (0 < w <= MAX_SIDE and 0 < h <= MAX_SIDE and w * h <= MAX_PIXELS):
                    raise PublicityError(f"the picture is {w}×{h} pixels; at most {MAX_SIDE} a side")
                img.load()
                alpha = img.mode in ("RGBA", "LA", "P") and "transparency" in img.info or img.mode in ("RGBA", "LA")
                out_img = img.convert("RGBA" if alpha else "RGB")
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise PublicityError(f"not a picture that can be shown: {exc}") from None
        private_dir(self.media_dir)
        name = f"{MEDIA}/{item_id}.{'png' if alpha else 'jpg'}"
        dest = self.base / name
        made.append(dest)
        # Written again from its pixels: whatever else the upload carried stays behind.
        out_img.save(dest, "PNG" if alpha else "JPEG", quality=88)
        os.chmod(dest, 0o600)
        self._check_media(dest, name)
        return name

    def _keep_video(self, upload: Path, ext: str, item_id: str, made: list[Path]) -> tuple[str, str]:
        ext = ext.lower().lstrip(".")
        if ext not in VIDEO_TYPES:
            raise PublicityError("the video must be an .mp4 or .webm file")
        with open(upload, "rb") as f:
            try:
                check_video(f.read(64), f"upload.{ext}")
            except PackageError as exc:
                raise PublicityError(str(exc)) from None
        # deferred: OpenCV loads only when someone uploads a video
        import cv2

        cap = cv2.VideoCapture(str(upload))
        try:
            ok, frame = cap.read()
        finally:
            cap.release()
        if not ok or frame is None:
            raise PublicityError("the video cannot be read (no first frame)")
        private_dir(self.media_dir)
        name, poster = f"{MEDIA}/{item_id}.{ext}", f"{MEDIA}/{item_id}-poster.jpg"
        dest, poster_path = self.base / name, self.base / poster
        made += [dest, poster_path]
        shutil.copyfile(upload, dest)
        os.chmod(dest, 0o600)
        ok, jpeg = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 88])
        if not ok:
            raise PublicityError("the video's first frame cannot be kept as its poster")
        write_private(poster_path, jpeg.tobytes())
        self._check_media(poster_path, poster)
        return name, poster

    @staticmethod
    def _check_media(path: Path, name: str) -> None:
        with open(path, "rb") as f:
            try:
                check_image(f.read(256 * 1024), name)
            except PackageError as exc:
                raise PublicityError(str(exc)) from None

    def titles(self) -> dict[str, str]:
        """Item id → title, of the items here and of every package published (the
        figures count showings by id; an item removed since keeps its title)."""
        out: dict[str, str] = {}
        for pkg in reversed(self.published()):
            path = self.repo.targets_dir / pkg["name"]
            try:
                out.update({i.id: i.title for i in check_package(path).items})
            except PackageError:
                continue
        out.update({str(d.get("id")): str(d.get("title")) for d in self.items()})
        return out

    # ---- preview and publishing --------------------------------------------------------------

    def preview(self, site: str, at: datetime) -> list[str]:
        """The ids of the items a terminal at ``site`` would play at ``at``."""
        return [i.id for i in due([parse_item(d) for d in self.items()], at, site)]

    def can_publish(self) -> bool:
        """Whether the centre may sign publicity by itself (``content delegate publicity``)."""
        return self.repo.exists() and self.repo.delegated("publicity")

    def published(self) -> list[dict[str, Any]]:
        """The signed publicity packages, newest first."""
        if not self.repo.exists():
            return []
        out = [{"name": n, **i} for n, i in self.repo.releases().items() if i.get("content") == "publicity"]
        return sorted(out, key=lambda d: int(d.get("serial") or 0), reverse=True)

    def publish(self) -> dict[str, Any]:
        """Every item as the next signed publicity package; its target name and serial."""
        if not self.can_publish():
            raise PublicityError("the centre cannot sign publicity yet: a technician runs "
                                 "`kiosk-center content delegate publicity --keys DIR` once")
        with self._lock:
            items = self.items()
            if not items:
                raise PublicityError("nothing to publish: add an item first")
            media = {n: self.base / n for d in items for n in (d.get("file"), d.get("poster")) if n}
            version = f"{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ}"
            with tempfile.TemporaryDirectory(dir=self.base) as tmp:
                out = Path(tmp) / "publicity.zip"
                try:
                    build_package(out, version, items, media)
                    name = self.repo.add_content("publicity", out, self.repo.base / "offline-keys")
                except (PackageError, ReleaseError, OSError) as exc:
                    raise PublicityError(f"not published: {exc}") from None
        info = self.repo.releases()[name]
        return {"name": name, "serial": info.get("serial"), "version": info.get("version")}
