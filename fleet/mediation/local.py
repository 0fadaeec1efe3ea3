"""A throwaway Janus on this machine, for measuring a room (``kiosk call selftest
--parties N`` and bench/bench_sfu.py).

``LocalJanus`` starts our Janus with the centre's configuration in a temporary directory
(removed afterwards): its WebSocket on 127.0.0.1 at a free port, its media on this
machine's own address (``media_address``), no STUN or TURN. ``room(n)`` opens a room for
``n`` parties and closes it after; ``measure_room`` wraps one measurement with Janus's own
CPU use. The parties themselves are the caller's (remote_video/sfu/selftest.py): the
centre's package never loads the terminal's media code.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from fleet.mediation.janus_config import JanusSettings
from fleet.mediation.rooms import MediationRooms
from fleet.mediation.server import JanusServer
from remote_video.sfu.errors import SfuUnreachable
from remote_video.sfu.rooms import RoomPass

T = TypeVar("T")

# Role labels of a room's parties, in join order (the product's own first).
PARTY_LABELS = ("mediator", "party-a", "party-b")
# A mediation room holds the mediator and two parties (JanusSettings.max_publishers).
MAX_PARTIES = JanusSettings().max_publishers

_SIOCGIFFLAGS = 0x8913
_SIOCGIFADDR = 0x8915
_IFF_UP, _IFF_LOOPBACK, _IFF_RUNNING = 0x1, 0x8, 0x40


def free_port() -> int:
    """A TCP port free on 127.0.0.1 just now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def media_address() -> str:
    """This machine's own IPv4 address (that of the first interface by name, not loopback,
    that is up and has one).

    Janus never gathers ICE candidates on a loopback interface (its ice.c skips
    IFF_LOOPBACK), and its answers to checks from 127.0.0.1 never reach an aiortc socket
    on 127.0.0.1; so Janus and the parties both use this address. The kernel delivers
    traffic to its own address locally: nothing leaves the machine. Linux only (the
    interface is asked with ioctl, which needs no extra package on a terminal).
    """
    import fcntl  # deferred: Linux-only module, needed only when a local room is measured
    import struct  # deferred with fcntl (packs the ioctl's request)

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for name in sorted(n for _, n in socket.if_nameindex()):
            request = struct.pack("256s", name.encode()[:15])
            try:
                flags = struct.unpack("H", fcntl.ioctl(s.fileno(), _SIOCGIFFLAGS, request)[16:18])[0]
                if flags & _IFF_LOOPBACK or flags & (_IFF_UP | _IFF_RUNNING) != (_IFF_UP | _IFF_RUNNING):
                    continue
                address = socket.inet_ntoa(fcntl.ioctl(s.fileno(), _SIOCGIFADDR, request)[20:24])
            except OSError:
                continue  # gone meanwhile, or no IPv4 address on it
            if not address.startswith("127."):
                return address
    raise SfuUnreachable("this machine has no non-loopback IPv4 address that is up: Janus cannot gather a media candidate")


def process_cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) the process ``pid`` has used, from /proc; None when
    it cannot be read (not Linux, or the process is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After the ")" closing the command name: state is field 0, utime 11, stime 12.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class LocalJanus:
    """Our Janus on this machine, for the time of a measurement.

    Use as a context manager. Janus runs as a child of a loop thread of its own, which
    also keeps the admin connection's keepalives going during a long measurement; Linux
    stops Janus when that thread ends (``JanusServer``), so nothing outlives us.
    """

    def __init__(self, address: str | None = None, ws_port: int | None = None) -> None:
        self.address = address or media_address()
        self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-janus-")
        self.server = JanusServer(Path(self._tmp.name), JanusSettings(ws_port=ws_port or free_port(), media_addresses=(self.address,)))
        self._rooms = MediationRooms(self.server.url, self.server.keys)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="local-janus", daemon=True)
        self._started = False

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    def start(self) -> None:
        """Start Janus; return once it answers (or raise ``SfuError`` saying why)."""
        self._thread.start()
        self._started = True
        self._call(self.server.start())

    def stop(self) -> None:
        """Close the rooms, stop Janus and the thread, remove the directory."""
        try:
            if self._started:
                with contextlib.suppress(Exception):  # the server may be gone already: stopping it is what matters
                    self._call(self._rooms.close(), timeout=10.0)
                self._call(self.server.stop(), timeout=15.0)
        finally:
            if self._started:
                self._loop.call_soon_threadsafe(self._loop.stop)
                self._thread.join(5.0)
            self._loop.close()
            self._tmp.cleanup()

    def __enter__(self) -> LocalJanus:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()

    @contextlib.contextmanager
    def room(self, parties: int) -> Iterator[list[RoomPass]]:
        """A room for ``parties`` parties (2 to ``MAX_PARTIES``): one pass each, in the
        order of ``PARTY_LABELS``; the room is destroyed on leaving the block."""
        if not 2 <= parties <= MAX_PARTIES:
            raise ValueError(f"a room takes 2 to {MAX_PARTIES} parties, not {parties}")
        session = f"selftest-{time.monotonic_ns()}"
        opened = self._call(self._rooms.open_session(session, PARTY_LABELS[:parties]))
        try:
            yield [opened.passes[label] for label in PARTY_LABELS[:parties]]
        finally:
            self._call(self._rooms.close_session(session), timeout=10.0)

    def cpu_seconds(self) -> float | None:
        """CPU time Janus has used so far (None when it cannot be read)."""
        pid = self.server.pid
        return process_cpu_seconds(pid) if pid is not None else None

    def measure_room(self, parties: int, measure: Callable[[list[RoomPass]], dict[str, Any]]) -> dict[str, Any]:
        """Open a room, run ``measure`` on its passes, close it; the figures ``measure``
        returned plus ``janus_cpu_percent``: Janus's CPU as % of one core over the whole
        measurement, joining and leaving included (an upper bound; None if unreadable)."""
        cpu0, wall0 = self.cpu_seconds(), time.monotonic()
        with self.room(parties) as passes:
            figures = dict(measure(passes))
        cpu1, wall = self.cpu_seconds(), time.monotonic() - wall0
        figures["janus_cpu_percent"] = round(100 * (cpu1 - cpu0) / wall, 1) if cpu0 is not None and cpu1 is not None and wall else None
        return figures


__all__ = ["MAX_PARTIES", "PARTY_LABELS", "LocalJanus", "free_port", "media_address", "process_cpu_seconds"]
