"""Debian's headless chromium driven over the Chrome DevTools Protocol (tests only).

One driver for every browser test: ``AsyncBrowser`` is the core (aiohttp's websocket
client; ``async with AsyncBrowser(url) as b``) for tests that already run an asyncio loop
beside the page, e.g. a WebRTC call; ``Browser`` is the same browser behind plain calls,
on a loop of its own, for tests that drive a page step by step (``Browser(profile)`` …
``close()``). Both load pages, run JavaScript in them, keep the protocol's events
(console messages, log entries, requests, once their domains are enabled) and take
screenshots, with real time passing (live pages).
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any, Coroutine, TypeVar

import aiohttp

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Events kept for ``console`` and for tests that read requests; a page that logs without
# end must not grow the test's memory without end.
MAX_EVENTS = 10_000
# A command that gets no answer in this time means a hung browser: fail, never hang.
REPLY_TIMEOUT_S = 30.0

T = TypeVar("T")


class AsyncBrowser:
    """One headless chromium with one page, driven over its DevTools websocket.

    ``profile`` is the browser's user-data directory (a fresh temporary one when not
    given); ``extra_args`` more command-line switches (a fake camera and microphone);
    ``fixed_viewport`` pins the page's viewport to ``width``×``height`` exactly, as a
    phone-less desktop at device scale 1.
    """

    def __init__(self, url: str = "about:blank", width: int = 1280, height: int = 800, *,
                 extra_args: tuple[str, ...] = (), profile: Path | None = None, fixed_viewport: bool = True) -> None:
        self.url = url
        self.size = (width, height)
        self.extra_args = tuple(extra_args)
        self.fixed_viewport = fixed_viewport
        # Protocol events seen while waiting for replies: see ``console``.
        self.events: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if profile is None:
            # Chromium's helper processes may still write the profile as it quits.
            self._tmp = tempfile.TemporaryDirectory(prefix="cdp-", ignore_cleanup_errors=True)
            profile = Path(self._tmp.name)
        self.profile = profile
        self._proc: subprocess.Popen[bytes] | None = None
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None

    async def start(self) -> AsyncBrowser:
        """Start chromium and connect to its page."""
        self.profile.mkdir(parents=True, exist_ok=True)
        port_file = self.profile / "DevToolsActivePort"
        port_file.unlink(missing_ok=True)  # a profile used before keeps the last run's port
        self._proc = subprocess.Popen(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                f"--user-data-dir={self.profile}", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                f"--window-size={self.size[0]},{self.size[1]}", *self.extra_args, self.url,
            ],
            # Nothing reads chromium's output: a pipe left unread would stall it once full.
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        # Chromium writes its port here once it listens (no need to parse its stderr).
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self._proc.poll() is not None:
                raise RuntimeError("chromium did not start its DevTools endpoint")
            await asyncio.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        self._session = aiohttp.ClientSession()
        pages: list[dict[str, Any]] = []
        for _ in range(100):
            async with self._session.get(f"http://127.0.0.1:{port}/json/list") as resp:
                pages = [t for t in await resp.json() if t.get("type") == "page"]
            if pages:
                break
            await asyncio.sleep(0.05)
        if not pages:
            raise RuntimeError("chromium opened no page")
        self._ws = await self._session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        if self.fixed_viewport:
            await self.set_viewport(*self.size)
        return self

    async def close(self) -> None:
        """Quit chromium and remove a temporary profile."""
        try:
            if self._ws is not None:
                await self._ws.close()
            if self._session is not None:
                await self._session.close()
        finally:
            if self._proc is not None:
                self._proc.terminate()
                try:
                    self._proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._proc.kill()
            if self._tmp is not None:
                self._tmp.cleanup()

    async def __aenter__(self) -> AsyncBrowser:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """One protocol command; returns its result (RuntimeError on a protocol error)."""
        if self._ws is None:
            raise RuntimeError("the browser is not started")
        msg_id = next(self._ids)
        await self._ws.send_str(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            msg = await self._ws.receive_json(timeout=REPLY_TIMEOUT_S)
            if "method" in msg and len(self.events) < MAX_EVENTS:
                self.events.append(msg)
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                result: dict[str, Any] = msg.get("result", {})
                return result

    async def evaluate(self, expression: str) -> dict[str, Any]:
        """``Runtime.evaluate`` as the protocol answers it (promises awaited)."""
        return await self.send("Runtime.evaluate", expression=expression, awaitPromise=True, returnByValue=True)

    async def js(self, expression: str) -> Any:
        """Evaluate ``expression`` in the page (promises awaited); returns its value.
        An exception in the page is a RuntimeError here."""
        result = await self.evaluate(expression)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    async def wait_for(self, expression: str, timeout: float = 15.0) -> Any:
        """Poll ``expression`` until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = await self.js(expression)
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {expression}")
            await asyncio.sleep(0.1)

    async def goto(self, url: str, wait: float = 2.0) -> None:
        """Navigate, then let the page's scripts run for ``wait`` seconds."""
        await self.send("Page.navigate", url=url)
        await asyncio.sleep(wait)

    async def set_cookie(self, url: str, name: str, value: str) -> None:
        """Put a cookie in the browser for ``url`` (a session, without the sign-in form)."""
        await self.send("Network.setCookie", name=name, value=value, url=url, httpOnly=True, sameSite="Strict")

    async def set_viewport(self, width: int, height: int) -> None:
        """Make the page's viewport ``width``×``height`` CSS pixels at scale 1."""
        await self.send("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=False)

    async def console(self) -> list[str]:
        """Every console and log message so far (``Log``/``Runtime`` must be enabled):
        page errors, ``console.*`` calls and the browser's own, e.g. ``Refused to …``."""
        await self.send("Runtime.evaluate", expression="0")  # read what has arrived up to now
        return console_lines(self.events)

    async def html(self) -> str:
        """The current DOM."""
        return str(await self.js("document.documentElement.outerHTML"))

    async def screenshot(self, out: Path, height: int | None = None) -> Path:
        """Save the viewport as a PNG at ``out`` (``height`` resizes the viewport first)."""
        if height:
            await self.set_viewport(self.size[0], height)
            await asyncio.sleep(0.5)  # the page lays itself out again
        data = await self.send("Page.captureScreenshot", format="png")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(base64.b64decode(data["data"]))
        return out


def console_lines(events: list[dict[str, Any]]) -> list[str]:
    """The console, log and exception messages among protocol ``events``, one line each."""
    out = []
    for e in events:
        p = e.get("params", {})
        if e["method"] == "Log.entryAdded":
            out.append(f"{p['entry'].get('level')}: {p['entry'].get('text')} {p['entry'].get('url', '')}".rstrip())
        elif e["method"] == "Runtime.consoleAPICalled":
            out.append(f"{p.get('type')}: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif e["method"] == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            out.append(f"exception: {d.get('text')} {d.get('exception', {}).get('description', '')}")
    return out


class Browser:
    """The same headless chromium behind plain (blocking) calls, started at once on
    ``about:blank`` with its profile in ``profile``; ``close()`` (or ``with``) quits it.

    Its viewport is the window chromium opens (``width``×``height``), pinned only when a
    screenshot asks for another height.
    """

    def __init__(self, profile: Path, width: int = 1280, height: int = 860) -> None:
        self._loop = asyncio.new_event_loop()
        self.core = AsyncBrowser("about:blank", width, height, profile=profile, fixed_viewport=False)
        try:
            self._run(self.core.start())
        except BaseException:
            self._run(self.core.close())
            self._loop.close()
            raise

    def _run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self._loop.run_until_complete(coro)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Protocol events seen so far (see ``AsyncBrowser.events``)."""
        return self.core.events

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command; returns its result."""
        return self._run(self.core.send(method, **params))

    def set_cookie(self, url: str, name: str, value: str) -> None:
        """Put a cookie in the browser for ``url`` (a session, without the sign-in form)."""
        self._run(self.core.set_cookie(url, name, value))

    def goto(self, url: str, wait: float = 2.0) -> None:
        """Navigate, then let the page's scripts run for ``wait`` seconds."""
        self._run(self.core.goto(url, wait))

    def js(self, expression: str) -> Any:
        """Evaluate in the page (awaiting promises); its value, or None when it threw
        (the tests of hostile pages read what is there, exception or not)."""
        return self._run(self.core.evaluate(expression)).get("result", {}).get("value")

    def wait_for(self, expression: str, timeout: float = 15.0) -> Any:
        """Poll ``expression`` until it is truthy; returns its value."""
        return self._run(self.core.wait_for(expression, timeout))

    def console(self) -> list[str]:
        """Every console and log message so far (see ``AsyncBrowser.console``)."""
        return self._run(self.core.console())

    def html(self) -> str:
        """The current DOM."""
        return self._run(self.core.html())

    def screenshot(self, path: Path, height: int | None = None) -> Path:
        """A PNG of the viewport (``height`` resizes it first)."""
        return self._run(self.core.screenshot(path, height))

    def close(self) -> None:
        """Quit chromium."""
        try:
            self._run(self.core.close())
        finally:
            self._loop.close()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()
