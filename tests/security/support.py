"""Helpers of the security tests: a corpus of hostile strings, the centre's real web app
(with one extra route, the canary a script would call if one ran), staff accounts, and
headless chromium pages that record what the browser refused and what scripts did."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from aiohttp import web

from fleet.center.auth import Users, login_cookie
from fleet.window_console.server import ConsoleServer
from fleet.center.webapp import CentreWebApp
from tests.support.cdp import Browser
from tests.fleet.conftest import Fleet

# What a terminal or a person could type. Each would, if it ran as script, call the
# canary route, set window.__pwned or retitle the page: the tests look for all three,
# and look for each string shown as it is, as text.
PAYLOADS: tuple[str, ...] = (
    "<img src=x onerror=\"window.__pwned=1;fetch('/pwned?img')\">",
    "<script>window.__pwned=2;fetch('/pwned?script')</script>",
    "\"><svg onload=\"document.title='PWNED';fetch('/pwned?svg')\">",
    "javascript:fetch('/pwned?url')",
    "</textarea></pre></td><img src=x onerror=fetch('/pwned?close')>",
    "${fetch('/pwned?tpl')}`+fetch('/pwned?tick')+`",
    "'><iframe srcdoc=\"<script>parent.fetch('/pwned?frame')</script>\"></iframe>",
    "\u202eevil\u202c <b onmouseover=fetch('/pwned?rtl')>RTL</b>",
    "{{constructor.constructor('fetch(\"/pwned?tmpl\")')()}}",
    "&lt;b&gt; &amp; &#60;i&#62; <style>body{display:none}</style>",
)
# Fields the centre keeps short (a command name: 32 characters at most).
SHORT: tuple[str, ...] = ("<svg onload=fetch('/pwned?c1')>", "\"><img src=x onerror=__pwned=3>")
# A user name has no spaces; the rest of a payload is up to the attacker.
NAME = "<svg/onload=fetch('/pwned?user')>"

# Injected before every page's own scripts (DevTools scripts are not subject to the CSP):
# records the page's CSP violations, so a test can say none happened.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
});
"""


class CanaryDashboard(CentreWebApp):
    """The centre's real web app with one more route: ``/pwned``, which only a script
    that should never have run would call."""

    def __init__(self, *a: Any, **kw: Any) -> None:
        super().__init__(*a, **kw)
        self.hits: list[str] = []

    def app(self) -> web.Application:
        """The real application plus the canary."""
        app = super().app()

        async def pwned(request: web.Request) -> web.Response:
            self.hits.append(request.path_qs)
            return web.Response(text="")

        app.router.add_route("*", "/pwned", pwned)
        return app


class Centre:
    """A real Mosquitto, the centre's link and store, and its web app on a loop of its own."""

    def __init__(self, tmp: Path) -> None:
        self.fleet = Fleet(tmp)
        self.data_dir = tmp / "centre"
        self.data_dir.mkdir(exist_ok=True)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="test-web", daemon=True)
        self.thread.start()
        self.dash = CanaryDashboard(self.fleet.center, self.data_dir)
        port = asyncio.run_coroutine_threadsafe(self.dash.start("127.0.0.1", 0), self.loop).result(20)
        self.base = f"http://127.0.0.1:{port}"
        self.users = Users(self.fleet.store)

    def account(self, name: str, role: str, display: str = "") -> tuple[str, str]:
        """A staff account (made if new); returns its session cookie ``(name, value)``."""
        if self.users.get(name) is None:
            self.users.add(name, role, "a long password 1", display)
        user = self.users.get(name)
        assert user is not None
        return login_cookie(self.data_dir, user)

    def close(self) -> None:
        """Stop the web app, its loop and the fleet."""
        try:
            # An open event stream ends within its ``sse`` seconds (the tests' pages ask for 2).
            asyncio.run_coroutine_threadsafe(self.dash.stop(), self.loop).result(30)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)
            self.fleet.close()


class ConsoleWeb:
    """The window console's real server on a loop of its own."""

    def __init__(self, terminal: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = ConsoleServer(terminal)
        port = asyncio.run_coroutine_threadsafe(self.server.start("127.0.0.1", 0), self.loop).result(20)
        self.base = f"http://127.0.0.1:{port}"

    def close(self) -> None:
        """Stop the server and its loop."""
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def browser(profile: Path, *, bypass_csp: bool = False) -> Browser:
    """Headless chromium recording console messages and CSP violations. ``bypass_csp``
    turns the policy off in this browser, so a test sees what the page's own code does
    with hostile data, with no policy to save it."""
    b = Browser(profile)
    b.call("Page.enable")
    b.call("Log.enable")
    b.call("Runtime.enable")
    b.call("Network.enable")  # every request the page makes, for ``nothing_ran``
    b.call("Page.addScriptToEvaluateOnNewDocument", source=WATCH)
    if bypass_csp:
        b.call("Page.setBypassCSP", enabled=True)
    return b


def signed_in(b: Browser, base: str, cookie: tuple[str, str]) -> None:
    """Give ``b`` the session ``cookie`` for ``base``."""
    b.call("Network.clearBrowserCookies")
    b.set_cookie(base + "/", *cookie)


def nothing_ran(b: Browser, dash: CanaryDashboard | None = None) -> list[str]:
    """What shows that a hostile string ran as script (empty: nothing did): a request
    for the canary seen by the browser or by the centre, window.__pwned, the title."""
    b.console()  # reads the events that have arrived
    found = [f"request: {e['params']['request']['url']}" for e in b.events
             if e["method"] == "Network.requestWillBeSent" and urlsplit(e["params"]["request"]["url"]).path.endswith("/pwned")]
    found += [f"canary hit: {h}" for h in (dash.hits if dash is not None else [])]
    if b.js("window.__pwned") is not None:
        found.append(f"window.__pwned = {b.js('window.__pwned')}")
    if b.js("document.title") == "PWNED":
        found.append("document.title = PWNED")
    return found


def violations(b: Browser) -> list[str]:
    """CSP violations on the page, by the DOM event and by the browser's console."""
    seen = list(b.js("window.__violations || []") or [])
    seen += [m for m in b.console() if "Content Security Policy" in m or "Refused to" in m]
    return seen


def page_text(b: Browser) -> str:
    """Every text of the page as the DOM holds it (what a person can read)."""
    return str(b.js("document.body.textContent"))


def missing(text: str, strings: Iterator[str] | tuple[str, ...] | list[str]) -> list[str]:
    """The strings not shown, literally, in ``text``."""
    return [s for s in strings if s not in text]
