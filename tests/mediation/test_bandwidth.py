"""The room's bitrate cap reaches each publisher's encoder, and a receiver on a poor line
can drop a party's picture while keeping their voice."""

from __future__ import annotations

import asyncio

from fleet.mediation import JanusServer, MediationRooms
from tests.mediation.support import party


def test_the_room_cap_reaches_the_publishers_encoder(janus: JanusServer) -> None:
    # 300 kbps, not aiortc's own 500 kbps start: the cap must come from the room (REMB).
    async def scenario() -> tuple[int, int]:
        rooms = MediationRooms(janus.url, janus.keys, publisher_kbps=300)
        try:
            room = await rooms.open_session("bw-1", ("mediator", "party-a"))
            m, a = party(room.passes["mediator"]), party(room.passes["party-a"])
            try:
                await m.join()
                await a.join()
                await m.wait_for_feeds(1)
                await asyncio.sleep(2.0)  # Janus sends REMB about once a second
                targets = []
                for p in (m, a):
                    assert p.publisher is not None
                    targets.append(int(p.publisher._video_encoder().target_bitrate))
                return targets[0], targets[1]
            finally:
                await m.leave()
                await a.leave()
        finally:
            await rooms.close()

    assert asyncio.run(scenario()) == (300_000, 300_000)


def test_pausing_a_picture_keeps_the_voice(janus: JanusServer) -> None:
    async def scenario() -> tuple[tuple[int, int], tuple[int, int]]:
        rooms = MediationRooms(janus.url, janus.keys)
        try:
            room = await rooms.open_session("bw-2", ("mediator", "party-a"))
            m, a = party(room.passes["mediator"]), party(room.passes["party-a"])
            try:
                await m.join()
                await a.join()
                await a.wait_for_feeds(1)
                feed = next(iter(a.feeds.values()))
                await feed.set_video(False)
                await asyncio.sleep(0.5)  # frames already on the way
                v0, a0 = feed.video_frames, feed.audio_frames
                await asyncio.sleep(1.5)
                paused = (feed.video_frames - v0, feed.audio_frames - a0)
                await feed.set_video(True)
                await asyncio.sleep(0.5)
                v0, a0 = feed.video_frames, feed.audio_frames
                await asyncio.sleep(1.5)
                return paused, (feed.video_frames - v0, feed.audio_frames - a0)
            finally:
                await m.leave()
                await a.leave()
        finally:
            await rooms.close()

    (pv, pa), (rv, ra) = asyncio.run(scenario())
    assert pv == 0 and pa >= 50, f"paused: {pv} video, {pa} audio frames in 1.5 s"
    assert rv >= 10 and ra >= 50, f"resumed: {rv} video, {ra} audio frames in 1.5 s"
