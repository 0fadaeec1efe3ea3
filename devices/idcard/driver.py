"""Serial driver for SAM ID-card readers: command transactions and the polling state
machine, on ``serial.serial_for_url`` (a path, ``loop://``, ``socket://``, ``spy://``).

One :class:`CardPoller` owns the port and runs on its own thread. It reports what
happens to a :class:`PollerListener`; it never logs personal data (only states, status
codes and byte counts).

States (one enum, one transition table)::

    NO_READER ──connect ok──► IDLE ──find 9F──► CARD_FOUND ──select 90──► SELECTED
        ▲  ▲                   ▲ ▲                  │                        │ read
        │  └── SAM 0x60 ── FAULT │                  ▼ (select failed)        ▼
        │                      │ └──────────── IDLE ◄── read failed ─────── READ
        └── port lost / no answer (from any state)                           │
                               WAITING_REMOVAL ◄──── decoded or rejected ────┘

After a successful read the SAM answers "find" with 0x80 until the card has left the
field, and there is no "is a card present" query. So WAITING_REMOVAL
is a normal resting state: the card may still lie there or may be gone, and we learn
that it left only when a find succeeds again (a card entered the field anew). A card
that failed to read leaves the reader IDLE, where the first empty find says it has gone.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit

import serial

try:  # pyserial lets termios.error (not an OSError) escape from tcflush on a lost tty
    from termios import error as _TermiosError
except ImportError:  # pragma: no cover - not POSIX
    _TermiosError = OSError  # type: ignore[assignment,misc]

PORT_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, _TermiosError)

from devices.idcard import codec
from devices.idcard.codec import Command, Status
from kiosk.errors import DeviceError
from kiosk.identity import IdentityCard

log = logging.getLogger(__name__)

DEFAULT_BAUDRATE = 115200
BAUDRATES = (115200, 57600, 38400, 19200, 9600)  # what SAM modules accept


class ReaderState(str, enum.Enum):
    """Where the polling loop is."""

    NO_READER = "no_reader"  # port missing, or nothing answers on it
    FAULT = "fault"  # the reader answers but its SAM failed its self-test (0x60)
    IDLE = "idle"  # ready, no card seen
    CARD_FOUND = "card_found"
    SELECTED = "selected"
    READ = "read"
    WAITING_REMOVAL = "waiting_removal"


_S = ReaderState
TRANSITIONS: dict[ReaderState, frozenset[ReaderState]] = {
    _S.NO_READER: frozenset({_S.IDLE, _S.FAULT}),
    _S.FAULT: frozenset({_S.IDLE, _S.NO_READER}),
    _S.IDLE: frozenset({_S.CARD_FOUND, _S.FAULT, _S.NO_READER}),
    _S.CARD_FOUND: frozenset({_S.SELECTED, _S.IDLE, _S.FAULT, _S.NO_READER}),
    _S.SELECTED: frozenset({_S.READ, _S.IDLE, _S.FAULT, _S.NO_READER}),
    _S.READ: frozenset({_S.WAITING_REMOVAL, _S.IDLE, _S.NO_READER}),
    _S.WAITING_REMOVAL: frozenset({_S.CARD_FOUND, _S.FAULT, _S.NO_READER}),
}
HEALTHY_STATES = frozenset(TRANSITIONS) - {_S.NO_READER, _S.FAULT}


class ReaderUnavailable(DeviceError):
    """The port cannot be opened, was lost, or nothing answers on it."""

    message_key = "idcard.absent"


class ReaderProtocolError(DeviceError):
    """The reader answered, but only with malformed frames."""

    message_key = "idcard.absent"


class _Stopped(Exception):
    """The poller was asked to stop while waiting on the line."""


@dataclass(frozen=True)
class DriverOptions:
    """Line settings, timings and retry policy.

    Timeouts are per command, in seconds; the read timeout grows with the wire time
    of a 1295-byte response at the configured rate. Defaults follow public drivers
    (find 0.8 s, select 0.5 s, read ~1.1 s plus margin) and poll faster than they do,
    because at a kiosk the person is waiting.
    """

    baudrate: int = DEFAULT_BAUDRATE
    poll_interval: float = 0.1
    reconnect_interval: float = 1.0
    attempts: int = 3
    timeouts: dict[str, float] = field(
        default_factory=lambda: {"STATUS": 1.0, "FIND": 0.8, "SELECT": 0.5, "READ": 2.0, "SET_MAX_RF_BYTE": 0.5}
    )
    set_max_rf_byte: int | None = 0x50  # sent once after connect, as hev-idcard-reader does

    def timeout_for(self, command: Command) -> float:
        """The answer timeout for ``command``."""
        base = self.timeouts.get(command.name, 1.0)
        if command in (Command.READ, Command.READ_FINGERPRINT):
            base += 2 * wire_time(2400, self.baudrate)
        return base


def wire_time(n_bytes: int, baudrate: int) -> float:
    """Seconds ``n_bytes`` take on an 8N1 line (10 bits per byte)."""
    return n_bytes * 10 / baudrate


# Query parameters that belong to us, not to pyserial's URL handlers.
_OUR_PARAMS = {"baudrate", "poll", "reconnect", "attempts"}


def parse_device_url(url: str) -> tuple[str, DriverOptions]:
    """Split a device URL into the pyserial URL (or path) and our options.

    ``serial:///dev/ttyUSB0?baudrate=57600`` → ``/dev/ttyUSB0``;
    ``spy+serial:///dev/ttyUSB0?file=/tmp/x`` → ``spy:///dev/ttyUSB0?file=/tmp/x``;
    ``socket://host:port``, ``loop://`` and bare paths pass through.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    ours = {k: v for k, v in query if k in _OUR_PARAMS}
    rest = urlencode([(k, v) for k, v in query if k not in _OUR_PARAMS])
    try:
        baudrate = int(ours.get("baudrate", DEFAULT_BAUDRATE))
        options = DriverOptions(
            baudrate=baudrate,
            poll_interval=float(ours.get("poll", 0.1)),
            reconnect_interval=float(ours.get("reconnect", 1.0)),
            attempts=int(ours.get("attempts", 3)),
        )
    except ValueError as exc:
        raise DeviceError(f"idcard: bad parameter in {url!r}: {exc}") from exc
    if options.baudrate not in BAUDRATES:
        raise DeviceError(f"idcard: baudrate {options.baudrate} not one of {BAUDRATES}")
    if url.startswith("/"):
        return parts.path + (f"?{rest}" if rest else ""), options
    scheme = parts.scheme
    if scheme == "serial":
        return parts.path, options
    if scheme == "spy+serial":
        # pyserial's spy handler takes the port as "spy://<netloc><path>".
        return f"spy://{parts.netloc}{parts.path}" + (f"?{rest}" if rest else ""), options
    if scheme in ("socket", "loop", "spy", "rfc2217"):
        return f"{scheme}://{parts.netloc}{parts.path}" + (f"?{rest}" if rest else ""), options
    raise DeviceError(f"idcard: unsupported URL {url!r}")


