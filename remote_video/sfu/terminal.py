"""A terminal's party in a mediation session: the camera and microphone published to
the session's room, the others watched, on a loop thread of its own (never Kivy's).

``TerminalRoom(camera, mic)``: ``join(pass)``, ``side(pass | None)`` (the side-room the
mediator opened with this party, beside the main room), ``picture(label)`` for the
screens, ``set_volume``, ``stats()``, ``leave()``. Methods return at once or block only
briefly; failures are logged and seen as ``failed`` (the screen says so).
"""

from __future__ import annotations

import concurrent.futures
import logging
import threading
from typing import TYPE_CHECKING, Any

from kiosk.ports import Camera, DeviceKind, Simulated

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from remote_video.peer import LoopThread
    from remote_video.sfu.party import FeedStats, RoomParty

log = logging.getLogger(__name__)


class TerminalRoom:
    """This terminal in a session's room (and, for a while, in its side-room)."""

    def __init__(self, camera: Camera | None, mic: Any = None, *, generated_audio: bool = True, width: int = 320,
                 height: int = 240, fps: int = 15, max_kbps: int = 500) -> None:
        self.camera = camera
        self.mic = mic
        self.generated_audio = generated_audio
        self.size = (width, height, fps, max_kbps)
        self.volume = 80
        self.failed: str | None = None
        self._lock = threading.Lock()
        self._loop: LoopThread | None = None
        self._main: RoomParty | None = None
        self._side: RoomParty | None = None

    # ---- the room ------------------------------------------------------------------------
    def join(self, room_pass: dict[str, Any]) -> concurrent.futures.Future[None]:
        """Join the main room (on the loop); the future ends when joined or failed."""
        return self._run(self._join("main", room_pass))

    def side(self, room_pass: dict[str, Any] | None) -> concurrent.futures.Future[None]:
        """Enter the side-room with ``room_pass``, or leave it (None)."""
        return self._run(self._side_room(room_pass))

    def leave(self) -> None:
        """Leave both rooms and stop the loop (safe to call twice)."""
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call(self._leave_all(), timeout=10)
        except Exception as exc:  # noqa: BLE001 — leaving must never keep the kiosk in the room screen
            log.warning("mediation: leaving the room: %s", exc)
        loop.stop()
        self._loop = None

    @property
    def in_side_room(self) -> bool:
        """Whether this terminal is in a side-room now."""
        return self._side is not None

    # ---- for the screens ---------------------------------------------------------------------
    def picture(self, label: str) -> tuple[int, npt.NDArray[np.uint8] | None]:
        """The newest picture of the party ``label`` ("mediator", "party-a"…): from the
        side-room while this terminal is in one, else from the main room."""
        for party in (self._side, self._main):
            if party is None:
                continue
            for feed in list(party.feeds.values()):
                if feed.display == label:
                    return feed.peer.remote_video.get()
        return 0, None

    def labels(self) -> list[str]:
        """Who is watched now (labels)."""
        party = self._main
        return sorted(f.display for f in party.feeds.values()) if party is not None else []

    def set_volume(self, percent: int) -> None:
        """The others' loudness on the loudspeaker."""
        self.volume = max(0, min(100, int(percent)))
        for party in (self._main, self._side):
            if party is not None:
                for feed in list(party.feeds.values()):
                    feed.peer.audio_sink.volume = self.volume

    def stats(self, which: str = "main") -> dict[str, FeedStats]:
        """What arrived per party so far (the main room or the side-room)."""
        party = self._main if which == "main" else self._side
        return party.stats() if party is not None else {}

    def disconnected(self) -> bool:
        """The centre closed the room or the media server went away."""
        party = self._main
        return party is not None and party.disconnected

    # ---- internals ----------------------------------------------------------------------------
    def _run(self, coro: Any) -> concurrent.futures.Future[None]:
        with self._lock:
            if self._loop is None:
                from remote_video.peer import LoopThread  # deferred: aiortc loads with the first session

                self._loop = LoopThread("mediation")
            loop = self._loop
        fut = loop.run(coro)
        fut.add_done_callback(self._logged)
        return fut

    def _logged(self, fut: concurrent.futures.Future[None]) -> None:
        exc = fut.exception()
        if exc is not None:
            self.failed = str(exc)
            log.error("mediation: %s", exc)

    async def _party(self, room_pass: dict[str, Any]) -> RoomParty:
        from remote_video.media import AudioTrack, CameraTrack, VideoLevel  # deferred: aiortc
        from remote_video.sfu.party import RoomParty  # deferred: aiortc
        from remote_video.sfu.rooms import RoomPass  # deferred: the Janus client (aiohttp) loads with the first session

        w, h, fps, kbps = self.size
        video = CameraTrack(self.camera, VideoLevel(w, h, fps, kbps)) if self.camera is not None else None
        audio = AudioTrack(generated=True) if (self.generated_audio or self.mic is None) else AudioTrack(self.mic)
        fields = ("url", "room", "pin", "token", "join_token", "display")
        return RoomParty(RoomPass(**{k: room_pass[k] for k in fields}), video, audio, max_kbps=kbps)

    async def _join(self, which: str, room_pass: dict[str, Any]) -> None:
        party = await self._party(room_pass)
        await party.join()
        if which == "main":
            self._main = party
        else:
            self._side = party
        self.set_volume(self.volume)

    async def _side_room(self, room_pass: dict[str, Any] | None) -> None:
        if self._side is not None:
            side, self._side = self._side, None
            await side.leave()
        if room_pass is not None:
            await self._join("side", room_pass)

    async def _leave_all(self) -> None:
        for name in ("_side", "_main"):
            party = getattr(self, name)
            setattr(self, name, None)
            if party is not None:
                await party.leave()


def open_room_media(terminal: Any) -> TerminalRoom:
    """The mediation party's media on ``terminal`` (kiosk.terminal.Terminal): its camera,
    and its microphone unless simulated (the simulator's is silence: a generated tone
    shows that sound flows, as in the video call)."""
    mic = terminal.mic()
    simulated = mic is None or isinstance(terminal.devices.get(DeviceKind.MIC), Simulated) or isinstance(mic, Simulated)
    return TerminalRoom(terminal.camera(), mic, generated_audio=simulated)


__all__ = ["TerminalRoom", "open_room_media"]
