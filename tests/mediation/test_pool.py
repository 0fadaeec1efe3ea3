"""Two Janus instances for one county: sessions spread over both, passes stay put."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from fleet.mediation import JanusServer, JanusSettings, MediationRooms
from fleet.mediation.pool import RoomPool
from remote_video.sfu.errors import SfuRefused
from tests.mediation.support import free_port, party


def test_sessions_spread_over_instances_and_a_pass_works_only_on_its_own(janus: JanusServer, tmp_path: Path, local_ice: str) -> None:
    second = JanusServer(tmp_path, JanusSettings(ws_port=free_port(), media_addresses=(local_ice,)))

    async def scenario() -> None:
        await second.start()
        pool = RoomPool([MediationRooms(janus.url, janus.keys), MediationRooms(second.url, second.keys)])
        try:
            rooms = [await pool.open_session(f"c-{i}", ("mediator", "party-a")) for i in range(4)]
            urls = [r.passes["mediator"].url for r in rooms]
            assert urls.count(janus.url) == 2 and urls.count(second.url) == 2
            # A pass taken to the other instance is refused there (its token is signed
            # with the other instance's secret), and works where it was issued.
            home = rooms[0].passes["party-a"]
            away = second.url if home.url == janus.url else janus.url
            stray = party(dataclasses.replace(home, url=away))
            with pytest.raises(SfuRefused):
                await stray.join()
            ok = party(home)
            try:
                await ok.join()
            finally:
                await ok.leave()
            await pool.close_session("c-0")
            assert "c-0" not in pool.instance_of("c-1").rooms and len([r for i in pool.instances for r in i.rooms]) == 3
        finally:
            await pool.close()
            await second.stop()

    asyncio.run(scenario())
