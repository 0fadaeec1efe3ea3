"""One party in a multi-party room: publish our camera and microphone, watch the others.

Media path (aiortc, the same tracks and peers as a two-party call, remote_video/peer.py):
- publishing: we offer (our ``CameraTrack`` + Opus ``AudioTrack``), Janus answers;
- watching: one subscription per other publisher; Janus offers, we answer (receive only).
  One PeerConnection per watched party keeps each independent: a party that drops takes
  only its own subscription with it, and nobody renegotiates.

The party follows the room's events on its publisher handle: a new publisher is
watched at once, a party that stops publishing or leaves is dropped. Everything runs on
the caller's asyncio loop (a terminal uses the call's ``LoopThread``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from typing import Awaitable
from aiortc.mediastreams import MediaStreamTrack

from remote_video.media import SendLog
from remote_video.peer import CallPeer
from remote_video.sfu.errors import SfuError, SfuProtocolError, SfuTimeout
from remote_video.sfu.janus import JanusConnection, JanusSession, JsonObject, PluginHandle
from remote_video.sfu.rooms import RoomPass

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 15.0
CLOSE_TIMEOUT_S = 5.0  # hanging up must end even if a PeerConnection is stuck mid-handshake


async def _bounded(what: str, coro: Awaitable[None]) -> None:
    """Run a clean-up step, giving up (logged) after ``CLOSE_TIMEOUT_S``."""
    try:
        await asyncio.wait_for(coro, CLOSE_TIMEOUT_S)
    except asyncio.TimeoutError:
        log.warning("media: %s did not finish within %.0f s; left behind", what, CLOSE_TIMEOUT_S)


async def _end(task: "asyncio.Future[None]") -> None:
    """Cancel ``task`` and wait until it has ended, cancelling it again while it runs on:
    Python 3.11's ``wait_for`` drops a cancellation that arrives just as the step it waits
    for finishes, and the room's follower would then wait for its next event for ever."""
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=0.5)


@dataclass
class FeedStats:
    """What one subscription received so far."""

    feed: int
    display: str
    video_frames: int
    audio_frames: int
    audio_peak: int
    latencies: list[float]


class RemoteFeed:
    """Our subscription to one other party's audio and video."""

    def __init__(self, feed: int, display: str, handle: PluginHandle, peer: CallPeer, streams: list[JsonObject]) -> None:
        self.feed = feed
        self.display = display
        self.handle = handle
        self.peer = peer
        self.streams = streams  # Janus's description of what it sends us (mid, type)

    @property
    def video_frames(self) -> int:
        """Video frames received and decoded."""
        return self.peer.video_counter.frames

    @property
    def audio_frames(self) -> int:
        """Audio frames received and decoded."""
        return self.peer.audio_sink.frames

    def stats(self) -> FeedStats:
        """The counts so far."""
        return FeedStats(self.feed, self.display, self.video_frames, self.audio_frames, self.peer.audio_sink.peak,
                         list(self.peer.video_counter.latencies))

    async def set_video(self, enabled: bool) -> None:
        """Stop (or resume) this party's picture while keeping their voice: what a
        terminal on a poor line does for a small view, so the sound keeps the line."""
        mids = [s.get("mid") for s in self.streams if s.get("type") == "video"]
        await self.handle.message({"request": "configure", "streams": [{"mid": m, "send": enabled} for m in mids]},
                                  f"{'resume' if enabled else 'pause'} the picture of {self.display}", asynchronous=True)

    async def close(self, detach: bool = True) -> None:
        """End the subscription (``detach=False`` when the whole session is about to be
        destroyed anyway: one request instead of one per subscription)."""
        if detach:
            with contextlib.suppress(SfuError):
                await self.handle.detach()
        await _bounded(f"closing the subscription to {self.display}", self.peer.close())


