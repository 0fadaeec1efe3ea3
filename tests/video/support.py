"""Helpers of the video tests: a centre with its web server (the real Dashboard with
the lawyer desk), a signed-in lawyer in headless chromium with fake camera and
microphone, and a simulated terminal joined to the centre."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any, AsyncIterator, Awaitable, Callable

from fleet.center import auth
from fleet.center.webapp import CentreWebApp as Dashboard
from remote_video.peer import restrict_host_addresses
from tests.support.cdp import AsyncBrowser

# Chromium's own fake camera (a moving pattern) and microphone (a beep); loopback
# candidates allowed so the call stays on 127.0.0.1 like the terminal's.
MEDIA_FLAGS = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--allow-loopback-in-peer-connection",
               "--autoplay-policy=no-user-gesture-required")


@contextlib.asynccontextmanager
async def centre_web(fleet: Any, data_dir: Path) -> AsyncIterator[tuple[str, Dashboard]]:
    """The centre's web server on a free loopback port (stopped on exit)."""
    dash = Dashboard(fleet.center, data_dir)
    port = await dash.start("127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{port}", dash
    finally:
        await dash.stop()


def add_lawyer(fleet: Any, name: str = "wang", display: str = "王律师", password: str = "correct horse 7") -> str:
    """A lawyer account in the centre's store; returns the password."""
    auth.Users(fleet.store).add(name, "lawyer", password, display)
    return password


@contextlib.asynccontextmanager
async def lawyer_desk(base: str, name: str = "wang", password: str = "correct horse 7") -> AsyncIterator[AsyncBrowser]:
    """Chromium signed in as ``name`` with the desk open (the real sign-in form)."""
    async with AsyncBrowser(f"{base}/desk/", 1280, 900, extra_args=MEDIA_FLAGS) as b:
        await b.wait_for("document.querySelector('#password') !== null")  # redirected to the sign-in page
        await b.js(f"document.querySelector('#name').value = {name!r}; document.querySelector('#password').value = {password!r};"
                   "document.querySelector('#form').submit(); true")
        await b.wait_for("location.pathname === '/desk/' && window.desk && desk.me !== null", 20)
        yield b


def simulated_terminal(fleet: Any, tid: str) -> tuple[Any, list[Any]]:
    """A terminal with simulated devices (test-pattern camera, tone for a microphone),
    joined to the centre; returns it and the list its call events land in."""
    restrict_host_addresses(["127.0.0.1"])
    t = fleet.terminal(tid, devices=True)
    fleet.agent(t)
    deadline = time.monotonic() + 15
    while not (t.centre is not None and t.centre.connected()):
        assert time.monotonic() < deadline, "terminal did not join the centre"
        time.sleep(0.05)
    seen: list[Any] = []
    t.video.sink = seen.append
    return t, seen


async def until(pred: Callable[[], Any], timeout: float = 15.0, what: str = "condition") -> Any:
    """Await ``pred()`` truthy (polling), failing with ``what`` on time-out."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def until_value(get: Callable[[], Awaitable[Any]], ok: Callable[[Any], bool], timeout: float = 20.0,
                      every: float = 0.25) -> Any:
    """Await ``get()`` until ``ok(value)``, then return the value; on time-out return the
    last value anyway, so the caller's own assertions fail with what was counted."""
    deadline = time.monotonic() + timeout
    while True:
        value = await get()
        if ok(value) or time.monotonic() > deadline:
            return value
        await asyncio.sleep(every)
