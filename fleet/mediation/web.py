"""The mediation pages of the centre's web app: the mediator's desk, the phone party's
page, their control sockets and the media server's WebSocket relayed through the centre.

* ``/mediation/`` (role ``mediator``): create a session, see the parties (video tiles),
  mute/unmute a party, a side-room with one party (背靠背), notes, the draft agreement
  (调解协议书) edited live and pushed to every party, confirm the signed agreement.
* ``/m/{invite}`` (public): a phone party enters the 6-digit code, consents, and joins
  with camera and microphone. A code opens only its own invitation's session.
* ``/mediation/janus`` and ``/m/janus``: Janus's WebSocket, relayed. The pages connect
  to the centre only (the Content-Security-Policy allows nothing else), and the relay
  drops every request naming a room that is not the caller's own, beside Janus's own
  checks (token, PIN, invitation list).

Muting is done by Janus (``moderate``: it stops forwarding that party's streams to
everyone), not by the party's page. The side-room is a second room of the media server
for the mediator and one party; while it is open their streams in the main room are
muted by Janus, so the other party receives nothing of it and sees a notice.

State of open sessions is owned by the event loop; store writes go to one worker thread.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import dataclasses
import functools
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, TypeVar

import aiohttp
from aiohttp import WSMsgType, web

from fleet.center.auth.users import Users
from fleet.center.auth.web import AUTH, require, set_home
from fleet.center.service import AskError
from fleet.center.web_context import CentreContext
from fleet.mediation import MediaServer, SessionRoom, start_media_server
from fleet.mediation.agreement import AgreementPdf, render_agreement
from fleet.mediation.config import load_mediation_settings, load_retention_days
from fleet.mediation.sessions import PARTY_LABELS, PartySpec, SessionStore, mask_name, name_proof
from remote_video.sfu.errors import SfuError

log = logging.getLogger(__name__)
T = TypeVar("T")
STATIC = Path(__file__).parent / "static"
MEDIATION_KEY = web.AppKey("mediation", object)
PARTY_COOKIE = "kiosk_mediation_party"
MAX_SIGNATURE_BYTES = 400_000
MEDIATOR = "mediator"
# A party's terminal may fetch the signed agreement a few times (a copy printed again),
# not without end: each answer is the whole PDF.
MAX_AGREEMENT_FETCHES = 5
TERMINAL_ASKS = ("invited", "join", "verified", "state", "sign", "leave", "agreement", "called")
# A ticket number as the queue prints it: the service's letter and three digits (C012).
TICKET_NUMBER = re.compile(r"^[A-Z][0-9]{3}$")
# How long a party called by their ticket has to reach the terminal before the desk
# says 未到 (the mediator may call again at any time).
CALL_WAIT_S = 180.0
# What a terminal may answer to a call; the desk shows each in words.
CALL_RESULTS = ("called", "busy", "unknown_ticket", "wrong_service", "not_waiting", "bad_number", "no_queue")
# A call the terminal is still to act on, or has acted on and the party may still come to.
CALL_OFFERED = ("sent", "busy", "called")


def _json(doc: Any, status: int = 200) -> web.Response:
    return web.json_response(doc, status=status, dumps=lambda o: json.dumps(o, default=str, ensure_ascii=False))


@dataclass
class LiveSession:
    """A session whose room is open: its sockets and what the mediator set."""

    sid: str
    room: SessionRoom
    desks: set[web.WebSocketResponse] = field(default_factory=set)
    parties: dict[str, set[web.WebSocketResponse]] = field(default_factory=dict)
    muted: dict[str, bool] = field(default_factory=dict)
    mids: dict[str, list[str]] = field(default_factory=dict)  # label → its published mids (as the desk saw them)
    side: str | None = None  # the party in the side-room
    side_room: SessionRoom | None = None
    agreement: str = ""
    # Parties seen by the terminals' side (MQTT) rather than a socket of this page set.
    present: set[str] = field(default_factory=set)
    recording: bool = False  # every party consented: Janus records the room
    # label → the party's call by ticket: id, number, state (sent → busy → called →
    # joined, or refused with the terminal's reason), when the terminal called it.
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)


class MediationDesk:
    """The mediation page set's state and handlers (one per web app)."""

    def __init__(self, centre: CentreContext, media: MediaServer | None = None) -> None:
        self.centre = centre
        self.store = SessionStore(centre.store)
        self.data_dir = Path(centre.data_dir)
        self.media = media
        self._own_media = False
        self.media_error: str | None = None
        self._purger: asyncio.Future[None] | None = None
        self.live: dict[str, LiveSession] = {}
        self.party_keys: dict[str, tuple[str, str]] = {}  # cookie value → (session, label)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mediation-store")
        self.agreements_dir = self.data_dir / "agreements"
        self.agreement_fetches: dict[tuple[str, str], int] = {}  # (session, terminal) → PDFs sent
        self.call_wait_s = CALL_WAIT_S

    # ---- wiring ----------------------------------------------------------------------
    def setup(self, app: web.Application) -> None:
        """Routes and the start-up (media server) and clean-up hooks."""
        app[MEDIATION_KEY] = self
        r = app.router
        r.add_get("/mediation", self._page)
        r.add_get("/mediation/", self._page)
        r.add_static("/mediation/static/", STATIC)
        r.add_get("/mediation/api/sessions", self._list)
        r.add_post("/mediation/api/sessions", self._create)
        r.add_get("/mediation/api/sessions/{sid}/agreement.pdf", self._pdf)
        r.add_get("/mediation/ws", self._desk_ws)
        r.add_get("/mediation/janus", self._janus_desk)
        r.add_get("/m/janus", self._janus_party)
        r.add_get("/m/ws", self._party_ws)
        r.add_get("/m/{invite}", self._phone_page)
        r.add_post("/m/api/code", self._code)
        if AUTH in app:
            set_home(app, MEDIATOR, "/mediation/")
        app.on_startup.append(self._started)
        app.on_cleanup.append(self._cleanup)
        for name in TERMINAL_ASKS:
            self.centre.link.answer(f"mediation.{name}", functools.partial(self._terminal_ask, name))

    async def _started(self, app: web.Application) -> None:
        self.loop = asyncio.get_running_loop()
        self._purger = asyncio.ensure_future(self._purge_loop())
        if self.media is None:
            settings = load_mediation_settings(self.data_dir)
            if settings is not None:
                # Started from the centre's own loop (the main thread): Janus is bound to
                # that thread's life, so a centre killed hard takes it along.
                try:
                    self.media = await start_media_server(self.data_dir, settings)
                except SfuError as exc:
                    # Every other page of the centre keeps working; the desk says why
                    # mediation is not available.
                    self.media_error = str(exc)
                    log.error("mediation: the media server did not start: %s", exc)
                    return
                self._own_media = True
                log.info("mediation: media server on %s", self.media.rooms.url)

    async def _cleanup(self, app: web.Application) -> None:
        if self._purger is not None:
            self._purger.cancel()
        for live in list(self.live.values()):
            # The centre stops: each open session ends here (its rooms closed, what was
            # recorded kept and registered), rather than vanish with the media server.
            try:
                await self._close(live, "closed")
            except SfuError as exc:
                log.warning("mediation %s: closing at stop: %s", live.sid, exc)
            for ws in [*live.desks, *(w for s in live.parties.values() for w in s)]:
                await ws.close()
        if self.media is not None and self._own_media:
            await self.media.stop()
        self._writer.shutdown(wait=True)

    async def _db(self, fn: Callable[..., T], *args: Any, **kw: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._writer, lambda: fn(*args, **kw))

    # ---- the mediator's desk ---------------------------------------------------------------
    async def _page(self, request: web.Request) -> web.StreamResponse:
        await require(request, MEDIATOR)
        if request.path == "/mediation":
            raise web.HTTPFound("/mediation/")
        return web.FileResponse(STATIC / "desk.html", headers={"Cache-Control": "no-store"})

    async def _list(self, request: web.Request) -> web.Response:
        user = await require(request, MEDIATOR)
        rows = await self._db(self.store.sessions_of, user.name)
        return _json({"configured": self.media is not None, "media_error": self.media_error,
                      "sessions": [{k: r[k] for k in ("session_id", "matter", "state", "created_at")} for r in rows]})

    async def _create(self, request: web.Request) -> web.Response:
        """Create a session and its room; answers with the phone invitations (codes once)."""
        user = await require(request, MEDIATOR)
        if self.media is None:
            return _json({"error": "not_configured", "detail": "this centre runs no media server (mediation.toml)"}, 503)
        try:
            body = await request.json()
            specs = [PartySpec(str(p.get("name", "")), str(p.get("joins", "")), (str(p["terminal_id"]) if p.get("terminal_id") else None))
                     for p in body["parties"]]
            for spec in specs:
                spec.check()
                if spec.terminal_id and await self._db(self.centre.store.terminal, spec.terminal_id) is None:
                    raise ValueError(f"no terminal {spec.terminal_id!r} is registered")
            sid, invitations = await self._db(self.store.create, user.name, str(body.get("matter", "")), specs)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            return _json({"error": "bad_request", "detail": str(exc)[:300]}, 400)
        try:
            room = await self.media.rooms.open_session(sid, (MEDIATOR, *PARTY_LABELS))
        except SfuError as exc:
            # No room, no session: it is kept as cancelled (the mediator may try again).
            await self._db(self.store.set_state, sid, "cancelled")
            log.error("mediation %s: the media server did not open a room: %s", sid, exc)
            return _json({"error": "media_server", "detail": str(exc)[:300]}, 503)
        self.live[sid] = LiveSession(sid, room)
        log.info("mediation %s opened by %s (%s)", sid, user.name, ", ".join(s.joins for s in specs))
        base = f"{request.scheme}://{request.host}"
        return _json({"session_id": sid, "invitations": [
            {"label": i.label, "link": f"{base}/m/{i.invite}", "code": i.code} for i in invitations]})

    async def _owned(self, request: web.Request, sid: str) -> tuple[Any, dict[str, Any]]:
        user = await require(request, MEDIATOR)
        row = await self._db(self.store.session, sid)
        if row is None or (row["mediator"] != user.name and user.role != "admin"):
            raise web.HTTPNotFound(text=json.dumps({"error": "no_such_session"}), content_type="application/json")
        return user, row

    async def _desk_ws(self, request: web.Request) -> web.StreamResponse:
        sid = request.query.get("s", "")
        user, row = await self._owned(request, sid)
        live = self.live.get(sid)
        if live is None:
            raise web.HTTPConflict(text=json.dumps({"error": "session_not_open"}), content_type="application/json")
        live.agreement = live.agreement or row["agreement"]
        ws = web.WebSocketResponse(heartbeat=20)
        await ws.prepare(request)
        live.desks.add(ws)
        await self._send(ws, {"type": "hello", "pass": dataclasses.asdict(live.room.passes[MEDIATOR]), "notes": row["notes"],
                              "matter": row["matter"], "session_id": sid})
        await self._push(live)
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    await self._from_desk(ws, live, json.loads(msg.data))
                except (ValueError, KeyError, TypeError) as exc:
                    await self._send(ws, {"type": "error", "code": "bad_request", "detail": str(exc)[:200]})
        finally:
            live.desks.discard(ws)
        log.debug("mediation %s: desk of %s closed", sid, user.name)
        return ws

    async def _from_desk(self, ws: web.WebSocketResponse, live: LiveSession, doc: dict[str, Any]) -> None:
        kind = doc["type"]
        assert self.media is not None
        if kind == "agreement":
            live.agreement = str(doc["text"])[:20000]
            await self._db(self.store.save_text, live.sid, agreement=live.agreement)
            await self._push(live)
        elif kind == "notes":
            await self._db(self.store.save_text, live.sid, notes=str(doc["text"]))
            await self._send(ws, {"type": "saved", "what": "notes", "at": datetime.now(timezone.utc).isoformat()})
        elif kind == "streams":
            # The desk tells which mids each party publishes (it sees them in the room).
            label = str(doc["label"])
            if label in PARTY_LABELS:
                live.mids[label] = [str(m) for m in doc["mids"]][:4]
        elif kind == "mute":
            label = str(doc["label"])
            if label not in PARTY_LABELS:
                raise ValueError("mute a party: party-a or party-b")
            on = bool(doc["on"])
            ok = await self.media.rooms.moderate(live.sid, label, live.mids.get(label, []), on)
            if not ok:
                await self._send(ws, {"type": "error", "code": "not_publishing", "detail": label})
                return
            live.muted[label] = on
            await self._push(live)
        elif kind == "call":
            await self._call(ws, live, doc.get("label"), doc.get("number"))
        elif kind == "side_room":
            await self._side_room(live, doc.get("label"))
        elif kind == "confirm":
            await self._confirm(ws, live)
        elif kind == "close":
            await self._close(live, "closed")
        else:
            await self._send(ws, {"type": "error", "code": "unknown_type"})

    async def _call(self, ws: web.WebSocketResponse, live: LiveSession, label: Any, number: Any) -> None:
        """Call a party of this session by their ticket at the terminal they join at.

        The call is bound to the session: only a party of the desk's own session who
        joins at a terminal can be called, and only that terminal hears of it (in its
        next ``mediation.invited`` answer, the terminal id coming from the topic the
        broker bound). The terminal checks the number against its own queue."""
        row = await self._db(self.store.session, live.sid)
        party = (row or {}).get("parties", {}).get(label) if isinstance(label, str) else None
        if party is None or not party.get("terminal_id"):
            await self._send(ws, {"type": "error", "code": "call_not_terminal", "detail": str(label)[:40]})
            return
        text = str(number or "").strip().upper()
        if not TICKET_NUMBER.match(text):
            await self._send(ws, {"type": "error", "code": "call_bad_number", "detail": text[:12]})
            return
        if label in live.present:
            await self._send(ws, {"type": "error", "code": "call_present", "detail": label})
            return
        live.calls[label] = {"id": secrets.token_hex(8), "number": text, "state": "sent", "at": None}
        log.info("mediation %s: %s called by ticket %s at terminal %s", live.sid, label, text, party["terminal_id"])
        await self._push(live)

    def _call_view(self, live: LiveSession, label: str) -> dict[str, Any] | None:
        """The call as the desk shows it: 未到 once the party has had ``call_wait_s``."""
        call = live.calls.get(label)
        if call is None:
            return None
        state = call["state"]
        if state == "called" and call["at"] is not None and time.monotonic() - call["at"] >= self.call_wait_s:
            state = "no_show"
        return {"number": call["number"], "state": state}

    def _called(self, live: LiveSession, label: str, call_id: str, result: str) -> None:
        """The terminal's answer to a call (an old call's answer changes nothing)."""
        call = live.calls.get(label)
        if call is None or call["id"] != call_id or result not in CALL_RESULTS:
            return
        call["state"] = result
        if result == "called":
            call["at"] = time.monotonic()
            # The desk is told 未到 when the wait is over, without anyone asking.
            loop = asyncio.get_running_loop()
            loop.call_later(self.call_wait_s + 0.05, lambda: asyncio.ensure_future(self._push(live)))

    async def _side_room(self, live: LiveSession, label: Any) -> None:
        """Open a side-room with ``label`` (None: back to the whole session)."""
        assert self.media is not None
        rooms = self.media.rooms
        side_key = f"{live.sid}-side"
        if live.side is not None:
            # Back together: unmute in the main room, close the side-room.
            for who in (MEDIATOR, live.side):
                await rooms.moderate(live.sid, who, self._mids_of(live, who), False)
            await rooms.close_session(side_key)
            live.side, live.side_room = None, None
        if label in PARTY_LABELS:
            live.side_room = await rooms.open_session(side_key, (MEDIATOR, str(label)), record=live.recording)
            live.side = str(label)
            for who in (MEDIATOR, live.side):
                await rooms.moderate(live.sid, who, self._mids_of(live, who), True)
        await self._push(live)

    @staticmethod
    def _mids_of(live: LiveSession, label: str) -> list[str]:
        # A browser and aiortc both put audio first: mids "0" and "1" unless the desk said otherwise.
        return live.mids.get(label) or ["0", "1"]

    async def _close(self, live: LiveSession, state: str) -> None:
        assert self.media is not None
        if live.side is not None:
            await self.media.rooms.close_session(f"{live.sid}-side")
        await self.media.rooms.close_session(live.sid)
        if live.recording:
            await self._keep_recordings(live.sid)
        await self._db(self.store.set_state, live.sid, state)
        for ws in [*live.desks, *(w for s in live.parties.values() for w in s)]:
            await self._send(ws, {"type": "ended", "state": state})
        self.live.pop(live.sid, None)
        for key in [k for k, v in self.party_keys.items() if v[0] == live.sid]:
            del self.party_keys[key]

    # ---- state pushed to everyone ------------------------------------------------------
    async def _push(self, live: LiveSession) -> None:
        row = await self._db(self.store.session, live.sid)
        if row is None:
            return
        parties = []
        for label in PARTY_LABELS:
            p = row["parties"][label]
            parties.append({"label": label, "name": p["name"], "masked": mask_name(p["name"]), "joins": p["joins"],
                            "terminal_id": p["terminal_id"], "present": bool(live.parties.get(label)) or label in live.present,
                            "consent": p["consent"], "verified_by_card": p["verified_by_card"], "signed": p["signed_at"] is not None,
                            "muted": live.muted.get(label, False), "call": self._call_view(live, label)})
        desk_doc = {"type": "state", "state": row["state"], "parties": parties, "agreement": live.agreement,
                    "side": live.side, "agreement_sha256": row["agreement_sha256"]}
        if live.side_room is not None:
            desk_doc["side_pass"] = dataclasses.asdict(live.side_room.passes[MEDIATOR])
        for ws in list(live.desks):
            await self._send(ws, desk_doc)
        for label, sockets in live.parties.items():
            for ws in list(sockets):
                await self._send(ws, self.party_doc(live, label, row))

    def party_doc(self, live: LiveSession, label: str, row: dict[str, Any]) -> dict[str, Any]:
        """What one party is shown: the agreement, their side-room state, whether muted,
        the others only as roles (a name never goes to another party)."""
        me = row["parties"][label]
        side = "none" if live.side is None else ("with_me" if live.side == label else "waiting")
        doc: dict[str, Any] = {"type": "state", "me": label, "state": row["state"], "agreement": live.agreement, "side": side,
                               "muted": live.muted.get(label, False), "consent": me["consent"], "signed": me["signed_at"] is not None,
                               "sha256": row["agreement_sha256"]}
        if side == "with_me" and live.side_room is not None:
            doc["side_pass"] = dataclasses.asdict(live.side_room.passes[label])
        return doc

    async def _send(self, ws: web.WebSocketResponse, doc: dict[str, Any]) -> None:
        if not ws.closed:
            try:
                await ws.send_str(json.dumps(doc, ensure_ascii=False, default=str))
            except (ConnectionResetError, RuntimeError):
                pass

    # ---- the phone party --------------------------------------------------------------------
    async def _phone_page(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "phone.html", headers={"Cache-Control": "no-store"})

    async def _code(self, request: web.Request) -> web.Response:
        """The 6-digit code of an invitation: a cookie for this session's party only."""
        try:
            body = await request.json()
            invite, code = str(body["invite"])[:64], str(body["code"]).strip()[:6]
        except (ValueError, KeyError, TypeError):
            return _json({"error": "bad_request"}, 400)
        found = await self._db(self.store.by_invitation, invite, code)
        if found is None or found[0] not in self.live:
            log.info("mediation: a wrong or used-up invitation code was refused")
            return _json({"error": "wrong_code"}, 403)
        key = secrets.token_urlsafe(24)
        self.party_keys[key] = found
        resp = _json({"ok": True})
        resp.set_cookie(PARTY_COOKIE, key, path="/m/", httponly=True, samesite="Strict", secure=request.scheme == "https")
        return resp

    def _party_of(self, request: web.Request) -> tuple[LiveSession, str] | None:
        found = self.party_keys.get(request.cookies.get(PARTY_COOKIE, ""))
        if found is None or found[0] not in self.live:
            return None
        return self.live[found[0]], found[1]

    async def _party_ws(self, request: web.Request) -> web.StreamResponse:
        found = self._party_of(request)
        if found is None:
            raise web.HTTPUnauthorized(text=json.dumps({"error": "no_invitation"}), content_type="application/json")
        live, label = found
        ws = web.WebSocketResponse(heartbeat=20)
        await ws.prepare(request)
        live.parties.setdefault(label, set()).add(ws)
        await self._send(ws, {"type": "hello", "me": label})
        await self._db(self.store.set_state, live.sid, "active")
        await self._push(live)
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    doc = json.loads(msg.data)
                    await self.from_party(live, label, doc)
                    if doc.get("type") == "consent" and doc.get("yes") is True:
                        # The room's pass only after consent to recording: a party who
                        # refused never enters the room.
                        await self._send(ws, {"type": "admitted", "pass": dataclasses.asdict(live.room.passes[label])})
                except (ValueError, KeyError, TypeError) as exc:
                    await self._send(ws, {"type": "error", "code": "bad_request", "detail": str(exc)[:200]})
        finally:
            live.parties.get(label, set()).discard(ws)
            await self._push(live)
        return ws

    async def from_party(self, live: LiveSession, label: str, doc: dict[str, Any]) -> dict[str, Any] | None:
        """A party's consent, card check or signature (a phone's socket or a terminal's ask)."""
        kind = doc["type"]
        if kind == "consent":
            yes = bool(doc["yes"])
            await self._db(self.store.party_update, live.sid, label, consent=yes,
                           joined_at=datetime.now(timezone.utc) if yes else None)
            log.info("mediation %s: %s %s recording", live.sid, label, "consented to" if yes else "refused")
            await self._record_if_all_consent(live)
        elif kind == "verified":
            await self._db(self.store.party_update, live.sid, label, verified_by_card=True)
        elif kind == "sign":
            try:
                png = base64.b64decode(str(doc["png"]), validate=True)
            except (binascii.Error, ValueError) as exc:
                raise ValueError("the signature is not a PNG") from exc
            if not png.startswith(b"\x89PNG") or len(png) > MAX_SIGNATURE_BYTES:
                raise ValueError("the signature is not a PNG (or too large)")
            await self._db(self.store.party_update, live.sid, label, signature=png, signed_at=datetime.now(timezone.utc))
            log.info("mediation %s: %s signed", live.sid, label)
        else:
            raise ValueError(f"unknown type {kind!r}")
        await self._push(live)
        return None

    # ---- terminals (asks over MQTT) ---------------------------------------------------------
    def _terminal_ask(self, name: str, terminal_id: str, args: dict[str, Any]) -> dict[str, Any]:
        """On the link's ask pool: hand the ask to the loop, which owns the sessions."""
        if self.loop is None:
            raise AskError("not_ready", "the centre's web app has not started")
        fut = asyncio.run_coroutine_threadsafe(self._answer(name, terminal_id, args), self.loop)
        return fut.result(timeout=15)

    async def _answer(self, name: str, terminal_id: str, args: dict[str, Any]) -> dict[str, Any]:
        if name == "invited":
            rows = await self._db(self.store.invited_at, terminal_id)
            out = []
            for r in rows:
                live_s = self.live.get(r["session_id"])
                if live_s is None:
                    continue
                inv = {"session_id": r["session_id"], "label": r["label"], "matter": r["matter"], "masked": mask_name(r["name"])}
                call = live_s.calls.get(r["label"])
                if call is not None and call["state"] in CALL_OFFERED:
                    inv["call"] = {"id": call["id"], "number": call["number"]}
                out.append(inv)
            return {"invitations": out}
        sid = str(args.get("session_id", ""))
        if name == "agreement":
            return await self._agreement_for(terminal_id, sid)
        live = self.live.get(sid)
        row = await self._db(self.store.session, sid) if live is not None else None
        # Only the terminal the party was invited at: a session id is only a string any
        # terminal could copy, the terminal id comes from the topic the broker bound.
        label = next((lb for lb, p in (row or {}).get("parties", {}).items() if p["terminal_id"] == terminal_id), None)
        if live is None or row is None or label is None:
            log.warning("mediation: terminal %s asked %s of a session it is not invited to", terminal_id, name)
            raise AskError("not_invited", "no open session invites a party at this terminal")
        if name == "join":
            await self.from_party(live, label, {"type": "consent", "yes": bool(args.get("consent"))})
            if not args.get("consent"):
                return {"refused": True}
            live.present.add(label)
            if label in live.calls:
                live.calls[label]["state"] = "joined"
            await self._db(self.store.set_state, sid, "active")
            await self._push(live)
            return {"pass": dataclasses.asdict(live.room.passes[label])}
        if name == "verified":
            expected = name_proof(sid, row["parties"][label]["name"])
            ok = hmac.compare_digest(expected, str(args.get("name_proof", "")))
            if ok:
                await self.from_party(live, label, {"type": "verified"})
            return {"verified": ok}
        if name == "state":
            return self.party_doc(live, label, row)
        if name == "sign":
            await self.from_party(live, label, {"type": "sign", "png": str(args.get("png", ""))})
            return {"ok": True}
        if name == "called":
            self._called(live, label, str(args.get("call_id", "")), str(args.get("result", "")))
            await self._push(live)
            return {"ok": True}
        if name == "leave":
            live.present.discard(label)
            await self._push(live)
            return {"ok": True}
        raise AskError("bad_request", f"unknown ask {name}")

    async def _agreement_for(self, terminal_id: str, sid: str) -> dict[str, Any]:
        """The signed agreement's PDF for the terminal where a party of the session
        signed it (also once the session is closed: the copy is printed at the end).
        Any other terminal, or another session, gets nothing."""
        row = await self._db(self.store.session, sid) if sid else None
        label = next((lb for lb, p in (row or {}).get("parties", {}).items()
                      if p["terminal_id"] == terminal_id and p["signature"] is not None), None)
        if row is None or label is None:
            log.warning("mediation: terminal %s asked for the agreement of a session it signed nothing in", terminal_id)
            raise AskError("not_invited", "no party signed this session's agreement at this terminal")
        if not row["agreement_path"]:
            raise AskError("not_signed", "the agreement is not confirmed yet")
        key = (sid, terminal_id)
        if self.agreement_fetches.get(key, 0) >= MAX_AGREEMENT_FETCHES:
            log.warning("mediation %s: terminal %s asked for the agreement too often", sid, terminal_id)
            raise AskError("too_many", "the agreement was sent to this terminal often enough")
        self.agreement_fetches[key] = self.agreement_fetches.get(key, 0) + 1
        # Sent as kept: the terminal checks the bytes against the hash it was told.
        pdf = await self._db(Path(row["agreement_path"]).read_bytes)
        log.info("mediation %s: agreement sent to %s (%s)", sid, terminal_id, label)
        return {"session_id": sid, "pdf": base64.b64encode(pdf).decode("ascii")}

    # ---- recording --------------------------------------------------------------------------
    async def _record_if_all_consent(self, live: LiveSession) -> None:
        """Recording starts once every party consented (the mediator records as part of
        the job); never before, so nothing of a party who refuses is ever kept."""
        if live.recording or self.media is None or self.media.rooms.rec_dir is None:
            return
        row = await self._db(self.store.session, live.sid)
        if row is None or not all(row["parties"][lb]["consent"] is True for lb in PARTY_LABELS):
            return
        await self.media.rooms.set_recording(live.sid, True)
        live.recording = True
        log.info("mediation %s: recording (every party consented)", live.sid)

    async def _keep_recordings(self, sid: str) -> None:
        """After the room is closed: each file Janus wrote is made read-only, hashed and
        registered with the date it must be deleted (write-once: nobody rewrites it)."""
        assert self.media is not None
        base = self.media.rooms.rec_dir
        if base is None:
            return
        days = load_retention_days(self.data_dir)

        def keep() -> int:
            n = 0
            for folder in (base / sid, base / f"{sid}-side"):
                if not folder.is_dir():
                    continue
                for f in sorted(folder.iterdir()):
                    if not f.is_file() or f.stat().st_size == 0:
                        continue
                    f.chmod(0o400)
                    digest = hashlib.sha256(f.read_bytes()).hexdigest()
                    self.store.add_recording(sid, str(f), f.stat().st_size, digest, days)
                    n += 1
            return n

        n = await self._db(keep)
        if n:
            log.info("mediation %s: %d recording file(s) kept; delete after %d days", sid, n, days)

    def purge(self, now: datetime | None = None) -> int:
        """Delete recordings past their retention (blocking); returns how many."""
        n = 0
        for rec in self.store.due_for_purge(now):
            Path(rec["path"]).unlink(missing_ok=True)
            self.store.mark_purged(rec["id"])
            n += 1
        if n:
            log.info("mediation: %d recording file(s) deleted after their retention", n)
        return n

    async def _purge_loop(self) -> None:
        while True:
            try:
                await self._db(self.purge)
            except Exception:  # noqa: BLE001 — a failed purge is retried next hour
                log.exception("mediation recording purge failed")
            await asyncio.sleep(3600.0)

    # ---- the agreement -------------------------------------------------------------------
    async def _confirm(self, ws: web.WebSocketResponse, live: LiveSession) -> None:
        """The mediator confirms: every party signed → the PDF, hashed and kept."""
        row = await self._db(self.store.session, live.sid)
        assert row is not None
        unsigned = [label for label in PARTY_LABELS if row["parties"][label]["signature"] is None]
        if unsigned or not live.agreement.strip():
            await self._send(ws, {"type": "error", "code": "not_signed", "detail": ", ".join(unsigned) or "agreement"})
            return
        account = await self._db(Users(self.centre.store).get, row["mediator"])
        # The agreement names the mediator as people know them (the display name), not the account.
        named = {**row, "mediator": (account.display_name if account and account.display_name else row["mediator"])}
        pdf: AgreementPdf = await self._db(render_agreement, self.agreements_dir, named, live.agreement)
        await self._db(self.store.agreement_kept, live.sid, str(pdf.path), pdf.sha256)
        log.info("mediation %s: agreement kept, sha256 %s", live.sid, pdf.sha256)
        await self._push(live)

    async def _pdf(self, request: web.Request) -> web.StreamResponse:
        _, row = await self._owned(request, request.match_info["sid"])
        if not row["agreement_path"]:
            raise web.HTTPNotFound(text="not signed yet")
        return web.FileResponse(row["agreement_path"], headers={"Content-Type": "application/pdf", "Cache-Control": "no-store"})

    # ---- the media server's WebSocket, relayed --------------------------------------------
    async def _janus_desk(self, request: web.Request) -> web.StreamResponse:
        sid = request.query.get("s", "")
        await self._owned(request, sid)
        live = self.live.get(sid)
        if live is None:
            raise web.HTTPConflict(text="session not open")
        return await self._relay(request, lambda: {r.room for r in (live.room, live.side_room) if r is not None})

    async def _janus_party(self, request: web.Request) -> web.StreamResponse:
        found = self._party_of(request)
        if found is None:
            raise web.HTTPUnauthorized(text=json.dumps({"error": "no_invitation"}), content_type="application/json")
        live, label = found
        row = await self._db(self.store.session, live.sid)
        if row is None or row["parties"][label]["consent"] is not True:
            # No consent to recording, no room (the page is told the session cannot proceed).
            raise web.HTTPForbidden(text=json.dumps({"error": "no_consent"}), content_type="application/json")
        return await self._relay(request, lambda: {live.room.room} | ({live.side_room.room} if live.side == label and live.side_room else set()))

    async def _relay(self, request: web.Request, rooms: Callable[[], set[int]]) -> web.StreamResponse:
        """Relay Janus's WebSocket; a request naming another room is answered with an
        error here and never reaches Janus."""
        assert self.media is not None
        ws = web.WebSocketResponse(protocols=("janus-protocol",), heartbeat=20)
        await ws.prepare(request)
        async with aiohttp.ClientSession() as http:
            try:
                upstream = await http.ws_connect(self.media.rooms.url, protocols=("janus-protocol",), heartbeat=20)
            except aiohttp.ClientError as exc:
                log.warning("mediation: media server unreachable: %s", exc)
                await ws.close()
                return ws

            async def down() -> None:
                async for msg in upstream:
                    if msg.type == WSMsgType.TEXT and not ws.closed:
                        await ws.send_str(msg.data)
                await ws.close()

            pump = asyncio.ensure_future(down())
            try:
                async for msg in ws:
                    if msg.type != WSMsgType.TEXT:
                        continue
                    try:
                        doc = json.loads(msg.data)
                        room = (doc.get("body") or {}).get("room") if isinstance(doc, dict) else None
                    except (ValueError, AttributeError):
                        continue
                    if room is not None and room not in rooms():
                        await ws.send_str(json.dumps({"janus": "error", "transaction": doc.get("transaction"),
                                                      "error": {"code": 403, "reason": "not your session's room"}}))
                        continue
                    await upstream.send_str(msg.data)
            finally:
                pump.cancel()
                await upstream.close()
        return ws


def setup(app: web.Application, centre: CentreContext, media: MediaServer | None = None) -> MediationDesk:
    """Add the mediation pages to the centre's web app (webapp.py). ``media``: a media
    server already running (tests); otherwise one is started when configured."""
    desk = MediationDesk(centre, media)
    desk.setup(app)
    return desk


__all__ = ["MediationDesk", "setup"]
