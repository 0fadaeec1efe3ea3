"""The window console's HTTP side: a static page and a small JSON API on the queue.

Staff sign in to a window with the services it handles (and the site's PIN when one is
set); every request then names its window and services, so the server keeps no
sessions and any number of tablets, consoles and ``kiosk queue`` commands can act on the
same queue. Queue calls are blocking SQLite transactions: they run on one worker thread
with its own connection; two consoles on two processes are kept apart by SQLite's write
lock (``BEGIN IMMEDIATE``), so two windows never get the same ticket.

Responses carry ticket numbers, services, states and counts — never people.

The page is served on the site's own network, where any other page a staff browser
opens could post to it: every request that changes something must be JSON (a page of
another site cannot send that without asking first, and is never allowed) and must not
come from another origin (``Origin``, ``Sec-Fetch-Site``), whatever its content type.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from aiohttp import web

from fleet import web_headers
from fleet.window_console import rating
from kiosk.errors import KioskError
from kiosk.i18n import LANGUAGES
from kiosk.terminal import Terminal
from kiosk.tickets import Ticket

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
T = TypeVar("T")

# Every text the page shows, by catalogue key (kiosk/locale/*.toml, section [console]).
CONSOLE_KEYS = (
    "printer_state.not_printed",
    "console.title", "console.window", "console.services", "console.pin",
    "console.sign_in", "console.sign_out", "console.serving", "console.nobody_serving", "console.call_next",
    "console.recall", "console.skip", "console.done", "console.transfer", "console.transfer_to",
    "console.waiting", "console.waiting_count", "console.nobody_waiting", "console.other_windows",
    "console.priority", "console.waited", "console.called", "console.bad_pin", "console.window_idle",
    "console.error", "console.other_lang", "console.recalls", "console.same_service", "console.transferred", "console.window_serving",
)
MAX_WINDOW = 99
UPCOMING = 8  # how many of the next tickets the page lists


def ticket_json(t: Ticket, now: Any = None) -> dict[str, Any]:
    """A ticket as the page sees it: number, service, priority, state, window, times."""
    doc: dict[str, Any] = {
        "number": t.number,
        "service": t.service,
        "priority": t.priority.value,
        "state": t.state.value,
        "window": t.window,
        "recalls": t.recalls,
        "printed": t.printed,  # False: the kiosk could not print it (the person has no paper)
        "issued_at": t.issued_at.isoformat(timespec="seconds"),
        "called_at": t.called_at.isoformat(timespec="seconds") if t.called_at else None,
    }
    if now is not None:
        doc["waited_minutes"] = max(0, int((now - t.issued_at).total_seconds() // 60))
    return doc


class ConsoleServer:
    """The console web app over one terminal's queue; ``start``/``stop`` in the caller's loop."""

    def __init__(self, terminal: Terminal, pin: str | None = None) -> None:
        self.terminal = terminal
        self._pin = pin or None
        # One worker: the terminal's SQLite connection is used by one thread at a time.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="console-queue")
        self._runner: web.AppRunner | None = None

    def app(self) -> web.Application:
        """The aiohttp application (routes only; no I/O until it serves)."""
        app = web_headers.install(web.Application(middlewares=[self._same_origin, self._errors]))  # CSP, nosniff on every response
        app.router.add_get("/", self._index)
        app.router.add_static("/static/", STATIC)
        app.router.add_get("/api/setup", self._setup)
        app.router.add_post("/api/sign-in", self._sign_in)
        app.router.add_get("/api/state", self._state)
        for action in ("call", "recall", "skip", "done", "transfer"):
            app.router.add_post(f"/api/{action}", self._action)
        rating.setup(app, self)  # the rating pad after 办结
        return app

    async def start(self, host: str, port: int) -> int:
        """Listen on ``host:port`` (port 0: any free port); returns the port."""
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = next((int(addr[1]) for addr in self._runner.addresses), port)
        log.info("window console on http://%s:%d/", host, bound)
        return int(bound)

    async def stop(self) -> None:
        """Stop serving and release the worker."""
        if self._runner is not None:
            await self._runner.cleanup()
        self._pool.shutdown(wait=True)

    # --- plumbing -------------------------------------------------------------------------

    async def run(self, fn: Callable[[], T]) -> T:
        """Queue work on the console's one worker thread (its SQLite connection)."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn)

    @web.middleware
    async def _same_origin(self, request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        """Refuse a request that changes something when a browser says it comes from
        another site, or when it is not JSON (a cross-site form can only post text/plain,
        form or multipart bodies)."""
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return await handler(request)
        fetch_site = request.headers.get("Sec-Fetch-Site", "")
        origin = request.headers.get("Origin")
        cross = fetch_site not in ("", "same-origin", "none") or (
            origin is not None and (origin == "null" or urlsplit(origin).netloc.lower() != request.host.lower()))
        if cross:
            log.warning("refused a cross-site %s %s", request.method, request.path)
            return web.json_response({"error": "console.error", "detail": "cross-site request refused"}, status=403)
        if request.content_type != "application/json":
            return web.json_response({"error": "console.error", "detail": "expected application/json"}, status=415)
        return await handler(request)

    @web.middleware
    async def _errors(self, request: web.Request, handler: Callable[[web.Request], Any]) -> web.StreamResponse:
        try:
            return await handler(request)
        except KioskError as exc:
            # A refused queue action (no ticket at the window, unknown service): the
            # page shows the message by its key.
            key = exc.message_key.replace("queue.", "console.") if exc.message_key.startswith("queue.") else "console.error"
            return web.json_response({"error": key, "detail": exc.detail}, status=409)

    async def read_body(self, request: web.Request) -> dict[str, Any]:
        """The request's JSON object (400 with the page's error key otherwise)."""
        try:
            body = await request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text='{"error": "console.error", "detail": "expected a JSON object"}', content_type="application/json")
        return body

    def check_pin(self, request: web.Request, body: dict[str, Any] | None = None) -> None:
        """403 unless the request carries the site's PIN (header or body), when one is set."""
        if self._pin is None:
            return
        given = request.headers.get("X-Console-Pin") or (body or {}).get("pin") or ""
        if not hmac.compare_digest(str(given).encode(), self._pin.encode()):
            raise web.HTTPForbidden(text='{"error": "console.bad_pin"}', content_type="application/json")

    def window_of(self, value: Any) -> int:
        """The window number a request names (400 unless 1..MAX_WINDOW)."""
        try:
            window = int(value)
        except (TypeError, ValueError):
            raise web.HTTPBadRequest(text='{"error": "console.error", "detail": "window must be a number"}', content_type="application/json") from None
        if not 1 <= window <= MAX_WINDOW:
            raise web.HTTPBadRequest(text='{"error": "console.error", "detail": "window out of range"}', content_type="application/json")
        return window

    def _services(self, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [v for v in value.split(",") if v]
        codes = list(value or [])
        known = set(self.terminal.catalog.codes())
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise web.HTTPBadRequest(text=f'{{"error": "console.error", "detail": "unknown service {unknown[0]}"}}', content_type="application/json")
        return codes

    # --- routes ---------------------------------------------------------------------------

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def _setup(self, request: web.Request) -> web.Response:
        """Texts, services and site: what the page needs before sign-in."""
        lang = request.query.get("lang", self.terminal.config.language)
        if lang not in LANGUAGES:
            lang = "zh_CN"
        tr = self.terminal.translator
        config = self.terminal.config
        return web.json_response(
            {
                "lang": lang,
                "site": config.site_name if lang == "zh_CN" else (config.site_name_en or config.site_name),
                "pin_required": self._pin is not None,
                "texts": {k.removeprefix("console."): tr.t(k, lang) for k in CONSOLE_KEYS},
                "services": [
                    {"code": s.code, "prefix": s.prefix, "name": s.name.get(lang)} for s in self.terminal.catalog.services
                ],
            }
        )

    async def _sign_in(self, request: web.Request) -> web.Response:
        body = await self.read_body(request)
        self.check_pin(request, body)
        window = self.window_of(body.get("window"))
        services = self._services(body.get("services"))
        log.info("window %d signed in for %s", window, ",".join(services) or "all services")
        return web.json_response({"window": window, "services": services})

    async def _state(self, request: web.Request) -> web.Response:
        self.check_pin(request)
        window = self.window_of(request.query.get("window"))
        services = self._services(request.query.get("services", ""))
        queue = self.terminal.queue

        def look() -> dict[str, Any]:
            now = self.terminal.clock.now()
            serving = queue.serving()
            waiting = queue.waiting(services or None)
            return {
                "window": window,
                "serving": ticket_json(serving[window], now) if window in serving else None,
                "upcoming": [ticket_json(t, now) for t in queue.upcoming(services or None, UPCOMING)],
                "waiting_count": len(waiting),
                "windows": [{"window": w, "number": t.number} for w, t in serving.items() if w != window],
            }

        return web.json_response(await self.run(look))

    async def _action(self, request: web.Request) -> web.Response:
        action = request.path.rsplit("/", 1)[-1]
        body = await self.read_body(request)
        self.check_pin(request, body)
        window = self.window_of(body.get("window"))
        queue = self.terminal.queue

        def act() -> Ticket | None:
            if action == "call":
                return queue.call_next(window, self._services(body.get("services")) or None)
            if action == "transfer":
                return queue.transfer(window, str(body.get("service", "")))
            return getattr(queue, action)(window)

        ticket = await self.run(act)
        now = self.terminal.clock.now()
        return web.json_response({"action": action, "ticket": ticket_json(ticket, now) if ticket else None})


async def serve(terminal: Terminal, host: str, port: int, pin: str | None = None, ready: Callable[[int], None] | None = None) -> None:
    """Serve the console until cancelled; ``ready`` is told the bound port."""
    server = ConsoleServer(terminal, pin)
    bound = await server.start(host, port)
    if ready is not None:
        ready(bound)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()
