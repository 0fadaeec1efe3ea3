"""The publicity package as the terminal reads it: a sound one is unpacked private and
plays; hostile ones are refused with a reason and the package that played stays."""

from __future__ import annotations

import json
import stat
import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest

from kiosk.publicity.package import (
    PackageError,
    check_package,
    current_dir,
    install_package,
    installed_version,
    load_installed,
)
from tests.publicity.media import item, package, png_header_only, poster


def _zip(path: Path, manifest: dict[str, Any] | bytes | None, members: dict[str, bytes],
         tweak: Callable[[zipfile.ZipInfo], None] | None = None) -> Path:
    """A zip written by hand, so a test can put into it what the builder never would."""
    with zipfile.ZipFile(path, "w") as zf:
        if manifest is not None:
            raw = manifest if isinstance(manifest, bytes) else json.dumps(manifest, ensure_ascii=False).encode()
            zf.writestr("manifest.json", raw)
        for name, data in members.items():
            info = zipfile.ZipInfo(name)
            if tweak is not None:
                tweak(info)
            zf.writestr(info, data)
    return path


def _bytes(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.fixture
def good_png(tmp_path: Path) -> bytes:
    """A real PNG slide."""
    return poster(tmp_path / "p.png", "宪法宣传周").read_bytes()


def _manifest(*items: dict[str, Any]) -> dict[str, Any]:
    return {"format": 1, "version": "v-hostile", "items": list(items)}


def test_a_sound_package_unpacks_private_and_keeps_its_items(tmp_path: Path) -> None:
    pkg = package(tmp_path / "p.zip", [item("xianfa"), item("minfadian", "text"), item("clip", "video")])
    dest = tmp_path / "publicity"
    info = install_package(pkg, dest, 1)
    assert info == {"version": "test-1", "items": 3}
    where, manifest = load_installed(dest) or (None, None)
    assert where is not None and manifest is not None
    assert [i.id for i in manifest.items] == ["xianfa", "minfadian", "clip"]
    assert manifest.items[1].text.startswith("宪法是国家的根本法")
    for path in [dest, where, where / "media"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    files = [p for p in where.rglob("*") if p.is_file()]
    assert len(files) == 4 and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)
    assert installed_version(dest) == "test-1"


HOSTILE: dict[str, Callable[[Path, bytes], tuple[Path, str]]] = {
    "not a zip": lambda d, png: (_bytes(d / "x.zip", b"PK\x03\x04 nonsense"), "not a sound zip"),
    "path escaping the package": lambda d, png: (_zip(d / "x.zip", _manifest(item("a")), {"media/a.png": png, "../evil.png": png}),
                                                 "only manifest.json and media/"),
    "absolute path": lambda d, png: (_zip(d / "x.zip", _manifest(item("a")), {"media/a.png": png, "/etc/cron.d/x": png}),
                                     "only manifest.json and media/"),
    "a symbolic link": lambda d, png: (_zip(d / "x.zip", _manifest(item("a")), {"media/a.png": b"/etc/shadow"},
                                            lambda i: setattr(i, "external_attr", (stat.S_IFLNK | 0o777) << 16)),
                                       "a link or special file"),
    "a text file called .png": lambda d, png: (_zip(d / "x.zip", _manifest(item("a")), {"media/a.png": b"<html>hello</html>" * 10}),
                                               "not a PNG or JPEG"),
    "a huge image": lambda d, png: (_zip(d / "x.zip", _manifest(item("a")),
                                         {"media/a.png": png_header_only(d / "big.png", 60000, 60000).read_bytes()}),
                                    "60000×60000 pixels"),
    "a video that is not one": lambda d, png: (_zip(d / "x.zip", _manifest(item("v", "video")),
                                                    {"media/v.mp4": png, "media/v-poster.png": png}), "not an MP4 video"),
    "an impossible date": lambda d, png: (_zip(d / "x.zip", _manifest(item("a", **{"from": "2026-02-30"})), {"media/a.png": png}),
                                          "not a real date"),
    "ends before it starts": lambda d, png: (_zip(d / "x.zip", _manifest(item("a", **{"from": "2026-12-07", "to": "2026-12-01"})),
                                                  {"media/a.png": png}), "ends (2026-12-01) before it starts"),
    "hours backwards": lambda d, png: (_zip(d / "x.zip", _manifest(item("a", hours=[18, 8])), {"media/a.png": png}),
                                       "at or before they start"),
    "weekday 8": lambda d, png: (_zip(d / "x.zip", _manifest(item("a", days=[1, 8])), {"media/a.png": png}), "a weekday"),
    "a file the manifest names is missing": lambda d, png: (_zip(d / "x.zip", _manifest(item("a")), {}), "not in the package"),
    "a file nobody uses": lambda d, png: (_zip(d / "x.zip", _manifest(item("a")), {"media/a.png": png, "media/b.png": png}),
                                          "files no item uses"),
    "no manifest": lambda d, png: (_zip(d / "x.zip", None, {"media/a.png": png}), "no manifest.json"),
    "a manifest that is not JSON": lambda d, png: (_zip(d / "x.zip", b"{not json", {"media/a.png": png}), "not UTF-8 JSON"),
    "an unknown field": lambda d, png: (_zip(d / "x.zip", _manifest(item("a", script="alert(1)")), {"media/a.png": png}),
                                        "unknown fields script"),
    "an item id with a slash": lambda d, png: (_zip(d / "x.zip", _manifest(item("a", id="../a")), {"media/a.png": png}), "id must be"),
    "two items with one id": lambda d, png: (_zip(d / "x.zip", _manifest(item("a"), item("a")), {"media/a.png": png}), "same id"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_package_is_refused_and_the_old_one_keeps_playing(case: str, tmp_path: Path, good_png: bytes) -> None:
    dest = tmp_path / "publicity"
    install_package(package(tmp_path / "old.zip", [item("old")], version="old-1"), dest, 1)
    before = current_dir(dest)
    bad, reason = HOSTILE[case](tmp_path, good_png)
    with pytest.raises(PackageError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        install_package(bad, dest, 2)
    assert current_dir(dest) == before and installed_version(dest) == "old-1"
    got = load_installed(dest)
    assert got is not None and [i.id for i in got[1].items] == ["old"]
    assert not (tmp_path / "evil.png").exists()
    # Nothing of the refused package is left beside the one that plays.
    assert sorted(p.name for p in dest.iterdir()) == ["current.json", "p1"]


def test_a_member_larger_than_allowed_is_refused_before_reading(tmp_path: Path, good_png: bytes) -> None:
    bad = _zip(tmp_path / "x.zip", _manifest(item("a")), {"media/a.png": good_png})
    # Claim a size past the limit in both headers, as a bomb would.
    raw = bytearray(bad.read_bytes())
    with zipfile.ZipFile(bad) as zf:
        info = zf.getinfo("media/a.png")
    central = raw.rfind(b"PK\x01\x02")  # the last member's entry in the central directory
    raw[central + 24:central + 28] = (200 * 1024 * 1024).to_bytes(4, "little")
    bad.write_bytes(bytes(raw))
    assert info.file_size == len(good_png)
    with pytest.raises(PackageError, match="bytes; at most"):
        check_package(bad)
