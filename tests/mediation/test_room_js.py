"""The centre's room.js (the desk's and the phone's way into a room of the media server)
in headless chromium against the real Janus, with a terminal party (aiortc)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
from pathlib import Path
from typing import AsyncIterator

from aiohttp import web

from fleet.mediation import JanusServer, MediationRooms
from tests.mediation.support import party
from tests.support.cdp import AsyncBrowser as Browser

PAGE = Path(__file__).with_name("pages") / "room.html"
ROOM_JS = Path(__file__).resolve().parents[2] / "fleet" / "mediation" / "static" / "room.js"
MEDIA_FLAGS = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
               "--autoplay-policy=no-user-gesture-required")


@contextlib.asynccontextmanager
async def page_server() -> AsyncIterator[str]:
    """The test page and room.js on a free loopback port (a secure context: camera allowed)."""
    async def page(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(PAGE)

    async def room_js(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(ROOM_JS)

    app = web.Application()
    app.router.add_get("/", page)
    app.router.add_get("/room.js", room_js)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/"
    finally:
        await runner.cleanup()


def test_a_party_who_publishes_while_the_browser_is_still_publishing_is_watched(janus: JanusServer) -> None:
    """The browser has joined the room but is still making its offer (seconds on a busy
    machine) when the terminal publishes: the media server announces the terminal then,
    and the browser must not lose that announcement — it would never see nor hear the
    terminal (the side-room's wait at the mediator's desk)."""

    async def scenario() -> tuple[dict[str, int], dict[str, list[int]], object]:
        rooms = MediationRooms(janus.url, janus.keys)
        try:
            room = await rooms.open_session("room-js", ("mediator", "party-a"))
            a = party(room.passes["party-a"])
            try:
                async with page_server() as url, Browser(url, 640, 480, extra_args=MEDIA_FLAGS) as browser:
                    await browser.wait_for("window.page !== undefined && typeof joinRoom === 'function'")
                    p = dataclasses.asdict(room.passes["mediator"])
                    await browser.js(f"hold(); enter({json.dumps(janus.url)}, {json.dumps(p)}).catch(e => {{ page.error = String(e); }}); true")
                    await browser.wait_for("page.offering", 20)  # joined, its offer held back
                    await a.join()  # the terminal publishes now: announced to the browser
                    await asyncio.sleep(1.0)  # the announcement reaches the browser
                    await browser.js("page.go = true")
                    await browser.wait_for("page.room !== null", 20)
                    await browser.wait_for("page.room.received().then(r => r['party-a'] && r['party-a'][1] > 0)", 20)
                    await a.wait_for_feeds(1, timeout=20)
                    return await browser.js("page.feeds"), await browser.js("page.room.received()"), await browser.js("page.error")
            finally:
                await a.leave()
        finally:
            await rooms.close()

    feeds, got, error = asyncio.run(scenario())
    assert error is None, error
    assert feeds.get("party-a") == 2 and got["party-a"][1] > 0, (feeds, got)
