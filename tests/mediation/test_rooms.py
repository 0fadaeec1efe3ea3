"""Three parties through the centre's Janus: everyone hears and sees everyone, parties
come and go, and nobody gets into a room that is not theirs."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import pytest

from fleet.mediation import JanusServer, JanusSettings, MediationRooms, sign_token
from remote_video.sfu.errors import SfuFeedMissing, SfuRefused
from remote_video.sfu.janus import JanusConnection
from remote_video.sfu.party import RoomParty
from remote_video.sfu.rooms import RoomSpec, VideoRoomAdmin
from tests.mediation.support import free_port, party

LABELS = ("mediator", "party-a", "party-b")


def rooms_of(janus: JanusServer) -> MediationRooms:
    """The centre's room manager on the test's Janus."""
    return MediationRooms(janus.url, janus.keys)


def counts(p: RoomParty) -> dict[str, tuple[int, int]]:
    """(video, audio) frames received per other party."""
    return {label: (s.video_frames, s.audio_frames) for label, s in p.stats().items()}


def test_three_parties_each_receive_the_other_two(janus: JanusServer) -> None:
    async def scenario() -> dict[str, tuple[dict[str, tuple[int, int]], dict[str, tuple[int, int]], dict[str, int]]]:
        rooms = rooms_of(janus)
        try:
            room = await rooms.open_session("m-1", LABELS)
            parties = {label: party(room.passes[label]) for label in LABELS}
            try:
                for p in parties.values():
                    await p.join()
                for p in parties.values():
                    await p.wait_for_feeds(2)
                before = {label: counts(p) for label, p in parties.items()}
                await asyncio.sleep(2.0)
                after = {label: counts(p) for label, p in parties.items()}
                peaks = {f"{label}<-{other}": s.audio_peak for label, p in parties.items() for other, s in p.stats().items()}
                return {label: (before[label], after[label], peaks) for label in LABELS}
            finally:
                for p in parties.values():
                    await p.leave()
        finally:
            await rooms.close()

    result = asyncio.run(scenario())
    for label in LABELS:
        before, after, peaks = result[label]
        others = set(LABELS) - {label}
        assert set(after) == others, f"{label} receives from {sorted(after)}, not the other two"
        for other in others:
            video = after[other][0] - before[other][0]
            audio = after[other][1] - before[other][1]
            # Two seconds at 15 fps and 50 audio frames a second, with slack for two busy cores.
            assert video >= 15, f"{label} got {video} video frames from {other} in 2 s"
            assert audio >= 50, f"{label} got {audio} audio frames from {other} in 2 s"
            assert peaks[f"{label}<-{other}"] > 1000, f"{label} hears silence from {other}"


def test_a_party_leaves_and_rejoins(janus: JanusServer) -> None:
    async def scenario() -> None:
        rooms = rooms_of(janus)
        try:
            room = await rooms.open_session("m-2", LABELS)
            mediator, a = party(room.passes["mediator"]), party(room.passes["party-a"])
            b = party(room.passes["party-b"])
            try:
                for p in (mediator, a, b):
                    await p.join()
                await mediator.wait_for_feeds(2)
                old_b = b.id
                await b.leave()
                deadline = time.monotonic() + 10
                while old_b in mediator.feeds or old_b in a.feeds:
                    assert time.monotonic() < deadline, "the others still watch party-b after it left"
                    await asyncio.sleep(0.05)
                assert set(counts(mediator)) == {"party-a"}
                # party-b comes back (a dropped line, a new connection): seen and heard again.
                b = party(room.passes["party-b"])
                await b.join()
                assert b.id != old_b
                await mediator.wait_for_feeds(2)
                await a.wait_for_feeds(2)
                await b.wait_for_feeds(2)
                seen = counts(mediator)["party-b"]
                await asyncio.sleep(1.0)
                assert counts(mediator)["party-b"][0] > seen[0], "party-b's picture stopped after the rejoin"
                assert counts(mediator)["party-b"][1] > seen[1], "party-b's voice stopped after the rejoin"
            finally:
                for p in (mediator, a, b):
                    await p.leave()
        finally:
            await rooms.close()

    asyncio.run(scenario())


def test_wrong_pin_join_token_or_api_token_is_refused(janus: JanusServer) -> None:
    async def scenario() -> None:
        rooms = rooms_of(janus)
        try:
            room = await rooms.open_session("m-3", LABELS)
            good = room.passes["party-a"]
            wrong_pin = f"{(int(good.pin) + 1) % 10**6:06d}"
            cases = {
                "wrong PIN": dataclasses.replace(good, pin=wrong_pin),
                "join token not invited": dataclasses.replace(good, join_token="not-on-the-list"),
                "forged API token": dataclasses.replace(good, token=sign_token("not the centre's secret", room.expires_at)),
                "expired API token": dataclasses.replace(good, token=sign_token(janus.keys.token_secret, int(time.time()) - 5)),
            }
            for what, bad in cases.items():
                p = party(bad)
                with pytest.raises(SfuRefused):
                    await p.join()
                assert await rooms.participants("m-3") == [], f"{what}: the refused party is in the room"
            # The invited pass itself works (the refusals were not a broken room).
            ok = party(good)
            try:
                await ok.join()
                assert await rooms.participants("m-3") == ["party-a"]
            finally:
                await ok.leave()
        finally:
            await rooms.close()

    asyncio.run(scenario())


def test_a_party_of_another_room_cannot_join_or_watch(janus: JanusServer) -> None:
    async def scenario() -> None:
        rooms = rooms_of(janus)
        try:
            room_a = await rooms.open_session("m-4a", ("mediator", "party-a"))
            room_b = await rooms.open_session("m-4b", ("mediator", "party-a"))
            assert room_a.room != room_b.room and room_a.passes["party-a"].join_token != room_b.passes["party-a"].join_token
            in_a = party(room_a.passes["party-a"])
            stranger = party(room_b.passes["party-a"])
            try:
                await in_a.join()
                await stranger.join()
                assert in_a.id is not None
                # Its own PIN does not open room A...
                with pytest.raises(SfuRefused):
                    await stranger.subscribe(in_a.id, "party-a of room A", room=room_a.room)
                # ...nor does room A's PIN with room B's invitation token.
                intruder = party(dataclasses.replace(room_b.passes["mediator"], room=room_a.room, pin=room_a.pin))
                with pytest.raises(SfuRefused):
                    await intruder.join()
                # And room A's feed cannot be fetched through room B.
                with pytest.raises(SfuFeedMissing):
                    await stranger.subscribe(in_a.id, "party-a of room A")
                assert not stranger.feeds
            finally:
                await in_a.leave()
                await stranger.leave()
        finally:
            await rooms.close()

    asyncio.run(scenario())


def test_closing_a_session_sends_everyone_away(janus: JanusServer) -> None:
    async def scenario() -> None:
        rooms = rooms_of(janus)
        try:
            room = await rooms.open_session("m-5", ("mediator", "party-a"))
            p = party(room.passes["party-a"])
            try:
                await p.join()
                await rooms.close_session("m-5")
                await asyncio.wait_for(p.room_closed.wait(), 5)
                # The room is gone: the same pass no longer gets in.
                again = party(room.passes["party-a"])
                with pytest.raises(Exception) as exc:
                    await again.join()
                assert "no such room" in str(exc.value)
            finally:
                await p.leave()
        finally:
            await rooms.close()

    asyncio.run(scenario())


def test_keepalives_hold_a_session_and_silence_loses_it(tmp_path: Path, local_ice: str) -> None:
    # A Janus of this test's own that forgets a session after 3 s of silence.
    server = JanusServer(tmp_path, JanusSettings(ws_port=free_port(), media_addresses=(local_ice,), session_timeout_s=3))

    async def scenario() -> tuple[bool, bool, int, float]:
        await server.start()
        token = rooms_of(server).token(60)
        kept = await JanusConnection.open(server.url, token)
        silent = await JanusConnection.open(server.url, token)
        try:
            alive = await kept.create_session(keepalive_s=1.0)
            quiet = await silent.create_session(keepalive_s=3600)
            t0 = time.monotonic()
            # Janus's watchdog looks every couple of seconds.
            while not quiet.lost.is_set() and time.monotonic() - t0 < 12:
                await asyncio.sleep(0.1)
            await asyncio.sleep(max(0.0, 6.0 - (time.monotonic() - t0)))  # twice the timeout at least
            await alive.attach()  # still known to the server
            return alive.lost.is_set(), quiet.lost.is_set(), alive.keepalives, time.monotonic() - t0
        finally:
            await kept.close()
            await silent.close()
            await server.stop()

    kept_lost, quiet_lost, keepalives, waited = asyncio.run(scenario())
    assert quiet_lost, "a session without keepalives was not timed out"
    assert not kept_lost and keepalives >= 3, f"kept session lost={kept_lost} after {keepalives} keepalives in {waited:.1f} s"


def test_a_party_learns_that_the_media_server_went_away(tmp_path: Path, local_ice: str) -> None:
    # A Janus of this test's own, stopped under a party in mid-session.
    server = JanusServer(tmp_path, JanusSettings(ws_port=free_port(), media_addresses=(local_ice,)))

    async def scenario() -> tuple[bool, bool]:
        await server.start()
        rooms = MediationRooms(server.url, server.keys)
        p = None
        try:
            room = await rooms.open_session("m-6", ("mediator", "party-a"))
            p = party(room.passes["party-a"])
            await p.join()
            before = p.disconnected
            await server.stop()
            deadline = time.monotonic() + 5
            while not p.disconnected and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            return before, p.disconnected
        finally:
            if p is not None:
                await p.leave()  # must not raise with the server gone
            await rooms.close()
            await server.stop()

    assert asyncio.run(scenario()) == (False, True)


def test_a_party_can_neither_close_its_room_nor_open_one(janus: JanusServer) -> None:
    async def scenario() -> list[str]:
        rooms = rooms_of(janus)
        try:
            room = await rooms.open_session("m-7", ("mediator", "party-a"))
            p = room.passes["party-a"]
            conn = await JanusConnection.open(p.url, p.token)  # a valid party token, a guessed admin key
            try:
                admin = await VideoRoomAdmin.attach(await conn.create_session(), admin_key="a guess")
                refused = []
                with pytest.raises(SfuRefused) as exc:
                    await admin.destroy(p.room, "a guess")
                refused.append(str(exc.value))
                with pytest.raises(SfuRefused) as exc:
                    await admin.create(RoomSpec(room=12345, secret="s", pin="000000", allowed=("t",)))
                refused.append(str(exc.value))
                assert await admin.exists(p.room) and not await admin.exists(12345)
                return refused
            finally:
                await conn.close()
        finally:
            await rooms.close()

    for message in asyncio.run(scenario()):
        assert "refused" in message
