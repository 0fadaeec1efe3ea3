"""Rooms of Janus's VideoRoom plugin: what a room is, and creating/destroying one.

A room here is private to one session: not listed (``is_private``), a PIN to join, a
list of join tokens (one per invited party: Janus refuses a publisher whose token is
not on it), subscriptions bound to a publisher of the same room (``require_pvtid``),
and a ``secret`` without which nobody can edit or destroy it. Creating rooms needs the
plugin's ``admin_key``, which only the centre holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from remote_video.sfu.janus import JanusSession, PluginHandle


@dataclass(frozen=True)
class RoomPass:
    """What one party needs to take part in one room: the server, the room, its PIN, the
    centre-signed API token and the party's own join token. ``display`` is a role label
    ("mediator", "party-a"), never a person's name: Janus logs it and shows it to all."""

    url: str
    room: int
    pin: str
    token: str
    join_token: str
    display: str


@dataclass(frozen=True)
class RoomSpec:
    """A room to create. ``publisher_kbps`` caps each publisher's video (Janus sends the
    cap to the sender as REMB and, with ``bitrate_cap``, the sender cannot raise it)."""

    room: int
    secret: str
    pin: str
    allowed: tuple[str, ...]
    description: str = ""
    publishers: int = 3
    publisher_kbps: int = 600
    extra: dict[str, Any] = field(default_factory=dict)

    def create_body(self, admin_key: str | None) -> dict[str, Any]:
        """The VideoRoom ``create`` request for this room."""
        body: dict[str, Any] = {
            "request": "create",
            "room": self.room,
            "permanent": False,  # a session's room lives as long as the session, never on disk
            "description": self.description,
            "secret": self.secret,
            "pin": self.pin,
            "is_private": True,
            "allowed": list(self.allowed),
            "require_pvtid": True,
            "publishers": self.publishers,
            "bitrate": self.publisher_kbps * 1000,
            "bitrate_cap": True,
            "audiocodec": "opus",
            "videocodec": "vp8",
            "notify_joining": True,
            # A key frame at least every 10 s: a receiver that lost packets on a poor
            # line gets its picture back without waiting for a loss report round trip.
            "fir_freq": 10,
        }
        if admin_key is not None:
            body["admin_key"] = admin_key
        body.update(self.extra)
        return body


class VideoRoomAdmin:
    """Create and destroy rooms through one handle of a session."""

    def __init__(self, handle: PluginHandle, admin_key: str | None) -> None:
        self._handle = handle
        self._admin_key = admin_key

    @classmethod
    async def attach(cls, session: JanusSession, admin_key: str | None) -> "VideoRoomAdmin":
        """An admin on a new VideoRoom handle of ``session``."""
        return cls(await session.attach(), admin_key)

    async def create(self, spec: RoomSpec) -> int:
        """Create the room; returns its number."""
        reply = await self._handle.message(spec.create_body(self._admin_key), f"open room {spec.room}")
        return int(reply.data.get("room", spec.room))

    async def destroy(self, room: int, secret: str) -> None:
        """Destroy the room (everyone in it is sent away)."""
        await self._handle.message({"request": "destroy", "room": room, "secret": secret}, f"close room {room}")

    async def exists(self, room: int) -> bool:
        """Whether the room exists."""
        reply = await self._handle.message({"request": "exists", "room": room}, f"look up room {room}")
        return bool(reply.data.get("exists"))

    async def participants(self, room: int) -> list[dict[str, Any]]:
        """Who is in the room (id, display, publishing or not). Private rooms still answer this."""
        reply = await self._handle.message({"request": "listparticipants", "room": room}, f"list room {room}")
        parts = reply.data.get("participants")
        return list(parts) if isinstance(parts, list) else []

    async def moderate(self, room: int, secret: str, publisher: int, mid: str, mute: bool) -> None:
        """Stop (or resume) forwarding one stream (``mid``) of a publisher to everyone."""
        await self._handle.message({"request": "moderate", "room": room, "secret": secret, "id": publisher, "mid": mid,
                                    "mute": mute}, f"{'mute' if mute else 'unmute'} {mid} of {publisher} in room {room}")

    async def message(self, body: dict[str, Any], what: str) -> dict[str, Any]:
        """Any other request of the VideoRoom's API on this handle; its answer."""
        reply = await self._handle.message(body, what)
        return dict(reply.data)

    async def close(self) -> None:
        """Drop the handle."""
        await self._handle.detach()


__all__ = ["RoomPass", "RoomSpec", "VideoRoomAdmin"]
