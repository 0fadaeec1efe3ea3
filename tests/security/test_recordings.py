"""A closed recording is write-once, also across a restart of the centre, and one
recording is bounded in chunks and bytes: over real HTTP to the centre's web app (the
lawyer desk), with the call rows in a real SQLite store and the files on disk."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fleet.desk.store import DeskStore
from tests.security.raw_http import Centre

CALL = "call-0001-abcdef"


def answered_call(fleet, call_id: str, lawyer: str = "wang") -> None:  # type: ignore[no-untyped-def]
    """A call the person consented to record, answered by ``lawyer``."""
    store = DeskStore(fleet.store)
    store.call_requested(call_id, "T001", "测试站", "video", "normal", True)
    store.call_answered(call_id, lawyer)


def upload(centre: Centre, cookie: str, call_id: str, seq: int, data: bytes, last: bool = False) -> tuple[int, object]:
    """One chunk of the lawyer-side recording."""
    q = f"seq={seq}" + ("&last=1" if last else "")
    return centre.json("POST", f"/desk/api/calls/{call_id}/recording/lawyer?{q}", cookie, data)


def test_a_closed_recording_cannot_be_overwritten_even_after_a_restart(fleet, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    answered_call(fleet, CALL)
    centre = Centre(fleet, tmp_path / "centre")
    try:
        lawyer = centre.cookie("wang", "lawyer")
        assert upload(centre, lawyer, CALL, 0, b"first ")[0] == 200
        assert upload(centre, lawyer, CALL, 1, b"second", last=True)[0] == 200
        [rec] = DeskStore(fleet.store).recordings(CALL)
        path = Path(rec["path"])
        assert path.read_bytes() == b"first second" and rec["sha256"] == hashlib.sha256(b"first second").hexdigest()
        status, doc = upload(centre, lawyer, CALL, 0, b"forged", last=True)
        assert status == 409 and doc["error"] == "recording_closed"
        assert upload(centre, lawyer, CALL, 2, b"more")[0] == 409
    finally:
        centre.close()
    # A new centre process on the same data knows nothing of the uploads in memory.
    centre = Centre(fleet, tmp_path / "centre")
    try:
        lawyer = centre.cookie("wang", "lawyer")
        status, doc = upload(centre, lawyer, CALL, 0, b"forged")
        assert status == 409 and doc["error"] == "recording_closed"
        assert upload(centre, lawyer, CALL, 0, b"forged", last=True)[0] == 409
    finally:
        centre.close()
    assert path.read_bytes() == b"first second"
    assert len(DeskStore(fleet.store).recordings(CALL)) == 1
    # Even once purged (file deleted after its retention), it is not begun again.
    path.unlink()
    centre = Centre(fleet, tmp_path / "centre")
    try:
        assert upload(centre, centre.cookie("wang", "lawyer"), CALL, 0, b"forged")[0] == 409
    finally:
        centre.close()
    assert not path.exists()


def test_a_recording_is_bounded_in_chunks_and_size_and_what_came_is_kept(fleet, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    d = tmp_path / "centre"
    d.mkdir()
    (d / "desk.toml").write_text("max_recording_chunks = 3\nmax_recording_mb = 1\n", encoding="utf-8")
    many, big = "call-many-000001", "call-big-0000001"
    answered_call(fleet, many)
    answered_call(fleet, big)
    centre = Centre(fleet, d)
    try:
        lawyer = centre.cookie("wang", "lawyer")
        for seq in range(3):
            assert upload(centre, lawyer, many, seq, b"x" * 100)[0] == 200
        status, doc = upload(centre, lawyer, many, 3, b"x" * 100)
        assert status == 413 and doc["error"] == "recording_too_large"
        # Closed as it was: hashed, registered, and nothing more is added.
        [rec] = DeskStore(fleet.store).recordings(many)
        assert rec["bytes"] == 300 and Path(rec["path"]).stat().st_size == 300
        assert upload(centre, lawyer, many, 4, b"x")[0] == 409 and upload(centre, lawyer, many, 0, b"x")[0] == 409

        chunk = b"y" * (600 * 1024)
        assert upload(centre, lawyer, big, 0, chunk)[0] == 200
        status, doc = upload(centre, lawyer, big, 1, chunk)
        assert status == 413 and doc["error"] == "recording_too_large"
        [rec] = DeskStore(fleet.store).recordings(big)
        assert rec["bytes"] == len(chunk)
    finally:
        centre.close()