# Statuses only one kind of command answers: seen while another command waits, they are
# a late answer to an earlier one.
_STATUS_OF: dict[int, tuple[Command, ...]] = {
    Status.FIND_OK: (Command.FIND,),
    Status.FIND_FAILED: (Command.FIND,),
    Status.SELECT_FAILED: (Command.SELECT,),
    Status.READ_FAILED: (Command.READ, Command.READ_FINGERPRINT, Command.READ_EXTRA_ADDRESS),
    Status.UNKNOWN_CARD_TYPE: (Command.READ, Command.READ_FINGERPRINT),
}
# The least a successful read carries: its two length words and the text block.
_MIN_READ_DATA = 4 + codec.TEXT_SIZE


def answers(command: Command, response: codec.Response) -> bool:
    """False when ``response`` cannot be the answer to ``command``.

    A frame carries no command code, so an answer that came after its command had timed
    out arrives while the retry or the next command waits. Taken for that command's
    answer it would, for example, turn a SELECT's short OK into a READ's "unreadable
    card" and lose the real read. Statuses any command may get (SAM and host errors)
    are always accepted."""
    owners = _STATUS_OF.get(response.status)
    if owners is not None:
        return command in owners
    if command in (Command.READ, Command.READ_FINGERPRINT) and response.status == Status.OK:
        return len(response.data) >= _MIN_READ_DATA
    return True


