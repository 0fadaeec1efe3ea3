"""The centre's media server for multi-party sessions (remote mediation first).

``start_media_server`` is what ``kiosk-center serve`` calls when mediation is
configured: it starts our own Janus (or uses one by URL) and returns the room manager.
See docs/mediation.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fleet.mediation.janus_config import JanusSecrets, JanusSettings, settings_from
from fleet.mediation.pool import RoomPool
from fleet.mediation.rooms import MediationRooms, SessionRoom, sign_token
from fleet.mediation.server import JanusNotInstalled, JanusServer

RECORDINGS_DIR = "mediation-recordings"  # under the centre's data dir: one directory per session


@dataclass
class MediaServer:
    """A running media server: its rooms, and our Janus process if we started one."""

    rooms: MediationRooms
    janus: JanusServer | None = None

    async def stop(self) -> None:
        """Close every room, then stop our Janus (an external one is left running)."""
        await self.rooms.close()
        if self.janus is not None:
            await self.janus.stop()


async def start_media_server(data_dir: Path, settings: JanusSettings | None = None, *, url: str | None = None,
                             keys: JanusSecrets | None = None) -> MediaServer:
    """Start the centre's media server.

    With ``url`` (and the ``keys`` that Janus was configured with: its token secret and
    room admin key) an existing Janus is used; otherwise ours is started with its
    configuration under ``data_dir/janus``.
    """
    settings = settings or JanusSettings()
    if url is not None:
        if keys is None:
            raise ValueError("an existing media server needs its token secret and room admin key")
        # An existing server records on its own machine: nowhere this centre could keep the files.
        return MediaServer(MediationRooms(url, keys, publisher_kbps=settings.publisher_kbps,
                                          max_publishers=settings.max_publishers))
    janus = JanusServer(data_dir, settings, keys)
    await janus.start()
    return MediaServer(MediationRooms(janus.url, janus.keys, publisher_kbps=settings.publisher_kbps,
                                      max_publishers=settings.max_publishers, rec_dir=data_dir / RECORDINGS_DIR), janus)


__all__ = ["RECORDINGS_DIR", "JanusNotInstalled", "JanusSecrets", "JanusServer", "JanusSettings", "MediaServer", "MediationRooms",
           "RoomPool", "SessionRoom", "settings_from", "sign_token", "start_media_server"]
