"""The lawyer desk on the centre's web server: the page, its WebSocket, the signalling
relay between terminals (MQTT, ``call/out`` / ``call/in``) and browsers, notes, and
recording uploads.

Threads: the broker's dispatcher thread only hands terminal messages to the event loop
(``call_soon_threadsafe``); every piece of desk state (the line, the desks, calls in
progress) is owned by the loop, so nothing here needs a lock. Store writes go to one
worker thread, in order.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, TypeVar

from aiohttp import WSMsgType, web

from fleet import topics
from fleet.center.auth.web import AUTH, require, set_home
from fleet.center.confine import OutsideBase, confined, is_call_id
from fleet.center.service import CenterLink
from fleet.center.store import Store
from fleet.center.web_context import CentreContext
from fleet.desk.config import DeskConfig, load_desk_config
from fleet.desk.routing import Lawyer, Router, WaitingCall
from fleet.desk.store import DeskStore

log = logging.getLogger(__name__)
T = TypeVar("T")
STATIC = Path(__file__).parent / "static"
DESK_KEY = web.AppKey("desk", object)
_PURGE_EVERY_S = 3600.0


@dataclass
class LiveCall:
    """A call a lawyer has taken (connecting, then in progress)."""

    call: WaitingCall
    lawyer: Lawyer
    ws: web.WebSocketResponse
    answered: bool = False


class Desk:
    """The desk's state and handlers (one per web app)."""

    def __init__(self, link: CenterLink, store: Store, data_dir: Path, config: DeskConfig | None = None) -> None:
        self.link = link
        self.center_store = store
        self.store = DeskStore(store)
        self.data_dir = Path(data_dir)
        self.config = config or load_desk_config(self.data_dir)
        self.rec_dir = self.config.recordings_dir or self.data_dir / "recordings"
        self.router = Router()
        self.desks: dict[web.WebSocketResponse, Lawyer] = {}
        self.live: dict[str, LiveCall] = {}
        self.loop: asyncio.AbstractEventLoop | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="desk-store")
        self._uploads: dict[tuple[str, str], int] = {}  # (call, side) → next chunk number
        self._open_files: dict[tuple[str, str], Path] = {}  # recordings still being uploaded
        self._sizes: dict[tuple[str, str], int] = {}  # bytes written so far
        self._busy: set[tuple[str, str]] = set()  # a chunk being written
        self._mean_call_s = self.config.default_call_seconds
        self._purger: asyncio.Task[None] | None = None

    # ---- wiring --------------------------------------------------------------------
    def setup(self, app: web.Application) -> None:
        """Routes, the MQTT handler, start-up and clean-up hooks."""
        app[DESK_KEY] = self
        app.router.add_get("/desk", self._page)
        app.router.add_get("/desk/", self._page)
        app.router.add_static("/desk/static/", STATIC)
        app.router.add_get("/desk/ws", self._ws)
        app.router.add_post("/desk/api/calls/{call_id}/notes", self._notes)
        app.router.add_post("/desk/api/calls/{call_id}/recording/{side}", self._upload)
        app.router.add_get("/desk/api/history", self._history)
        if AUTH in app:
            set_home(app, "lawyer", "/desk/")
        app.on_startup.append(self._started)
        app.on_cleanup.append(self._cleanup)
        self.link.on_message(topics.CALL_OUT, self._from_broker)

    async def _started(self, app: web.Application) -> None:
        self.loop = asyncio.get_running_loop()
        self._mean_call_s = await self._db(self.store.mean_call_seconds, self.config.default_call_seconds)
        self._purger = asyncio.ensure_future(self._purge_loop())

    async def _cleanup(self, app: web.Application) -> None:
        if self._purger is not None:
            self._purger.cancel()
        for ws in list(self.desks):
            await ws.close()
        self._writer.shutdown(wait=True)

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        assert self.loop is not None
        return await self.loop.run_in_executor(self._writer, fn, *args)

    def _write(self, fn: Callable[..., Any], *args: Any) -> None:
        # Fire and forget, but in order (one worker): requested → answered → ended.
        fut = self._writer.submit(fn, *args)
        fut.add_done_callback(_log_failure)

    # ---- terminals (MQTT) -----------------------------------------------------------
    def _from_broker(self, terminal_id: str, payload: bytes) -> None:
        """On the link's dispatcher thread: parse, then hand over to the loop."""
        try:
            sig = topics.CallSignal.from_bytes(payload)
        except ValueError as exc:
            log.warning("bad call signal from %s: %s", terminal_id, str(exc)[:200])
            return
        if self.loop is None:
            log.warning("call signal from %s before the desk started; dropped", terminal_id)
            return
        self.loop.call_soon_threadsafe(lambda: asyncio.ensure_future(self._on_signal(terminal_id, sig)))

    def _to_terminal(self, terminal_id: str, **fields: Any) -> None:
        self.link.send(terminal_id, topics.CALL_IN, topics.CallSignal(**fields).to_bytes())

    async def _on_signal(self, tid: str, sig: topics.CallSignal) -> None:
        if sig.type == "request":
            await self._request(tid, sig)
        elif sig.type in ("cancel", "hangup"):
            self._terminal_ended(tid, sig.call_id, "terminal_" + ("cancelled" if sig.type == "cancel" else "hung_up"))
        else:
            log.warning("terminal %s sent %s: not a terminal's signal", tid, sig.type)

    async def _request(self, tid: str, sig: topics.CallSignal) -> None:
        if not sig.sdp or sig.call_id in self.live or self.router.position(sig.call_id):
            self._to_terminal(tid, type="error", call_id=sig.call_id, reason="bad_request")
            return
        on_duty = sum(1 for d in self.desks.values() if d.on_duty)
        if on_duty == 0:
            log.info("call %s from %s: no lawyer on duty", sig.call_id, tid)
            self._to_terminal(tid, type="error", call_id=sig.call_id, reason="no_lawyer")
            return
        row = await self._db(self.center_store.terminal, tid)
        site = (row or {}).get("site") or tid
        call = WaitingCall(sig.call_id, tid, site, sig.service or "video", sig.priority or "normal", bool(sig.record), sig.sdp,
                           sig.language or "zh_CN", requested_at=time.time())
        self._write(self.store.call_requested, call.call_id, tid, site, call.service, call.priority, call.record)
        self.router.add(call)
        log.info("call %s from %s (%s, %s, recording %s) waits at %d", call.call_id, tid, call.service, call.priority,
                 "consented" if call.record else "refused", self.router.position(call.call_id) or 0)
        self._line_changed()

    def _terminal_ended(self, tid: str, call_id: str, reason: str) -> None:
        # Only the terminal that placed a call may end it: the id comes from the MQTT
        # topic the message arrived on, which the broker binds to the sender's identity,
        # while a call id is only a string any terminal can copy.
        waiting = next((c for c in self.router.waiting if c.call_id == call_id), None)
        live = self.live.get(call_id)
        owner = waiting.terminal_id if waiting is not None else live.call.terminal_id if live is not None else None
        if owner is None:
            return
        if owner != tid:
            log.warning("terminal %s tried to end call %s of terminal %s; refused", tid, call_id, owner)
            return
        if waiting is not None:
            self.router.remove(call_id)
            self._write(self.store.call_ended, call_id, reason)
            self._line_changed()
            return
        assert live is not None
        del self.live[call_id]
        live.lawyer.call_id = None
        self._write(self.store.call_ended, call_id, reason)
        self._close_abandoned(call_id)
        asyncio.ensure_future(self._send(live.ws, {"type": "ended", "call_id": call_id, "reason": reason}))
        self._line_changed()

    # ---- the line -------------------------------------------------------------------
    def _line_changed(self) -> None:
        """Tell waiting terminals their place and every desk the line."""
        on_duty = sum(1 for d in self.desks.values() if d.on_duty)
        busy = sum(1 for d in self.desks.values() if d.on_duty and d.call_id)
        for i, c in enumerate(self.router.waiting):
            est = Router.estimate_s(i + 1, on_duty, busy, self._mean_call_s)
            self._to_terminal(c.terminal_id, type="queued", call_id=c.call_id, position=i + 1, estimate_s=est, lawyers_on_duty=on_duty)
        now = time.time()
        line = [{"call_id": c.call_id, "terminal_id": c.terminal_id, "site": c.site, "service": c.service, "priority": c.priority,
                 "record": c.record, "waited_s": round(now - c.requested_at)} for c in self.router.waiting]
        for ws, desk in list(self.desks.items()):
            asyncio.ensure_future(self._send(ws, {"type": "queue", "calls": line, "on_duty": on_duty, "me": self._desk_doc(desk)}))

    @staticmethod
    def _desk_doc(desk: Lawyer) -> dict[str, Any]:
        return {"name": desk.name, "display_name": desk.display_name, "on_duty": desk.on_duty, "call_id": desk.call_id}

    async def _send(self, ws: web.WebSocketResponse, doc: dict[str, Any]) -> None:
        if not ws.closed:
            try:
                await ws.send_str(json.dumps(doc, ensure_ascii=False))
            except (ConnectionResetError, RuntimeError):
                pass

    # ---- lawyers (WebSocket) ------------------------------------------------------------
    async def _page(self, request: web.Request) -> web.StreamResponse:
        await require(request, "lawyer")
        if request.path == "/desk":
            raise web.HTTPFound("/desk/")
        return web.FileResponse(STATIC / "desk.html", headers={"Cache-Control": "no-store"})

    async def _ws(self, request: web.Request) -> web.StreamResponse:
        user = await require(request, "lawyer")  # before the upgrade: no session, no socket
        ws = web.WebSocketResponse(heartbeat=20)
        await ws.prepare(request)
        desk = Lawyer(user.name, user.display_name or user.name)
        self.desks[ws] = desk
        ice = [s.model_dump() for s in self.config.ice_servers]
        await self._send(ws, {"type": "hello", "me": self._desk_doc(desk), "ice_servers": ice, "record_chunk_ms": self.config.record_chunk_ms})
        self._line_changed()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    doc = json.loads(msg.data)
                    await self._from_desk(ws, desk, doc)
                except (ValueError, KeyError, TypeError) as exc:
                    await self._send(ws, {"type": "error", "code": "bad_request", "detail": str(exc)[:200]})
        finally:
            self.desks.pop(ws, None)
            if desk.call_id:
                # The lawyer's page closed mid-call: the person must not be left looking at a frozen picture.
                self._desk_ended(desk, desk.call_id, "lawyer_lost")
            self._line_changed()
        return ws

    async def _from_desk(self, ws: web.WebSocketResponse, desk: Lawyer, doc: dict[str, Any]) -> None:
        kind = doc["type"]
        if kind == "duty":
            desk.on_duty = bool(doc["on"])
            log.info("lawyer %s %s duty", desk.name, "on" if desk.on_duty else "off")
            # The people waiting hear of it (with nobody left on duty they are told so, and
            # may keep waiting or cancel).
            self._line_changed()
        elif kind == "answer":
            if not desk.free:
                await self._send(ws, {"type": "error", "code": "not_free"})
                return
            call = self.router.head()
            if call is None:
                await self._send(ws, {"type": "error", "code": "no_call"})
                return
            self.router.remove(call.call_id)
            desk.call_id = call.call_id
            self.live[call.call_id] = LiveCall(call, desk, ws)
            await self._send(ws, {"type": "offer", "sdp": call.offer_sdp, "call": {
                "call_id": call.call_id, "terminal_id": call.terminal_id, "site": call.site, "service": call.service,
                "priority": call.priority, "record": call.record, "language": call.language}})
            self._line_changed()
        elif kind == "sdp":
            live = self.live.get(str(doc["call_id"]))
            if live is None or live.ws is not ws:
                await self._send(ws, {"type": "error", "code": "no_such_call"})
                return
            live.answered = True
            self._write(self.store.call_answered, live.call.call_id, desk.name)
            self._to_terminal(live.call.terminal_id, type="answered", call_id=live.call.call_id, sdp=str(doc["sdp"]), lawyer=desk.display_name)
            log.info("call %s answered by %s", live.call.call_id, desk.name)
        elif kind == "hangup":
            self._desk_ended(desk, str(doc["call_id"]), "lawyer_hung_up")
        else:
            await self._send(ws, {"type": "error", "code": "unknown_type"})

    def _desk_ended(self, desk: Lawyer, call_id: str, reason: str) -> None:
        live = self.live.get(call_id)
        if live is None or live.lawyer is not desk:
            return
        del self.live[call_id]
        desk.call_id = None
        self._write(self.store.call_ended, call_id, reason)
        self._close_abandoned(call_id)
        self._to_terminal(live.call.terminal_id, type="ended", call_id=call_id, reason=reason)
        asyncio.ensure_future(self._send(live.ws, {"type": "ended", "call_id": call_id, "reason": reason}))
        self._line_changed()
        asyncio.ensure_future(self._refresh_mean())

    async def _refresh_mean(self) -> None:
        self._mean_call_s = await self._db(self.store.mean_call_seconds, self.config.default_call_seconds)

    # ---- notes, history ---------------------------------------------------------------
    async def _notes(self, request: web.Request) -> web.Response:
        user = await require(request, "lawyer")
        body = await request.json()
        notes = str(body.get("notes", ""))[:20000]
        ok = await self._db(self.store.save_notes, request.match_info["call_id"], user.name, notes)
        if not ok:
            raise web.HTTPNotFound(text=json.dumps({"error": "not_your_call"}), content_type="application/json")
        return web.json_response({"ok": True, "saved_at": datetime.now(timezone.utc).isoformat()})

    async def _history(self, request: web.Request) -> web.Response:
        user = await require(request, "lawyer")
        rows = await self._db(self.store.recent_calls, user.name)
        return web.json_response(rows, dumps=lambda o: json.dumps(o, default=str, ensure_ascii=False))

    # ---- recording ----------------------------------------------------------------------
    async def _upload(self, request: web.Request) -> web.Response:
        """One chunk of a recording from the lawyer's browser (MediaRecorder, WebM).

        Accepted only for the uploading lawyer's own call and only when the person at the
        terminal consented: the centre enforces the consent, not the page."""
        user = await require(request, "lawyer")
        call_id, side = request.match_info["call_id"], request.match_info["side"]
        if side not in ("terminal", "lawyer"):
            raise web.HTTPBadRequest(text="side is terminal or lawyer")
        if not is_call_id(call_id):
            raise web.HTTPNotFound(text=json.dumps({"error": "not_your_call"}), content_type="application/json")
        row = await self._db(self.store.call, call_id)
        if row is None or row["lawyer"] != user.name:
            raise web.HTTPNotFound(text=json.dumps({"error": "not_your_call"}), content_type="application/json")
        if not row["record_consent"]:
            log.warning("call %s: recording refused (no consent); %s tried to upload", call_id, user.name)
            raise web.HTTPForbidden(text=json.dumps({"error": "no_consent"}), content_type="application/json")
        try:
            seq = int(request.query["seq"])
        except (KeyError, ValueError):
            raise web.HTTPBadRequest(text="seq=N required")
        if seq < 0:
            raise web.HTTPBadRequest(text="seq=N required")
        last = request.query.get("last") == "1"
        key = (call_id, side)
        if key in self._busy:
            # Chunks of one file arrive one after another; a second at once is not the page's.
            raise web.HTTPConflict(text=json.dumps({"error": "busy"}), content_type="application/json")
        expected = self._uploads.get(key, 0)
        if seq != expected:
            raise web.HTTPConflict(text=json.dumps({"error": "out_of_order", "expected": expected}), content_type="application/json")
        day = (row["requested_at"] or datetime.now(timezone.utc)).strftime("%Y-%m-%d")
        try:
            path = confined(self.rec_dir, day, f"{call_id}-{side}.webm")
        except OutsideBase:
            raise web.HTTPNotFound(text=json.dumps({"error": "not_your_call"}), content_type="application/json") from None
        if seq >= self.config.max_recording_chunks:
            return await self._too_large(key, call_id, side, f"more than {self.config.max_recording_chunks} chunks")
        data = await request.read()
        size = self._sizes.get(key, 0) + len(data)
        if size > self.config.max_recording_mb * 2**20:
            return await self._too_large(key, call_id, side, f"more than {self.config.max_recording_mb} MB")

        def append() -> None:
            if seq == 0:
                # Write-once: a recording that was closed (hashed and registered), or any
                # file of that name left from before a restart, is never begun again.
                if self.store.has_recording(call_id, side):
                    raise FileExistsError(path)
                path.parent.mkdir(parents=True, exist_ok=True)
                with open(path, "xb") as f:
                    f.write(data)
            else:
                with open(path, "ab") as f:
                    f.write(data)

        self._busy.add(key)
        try:
            await self._db(append)
        except FileExistsError:
            log.warning("call %s: %s recording is closed; %s tried to write it again", call_id, side, user.name)
            raise web.HTTPConflict(text=json.dumps({"error": "recording_closed"}), content_type="application/json") from None
        finally:
            self._busy.discard(key)
        self._uploads[key] = seq + 1
        self._sizes[key] = size
        self._open_files[key] = path
        if last:
            await self._close_recording(key)
        return web.json_response({"ok": True, "next": seq + 1})

    async def _too_large(self, key: tuple[str, str], call_id: str, side: str, why: str) -> web.Response:
        """Refuse a chunk past the limits and close what was recorded, so it is kept."""
        log.warning("call %s: %s recording stopped at %s", call_id, side, why)
        await self._close_recording(key)
        return web.json_response({"error": "recording_too_large", "detail": why}, status=413)

    async def _close_recording(self, key: tuple[str, str]) -> None:
        """Hash and register a finished file (once)."""
        path = self._open_files.pop(key, None)
        self._uploads.pop(key, None)
        self._sizes.pop(key, None)
        if path is not None:
            await self._db(self._finish_recording, key[0], key[1], path)

    def _close_abandoned(self, call_id: str) -> None:
        """A page closed mid-call never sends its last chunk: close what it uploaded a
        while after the call ended, so it is hashed, registered and purged in time."""
        async def later() -> None:
            await asyncio.sleep(self.config.abandoned_upload_s)
            for key in [k for k in self._open_files if k[0] == call_id]:
                log.warning("call %s: %s recording closed without its last chunk", call_id, key[1])
                await self._close_recording(key)

        asyncio.ensure_future(later())

    def _finish_recording(self, call_id: str, side: str, path: Path) -> None:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        seconds = media_seconds(path)
        self.store.add_recording(call_id, side, str(path), path.stat().st_size, digest.hexdigest(), seconds, self.config.retention_days)
        log.info("call %s: %s recording kept (consent given) %d bytes %.1f s sha256 %s; delete after %d days",
                 call_id, side, path.stat().st_size, seconds or 0, digest.hexdigest(), self.config.retention_days)

    def purge(self, now: datetime | None = None) -> int:
        """Delete recordings past their retention (blocking); returns how many."""
        n = 0
        for rec in self.store.due_for_purge(now):
            Path(rec["path"]).unlink(missing_ok=True)
            self.store.mark_purged(rec["id"])
            log.info("call %s: %s recording deleted (retention %d days)", rec["call_id"], rec["side"], self.config.retention_days)
            n += 1
        return n

    async def _purge_loop(self) -> None:
        while True:
            try:
                await self._db(self.purge)
            except Exception:  # noqa: BLE001 — a failed purge is retried next hour
                log.exception("recording purge failed")
            await asyncio.sleep(_PURGE_EVERY_S)


def _log_failure(fut: Future[Any]) -> None:
    """Log a store write that failed (nobody waits for its result)."""
    exc = fut.exception()
    if exc is not None:
        log.error("desk store: %s", exc)


def media_seconds(path: Path) -> float | None:
    """How long a recording plays (PyAV, from the last packet: MediaRecorder's WebM has
    no duration in its header)."""
    try:
        import av  # deferred: PyAV is heavy, and only needed once a recording is complete

        with av.open(str(path)) as box:
            end = 0.0
            for packet in box.demux():
                if packet.pts is not None and packet.time_base is not None:
                    end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
            return end
    except Exception:  # noqa: BLE001 — the hash matters; the length is a convenience
        return None


def setup(app: web.Application, centre: CentreContext) -> Desk:
    """Add the lawyer desk to the centre's web app (webapp.py)."""
    desk = Desk(centre.link, centre.store, centre.data_dir)
    desk.setup(app)
    return desk
