"""The centre's web app with the mediation pages on the test's Janus, and a signed-in
mediator over plain HTTP (aiohttp), for the mediation tests."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, AsyncIterator

import aiohttp

from fleet.center import auth
from fleet.center.webapp import PAGE_SETS, CentreWebApp
from fleet.mediation import RECORDINGS_DIR, JanusSecrets, JanusServer, MediaServer, MediationRooms
from fleet.mediation import web as mediation_web

PASSWORD = "correct horse 7"


def add_mediator(fleet: Any, name: str = "zhou", display: str = "周调解员") -> None:
    """A mediator account in the centre's store."""
    auth.Users(fleet.store).add(name, "mediator", PASSWORD, display)


@contextlib.asynccontextmanager
async def centre(fleet: Any, data_dir: Path, janus: JanusServer | None,
                 url: str | None = None) -> AsyncIterator[tuple[str, mediation_web.MediationDesk]]:
    """The centre's web app with every page set, the mediation one on ``janus`` (or on
    whatever answers at ``url``, with no valid keys)."""
    if janus is not None:
        media = MediaServer(MediationRooms(janus.url, janus.keys, rec_dir=data_dir / RECORDINGS_DIR))
    else:
        media = MediaServer(MediationRooms(url or "ws://127.0.0.1:9/", JanusSecrets.generate()))
    made: list[mediation_web.MediationDesk] = []

    def mediation(app: Any, ctx: Any) -> mediation_web.MediationDesk:
        made.append(mediation_web.setup(app, ctx, media))
        return made[-1]

    sets = tuple(mediation if s is mediation_web.setup else s for s in PAGE_SETS)
    web = CentreWebApp(fleet.center, data_dir, page_sets=sets)
    port = await web.start("127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{port}", made[0]
    finally:
        await web.stop()
        await media.stop()


@contextlib.asynccontextmanager
async def signed_in(base: str, name: str = "zhou") -> AsyncIterator[aiohttp.ClientSession]:
    """An HTTP client signed in as ``name`` (the real sign-in, JSON)."""
    # unsafe=True: keep cookies of an IP address host (127.0.0.1).
    async with aiohttp.ClientSession(base, cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post("/login", json={"name": name, "password": PASSWORD}) as r:
            assert r.status == 200, await r.text()
        yield http
