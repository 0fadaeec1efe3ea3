"""The publicity content package: one zip file with ``manifest.json`` and ``media/``.

The centre builds it from the bureau's items and signs it (``content/publicity-N.zip``);
the terminal checks it here, the way the slideshow will read it, before it replaces the
package that plays now. The file is treated as hostile even though it is signed (a
mistake at the centre must not take the attract screen down): every member is confined
to ``media/``, no link or device or encrypted member, sizes and pixel counts bounded,
each image really a PNG or JPEG of sane dimensions, each video an MP4 or WebM with a
poster image, and the schedule of each item well formed.

Manifest (``format`` 1)::

    {"format": 1, "version": "2026-12-01T08:00:00Z",
     "items": [{"id": "xianfa-2026", "kind": "image" | "text" | "video",
                "title": "宪法宣传周", "text": "…" (text slides),
                "file": "media/x.png" (image, video), "poster": "media/x.jpg" (video),
                "seconds": 8, "from": "2026-12-01", "to": "2026-12-07",
                "days": [1, 2, 3, 4, 5, 6, 7], "hours": [8, 18], "sites": ["*"]}]}

``days`` are ISO weekdays (1 = Monday); ``hours`` is [first hour, hour it stops), China
time; ``sites`` names the sites (the terminal's ``site_name``) or ``"*"`` for every one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import struct
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from kiosk.errors import KioskError
from kiosk.files import private_dir

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media"
KINDS = ("image", "text", "video")
ALL_SITES = "*"

MAX_PACKAGE_BYTES = 300 * 1024 * 1024  # the zip file itself
MAX_MANIFEST_BYTES = 1024 * 1024
MAX_ITEMS = 200
MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_VIDEO_BYTES = 80 * 1024 * 1024
MAX_TOTAL_BYTES = 400 * 1024 * 1024  # all members, unpacked
MAX_SIDE = 4096  # pixels, either side of an image
MAX_PIXELS = 4096 * 4096  # a decoded image's memory is width × height × 4 bytes
MAX_TITLE = 80
MAX_TEXT = 600  # characters of a text slide: one screen in large type
MAX_SITES = 500
SECONDS = (3, 120)  # how long one slide shows, inclusive
ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MEDIA_NAME = re.compile(r"^media/[A-Za-z0-9][A-Za-z0-9._-]{0,100}\.(png|jpg|jpeg|mp4|webm)$")


class PackageError(KioskError):
    """A publicity package that cannot be played; the message says what is wrong."""

    message_key = "publicity.bad_package"


@dataclass(frozen=True)
class Item:
    """One slide of the package and when and where it is shown."""

    id: str
    kind: str
    title: str
    text: str
    file: str  # "media/…" (image, video); "" for a text slide
    poster: str  # "media/…" (video's first frame); "" otherwise
    seconds: int
    first_day: date
    last_day: date
    days: frozenset[int]
    hours: tuple[int, int]
    sites: frozenset[str]

    def for_site(self, site: str) -> bool:
        """Whether the item is meant for ``site``."""
        return ALL_SITES in self.sites or site in self.sites

    def to_json(self) -> dict[str, Any]:
        """The item as the manifest holds it."""
        doc: dict[str, Any] = {"id": self.id, "kind": self.kind, "title": self.title, "seconds": self.seconds,
                               "from": self.first_day.isoformat(), "to": self.last_day.isoformat(),
                               "days": sorted(self.days), "hours": list(self.hours), "sites": sorted(self.sites)}
        if self.kind == "text":
            doc["text"] = self.text
        else:
            doc["file"] = self.file
        if self.kind == "video":
            doc["poster"] = self.poster
        return doc


@dataclass(frozen=True)
class Manifest:
    """A checked package's manifest."""

    version: str
    items: tuple[Item, ...]

    def media(self) -> set[str]:
        """Every media file the items name."""
        return {n for i in self.items for n in (i.file, i.poster) if n}


# ---- the manifest ------------------------------------------------------------------------

def _str(doc: dict[str, Any], key: str, where: str, limit: int, *, required: bool = True) -> str:
    v = doc.get(key, None if required else "")
    if not isinstance(v, str) or (required and not v.strip()) or len(v) > limit:
        raise PackageError(f"{where}: {key} must be text of 1 to {limit} characters, not {v!r:.60}")
    if any(ord(c) < 32 and c not in "\n" for c in v):
        raise PackageError(f"{where}: {key} holds control characters")
    return v


