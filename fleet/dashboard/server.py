"""The technicians' dashboard (aiohttp page set): static page, JSON API, live updates by SSE.

The store is read in the default executor (SQLAlchemy is blocking); commands wait for
their MQTT reply there too. Changes from the ingest thread reach the browsers through
``notify`` (thread-safe), which wakes every open event stream.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from aiohttp import web

from fleet.center.auth.users import User
from fleet.center.auth.web import AUTH, require
from fleet.center.confine import OutsideBase, confined
from fleet.center.web_context import CentreContext
from fleet.topics import CommandResult
from kiosk.terminal_id import is_terminal_id

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"


def alerts(row: dict[str, Any], offline_minutes: float, now: datetime) -> list[str]:
    """Alert codes for one terminal (the page translates them)."""
    out = []
    if not row["online"]:
        seen = datetime.fromisoformat(row["last_seen"]) if row["last_seen"] else None
        if seen is None or (now - seen).total_seconds() > offline_minutes * 60:
            out.append("offline")
    for f in row["faults"]:
        if f.endswith(":paper_out"):
            out.append("paper_out")
        elif f.startswith("idcard:"):
            out.append("reader_missing")
        elif f.startswith("speech:"):
            out.append("speech_model_missing")  # voice mode is offered but hears nothing
        elif f.startswith("printer:") and "printer_fault" not in out:
            out.append("printer_fault")
        elif f == "config:fallback":
            out.append("config_fallback")
        elif f.startswith("store:"):
            out.append("store_damaged")
    if "paper_out" in out and "printer_fault" in out:
        out.remove("printer_fault")  # paper out says it better
    return out


def colour(row: dict[str, Any], al: list[str]) -> str:
    """green (well), amber (a fault), red (an alert that stops service), grey (offline, recent)."""
    if "offline" in al:
        return "red"
    if not row["online"]:
        return "grey"
    if al:
        return "amber"
    return "green"


class DashboardPages:
    """The technicians' pages: the fleet overview, one terminal, commands, screenshots
    and the live event stream. One page set of the centre's web app (``webapp.py``)."""

    def __init__(self, centre: CentreContext, offline_minutes: float = 5.0) -> None:
        self.link = centre.link
        self.store = centre.store
        self.data_dir = centre.data_dir
        self.offline_minutes = offline_minutes
        self._loop: asyncio.AbstractEventLoop | None = None
        self._queues: set[asyncio.Queue[str]] = set()

    def setup(self, app: web.Application) -> None:
        """Add the pages and their API to the centre's app."""
        app.router.add_get("/", self._index)
        app.router.add_static("/static/", STATIC)
        app.router.add_get("/api/terminals", self._terminals)
        app.router.add_get("/api/terminals/{tid}", self._terminal)
        app.router.add_post("/api/terminals/{tid}/cmd", self._command)
        app.router.add_get("/api/terminals/{tid}/screenshot.png", self._screenshot)
        app.router.add_get("/api/stream", self._stream)
        app.on_startup.append(self._started)

    async def _started(self, app: web.Application) -> None:
        self._loop = asyncio.get_running_loop()

    def notify(self, changed: set[str]) -> None:
        """From any thread: tell open pages which terminals changed."""
        if self._loop is None:
            return
        msg = json.dumps(sorted(changed)[:500])
        self._loop.call_soon_threadsafe(self._broadcast, msg)

    def _broadcast(self, msg: str) -> None:
        for q in list(self._queues):
            if q.qsize() < 100:
                q.put_nowait(msg)

    def _screenshot_path(self, tid: str) -> Path:
        """Where a terminal's last screenshot is kept; 404 for anything that is not a
        terminal id (``..%2Fx`` would otherwise name a file elsewhere)."""
        if not is_terminal_id(tid):
            raise web.HTTPNotFound()
        try:
            return confined(self.data_dir / "screenshots", f"{tid}.png")
        except OutsideBase:
            raise web.HTTPNotFound() from None

    def _rows(self) -> list[dict[str, Any]]:
        now = datetime.now(timezone.utc)
        out = []
        for r in self.store.terminal_rows():
            al = alerts(r, self.offline_minutes, now)
            tel = r.pop("telemetry") or {}
            r.update(alerts=al, colour=colour(r, al), tickets_today=tel.get("tickets_today"), outbox_pending=tel.get("outbox_pending"),
                     offline_alert_minutes=self.offline_minutes)
            out.append(r)
        return out

    async def _index(self, request: web.Request) -> web.StreamResponse:
        user: User | None = request.get("user")
        if user is not None and user.role not in ("admin", "technician"):
            home = request.config_dict[AUTH].home(user)
            if home != "/":
                raise web.HTTPFound(home)  # a lawyer's "/" is the lawyer desk
        await require(request, "technician")
        return web.FileResponse(STATIC / "index.html")

    async def _terminals(self, request: web.Request) -> web.Response:
        await require(request, "technician")
        rows = await asyncio.get_running_loop().run_in_executor(None, self._rows)
        return web.json_response(rows)

    async def _terminal(self, request: web.Request) -> web.Response:
        await require(request, "technician")
        tid = request.match_info["tid"]
        shot = self._screenshot_path(tid)

        def load() -> dict[str, Any] | None:
            row = self.store.terminal(tid)
            if row is None:
                return None
            al = alerts(row, self.offline_minutes, datetime.now(timezone.utc))
            row.update(alerts=al, colour=colour(row, al), offline_alert_minutes=self.offline_minutes, history=self.store.history(tid), commands=self.store.recent_commands(tid),
                       restarts=self.store.restarts(tid))
            row["has_screenshot"] = shot.is_file()
            return row

        row = await asyncio.get_running_loop().run_in_executor(None, load)
        if row is None:
            raise web.HTTPNotFound()
        return web.json_response(row)

    async def _command(self, request: web.Request) -> web.Response:
        await require(request, "technician")
        tid = request.match_info["tid"]
        shot = self._screenshot_path(tid)  # the id is checked before anything is sent
        try:
            body = await request.json()
            name, args = str(body["name"]), dict(body.get("args") or {})
        except (ValueError, KeyError, TypeError):
            raise web.HTTPBadRequest(text="expected {name, args}")
        def run() -> CommandResult:
            res = self.link.command(tid, name, args, timeout=15)
            self.link.flush_journal()  # the page redraws its history next
            return res

        res = await asyncio.get_running_loop().run_in_executor(None, run)
        doc = res.model_dump(mode="json", exclude_none=True)
        if res.ok and name == "screenshot":
            png = base64.b64decode(doc["result"].pop("png_base64"))
            shot.parent.mkdir(parents=True, exist_ok=True)
            shot.write_bytes(png)
        self.notify({tid})
        return web.json_response(doc)

    async def _screenshot(self, request: web.Request) -> web.StreamResponse:
        await require(request, "technician")
        path = self._screenshot_path(request.match_info["tid"])
        if not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Cache-Control": "no-store"})

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        await require(request, "technician")
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        await resp.prepare(request)
        q: asyncio.Queue[str] = asyncio.Queue()
        self._queues.add(q)
        # Streams end after ``max`` seconds and the browser reconnects (EventSource does
        # by itself): proxies drop endless responses, and headless tests need an end.
        try:
            max_s = min(3600.0, max(1.0, float(request.query.get("max", "600"))))
        except ValueError:
            max_s = 600.0
        end = asyncio.get_running_loop().time() + max_s
        try:
            await resp.write(b"retry: 1000\n: hello\n\n")
            while (left := end - asyncio.get_running_loop().time()) > 0:
                try:
                    msg = await asyncio.wait_for(q.get(), timeout=min(15, left))
                    await resp.write(f"data: {msg}\n\n".encode())
                except asyncio.TimeoutError:
                    await resp.write(b": keep-alive\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            self._queues.discard(q)
        return resp

