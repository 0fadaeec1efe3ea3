"""Recording at the centre: Janus records the session's room once every party consented,
the files are made read-only, hashed and registered with their deletion date; they play
back (janus-pp-rec, then PyAV); a session where a party refused records nothing; files
past their retention are deleted and their hashes stay."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import av
import pytest

from fleet.mediation import JanusServer
from fleet.mediation.sessions import SessionStore
from tests.mediation.centre import add_mediator, centre, signed_in
from tests.mediation.support import party

if shutil.which("janus-pp-rec") is None:
    pytest.skip("janus-pp-rec (Debian janus-tools) is not installed", allow_module_level=True)


async def _session(http: Any, desk: Any, consents: tuple[bool, bool], seconds: float, close: bool = True) -> str:
    async with http.post("/mediation/api/sessions", json={"matter": "劳务费纠纷", "parties": [
            {"name": "张三", "joins": "phone"}, {"name": "李四", "joins": "phone"}]}) as r:
        sid = str((await r.json())["session_id"])
    live = desk.live[sid]
    for label, yes in zip(("party-a", "party-b"), consents):
        await desk.from_party(live, label, {"type": "consent", "yes": yes})
    people = [party(live.room.passes[label]) for label in ("mediator", "party-a", "party-b")]
    for p in people:
        await p.join()
    try:
        for p in people:
            await p.wait_for_feeds(2, timeout=20)
        await asyncio.sleep(seconds)
    finally:
        for p in people:
            await p.leave()
    if not close:
        return sid
    async with http.ws_connect(f"/mediation/ws?s={sid}") as ws:
        await ws.send_json({"type": "close"})
        while (await asyncio.wait_for(ws.receive_json(), 10))["type"] != "ended":
            pass
    return sid


def test_recorded_with_consent_write_once_and_purged(fleet: Any, janus: JanusServer, tmp_path: Path) -> None:
    add_mediator(fleet)
    store = SessionStore(fleet.store)

    async def scenario() -> tuple[str, str, str, Any]:
        async with centre(fleet, tmp_path / "centre", janus) as (base, desk), signed_in(base) as http:
            recorded = await _session(http, desk, (True, True), 3.0)
            refused = await _session(http, desk, (True, False), 1.0)
            cut_short = await _session(http, desk, (True, True), 1.0, close=False)
        return recorded, refused, cut_short, desk

    recorded, refused, cut_short, desk = asyncio.run(scenario())
    # A session still open when the centre stops is ended, and its recording kept.
    assert store.session(cut_short)["state"] == "closed"  # type: ignore[index]
    assert len(store.recordings(cut_short)) == 6
    rows = store.recordings(recorded)
    # Three publishers, audio and video each.
    assert len(rows) == 6, [Path(r["path"]).name for r in rows]
    for r in rows:
        f = Path(r["path"])
        assert f.stat().st_mode & 0o777 == 0o400  # write-once
        assert hashlib.sha256(f.read_bytes()).hexdigest() == r["sha256"]
        assert (r["purge_after"] - r["created_at"]).days == 180  # the default retention
    # The video plays back: Janus's .mjr → WebM with janus-pp-rec, read with PyAV.
    video = next(Path(r["path"]) for r in rows if "video" in Path(r["path"]).name)
    webm = tmp_path / "party.webm"
    subprocess.run(["janus-pp-rec", str(video), str(webm)], check=True, capture_output=True, timeout=60)
    with av.open(str(webm)) as box:
        frames = sum(1 for _ in box.decode(video=0))
    assert frames >= 20, f"{frames} frames in about 3 s of recording"
    audio = next(Path(r["path"]) for r in rows if "audio" in Path(r["path"]).name)
    opus = tmp_path / "party.opus"
    subprocess.run(["janus-pp-rec", str(audio), str(opus)], check=True, capture_output=True, timeout=60)
    with av.open(str(opus)) as box:
        packets = sum(1 for p in box.demux(audio=0) if p.size)
    assert packets >= 100, f"{packets} audio packets in about 3 s"
    # A party refused: nothing of that session is recorded.
    assert store.recordings(refused) == []
    assert not any((tmp_path / "centre" / "mediation-recordings" / refused).glob("*.mjr"))
    # Past the retention: the files go, the rows and hashes stay.
    assert desk.purge(datetime.now(timezone.utc) + timedelta(days=181)) == 12
    assert all(not Path(r["path"]).exists() for r in rows)
    assert all(r["purged_at"] is not None and r["sha256"] for r in store.recordings(recorded))
