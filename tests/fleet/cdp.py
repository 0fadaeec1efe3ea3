"""A tiny Chrome DevTools Protocol driver for Debian's headless chromium (tests only):
navigate, evaluate JavaScript, take screenshots, with real time passing (live pages)."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = "/usr/bin/chromium"


class Browser:
    """One headless chromium with one page, driven over its DevTools WebSocket."""

    def __init__(self, profile: Path, width: int = 1280, height: int = 860) -> None:
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
             "--remote-debugging-port=0", "--hide-scrollbars", f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        port = None
        for line in self.proc.stderr:  # type: ignore[union-attr]
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if m:
                port = int(m.group(1))
                break
        assert port, "chromium did not start its DevTools endpoint"
        pages = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list").read())
        self.ws_url = next(p["webSocketDebuggerUrl"] for p in pages if p["type"] == "page")
        self.loop = asyncio.new_event_loop()
        self.ids = itertools.count(1)
        self.session: aiohttp.ClientSession | None = None
        self.ws: Any = None
        # Protocol events seen while waiting for replies (console messages, log entries
        # once Log/Runtime are enabled): see ``console``.
        self.events: list[dict[str, Any]] = []
        self.loop.run_until_complete(self._open())

    async def _open(self) -> None:
        self.session = aiohttp.ClientSession()
        self.ws = await self.session.ws_connect(self.ws_url, max_msg_size=64 * 2**20)

    async def _call(self, method: str, **params: Any) -> dict[str, Any]:
        i = next(self.ids)
        await self.ws.send_json({"id": i, "method": method, "params": params})
        while True:
            msg = await self.ws.receive_json(timeout=30)
            if "method" in msg and len(self.events) < 10_000:
                self.events.append(msg)
            if msg.get("id") == i:
                if "error" in msg:
                    raise RuntimeError(msg["error"])
                return msg.get("result", {})

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """One DevTools command."""
        return self.loop.run_until_complete(self._call(method, **params))

    def set_cookie(self, url: str, name: str, value: str) -> None:
        """Put a cookie in the browser for ``url`` (a session, without the sign-in form)."""
        self.call("Network.setCookie", name=name, value=value, url=url, httpOnly=True, sameSite="Strict")

    def goto(self, url: str, wait: float = 2.0) -> None:
        """Navigate, then let the page's scripts run for ``wait`` seconds."""
        self.call("Page.navigate", url=url)
        self.loop.run_until_complete(asyncio.sleep(wait))

    def js(self, expression: str) -> Any:
        """Evaluate in the page (awaiting promises)."""
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")

    def console(self) -> list[str]:
        """Every console and log message so far (``Log``/``Runtime`` must be enabled):
        page errors, ``console.*`` calls and the browser's own, e.g. ``Refused to …``."""
        self.call("Runtime.evaluate", expression="0")  # read what has arrived up to now
        out = []
        for e in self.events:
            p = e.get("params", {})
            if e["method"] == "Log.entryAdded":
                out.append(f"{p['entry'].get('level')}: {p['entry'].get('text')} {p['entry'].get('url', '')}".rstrip())
            elif e["method"] == "Runtime.consoleAPICalled":
                out.append(f"{p.get('type')}: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
            elif e["method"] == "Runtime.exceptionThrown":
                d = p.get("exceptionDetails", {})
                out.append(f"exception: {d.get('text')} {d.get('exception', {}).get('description', '')}")
        return out

    def html(self) -> str:
        """The current DOM."""
        return str(self.js("document.documentElement.outerHTML"))

    def screenshot(self, path: Path, height: int | None = None) -> None:
        """A PNG of the viewport (``height`` resizes it first)."""
        if height:
            self.call("Emulation.setDeviceMetricsOverride", width=1280, height=height, deviceScaleFactor=1, mobile=False)
            self.loop.run_until_complete(asyncio.sleep(0.5))
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        """Quit chromium."""
        async def _close() -> None:
            await self.ws.close()
            await self.session.close()  # type: ignore[union-attr]

        try:
            self.loop.run_until_complete(_close())
        finally:
            self.loop.close()
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
