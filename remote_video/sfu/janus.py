"""Janus's API over its WebSocket transport: sessions, plugin handles, requests, events.

No WebRTC here (no aiortc import), so the centre can open and close rooms with this
module alone. The protocol (janus.conf.meetecho.com/docs/rest.html): every request
carries a ``transaction``; a synchronous request is answered by ``success`` or
``error``; an asynchronous plugin request first gets an ``ack`` and later an ``event``
with the same transaction. Anything else the server sends (a new publisher in the room,
``webrtcup``, ``hangup``) arrives as an event on the handle it concerns. A session dies
if it is silent for ``session_timeout`` (60 s by default), hence the keepalive task.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any, Mapping

import aiohttp

from remote_video.sfu.errors import SfuError, SfuProtocolError, SfuTimeout, SfuUnreachable, error_for

log = logging.getLogger(__name__)

VIDEOROOM = "janus.plugin.videoroom"
KEEPALIVE_S = 25.0  # well inside Janus's default 60 s session timeout
REQUEST_TIMEOUT_S = 10.0

JsonObject = dict[str, Any]


@dataclass(frozen=True)
class PluginReply:
    """A plugin's answer: its ``data`` (e.g. ``{"videoroom": "joined", ...}``) and any SDP."""

    data: JsonObject
    jsep: JsonObject | None = None


@dataclass
class _Pending:
    future: "asyncio.Future[JsonObject]"
    wants_event: bool  # an asynchronous plugin request: the ack is not the answer