def _int(v: Any, lo: int, hi: int, what: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
        raise PackageError(f"{what} must be a whole number {lo}..{hi}, not {v!r:.40}")
    return v


def _day(doc: dict[str, Any], key: str, where: str) -> date:
    v = doc.get(key)
    if not isinstance(v, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
        raise PackageError(f"{where}: {key} must be a date YYYY-MM-DD, not {v!r:.40}")
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise PackageError(f"{where}: {key} is not a real date: {v}") from None


def parse_item(doc: Any, n: int = 0) -> Item:
    """One item of a manifest (also what the centre's page checks); ``PackageError``."""
    where = f"item {n + 1}"
    if not isinstance(doc, dict):
        raise PackageError(f"{where} is not an object")
    known = {"id", "kind", "title", "text", "file", "poster", "seconds", "from", "to", "days", "hours", "sites"}
    if unknown := sorted(set(doc) - known):
        raise PackageError(f"{where}: unknown fields {', '.join(map(str, unknown))[:200]}")
    item_id = doc.get("id")
    if not isinstance(item_id, str) or not ID.fullmatch(item_id):
        raise PackageError(f"{where}: id must be 1-64 of a-z, 0-9 and -, not {item_id!r:.40}")
    where = f"item {item_id}"
    kind = doc.get("kind")
    if kind not in KINDS:
        raise PackageError(f"{where}: kind must be one of {', '.join(KINDS)}, not {kind!r:.40}")
    title = _str(doc, "title", where, MAX_TITLE)
    text = _str(doc, "text", where, MAX_TEXT, required=kind == "text")
    file = poster = ""
    if kind != "text":
        file = _str(doc, "file", where, 120)
        if not MEDIA_NAME.fullmatch(file):
            raise PackageError(f"{where}: file must be media/NAME.png|jpg|mp4|webm, not {file!r:.80}")
        is_video = file.rsplit(".", 1)[1] in ("mp4", "webm")
        if is_video != (kind == "video"):
            raise PackageError(f"{where}: a {kind} item cannot play {file}")
    if kind == "video":
        poster = _str(doc, "poster", where, 120)
        if not MEDIA_NAME.fullmatch(poster) or poster.rsplit(".", 1)[1] not in ("png", "jpg", "jpeg"):
            raise PackageError(f"{where}: a video needs a poster image media/NAME.png|jpg, not {poster!r:.80}")
    seconds = _int(doc.get("seconds", 8), *SECONDS, f"{where}: seconds")
    first, last = _day(doc, "from", where), _day(doc, "to", where)
    if last < first:
        raise PackageError(f"{where}: ends ({last}) before it starts ({first})")
    days = doc.get("days", [1, 2, 3, 4, 5, 6, 7])
    if not isinstance(days, list) or not days or len(days) > 7:
        raise PackageError(f"{where}: days must be a list of weekdays 1 (Monday) to 7")
    day_set = frozenset(_int(d, 1, 7, f"{where}: a weekday") for d in days)
    hours = doc.get("hours", [0, 24])
    if not isinstance(hours, list) or len(hours) != 2:
        raise PackageError(f"{where}: hours must be [first hour, end hour], e.g. [8, 18]")
    h0, h1 = _int(hours[0], 0, 23, f"{where}: first hour"), _int(hours[1], 1, 24, f"{where}: end hour")
    if h1 <= h0:
        raise PackageError(f"{where}: hours end ({h1}) at or before they start ({h0})")
    sites = doc.get("sites", [ALL_SITES])
    if not isinstance(sites, list) or not sites or len(sites) > MAX_SITES:
        raise PackageError(f"{where}: sites must be a list of 1 to {MAX_SITES} site names, or [\"*\"]")
    site_set = frozenset(_str({"site": s}, "site", where, 200) for s in sites)
    return Item(item_id, str(kind), title, text, file, poster, seconds, first, last, day_set, (h0, h1), site_set)


def parse_manifest(raw: bytes) -> Manifest:
    """The manifest from its JSON bytes, every field checked; ``PackageError``."""
    if len(raw) > MAX_MANIFEST_BYTES:
        raise PackageError("manifest.json is too large")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise PackageError(f"manifest.json is not UTF-8 JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise PackageError(f"manifest.json is not a publicity manifest of format {FORMAT}")
    version = _str(doc, "version", "manifest", 64)
    items = doc.get("items")
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise PackageError(f"manifest.json: items must be a list of at most {MAX_ITEMS}")
    parsed = tuple(parse_item(d, n) for n, d in enumerate(items))
    ids = [i.id for i in parsed]
    if len(set(ids)) != len(ids):
        raise PackageError("manifest.json: two items have the same id")
    return Manifest(version, parsed)


# ---- media -------------------------------------------------------------------------------

def image_size(head: bytes) -> tuple[str, int, int]:
    """(format, width, height) of a PNG or JPEG from its first bytes; ``PackageError``
    for anything else (the decoder on the terminal is never handed an unknown format)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(head) < 24 or head[12:16] != b"IHDR":
            raise PackageError("a PNG without its header")
        w, h = struct.unpack(">II", head[16:24])
        return "png", w, h
    if head.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(head):
            if head[i] != 0xFF:
                raise PackageError("a damaged JPEG")
            marker = head[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (length,) = struct.unpack(">H", head[i + 2:i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", head[i + 5:i + 9])
                return "jpeg", w, h
            i += 2 + length
        raise PackageError("a JPEG whose size is not in its first 256 KB")
    raise PackageError("not a PNG or JPEG image")


def check_image(head: bytes, name: str) -> None:
    """Refuse an image the terminal should not decode (unknown, empty or huge)."""
    try:
        _fmt, w, h = image_size(head)
    except PackageError as exc:
        raise PackageError(f"{name}: {exc}") from None
    if not (0 < w <= MAX_SIDE and 0 < h <= MAX_SIDE and w * h <= MAX_PIXELS):
        raise PackageError(f"{name}: {w}×{h} pixels; at most {MAX_SIDE} a side")


def check_video(head: bytes, name: str) -> None:
    """Refuse a file that is not an MP4 or WebM container."""
    if name.endswith(".mp4") and head[4:8] == b"ftyp":
        return
    if name.endswith(".webm") and head.startswith(b"\x1a\x45\xdf\xa3"):
        return
    raise PackageError(f"{name}: not an {name.rsplit('.', 1)[1].upper()} video")


HEAD = 256 * 1024  # bytes read to find an image's size


def _check_member(info: zipfile.ZipInfo) -> None:
    name = info.filename
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0: made where files have no type bits
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise PackageError(f"{name!r:.80}: a link or special file")
    if info.flag_bits & 0x1:
        raise PackageError(f"{name!r:.80}: encrypted")
    p = PurePosixPath(name)
    if name != MANIFEST and (not MEDIA_NAME.fullmatch(name) or p.is_absolute() or ".." in p.parts or "\\" in name):
        raise PackageError(f"{name!r:.80}: only manifest.json and media/NAME.png|jpg|mp4|webm may be in a package")
    limit = MAX_VIDEO_BYTES if name.endswith((".mp4", ".webm")) else MAX_MANIFEST_BYTES if name == MANIFEST else MAX_IMAGE_BYTES
    if info.file_size > limit:
        raise PackageError(f"{name}: {info.file_size} bytes; at most {limit}")


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, out: BinaryIO | None, head_bytes: int) -> bytes:
    """Read a member (into ``out`` when given), never more than its declared size: a
    member that unpacks to more than it says (a zip bomb) is refused. Returns its head."""
    head = b""
    total = 0
    with zf.open(info) as src:
        while block := src.read(1 << 16):
            total += len(block)
            if total > info.file_size:
                raise PackageError(f"{info.filename}: unpacks to more than it declares")
            if len(head) < head_bytes:
                head += block[: head_bytes - len(head)]
            if out is not None:
                out.write(block)
    return head


def check_package(path: Path, unpack_to: Path | None = None) -> Manifest:
    """Check the package at ``path`` as the slideshow will read it; with ``unpack_to``
    (a new, empty directory) also unpack it there, 0600 files in 0700 directories.
    ``PackageError`` says what is wrong."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PackageError(f"cannot read the package: {exc}") from None
    if size > MAX_PACKAGE_BYTES:
        raise PackageError(f"the package is {size} bytes; at most {MAX_PACKAGE_BYTES}")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            names = [i.filename for i in infos]
            if len(set(names)) != len(names):
                raise PackageError("a member appears twice in the package")
            if len(infos) > 2 * MAX_ITEMS + 1:
                raise PackageError("too many files in the package")
            for info in infos:
                _check_member(info)
            if sum(i.file_size for i in infos) > MAX_TOTAL_BYTES:
                raise PackageError(f"the package unpacks to more than {MAX_TOTAL_BYTES} bytes")
            by_name = {i.filename: i for i in infos}
            if MANIFEST not in by_name:
                raise PackageError("no manifest.json in the package")
            manifest = parse_manifest(_read(zf, by_name[MANIFEST], None, MAX_MANIFEST_BYTES))
            missing = sorted(manifest.media() - set(by_name))
            if missing:
                raise PackageError(f"the manifest names files that are not in the package: {', '.join(missing)[:200]}")
            extra = sorted(set(by_name) - manifest.media() - {MANIFEST})
            if extra:
                raise PackageError(f"files no item uses: {', '.join(extra)[:200]}")
            if unpack_to is not None:
                private_dir(unpack_to)
                private_dir(unpack_to / MEDIA)
            for name in sorted(manifest.media()):
                info = by_name[name]
                if unpack_to is None:
                    head = _read(zf, info, None, HEAD)
                else:
                    fd = os.open(unpack_to / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    with os.fdopen(fd, "wb") as out:
                        head = _read(zf, info, out, HEAD)
                if name.endswith((".mp4", ".webm")):
                    check_video(head, name)
                else:
                    check_image(head, name)
            if unpack_to is not None:
                fd = os.open(unpack_to / MANIFEST, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    _read(zf, by_name[MANIFEST], out, 0)
            return manifest
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError, RuntimeError) as exc:
        raise PackageError(f"not a sound zip file: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PackageError(f"cannot read the package: {exc}") from None


# ---- on the terminal: the installed package ----------------------------------------------------

CURRENT = "current.json"  # {"dir": "<serial>", "version": "…"}: the package that plays


def default_publicity_dir(data_dir: Path) -> Path:
    """Where the terminal keeps its publicity: ``<data_dir>/publicity``."""
    return data_dir / "publicity"


def install_package(package: Path, dest: Path, serial: int) -> dict[str, Any]:
    """Check ``package`` and unpack it beside the one that plays, then switch to it with
    one atomic rename of ``current.json``; the old one is removed after. A package that
    fails its check leaves everything as it was. Returns ``{"version", "items"}``."""
    private_dir(dest)
    target = dest / f"p{serial}"
    staging = dest / f".p{serial}.new"
    for leftover in (staging, target):
        if leftover.exists():
            shutil.rmtree(leftover)
    try:
        manifest = check_package(package, staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    os.replace(staging, target)
    old = current_dir(dest)
    tmp = dest / f".{CURRENT}.new"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"dir": target.name, "version": manifest.version, "serial": serial}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, dest / CURRENT)
    if old is not None and old != target:
        shutil.rmtree(old, ignore_errors=True)
    return {"version": manifest.version, "items": len(manifest.items)}


def current_dir(dest: Path) -> Path | None:
    """The unpacked package that plays now (None: none installed)."""
    try:
        doc = json.loads((dest / CURRENT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = doc.get("dir") if isinstance(doc, dict) else None
    if not isinstance(name, str) or not re.fullmatch(r"p\d{1,9}", name):
        return None
    return dest / name


def installed_version(dest: Path) -> str | None:
    """The version of the package that plays now, for telemetry (None: none)."""
    try:
        doc = json.loads((dest / CURRENT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    v = doc.get("version") if isinstance(doc, dict) else None
    return str(v)[:64] if v else None


def load_installed(dest: Path) -> tuple[Path, Manifest] | None:
    """The unpacked package that plays now and its manifest, read again as hostile
    (a damaged disk): None when there is none or it cannot be read."""
    where = current_dir(dest)
    if where is None:
        return None
    try:
        manifest = parse_manifest((where / MANIFEST).read_bytes())
    except (OSError, PackageError):
        return None
    return where, manifest


def build_package(out: Path, version: str, items: list[dict[str, Any]], media: dict[str, Path]) -> Manifest:
    """Write a package to ``out`` from the items' manifest entries and their media files
    (``"media/x.png"`` → a file on disk), then check it exactly as a terminal will."""
    manifest = {"format": FORMAT, "version": version, "items": items}
    tmp = out.with_name(f".{out.name}.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, src in sorted(media.items()):
            # Images and videos are compressed already: stored as they are.
            zf.write(src, name, compress_type=zipfile.ZIP_STORED)
    try:
        checked = check_package(tmp)
    except PackageError:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, out)
    return checked