class RoomParty:
    """A party in a room: ``await join()``, then ``feeds`` fill as others publish;
    ``await leave()`` at the end. ``video``/``audio`` are the tracks to publish (either
    may be None: a party without a camera is still heard). One join per object: leaving
    stops the tracks, so a party that comes back is a new ``RoomParty`` with new tracks."""

    def __init__(self, room_pass: RoomPass, video: MediaStreamTrack | None, audio: MediaStreamTrack | None, *,
                 send_log: SendLog | None = None, adapt: bool = True, max_kbps: int = 500) -> None:
        self.room_pass = room_pass
        self._video = video
        self._audio = audio
        self._send_log = send_log
        self._adapt = adapt
        self._max_kbps = max_kbps
        self.feeds: dict[int, RemoteFeed] = {}
        self.id: int | None = None  # our publisher id in the room
        self._private_id: int | None = None
        self._conn: JanusConnection | None = None
        self._session: JanusSession | None = None
        self._handle: PluginHandle | None = None
        self.publisher: CallPeer | None = None
        self._follow: asyncio.Task[None] | None = None
        self._subscribing: dict[int, asyncio.Task[None]] = {}
        self.errors: list[str] = []  # subscription failures, for the technician
        self.room_closed = asyncio.Event()  # the centre closed the room (session over)

    async def join(self) -> None:
        """Enter the room, publish, and watch everyone already publishing.

        Raises ``SfuRefused`` for a wrong token/PIN/invitation, ``SfuUnreachable`` when
        there is no server; on any failure nothing is left open.
        """
        p = self.room_pass
        try:
            self._conn = await JanusConnection.open(p.url, p.token)
            self._session = await self._conn.create_session()
            self._handle = await self._session.attach()
            joined = await self._handle.message(
                {"request": "join", "ptype": "publisher", "room": p.room, "pin": p.pin, "token": p.join_token, "display": p.display},
                f"let {p.display} into room {p.room}", asynchronous=True)
            if joined.data.get("videoroom") != "joined":
                raise SfuProtocolError(f"media server did not confirm that {p.display} joined room {p.room}")
            self.id = int(joined.data["id"])
            self._private_id = int(joined.data["private_id"])
            await self._publish()
            self._follow = asyncio.ensure_future(self._follow_room())
            for pub in joined.data.get("publishers") or []:
                self._watch(pub)
        except BaseException:
            await self.leave()
            raise

    async def _publish(self) -> None:
        assert self._handle is not None
        self.publisher = CallPeer(self._video, self._audio, send_log=None, adapt=self._adapt, max_kbps=self._max_kbps)
        offer = await self.publisher.offer()
        reply = await self._handle.message({"request": "publish", "display": self.room_pass.display},
                                           f"publish {self.room_pass.display}", jsep={"type": "offer", "sdp": offer},
                                           asynchronous=True)
        if reply.jsep is None or reply.jsep.get("type") != "answer":
            raise SfuProtocolError("media server accepted our media but sent no answer")
        await self.publisher.accept(str(reply.jsep["sdp"]))
        await self._handle.trickle_done()

    def _watch(self, pub: JsonObject) -> None:
        feed = pub.get("id")
        if not isinstance(feed, int) or feed == self.id or feed in self.feeds or feed in self._subscribing:
            return
        display = str(pub.get("display") or feed)
        task = asyncio.ensure_future(self._subscribe_logged(feed, display))
        self._subscribing[feed] = task

        def done(_task: "asyncio.Future[None]") -> None:
            self._subscribing.pop(feed, None)

        task.add_done_callback(done)

    async def _subscribe_logged(self, feed: int, display: str) -> None:
        try:
            await self.subscribe(feed, display)
        except SfuError as exc:
            log.warning("room %s: cannot watch %s: %s", self.room_pass.room, display, exc)
            self.errors.append(str(exc))

    async def subscribe(self, feed: int, display: str = "", room: int | None = None) -> RemoteFeed:
        """Watch publisher ``feed`` (of our room unless ``room`` says otherwise: the
        server refuses a feed of another room, which is what a test of isolation asks)."""
        assert self._session is not None
        p = self.room_pass
        handle = await self._session.attach()
        peer: CallPeer | None = None
        try:
            attached = await handle.message(
                {"request": "join", "ptype": "subscriber", "room": p.room if room is None else room, "pin": p.pin,
                 "private_id": self._private_id, "streams": [{"feed": feed}]},
                f"let {p.display} watch {display or feed}", asynchronous=True)
            if attached.jsep is None or attached.jsep.get("type") != "offer":
                raise SfuProtocolError(f"media server sent no offer to watch {display or feed}")
            peer = CallPeer(None, None, send_log=self._send_log, adapt=False)
            answer = await peer.answer(str(attached.jsep["sdp"]))
            await handle.message({"request": "start"}, f"start sending {display or feed}", jsep={"type": "answer", "sdp": answer},
                                 asynchronous=True)
            streams = [s for s in attached.data.get("streams") or [] if isinstance(s, dict)]
        except BaseException:
            if peer is not None:
                await _bounded(f"closing a failed subscription to {display or feed}", peer.close())
            with contextlib.suppress(SfuError):
                await handle.detach()
            raise
        remote = RemoteFeed(feed, display, handle, peer, streams)
        self.feeds[feed] = remote
        return remote

    async def _follow_room(self) -> None:
        """Watch new publishers, drop those who stop or leave."""
        assert self._handle is not None
        queue = self._handle.events.queue
        while True:
            event = await queue.get()
            data = (event.get("plugindata") or {}).get("data") or {}
            if data.get("videoroom") == "destroyed":
                self.room_closed.set()
            for pub in data.get("publishers") or []:
                if isinstance(pub, dict):
                    self._watch(pub)
            for key in ("unpublished", "leaving", "kicked"):
                gone = data.get(key)
                if isinstance(gone, int) and gone in self.feeds:
                    feed = self.feeds.pop(gone)
                    log.info("room %s: %s left", self.room_pass.room, feed.display)
                    await feed.close()

    async def wait_for_feeds(self, count: int, timeout: float = CONNECT_TIMEOUT_S) -> None:
        """Wait until ``count`` other parties' pictures and voices arrive."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while sum(1 for f in self.feeds.values() if f.video_frames and f.audio_frames) < count:
            if loop.time() > deadline:
                got = {f.display: (f.video_frames, f.audio_frames) for f in self.feeds.values()}
                raise SfuTimeout(f"{self.room_pass.display} receives from {len(got)} of {count} parties after "
                                 f"{timeout:.0f} s (video, audio frames: {got}; errors: {self.errors})")
            await asyncio.sleep(0.05)

    @property
    def disconnected(self) -> bool:
        """Whether the room is over for us: the centre closed it, or the media server
        went away (the screen then says so and offers to try again)."""
        return self.room_closed.is_set() or self._session is None or self._session.lost.is_set()

    def stats(self) -> dict[str, FeedStats]:
        """Per other party (by display label): what arrived."""
        return {f.display: f.stats() for f in self.feeds.values()}

    async def leave(self) -> None:
        """Leave the room and release everything (safe to call twice)."""
        if self._follow is not None:
            await _end(self._follow)
            with contextlib.suppress(asyncio.CancelledError):
                await self._follow
            self._follow = None
        for task in list(self._subscribing.values()):
            task.cancel()  # once: a subscription has no loop to be stuck in, and its own clean-up to finish
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        for feed in list(self.feeds.values()):
            await feed.close(detach=False)  # destroying the session below drops their handles
        self.feeds.clear()
        if self._handle is not None and self._conn is not None and not self._conn.closed and self.id is not None:
            with contextlib.suppress(SfuError):
                await self._handle.message({"request": "leave"}, "leave the room", asynchronous=True, timeout=3.0)
        if self.publisher is not None:
            await _bounded("closing our publication", self.publisher.close())
            self.publisher = None
        if self._conn is not None:
            await _bounded("closing the connection to the media server", self._conn.close())
        self._conn = self._session = self._handle = None


__all__ = ["FeedStats", "RemoteFeed", "RoomParty"]
