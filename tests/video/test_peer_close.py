"""Hanging up while aiortc is already closing the connection itself (the other end hung
up first), and the hang-up being cancelled — what a room's party does when it leaves
while a subscription to a party who just left is still closing. Real aiortc peers on
127.0.0.1."""

from __future__ import annotations

import asyncio
from typing import Any

import aioice.ice

from remote_video.media import AudioTrack, CameraTrack, VideoLevel
from remote_video.peer import CallPeer, restrict_host_addresses
from remote_video.sfu.party import _end
from remote_video.sfu.selftest import pattern_source

LEVEL = VideoLevel(160, 120, 15, 200)


def test_a_cancelled_hang_up_leaves_aiortcs_own_close_to_finish() -> None:
    before = aioice.ice.get_host_addresses
    restrict_host_addresses(["127.0.0.1"])
    errors: list[dict[str, Any]] = []

    async def main() -> None:
        asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: errors.append(ctx))
        ours = CallPeer(CameraTrack(pattern_source(LEVEL), LEVEL), AudioTrack(generated=True), max_kbps=LEVEL.kbps, adapt=False)
        theirs = CallPeer(CameraTrack(pattern_source(LEVEL, 20000), LEVEL), AudioTrack(generated=True), max_kbps=LEVEL.kbps, adapt=False)
        await ours.accept(await theirs.answer(await ours.offer()))
        for _ in range(300):
            if ours.video_counter.frames:
                break
            await asyncio.sleep(0.05)
        assert ours.video_counter.frames, "the call did not connect"

        hang_ups: list[asyncio.Task[None]] = []

        async def hang_up_then_cancel() -> None:
            # Our hang-up starts while aiortc's own close is under way, then is cancelled.
            task = asyncio.ensure_future(ours.close())
            hang_ups.append(task)
            await asyncio.sleep(0)
            await asyncio.sleep(0)
            task.cancel()

        @ours.pc.on("signalingstatechange")
        def _closing() -> None:
            # Runs inside aiortc's own close (the other end's DTLS ended), before it awaits anything.
            if ours.pc.signalingState == "closed" and not hang_ups:
                asyncio.ensure_future(hang_up_then_cancel())

        await theirs.close()
        for _ in range(100):
            if ours.pc.connectionState == "closed" and hang_ups and hang_ups[0].done():
                break
            await asyncio.sleep(0.05)
        assert hang_ups and hang_ups[0].cancelled(), "the scenario did not happen: aiortc did not close by itself"
        own_close = getattr(ours.pc, "_RTCPeerConnection__closeTask")
        assert own_close is not None
        await asyncio.wait([own_close], timeout=5)
        assert own_close.done() and not own_close.cancelled() and own_close.exception() is None, own_close

    try:
        asyncio.run(main())
    finally:
        aioice.ice.get_host_addresses = before  # process-wide: put back for the tests after this one
    assert errors == []


def test_leaving_ends_a_room_follower_that_missed_its_cancellation() -> None:
    """A party leaves just as its follower finishes closing the picture of a party who
    left before: Python 3.11's ``wait_for`` then returns normally instead of raising
    ``CancelledError``, and the follower waits for the room's next event, which never
    comes. Leaving must end it all the same."""
    async def main() -> None:
        events: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        step = asyncio.get_running_loop().create_future()
        closed_one = asyncio.Event()

        async def follower() -> None:
            await asyncio.wait_for(step, 5)  # closing the other party's picture
            closed_one.set()
            while True:
                await events.get()

        task = asyncio.ensure_future(follower())
        await asyncio.sleep(0)
        step.set_result(None)  # the close finishes in the same turn as the cancellation comes
        await asyncio.wait_for(_end(task), 5)
        assert task.cancelled()
        assert closed_one.is_set(), "the cancellation was not the missed one this test is about"

    asyncio.run(main())
