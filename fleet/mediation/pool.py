"""Several Janus instances behind one room manager (a county with many sessions).

A room lives on exactly one Janus (a VideoRoom is held in one process's memory), so a
session is placed whole: on the instance with the fewest open rooms, ties to the first.
Each instance keeps its own secrets, so a pass issued by one is worthless on another.
"""

from __future__ import annotations

from typing import Sequence

from fleet.mediation.rooms import DEFAULT_TTL_S, MediationRooms, SessionRoom


class RoomPool:
    """``open_session`` / ``close_session`` across instances, like one ``MediationRooms``."""

    def __init__(self, instances: Sequence[MediationRooms]) -> None:
        if not instances:
            raise ValueError("a room pool needs at least one media server")
        self.instances = list(instances)
        self._where: dict[str, MediationRooms] = {}

    def instance_of(self, session_id: str) -> MediationRooms:
        """The instance holding the session's room."""
        return self._where[session_id]

    async def open_session(self, session_id: str, parties: Sequence[str], ttl_s: int = DEFAULT_TTL_S) -> SessionRoom:
        """Open the session's room on the least busy instance."""
        if session_id in self._where:
            raise ValueError(f"mediation session {session_id} already has a room")
        target = min(self.instances, key=lambda r: len(r.rooms))
        room = await target.open_session(session_id, parties, ttl_s)
        self._where[session_id] = target
        return room

    async def close_session(self, session_id: str) -> None:
        """Close the session's room wherever it is."""
        target = self._where.pop(session_id, None)
        if target is not None:
            await target.close_session(session_id)

    async def close(self) -> None:
        """Close every instance's rooms and connections."""
        for r in self.instances:
            await r.close()
        self._where.clear()


__all__ = ["RoomPool"]
