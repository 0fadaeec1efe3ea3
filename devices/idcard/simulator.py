"""A SAM ID-card reader simulated from the reader's side of a pty (or a TCP socket).

The host side is the real driver: it opens the pty's slave (through a stable symlink,
as udev's ``/dev/serial/by-id`` links are stable) and cannot tell the difference
from hardware. Bytes are paced at the configured baud rate (a pty ignores baud), and
the reader's own processing delays are simulated per command.

Two layers: :class:`SamModel` is the protocol logic (cards, faults, the removal rule)
with no I/O; :class:`SamSimulator` serves it on a pty or TCP from its own thread.
"""

from __future__ import annotations

import enum
import json
import logging
import os
import random
import select
import socket
import tempfile
import threading
import time
import tty
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from devices.idcard import codec
from devices.idcard.codec import Command, Status
from kiosk.identity import CardType, Gender, IdentityCard

log = logging.getLogger(__name__)

DEMO_CARDS = Path(__file__).with_name("cards") / "demo.json"


class Fault(str, enum.Enum):
    """Faults the simulator can inject. All are one-shot (they affect the next matching
    exchange) except ``SAM_FAILURE``, which lasts until :meth:`SamModel.clear_faults`."""

    GARBAGE = "garbage"  # noise (with a false preamble) before the next response
    BAD_CHECKSUM = "bad_checksum"  # next response has a wrong XOR byte
    TIMEOUT = "timeout"  # next command gets no answer at all
    SAM_FAILURE = "sam_failure"  # every command answers 0x60 (self-test failed)
    REMOVED_MID_READ = "removed_mid_read"  # next read fails (0x41) and the card is gone
    UNKNOWN_CARD = "unknown_card"  # next read answers 0x40 (unknown card type)


@dataclass(frozen=True)
class DemoCard:
    """One card the simulator can place on the reader."""

    card_id: str
    card: IdentityCard = field(repr=False)

    @property
    def label_key(self) -> str:
        """Translation key of the technician-screen button that inserts this card."""
        return f"sim.idcard.insert_{self.card_id}"


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def card_from_json(entry: dict[str, Any]) -> DemoCard:
    """One entry of a cards file → :class:`DemoCard` (ValueError if malformed)."""
    try:
        birth = _date(entry["birth_date"])
        assert birth is not None
        card = IdentityCard(
            card_type=CardType(entry["card_type"]),
            name=entry.get("name", ""),
            gender=Gender(entry.get("gender", "unknown")),
            birth_date=birth,
            id_number=entry["id_number"],
            address=entry.get("address", ""),
            nation=entry.get("nation"),
            name_en=entry.get("name_en"),
            authority=entry.get("authority", ""),
            valid_from=_date(entry.get("valid_from")),
            valid_to=_date(entry.get("valid_to")),
            extra=tuple((str(k), str(v)) for k, v in (entry.get("extra") or {}).items()),
        )
        codec.encode_text(card)  # fails early on a field too long for the card layout
    except (KeyError, TypeError, ValueError, AssertionError, codec.CardDataError) as exc:
        raise ValueError(f"card {entry.get('id', '?')!r}: {exc}") from exc
    return DemoCard(card_id=str(entry["id"]), card=card)


def load_cards(path: str | os.PathLike[str] | None = None) -> list[DemoCard]:
    """Cards from a JSON file (``{"cards": [...]}`` or a bare list); the demo set by default."""
    p = Path(path) if path else DEMO_CARDS
    doc = json.loads(p.read_text(encoding="utf-8"))
    entries = doc["cards"] if isinstance(doc, dict) else doc
    cards = [card_from_json(e) for e in entries]
    if len({c.card_id for c in cards}) != len(cards):
        raise ValueError(f"{p}: duplicate card ids")
    return cards


