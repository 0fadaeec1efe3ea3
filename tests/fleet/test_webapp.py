"""The centre's web app is composed in one place: every page set is served behind the
same sign-in and security headers, and a new page set is one function in the list."""

from __future__ import annotations

import asyncio
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from aiohttp import web

from fleet import web_headers
from fleet.center.auth import Users, login_cookie
from fleet.center.auth.web import require
from fleet.center.web_context import CentreContext
from fleet.center.webapp import PAGE_SETS, CentreWebApp
from tests.fleet.conftest import Fleet


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a: object, **kw: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _get(url: str, cookie: str = "") -> tuple[int, dict[str, str], str]:
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with _OPENER.open(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8", "replace")


def _toy(app: web.Application, centre: CentreContext) -> None:
    """A page set of the kind a new capability would add: one route, for the bureau."""

    async def count(request: web.Request) -> web.Response:
        await require(request, "bureau")
        return web.json_response({"terminals": len(centre.store.terminal_rows())})

    app.router.add_get("/api/toy", count)


class _Running:
    def __init__(self, web_app: CentreWebApp) -> None:
        self.web_app = web_app
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        port = asyncio.run_coroutine_threadsafe(web_app.start("127.0.0.1", 0), self.loop).result(20)
        self.base = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.web_app.stop(), self.loop).result(20)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Fleet]:
    f = Fleet(tmp_path)
    try:
        yield f
    finally:
        f.close()


def test_every_page_set_is_served_behind_the_sign_in(centre: Fleet, tmp_path: Path) -> None:
    data_dir = tmp_path / "centre"
    running = _Running(CentreWebApp(centre.center, data_dir))
    try:
        users = Users(centre.store)
        admin = users.add("root", "admin", "an admin password")
        cookie = "=".join(login_cookie(data_dir, admin))
        pages = ["/", "/desk/", "/intake", "/figures", "/appointments"]
        for path in pages:
            # Nobody anonymous: each page sends the browser to the sign-in first.
            status, headers, _ = _get(running.base + path)
            assert status == 302 and headers["Location"].startswith("/login?next="), path
            status, headers, _ = _get(running.base + path, cookie)
            assert status == 200, path
            assert web_headers.CSP in headers, path
        # The release repository is public (TUF checks what it serves): none made here.
        assert _get(running.base + "/updates/metadata/1.root.json")[0] == 404
    finally:
        running.close()


def test_a_new_page_set_gets_the_sign_in_and_headers_of_every_other(centre: Fleet, tmp_path: Path) -> None:
    data_dir = tmp_path / "centre"
    centre.provision("TOY1")
    running = _Running(CentreWebApp(centre.center, data_dir, page_sets=(*PAGE_SETS, _toy)))
    try:
        users = Users(centre.store)
        bureau = users.add("zhao", "bureau", "a bureau password")
        lawyer = users.add("wang", "lawyer", "a lawyer password")
        assert _get(running.base + "/api/toy")[0] == 401
        assert _get(running.base + "/api/toy", "=".join(login_cookie(data_dir, lawyer)))[0] == 403
        status, headers, body = _get(running.base + "/api/toy", "=".join(login_cookie(data_dir, bureau)))
        assert (status, body) == (200, '{"terminals": 1}')
        assert web_headers.CSP in headers
        # The page sets that were there still are.
        assert _get(running.base + "/figures", "=".join(login_cookie(data_dir, bureau)))[0] == 200
    finally:
        running.close()
