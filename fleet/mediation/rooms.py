"""One room per mediation session, and a pass per party that opens only that room.

A party's pass carries four things, each checked by Janus itself:
- a token signed with the centre's ``token_auth_secret``, valid for the videoroom plugin
  until the session's end (Janus refuses any request without a valid one);
- the room number and its PIN (random per session: a party of another session does not
  know it);
- a join token of its own, on the room's ``allowed`` list (Janus refuses a publisher
  whose token is not there, so a forwarded PIN alone does not let a stranger in);
- the room requires subscriptions to name a publisher of the same room
  (``require_pvtid``): nobody can watch a room without being in it.
The room's ``secret`` (edit, destroy) stays at the centre.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from fleet.mediation.janus_config import JanusSecrets
from kiosk.files import private_dir
from remote_video.sfu.errors import SfuError
from remote_video.sfu.janus import VIDEOROOM, JanusConnection, JanusSession
from remote_video.sfu.rooms import RoomPass, RoomSpec, VideoRoomAdmin

log = logging.getLogger(__name__)

DEFAULT_TTL_S = 4 * 3600  # a mediation session rarely lasts more than half a day


def sign_token(secret: str, expires_at: int, plugins: Sequence[str] = (VIDEOROOM,)) -> str:
    """A Janus signed token (``<expiry>,janus,<plugin>…:<base64 HMAC-SHA1>``) for ``plugins``."""
    data = ",".join([str(int(expires_at)), "janus", *plugins])
    sig = hmac.new(secret.encode(), data.encode(), hashlib.sha1).digest()
    return f"{data}:{base64.b64encode(sig).decode()}"


@dataclass(frozen=True)
class SessionRoom:
    """An open room: its number, its secret (centre only), and a pass per party label."""

    session_id: str
    room: int
    secret: str
    pin: str
    expires_at: int
    passes: dict[str, RoomPass] = field(default_factory=dict)


class MediationRooms:
    """Opens and closes session rooms on one Janus (ours or one given by URL).

    ``open_session`` creates the room and returns the passes; the centre hands each
    party its own. ``close_session`` destroys the room (everyone is sent away).
    """

    def __init__(self, url: str, keys: JanusSecrets, *, publisher_kbps: int = 600, max_publishers: int = 3,
                 rec_dir: Path | None = None) -> None:
        self.url = url
        # Where Janus writes each session's recording (one directory per session); None:
        # this media server records nothing.
        self.rec_dir = rec_dir
        self.keys = keys
        self.publisher_kbps = publisher_kbps
        self.max_publishers = max_publishers
        self.rooms: dict[str, SessionRoom] = {}
        self._conn: JanusConnection | None = None
        self._session: JanusSession | None = None
        self._admin: VideoRoomAdmin | None = None

    def token(self, ttl_s: int = DEFAULT_TTL_S) -> str:
        """A videoroom token valid for ``ttl_s`` seconds."""
        return sign_token(self.keys.token_secret, int(time.time()) + ttl_s)

    async def _admin_handle(self) -> VideoRoomAdmin:
        if self._admin is None or self._conn is None or self._conn.closed or (self._session and self._session.lost.is_set()):
            await self._drop_admin()
            self._conn = await JanusConnection.open(self.url, self.token(24 * 3600))
            self._session = await self._conn.create_session()
            self._admin = await VideoRoomAdmin.attach(self._session, self.keys.admin_key)
        return self._admin

    async def _drop_admin(self) -> None:
        conn, self._conn, self._session, self._admin = self._conn, None, None, None
        if conn is not None:
            await conn.close()

    async def open_session(self, session_id: str, parties: Sequence[str], ttl_s: int = DEFAULT_TTL_S, *,
                           record: bool = False, rec_name: str | None = None) -> SessionRoom:
        """Create the room of ``session_id`` for ``parties`` (role labels such as
        "mediator", "party-a": never names); one pass each."""
        if session_id in self.rooms:
            raise ValueError(f"mediation session {session_id} already has a room")
        if not parties or len(set(parties)) != len(parties):
            raise ValueError("a session room needs distinct party labels")
        if len(parties) > self.max_publishers:
            raise ValueError(f"a session room takes at most {self.max_publishers} parties")
        admin = await self._admin_handle()
        expires = int(time.time()) + ttl_s
        joins = {label: secrets.token_urlsafe(18) for label in parties}
        spec = RoomSpec(
            room=secrets.randbelow(2**52 - 1) + 1,  # numeric ids; below 2^53 so a browser's JSON keeps them exact
            secret=secrets.token_urlsafe(18),
            pin=f"{secrets.randbelow(10**6):06d}",
            allowed=tuple(joins.values()),
            description=f"mediation {session_id}",
            publishers=self.max_publishers,
            publisher_kbps=self.publisher_kbps,
            extra=self._recording(rec_name or session_id, record),
        )
        room = await admin.create(spec)
        token = sign_token(self.keys.token_secret, expires)
        passes = {label: RoomPass(self.url, room, spec.pin, token, joins[label], label) for label in parties}
        opened = SessionRoom(session_id, room, spec.secret, spec.pin, expires, passes)
        self.rooms[session_id] = opened
        log.info("mediation %s: room opened for %d parties", session_id, len(parties))
        return opened

    def _recording(self, name: str, record: bool) -> dict[str, Any]:
        """The room's recording settings: Janus writes into the session's own directory,
        only the centre (the room's secret) may switch it on, off until every party consented."""
        if self.rec_dir is None:
            return {}
        folder = private_dir(self.rec_dir / name)
        return {"record": record, "rec_dir": str(folder), "lock_record": True}

    async def set_recording(self, session_id: str, on: bool) -> None:
        """Start (or stop) recording every publisher of the session's room."""
        opened = self.rooms[session_id]
        admin = await self._admin_handle()
        await admin.message({"request": "enable_recording", "room": opened.room, "secret": opened.secret, "record": on},
                            f"{'start' if on else 'stop'} recording room {opened.room}")

    async def participants(self, session_id: str) -> list[str]:
        """The labels of who is in the session's room now."""
        opened = self.rooms[session_id]
        admin = await self._admin_handle()
        return sorted(str(p.get("display", p.get("id"))) for p in await admin.participants(opened.room))

    async def moderate(self, session_id: str, label: str, mids: Sequence[str], mute: bool) -> bool:
        """Stop (or resume) forwarding the streams ``mids`` of the party ``label`` to
        everyone in the session's room; False when that party is not publishing."""
        opened = self.rooms[session_id]
        admin = await self._admin_handle()
        ids = [int(p["id"]) for p in await admin.participants(opened.room) if p.get("display") == label and p.get("publisher")]
        if not ids:
            return False
        for mid in mids:
            await admin.moderate(opened.room, opened.secret, ids[0], str(mid), mute)
        return True

    async def close_session(self, session_id: str) -> None:
        """Destroy the session's room (a room already gone is not an error)."""
        opened = self.rooms.pop(session_id, None)
        if opened is None:
            return
        admin = await self._admin_handle()
        try:
            await admin.destroy(opened.room, opened.secret)
        except SfuError as exc:
            log.warning("mediation %s: closing the room: %s", session_id, exc)

    async def close(self) -> None:
        """Close every room and the admin connection."""
        for sid in list(self.rooms):
            try:
                await self.close_session(sid)
            except SfuError as exc:
                log.warning("mediation %s: %s", sid, exc)
        await self._drop_admin()


__all__ = ["DEFAULT_TTL_S", "MediationRooms", "SessionRoom", "sign_token"]