@dataclass(frozen=True)
class ResponseDelays:
    """The reader's own processing time per command, in seconds, before it answers.

    The defaults are assumptions (no datasheet gives them): a find/select is a short
    RF exchange; a full read moves ~1.3 KB from the card over RF and is the slow one.
    """

    status: float = 0.005
    find: float = 0.02
    select: float = 0.02
    read: float = 0.3
    other: float = 0.005

    def for_command(self, code: bytes) -> float:
        """The delay for command ``code`` (CMD PARA)."""
        if code == Command.STATUS.value:
            return self.status
        if code == Command.FIND.value:
            return self.find
        if code == Command.SELECT.value:
            return self.select
        if code in (Command.READ.value, Command.READ_FINGERPRINT.value):
            return self.read
        return self.other

    @classmethod
    def none(cls) -> "ResponseDelays":
        """No processing delay (fast tests)."""
        return cls(0, 0, 0, 0, 0)


# A WLT photo is 1024 opaque bytes; the simulator sends a fixed pattern, never a face.
_FAKE_PHOTO = bytes((i * 7 + 0x57) & 0xFF for i in range(codec.PHOTO_SIZE))


class SamModel:
    """The reader's behaviour, without I/O: which card lies on it, whether it has been
    read (the removal rule), and pending faults. Thread-safe."""

    def __init__(self, cards: list[DemoCard]) -> None:
        self.cards = {c.card_id: c for c in cards}
        self._lock = threading.Lock()
        self._present: DemoCard | None = None
        self._halted = False  # read done: find fails until the card leaves the field
        self._faults: list[Fault] = []
        self._sam_failed = False
        self._rng = random.Random(0x5A)
        self.reads = 0

    # --- what a person or technician does --------------------------------------

    def insert(self, card_id: str) -> None:
        """Place a card on the reader (replacing any card there)."""
        with self._lock:
            self._present = self.cards[card_id]
            self._halted = False

    def remove(self) -> None:
        """Take the card off the reader."""
        with self._lock:
            self._present = None
            self._halted = False

    def inject(self, fault: Fault | str) -> None:
        """Inject a fault (see :class:`Fault`)."""
        fault = Fault(fault)
        with self._lock:
            if fault is Fault.SAM_FAILURE:
                self._sam_failed = True
            else:
                self._faults.append(fault)

    def clear_faults(self) -> None:
        """Drop pending faults and end a SAM failure."""
        with self._lock:
            self._faults.clear()
            self._sam_failed = False

    @property
    def card_present(self) -> bool:
        """True while a card lies on the reader."""
        return self._present is not None

    # --- the protocol ----------------------------------------------------------

    def _take(self, fault: Fault) -> bool:
        if fault in self._faults:
            self._faults.remove(fault)
            return True
        return False

    def respond(self, request: codec.Request) -> bytes | None:
        """The bytes the reader sends back for ``request`` (None: it stays silent)."""
        with self._lock:
            if self._take(Fault.TIMEOUT):
                return None
            frame = self._answer(request)
            if self._take(Fault.BAD_CHECKSUM):
                frame = frame[:-1] + bytes([frame[-1] ^ 0x5A])
            if self._take(Fault.GARBAGE):
                # Noise that includes a false start of a preamble and a bogus LEN.
                noise = bytes(self._rng.randrange(256) for _ in range(self._rng.randrange(3, 24)))
                frame = noise + b"\xaa\xaa\xaa\x96\x69\xff\xff" + noise[:5] + frame
            return frame

    def _answer(self, request: codec.Request) -> bytes:
        code = request.code
        if self._sam_failed:
            return codec.build_response(Status.SAM_SELF_TEST_FAILED)
        if code in (Command.STATUS.value, Command.RESET.value, Command.SET_MAX_RF_BYTE.value):
            return codec.build_response(Status.OK)
        if code == Command.SAM_ID.value:
            return codec.build_response(Status.OK, bytes(range(0x10, 0x20)))
        ready = self._present is not None and not self._halted
        if code == Command.FIND.value:
            return codec.build_response(Status.FIND_OK, b"\x00" * 4) if ready else codec.build_response(Status.FIND_FAILED)
        if code == Command.SELECT.value:
            return codec.build_response(Status.OK, b"\x00" * 8) if ready else codec.build_response(Status.SELECT_FAILED)
        if code in (Command.READ.value, Command.READ_FINGERPRINT.value):
            if not ready or self._present is None:
                return codec.build_response(Status.READ_FAILED)
            if self._take(Fault.REMOVED_MID_READ):
                self._present = None
                return codec.build_response(Status.READ_FAILED)
            if self._take(Fault.UNKNOWN_CARD):
                return codec.build_response(Status.UNKNOWN_CARD_TYPE)
            text = codec.encode_text(self._present.card)
            fingerprint = b"" if code == Command.READ_FINGERPRINT.value else None
            self._halted = True
            self.reads += 1
            return codec.build_response(Status.OK, codec.build_read_data(text, _FAKE_PHOTO, fingerprint))
        if code == Command.READ_EXTRA_ADDRESS.value:
            return codec.build_response(Status.NO_CONTENT)
        return codec.build_response(Status.BAD_COMMAND)


