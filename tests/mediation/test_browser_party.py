"""A browser in the room with two terminals: the plain-WebRTC path a phone or the
mediator's desk will take (headless Debian chromium, its fake camera and microphone)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from pathlib import Path
from typing import AsyncIterator

from aiohttp import web

from fleet.mediation import JanusServer, MediationRooms
from tests.support.cdp import AsyncBrowser as Browser
from tests.mediation.support import party

PAGE = Path(__file__).with_name("pages") / "party.html"
MEDIA_FLAGS = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
               "--autoplay-policy=no-user-gesture-required")


@contextlib.asynccontextmanager
async def page_server() -> AsyncIterator[str]:
    """The test page on a free loopback port (127.0.0.1 is a secure context: camera allowed)."""
    async def page(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(PAGE)

    app = web.Application()
    app.router.add_get("/", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        await runner.cleanup()


def test_a_browser_and_two_terminals_see_and_hear_each_other(janus: JanusServer) -> None:
    async def scenario() -> tuple[dict[str, list[int]], dict[str, list[int]], dict[str, tuple[int, int]]]:
        rooms = MediationRooms(janus.url, janus.keys)
        try:
            room = await rooms.open_session("web-1", ("mediator", "party-a", "party-b"))
            a, b = party(room.passes["party-a"]), party(room.passes["party-b"])
            try:
                await a.join()
                await b.join()
                async with page_server() as url, Browser(url, 640, 480, extra_args=MEDIA_FLAGS) as browser:
                    await browser.wait_for("window.party !== undefined")
                    p = dataclasses.asdict(room.passes["mediator"])
                    await browser.js(f"joinRoom({json.dumps(janus.url)}, {json.dumps(p)})")
                    await a.wait_for_feeds(2, timeout=20)
                    await b.wait_for_feeds(2, timeout=20)
                    await browser.wait_for("received().then(r => Object.values(r).filter(c => c[0] > 0 && c[1] > 0).length === 2)", 20)
                    first = await browser.js("received()")
                    at = {label: (s.video_frames, s.audio_frames) for label, s in a.stats().items()}
                    await asyncio.sleep(2.0)
                    second = await browser.js("received()")
                    later = {label: (s.video_frames, s.audio_frames) for label, s in a.stats().items()}
                    error = await browser.js("party.error")
                    assert error is None, error
                    grown = {k: [second[k][0] - first[k][0], second[k][1] - first[k][1]] for k in second}
                    return grown, first, {k: (later[k][0] - at[k][0], later[k][1] - at[k][1]) for k in later}
            finally:
                await a.leave()
                await b.leave()
        finally:
            await rooms.close()

    browser_got, _, terminal_got = asyncio.run(scenario())
    # The browser receives both terminals (video frames decoded, audio packets) ...
    assert set(browser_got) == {"party-a", "party-b"}
    for label, (video, audio) in browser_got.items():
        assert video >= 10 and audio >= 50, f"browser got {video} frames, {audio} audio packets from {label} in 2 s"
    # ... and a terminal receives the browser (and the other terminal).
    assert set(terminal_got) == {"mediator", "party-b"}
    video, audio = terminal_got["mediator"]
    assert video >= 10 and audio >= 50, f"party-a got {video} frames, {audio} audio frames from the browser in 2 s"
