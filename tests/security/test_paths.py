"""Every path the centre builds from a request stays inside its directory: the
screenshot route over real HTTP with ``..%2F`` ids, the recording upload with a bad call
id, and ``confined`` itself (``..``, absolute parts, symbolic links, NUL bytes)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from fleet.center.confine import OutsideBase, confined
from kiosk.terminal_id import is_terminal_id
from tests.security.raw_http import Centre

PNG = b"\x89PNG\r\n\x1a\n" + b"secret picture"


@pytest.fixture
def centre(fleet, tmp_path: Path) -> Iterator[Centre]:  # type: ignore[no-untyped-def]
    c = Centre(fleet, tmp_path / "centre")
    try:
        yield c
    finally:
        c.close()


def test_screenshot_route_serves_only_terminal_screenshots(centre: Centre, fleet) -> None:  # type: ignore[no-untyped-def]
    tech = centre.cookie("li", "technician")
    (centre.data_dir / "x.png").write_bytes(PNG)  # a PNG the centre can read, outside screenshots/
    (centre.data_dir / "screenshots").mkdir()
    (centre.data_dir / "screenshots" / "T001.png").write_bytes(b"\x89PNG\r\n\x1a\nscreen of T001")
    status, body = centre.request("GET", "/api/terminals/T001/screenshot.png", tech)
    assert status == 200 and body.endswith(b"screen of T001")
    for tid in ("..%2Fx", "..%2F..%2Fcentre%2Fx", "%2E%2E%2Fx", "..%5Cx", "T001%00", "center"):
        status, body = centre.request("GET", f"/api/terminals/{tid}/screenshot.png", tech)
        assert status == 404 and b"secret picture" not in body, tid
        assert centre.request("GET", f"/api/terminals/{tid}", tech)[0] == 404, tid
    # A command to a name that is not a terminal id is not even sent.
    status, _ = centre.request("POST", "/api/terminals/..%2Fx/cmd", tech, b'{"name": "screenshot"}', {"Content-Type": "application/json"})
    assert status == 404
    assert fleet.store.recent_commands("../x") == []


def test_recording_upload_with_a_crafted_call_id_is_refused(centre: Centre) -> None:
    lawyer = centre.cookie("wang", "lawyer")
    for call_id in ("..%2F..%2Fx", "%2E%2E", "a%2Fb%2Fcdefgh"):
        status, _ = centre.request("POST", f"/desk/api/calls/{call_id}/recording/lawyer?seq=0", lawyer, b"webm")
        assert status == 404, call_id
    assert not list(centre.data_dir.rglob("*.webm"))


def test_confined(tmp_path: Path) -> None:
    base = tmp_path / "base"
    (base / "day").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    os.symlink(tmp_path / "outside", base / "link")
    assert confined(base, "day", "a.webm") == (base / "day" / "a.webm").resolve()
    assert confined(base, "new", "deeper", "b.png").is_relative_to(base.resolve())  # need not exist
    for parts in (("..", "x"), ("day", "..", "..", "x"), ("/etc/passwd",), ("link", "a.png"), ("a\0b",), ("",), (".",)):
        with pytest.raises(OutsideBase):
            confined(base, *parts)


@pytest.mark.parametrize(("value", "ok"), [
    ("T001", True), ("SIM0001", True), ("site-3_a", True), ("../x", False), ("a/b", False), ("", False),
    ("center", False), ("x" * 33, False), ("a+b", False), ("a#", False), ("T001\n", False),
])
def test_terminal_ids(value: str, ok: bool) -> None:
    assert is_terminal_id(value) is ok


def test_static_and_export_routes_stay_in_their_directories(centre: Centre) -> None:
    tech = centre.cookie("root", "admin")
    (centre.data_dir / "secret.txt").write_text("the centre's secret", encoding="utf-8")
    assert centre.request("GET", "/static/login.js")[0] == 200
    for mount in ("/static/", "/desk/static/", "/intake/static/", "/appointments/static/"):
        for trick in ("..%2F..%2F..%2F..%2Fetc%2Fpasswd", "%2E%2E%2F%2E%2E%2Fcenter.sqlite3", "..%5C..%5Csecret.txt",
                      "%2Fetc%2Fpasswd", "../../../../etc/passwd"):
            status, body = centre.request("GET", mount + trick, tech)
            assert status in (400, 403, 404), (mount, trick, status)
            assert b"root:" not in body and b"secret" not in body and b"SQLite" not in body
    for fmt in ("..%2Fx", "..%2F..%2Fcenter.sqlite3"):
        assert centre.request("GET", f"/api/figures/export.{fmt}", tech)[0] == 404