class SamSimulator:
    """Serves a :class:`SamModel` on a pty (default) or on TCP 127.0.0.1.

    ``start()`` returns what the host should open: a path (pty) or a
    ``socket://127.0.0.1:PORT`` URL. ``unplug()``/``plug()`` make the device vanish and
    come back (the pty path stays the same, like a udev by-id link).
    """

    def __init__(
        self,
        model: SamModel,
        *,
        baudrate: int = 115200,
        delays: ResponseDelays | None = None,
        transport: str = "pty",
        tcp_port: int = 0,
        link_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        if transport not in ("pty", "tcp"):
            raise ValueError("transport is 'pty' or 'tcp'")
        self.model = model
        self.baudrate = baudrate
        self.delays = delays or ResponseDelays()
        self.transport = transport
        self._tcp_port = tcp_port
        self._link_dir = Path(link_dir) if link_dir else None
        self._own_dir = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._master: int | None = None
        self._slave: int | None = None
        self._listener: socket.socket | None = None
        self._conn: socket.socket | None = None
        self._plugged = False
        self.device: str | None = None
        self.bytes_sent = 0
        self.commands = 0

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> str:
        """Create the port, start serving, and return the device path or URL."""
        if self._thread is not None:
            assert self.device is not None
            return self.device
        if self.transport == "pty" and self._link_dir is None:
            self._link_dir = Path(tempfile.mkdtemp(prefix="kiosk-idcard-sim-"))
            self._own_dir = True
        self._plug()
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="idcard-sim", daemon=True)
        self._thread.start()
        assert self.device is not None
        return self.device

    def stop(self) -> None:
        """Stop serving and remove the port."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        self._unplug()
        if self._own_dir and self._link_dir is not None:
            try:
                self._link_dir.rmdir()
            except OSError:
                pass

    def __enter__(self) -> "SamSimulator":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def unplug(self) -> None:
        """Make the reader disappear (as if its USB cable were pulled)."""
        self._unplug()

    def plug(self) -> None:
        """Bring the reader back at the same path/port."""
        if not self._plugged:
            self._plug()

    @property
    def plugged(self) -> bool:
        """True while the reader is "connected"."""
        return self._plugged

    def _plug(self) -> None:
        with self._lock:
            if self.transport == "pty":
                master, slave = os.openpty()
                # Raw before anyone opens it: an echoing line discipline would send our
                # answers back to us as if the host had written them.
                tty.setraw(slave)
                os.set_blocking(master, False)
                self._master, self._slave = master, slave
                assert self._link_dir is not None
                link = self._link_dir / "ttySAM0"
                tmp = self._link_dir / "ttySAM0.new"
                if tmp.is_symlink():
                    tmp.unlink()
                os.symlink(os.ttyname(slave), tmp)
                os.replace(tmp, link)  # atomic: the path never points nowhere mid-change
                self.device = str(link)
            else:
                listener = socket.create_server(("127.0.0.1", self._tcp_port))
                self._tcp_port = listener.getsockname()[1]  # the same port on re-plug
                self._listener = listener
                self.device = f"socket://127.0.0.1:{self._tcp_port}"
            self._plugged = True
        log.info("idcard-sim: plugged in at %s", self.device)

    def _unplug(self) -> None:
        with self._lock:
            if not self._plugged:
                return
            self._plugged = False
            if self.transport == "pty":
                assert self._link_dir is not None
                link = self._link_dir / "ttySAM0"
                if link.is_symlink():
                    link.unlink()
                for fd in (self._master, self._slave):
                    if fd is not None:
                        os.close(fd)
                self._master = self._slave = None
            else:
                for sock in (self._conn, self._listener):
                    if sock is not None:
                        sock.close()
                self._conn = self._listener = None
        log.info("idcard-sim: unplugged")

    # --- serving ---------------------------------------------------------------

    def _serve(self) -> None:
        deframer = codec.Deframer(min_len=codec.MIN_COMMAND_LEN)
        while not self._stop.is_set():
            fd = self._readable_fd()
            if fd is None:
                deframer.clear()
                self._stop.wait(0.02)
                continue
            try:
                ready, _, _ = select.select([fd], [], [], 0.05)
            except (OSError, ValueError):
                continue  # unplugged under us
            if not ready:
                continue
            data = self._recv(fd)
            if data is None:
                continue
            deframer.feed(data)
            while True:
                try:
                    body = deframer.pop()
                except codec.FrameError as exc:
                    # A real SAM answers a corrupted host frame with 0x10/0x11.
                    bad_length = isinstance(exc, codec.LengthError)
                    self._send(codec.build_response(Status.HOST_LENGTH_ERROR if bad_length else Status.HOST_CHECKSUM_ERROR))
                    continue
                if body is None:
                    break
                self._handle(body)

    def _readable_fd(self) -> int | None:
        with self._lock:
            if not self._plugged:
                return None
            if self.transport == "pty":
                return self._master
            if self._conn is None and self._listener is not None:
                ready, _, _ = select.select([self._listener], [], [], 0.05)
                if ready:
                    self._conn, _ = self._listener.accept()
                    self._conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            return self._conn.fileno() if self._conn is not None else None

    def _recv(self, fd: int) -> bytes | None:
        try:
            if self.transport == "pty":
                return os.read(fd, 4096)
            assert self._conn is not None
            data = self._conn.recv(4096)
            if not data:  # the host closed the connection: wait for the next one
                with self._lock:
                    self._conn.close()
                    self._conn = None
                return None
            return data
        except BlockingIOError:
            return None
        except OSError:
            # EIO on a pty master means no process holds the slave open: harmless.
            self._stop.wait(0.01)
            return None

    def _handle(self, body: bytes) -> None:
        try:
            request = codec.decode_request(body)
        except codec.LengthError:
            self._send(codec.build_response(Status.HOST_LENGTH_ERROR))
            return
        self.commands += 1
        # The command itself took wire time to arrive (the pty delivered it at once).
        time.sleep((codec.HEADER_SIZE + len(body) + 1) * 10 / self.baudrate)
        delay = self.delays.for_command(request.code)
        if delay:
            time.sleep(delay)
        response = self.model.respond(request)
        if response is not None:
            self._send(response)

    def _send(self, data: bytes) -> None:
        """Write ``data`` paced at the baud rate, in ~5 ms slices on an absolute
        schedule (so sleep overshoot does not accumulate)."""
        per_second = self.baudrate / 10
        chunk = max(1, int(per_second * 0.005))
        start = time.monotonic()
        sent = 0
        while sent < len(data):
            if self._stop.is_set() or not self._plugged:
                return
            piece = data[sent : sent + chunk]
            try:
                self._write(piece)
            except OSError:
                return
            sent += len(piece)
            self.bytes_sent += len(piece)
            wait = start + sent / per_second - time.monotonic()
            if wait > 0:
                time.sleep(wait)

    def _write(self, piece: bytes) -> None:
        with self._lock:
            if self.transport == "pty":
                if self._master is None:
                    raise OSError("unplugged")
                view = memoryview(piece)
                while view:
                    try:
                        n = os.write(self._master, view)
                    except BlockingIOError:
                        time.sleep(0.001)
                        continue
                    view = view[n:]
            else:
                if self._conn is None:
                    raise OSError("no connection")
                self._conn.sendall(piece)