class SamLink:
    """Command/response transactions over one open port (no state machine).

    ``transact`` sends a frame, waits for one response frame, and retries after a
    timeout or a malformed frame. Noise before a frame is skipped by the deframer.
    """

    def __init__(self, port: serial.SerialBase, options: DriverOptions, stop: threading.Event | None = None) -> None:
        self._port = port
        self._options = options
        self._stop = stop or threading.Event()
        self._deframer = codec.Deframer(min_len=codec.MIN_RESPONSE_LEN)
        self.frame_errors = 0
        self.timeouts = 0
        self.late_answers = 0

    def transact(self, command: Command, data: bytes = b"") -> codec.Response:
        """Send ``command`` and return the reader's response.

        Raises :class:`ReaderUnavailable` when every attempt timed out or the port
        failed, :class:`ReaderProtocolError` when the reader only sent malformed frames.
        """
        frame = codec.build_command(command, data)
        timeout = self._options.timeout_for(command)
        last: Exception | None = None
        for _attempt in range(max(1, self._options.attempts)):
            try:
                self._port.reset_input_buffer()
                self._deframer.clear()
                self._port.write(frame)
                return self._receive(command, time.monotonic() + timeout)
            except codec.FrameError as exc:
                self.frame_errors += 1
                last = exc
                log.debug("idcard: %s: malformed response (%s), retrying", command.name, exc)
            except TimeoutError as exc:
                self.timeouts += 1
                last = exc
                log.debug("idcard: %s: no answer in %.2fs, retrying", command.name, timeout)
            except PORT_ERRORS as exc:
                raise ReaderUnavailable(f"port error: {exc}") from exc
        if isinstance(last, codec.FrameError):
            raise ReaderProtocolError(f"{command.name}: malformed responses ({last})")
        raise ReaderUnavailable(f"{command.name}: no answer after {self._options.attempts} attempts")

    def _receive(self, command: Command, deadline: float) -> codec.Response:
        last_look = False
        while True:
            while (body := self._deframer.pop()) is not None:
                response = codec.decode_response(body)
                if answers(command, response):
                    return response
                self.late_answers += 1
                log.debug("idcard: %s: skipped a late answer (%s) to an earlier command",
                          command.name, codec.status_name(response.status))
            if self._stop.is_set():
                raise _Stopped()
            if last_look:
                raise TimeoutError()
            if time.monotonic() >= deadline:
                # This thread may have been woken late (a busy board): an answer already
                # waiting in the port is taken, not thrown away as a timeout.
                last_look = True
                waiting = self._port.in_waiting
                if waiting:
                    self._deframer.feed(self._port.read(waiting))
                continue
            # Blocks at most the port timeout; in_waiting lets a 1295-byte answer come
            # in a few large reads instead of byte by byte.
            chunk = self._port.read(self._port.in_waiting or 1)
            if chunk:
                self._deframer.feed(chunk)

    def discard(self) -> None:
        """Forget buffered input (it may hold card data)."""
        self._deframer.clear()


def open_port(port_url: str, options: DriverOptions) -> serial.SerialBase:
    """Open ``port_url`` at 8N1 with a short read timeout (the poller loops on it)."""
    try:
        return serial.serial_for_url(
            port_url,
            baudrate=options.baudrate,
            bytesize=serial.EIGHTBITS,
            parity=serial.PARITY_NONE,
            stopbits=serial.STOPBITS_ONE,
            timeout=0.01,
            write_timeout=2.0,
        )
    except (serial.SerialException, OSError, ValueError) as exc:
        raise ReaderUnavailable(f"cannot open {port_url}: {exc}") from exc


