"""The party's media as the core and the screens see them: one port, made by the
composition root (kiosk.bootstrap wires ``remote_video.sfu.terminal.TerminalRoom``)."""

from __future__ import annotations

from typing import Any, Protocol


class RoomMedia(Protocol):
    """This terminal in a session's room (and its side-room): returns at once; the
    media run on their own loop thread."""

    volume: int

    def join(self, room_pass: dict[str, Any]) -> Any:
        """Join the session's room with this party's pass."""

    def side(self, room_pass: dict[str, Any] | None) -> Any:
        """Enter the side-room (a pass) or leave it (None)."""

    @property
    def in_side_room(self) -> bool:
        """Whether in a side-room now."""

    def picture(self, label: str) -> tuple[int, Any]:
        """The newest picture of party ``label`` (count, RGB array or None)."""

    def set_volume(self, percent: int) -> None:
        """The others' loudness."""

    def leave(self) -> None:
        """Leave every room (blocks a moment: not on the UI thread)."""