class JanusConnection:
    """One WebSocket to Janus, carrying any number of sessions.

    ``token`` is the signed token the centre issued (Janus's ``token_auth``); it goes
    into every request. Open with ``await JanusConnection.open(url, token)``.
    """

    def __init__(self, url: str, token: str | None, http: aiohttp.ClientSession, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.url = url
        self.token = token
        self._http = http
        self._ws = ws
        self._pending: dict[str, _Pending] = {}
        self._sessions: dict[int, JanusSession] = {}
        self._closed = False
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def open(cls, url: str, token: str | None = None, timeout: float = 5.0) -> "JanusConnection":
        """Connect to Janus at ``url`` (``ws://host:port/``)."""
        http = aiohttp.ClientSession()
        try:
            ws = await asyncio.wait_for(http.ws_connect(url, protocols=("janus-protocol",), autoping=True, max_msg_size=0), timeout)
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            await http.close()
            raise SfuUnreachable(f"cannot connect to the media server at {url}: {exc or type(exc).__name__}") from exc
        return cls(url, token, http, ws)

    @property
    def closed(self) -> bool:
        """Whether the WebSocket is gone."""
        return self._closed

    async def request(self, message: Mapping[str, Any], what: str, *, wants_event: bool = False,
                      timeout: float = REQUEST_TIMEOUT_S) -> JsonObject:
        """Send ``message`` (a transaction and the token are added); the server's answer.

        Raises the typed ``SfuError`` for an ``error`` answer, ``SfuTimeout`` when none
        comes, ``SfuUnreachable`` when the connection is gone.
        """
        if self._closed:
            raise SfuUnreachable(f"cannot {what}: the connection to the media server at {self.url} is closed")
        tx = secrets.token_hex(8)
        msg = dict(message, transaction=tx)
        if self.token is not None:
            msg["token"] = self.token
        fut: asyncio.Future[JsonObject] = asyncio.get_running_loop().create_future()
        self._pending[tx] = _Pending(fut, wants_event)
        try:
            await self._ws.send_str(json.dumps(msg))
            reply = await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError as exc:
            raise SfuTimeout(f"media server did not answer within {timeout:.0f} s to {what}") from exc
        except (aiohttp.ClientError, ConnectionError) as exc:
            raise SfuUnreachable(f"cannot {what}: lost the media server at {self.url} ({exc})") from exc
        finally:
            self._pending.pop(tx, None)
        if reply.get("janus") == "error":
            err = reply.get("error") or {}
            raise error_for(err.get("code"), str(err.get("reason", "unknown error")), what)
        return reply

    async def create_session(self, keepalive_s: float = KEEPALIVE_S) -> "JanusSession":
        """A new Janus session on this connection (with its keepalive running)."""
        reply = await self.request({"janus": "create"}, "open a session")
        sid = _id(reply, "open a session")
        session = JanusSession(self, sid, keepalive_s)
        self._sessions[sid] = session
        return session

    async def info(self) -> JsonObject:
        """The server's ``info`` (version, plugins): a readiness check."""
        return await self.request({"janus": "info"}, "describe itself")

    def _forget(self, session_id: int) -> None:
        self._sessions.pop(session_id, None)

    async def _read(self) -> None:
        try:
            async for msg in self._ws:
                if msg.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(msg.data)
                except ValueError:
                    log.warning("media server: unreadable message dropped")
                    continue
                if isinstance(data, dict):
                    self._dispatch(data)
        except (aiohttp.ClientError, ConnectionError) as exc:  # the server went away mid-read
            log.warning("media server: connection lost: %s", exc)
        finally:
            self._closed = True
            gone = SfuUnreachable(f"the connection to the media server at {self.url} closed")
            for p in list(self._pending.values()):
                if not p.future.done():
                    p.future.set_exception(gone)
            for s in list(self._sessions.values()):
                s._connection_lost()

    def _dispatch(self, data: JsonObject) -> None:
        kind = data.get("janus")
        pending = self._pending.get(str(data.get("transaction", "")))
        if pending is not None and not pending.future.done():
            if kind == "ack" and pending.wants_event:
                return  # the real answer follows as an event
            pending.future.set_result(data)
            return
        session = self._sessions.get(int(data.get("session_id") or 0))
        if session is not None:
            session._event(data)

    async def close(self) -> None:
        """Close the WebSocket (Janus then ends its sessions on it after the reclaim time)."""
        for s in list(self._sessions.values()):
            with contextlib.suppress(SfuError):
                await s.destroy()
        self._closed = True
        await self._ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await self._reader
        await self._http.close()


class JanusSession:
    """A Janus session: plugin handles live in it; kept alive every ``keepalive_s``."""

    def __init__(self, conn: JanusConnection, session_id: int, keepalive_s: float) -> None:
        self.conn = conn
        self.id = session_id
        self.handles: dict[int, PluginHandle] = {}
        self.lost = asyncio.Event()  # set when the server timed us out or the link dropped
        self.keepalives = 0
        self._keepalive_s = keepalive_s
        self._keeper = asyncio.ensure_future(self._keepalive())

    async def attach(self, plugin: str = VIDEOROOM) -> "PluginHandle":
        """A handle on ``plugin`` in this session."""
        reply = await self.conn.request({"janus": "attach", "session_id": self.id, "plugin": plugin}, f"attach to {plugin}")
        handle = PluginHandle(self, _id(reply, f"attach to {plugin}"), plugin)
        self.handles[handle.id] = handle
        return handle

    async def keepalive(self) -> None:
        """Tell Janus we are still here."""
        await self.conn.request({"janus": "keepalive", "session_id": self.id}, "keep the session alive")
        self.keepalives += 1

    async def _keepalive(self) -> None:
        while True:
            await asyncio.sleep(self._keepalive_s)
            try:
                await self.keepalive()
            except SfuError as exc:
                log.warning("media server: keepalive failed: %s", exc)
                self._connection_lost()
                return

    def _event(self, data: JsonObject) -> None:
        if data.get("janus") == "timeout":
            log.warning("media server: session %s timed out", self.id)
            self._connection_lost()
            return
        handle = self.handles.get(int(data.get("sender") or 0))
        if handle is not None:
            handle._event(data)

    def _connection_lost(self) -> None:
        self.lost.set()
        for h in self.handles.values():
            h._event({"janus": "hangup", "reason": "session lost"})

    async def destroy(self) -> None:
        """End the session on the server (its handles and their PeerConnections with it)."""
        self._keeper.cancel()
        self.conn._forget(self.id)
        if not self.conn.closed:
            with contextlib.suppress(SfuError):
                await self.conn.request({"janus": "destroy", "session_id": self.id}, "close the session", timeout=3.0)


@dataclass
class HandleEvents:
    """What arrived unasked on a handle: plugin events, and the WebRTC state words."""

    queue: "asyncio.Queue[JsonObject]" = field(default_factory=asyncio.Queue)
    webrtc_up: asyncio.Event = field(default_factory=asyncio.Event)
    hung_up: asyncio.Event = field(default_factory=asyncio.Event)


class PluginHandle:
    """A handle on a plugin: send it messages, read its events."""

    def __init__(self, session: JanusSession, handle_id: int, plugin: str) -> None:
        self.session = session
        self.id = handle_id
        self.plugin = plugin
        self.events = HandleEvents()

    async def message(self, body: Mapping[str, Any], what: str, *, jsep: Mapping[str, Any] | None = None,
                      asynchronous: bool = False, timeout: float = REQUEST_TIMEOUT_S) -> PluginReply:
        """Send ``body`` to the plugin; its reply (a plugin-level error raises ``SfuError``)."""
        msg: JsonObject = {"janus": "message", "session_id": self.session.id, "handle_id": self.id, "body": dict(body)}
        if jsep is not None:
            msg["jsep"] = dict(jsep)
        reply = await self.session.conn.request(msg, what, wants_event=asynchronous, timeout=timeout)
        pdata = (reply.get("plugindata") or {}).get("data")
        if not isinstance(pdata, dict):
            raise SfuProtocolError(f"media server sent no plugin data when asked to {what}")
        if "error_code" in pdata or "error" in pdata:
            raise error_for(pdata.get("error_code"), str(pdata.get("error", "unknown error")), what)
        jsep_in = reply.get("jsep")
        return PluginReply(pdata, jsep_in if isinstance(jsep_in, dict) else None)

    async def trickle_done(self) -> None:
        """Say that every candidate of ours was in the SDP (aiortc does not trickle)."""
        await self.session.conn.request({"janus": "trickle", "session_id": self.session.id, "handle_id": self.id,
                                         "candidate": {"completed": True}}, "take our candidates")

    def _event(self, data: JsonObject) -> None:
        kind = data.get("janus")
        if kind == "webrtcup":
            self.events.webrtc_up.set()
        elif kind in ("hangup", "detached"):
            self.events.hung_up.set()
        self.events.queue.put_nowait(data)

    async def detach(self) -> None:
        """Drop the handle (and its PeerConnection) on the server."""
        self.session.handles.pop(self.id, None)
        if not self.session.conn.closed:
            with contextlib.suppress(SfuError):
                await self.session.conn.request({"janus": "detach", "session_id": self.session.id, "handle_id": self.id},
                                                "drop a handle", timeout=3.0)


def _id(reply: JsonObject, what: str) -> int:
    data = reply.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise SfuProtocolError(f"media server's answer to {what} carried no id")
    return int(data["id"])


__all__ = ["JanusConnection", "JanusSession", "PluginHandle", "PluginReply", "VIDEOROOM", "KEEPALIVE_S"]