class PollerListener(Protocol):
    """What the poller tells its owner (the adapter). Called on the poller's thread."""

    def card_read(self, card: IdentityCard) -> None:
        """A card was read and decoded."""

    def card_failed(self, message_key: str, detail: str) -> None:
        """A card was on the reader but could not be read or decoded."""

    def card_removed(self) -> None:
        """The previously read card has left the field."""

    def state_changed(self, old: ReaderState, new: ReaderState, detail: str) -> None:
        """The state machine moved (``detail`` says why, without personal data)."""


class CardPoller:
    """The polling loop for one reader. ``start()`` runs it on a daemon thread;
    ``stop()`` ends it and closes the port. It reconnects by itself."""

    def __init__(self, port_url: str, options: DriverOptions, listener: PollerListener, *, name: str = "idcard") -> None:
        self.port_url = port_url
        self.options = options
        self._listener = listener
        self._name = name
        self._state = ReaderState.NO_READER
        self._detail = "not started"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._port: serial.SerialBase | None = None
        self._link: SamLink | None = None
        self._last_failure: str | None = None
        self._absence_reported = False
        self._lock = threading.Lock()

    # --- lifecycle ---------------------------------------------------------------

    def start(self) -> None:
        """Start the polling thread (idempotent)."""
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"{self._name}-poller", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and close the port."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._close_port()

    @property
    def state(self) -> ReaderState:
        """The current state (cheap, any thread)."""
        return self._state

    @property
    def detail(self) -> str:
        """Why the poller is in its state (technician-facing, no personal data)."""
        return self._detail

    # --- state machine -----------------------------------------------------------

    def _go(self, new: ReaderState, detail: str = "") -> None:
        old = self._state
        if new is old:
            return
        if new not in TRANSITIONS[old]:
            # A bug, not a device problem: say so loudly, but keep serving.
            log.error("idcard: illegal transition %s -> %s", old.value, new.value)
        with self._lock:
            self._state = new
            self._detail = detail
        if new is ReaderState.NO_READER:
            self._absence_reported = True
        level = logging.WARNING if new in (ReaderState.NO_READER, ReaderState.FAULT) else logging.INFO
        log.log(level, "idcard: %s -> %s%s", old.value, new.value, f" ({detail})" if detail else "")
        self._listener.state_changed(old, new, detail)

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    self._step()
                except _Stopped:
                    break
                except (ReaderUnavailable, ReaderProtocolError) as exc:
                    self._close_port()
                    if self._state is ReaderState.NO_READER and not self._absence_reported:
                        # The reader was missing from the start: there is no transition,
                        # but the owner must hear it once all the same.
                        self._absence_reported = True
                        self._detail = exc.detail
                        log.warning("idcard: no reader (%s)", exc.detail)
                        self._listener.state_changed(ReaderState.NO_READER, ReaderState.NO_READER, exc.detail)
                    self._go(ReaderState.NO_READER, exc.detail)
                    self._sleep(self.options.reconnect_interval)
                except Exception:  # noqa: BLE001 - the kiosk must keep serving
                    # A bug (ours or a listener's): log it without locals and start over
                    # from a fresh connection rather than let the thread die silently.
                    log.exception("idcard: poller error; reconnecting")
                    self._close_port()
                    self._go(ReaderState.NO_READER, "internal error")
                    self._sleep(self.options.reconnect_interval)
        finally:
            self._close_port()

    def _sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def _step(self) -> None:
        state = self._state
        if state is ReaderState.NO_READER:
            self._connect()
        elif state is ReaderState.FAULT:
            self._check_sam()
        elif state in (ReaderState.IDLE, ReaderState.WAITING_REMOVAL):
            self._find()
        elif state is ReaderState.CARD_FOUND:
            self._select()
        elif state is ReaderState.SELECTED:
            self._read()

    def _transact(self, command: Command, data: bytes = b"") -> codec.Response:
        assert self._link is not None
        response = self._link.transact(command, data)
        if response.status == Status.SAM_SELF_TEST_FAILED and command is not Command.STATUS:
            self._go(ReaderState.FAULT, f"{command.name}: SAM self-test failed")
        return response

    def _connect(self) -> None:
        self._close_port()
        self._port = open_port(self.port_url, self.options)
        self._link = SamLink(self._port, self.options, self._stop)
        self._check_sam()
        if self._state is ReaderState.IDLE and self.options.set_max_rf_byte is not None:
            response = self._transact(Command.SET_MAX_RF_BYTE, bytes([self.options.set_max_rf_byte]))
            if response.status != Status.OK:
                log.debug("idcard: set max RF byte: %s (ignored)", codec.status_name(response.status))

    def _check_sam(self) -> None:
        response = self._transact(Command.STATUS)
        if response.status == Status.OK:
            self._go(ReaderState.IDLE, "reader ready")
        elif response.status == Status.SAM_SELF_TEST_FAILED:
            self._go(ReaderState.FAULT, "SAM self-test failed (0x60)")
            self._sleep(self.options.reconnect_interval)
        else:
            self._go(ReaderState.FAULT, f"SAM status {codec.status_name(response.status)}")
            self._sleep(self.options.reconnect_interval)

    def _find(self) -> None:
        response = self._transact(Command.FIND)
        if self._state is ReaderState.FAULT:
            return
        if response.status == Status.FIND_OK:
            if self._state is ReaderState.WAITING_REMOVAL:
                # A find succeeds only for a card that entered the field anew, so the
                # card we read before has left (it may be the same card put back).
                self._listener.card_removed()
            self._go(ReaderState.CARD_FOUND)
            return
        if response.status == Status.FIND_FAILED:
            if self._state is ReaderState.IDLE and self._last_failure is not None:
                # The field is empty: a new failure is news, and the card that failed
                # (unlike one read, see WAITING_REMOVAL) is known to have left.
                self._last_failure = None
                self._listener.card_removed()
        else:
            log.debug("idcard: find: %s", codec.status_name(response.status))
        self._sleep(self.options.poll_interval)

    def _select(self) -> None:
        response = self._transact(Command.SELECT)
        if self._state is ReaderState.FAULT:
            return
        if response.status == Status.OK:
            self._go(ReaderState.SELECTED)
        else:
            self._go(ReaderState.IDLE, f"select: {codec.status_name(response.status)}")

    def _read(self) -> None:
        response = self._transact(Command.READ)
        if self._state is ReaderState.FAULT:
            return
        data = response.data
        if response.status != Status.OK:
            key = "card.unknown_type" if response.status == Status.UNKNOWN_CARD_TYPE else "card.read_failed"
            self._fail(key, f"read: {codec.status_name(response.status)}")
            self._go(ReaderState.IDLE, f"read: {codec.status_name(response.status)}")
            self._sleep(self.options.poll_interval)
            return
        self._go(ReaderState.READ)
        try:
            payload = codec.split_read_data(data)
            # Only the text is kept; the photo (WLT) stays in `data`, which goes out of
            # scope below and is never stored or passed on.
            card = codec.decode_text(payload.text)
        except codec.UnknownCardType as exc:
            self._fail("card.unknown_type", str(exc))
        except codec.CardDataError as exc:
            self._fail("card.unreadable", str(exc))
        else:
            self._last_failure = None
            log.info("idcard: card read (%s, photo %d bytes dropped)", card.card_type.value, payload.photo_length)
            self._listener.card_read(card)
        finally:
            del data, response
            if self._link is not None:
                self._link.discard()
        self._go(ReaderState.WAITING_REMOVAL)

    def _fail(self, message_key: str, detail: str) -> None:
        # A card that cannot be read stays on the reader and fails again at every
        # poll: report each kind of failure once until the field has been empty.
        if message_key == self._last_failure:
            return
        self._last_failure = message_key
        log.info("idcard: card rejected: %s (%s)", message_key, detail)
        self._listener.card_failed(message_key, detail)

    def _close_port(self) -> None:
        if self._link is not None:
            self._link.discard()
            self._link = None
        if self._port is not None:
            try:
                self._port.close()
            except PORT_ERRORS:
                pass
            self._port = None
