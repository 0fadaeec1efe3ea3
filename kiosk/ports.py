"""The ports the core needs from the outside world, as typing.Protocols.

Concrete adapters live in ``devices/`` (hardware and simulators) and are wired by
``kiosk.bootstrap``. The core only ever sees these shapes.

The device ports are ``runtime_checkable``: ``kiosk.terminal.Terminal`` hands out each
device as its port (``terminal.printer()``, ``terminal.speaker()``…) only when the
adapter has that shape, so callers never probe with ``hasattr``. A simulator says so by
being :class:`Simulated`, never by its URL.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, runtime_checkable

if TYPE_CHECKING:
    from kiosk.events import DeviceEvent
    from kiosk.receipt import Receipt


class DeviceKind(str, enum.Enum):
    """The kinds of device a terminal has; each is one URL in the configuration."""

    IDCARD = "idcard"
    PRINTER = "printer"
    CAMERA = "camera"
    MIC = "mic"
    SPEAKER = "speaker"
    A4PRINTER = "a4printer"  # an office printer for A4 documents (CUPS), beside the receipt printer


class DeviceState(str, enum.Enum):
    """Health of one device as the kiosk and the fleet see it."""

    READY = "ready"
    ABSENT = "absent"  # not configured or not plugged in
    FAULT = "fault"  # present but not working (paper out, SAM self-test failed…)
    UNKNOWN = "unknown"


class PrinterStatus(str, enum.Enum):
    """What a receipt printer says of itself (DLE EOT), mapped to the cases people meet."""

    READY = "ready"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DeviceHealth:
    """A snapshot of one device: its state and a short technician-facing detail.

    ``detail`` is for technicians (English, no personal data); ``message_key`` names a
    translation-catalogue entry for the person at the kiosk when the state is not ready.
    """

    kind: DeviceKind
    url: str
    state: DeviceState
    detail: str = ""
    message_key: str | None = None


@dataclass(frozen=True)
class SimAction:
    """A control a simulator offers on the technician screen ("insert a demo ID card").

    ``label_key`` is a translation-catalogue key; ``run`` performs the action and may be
    called from the UI thread (it must not block).
    """

    action_id: str
    label_key: str
    run: Callable[[], None]


@runtime_checkable
class Device(Protocol):
    """What every device adapter offers: a lifecycle and a health snapshot."""

    kind: DeviceKind
    url: str

    def open(self) -> None:
        """Acquire the device (start worker threads, open ports). Never raises for a
        missing device: the health says so instead."""

    def close(self) -> None:
        """Release the device and stop its workers."""

    def health(self) -> DeviceHealth:
        """The current state, cheap to call from any thread."""


@runtime_checkable
class Simulated(Protocol):
    """A device that is a simulator and can be driven by hand (the technician screen
    shows its controls). A simulated microphone hears silence and a simulated speaker
    plays nothing, so a video call generates its own sound instead."""

    def sim_actions(self) -> list[SimAction]:
        """The controls to show on the technician screen."""


@runtime_checkable
class EventSource(Protocol):
    """A device that reports what happens to it as events (faults, recoveries, cards)."""

    def subscribe(self, sink: Callable[["DeviceEvent"], None]) -> None:
        """Deliver this device's events to ``sink`` (called on the device's worker)."""


@runtime_checkable
class CardReader(Device, EventSource, Protocol):
    """An ID card reader. Reads happen on the adapter's own worker; results arrive as
    events (``CardRead``, ``CardRejected``, ``DeviceFaulted``, ``DeviceRecovered``)."""


@runtime_checkable
class ReceiptPrinter(Device, Protocol):
    """A receipt printer. ``print_receipt`` blocks: call it from a worker, never the UI."""

    def status(self) -> PrinterStatus:
        """Ask the printer for its status (may block up to the transport timeout)."""

    def print_receipt(self, receipt: "Receipt") -> None:
        """Print one receipt or raise ``kiosk.errors.PrinterError``."""

    @property
    def last_status(self) -> PrinterStatus:
        """The status from the last query, without asking (no I/O)."""

    @property
    def polling(self) -> bool:
        """True while the status is asked in the background, so ``last_status`` is live."""


@runtime_checkable
class A4Printer(Device, Protocol):
    """An A4 printer for documents (文书). ``print_pdf`` blocks until the job is done:
    call it from a worker, never the UI thread."""

    def print_pdf(self, pdf: bytes, title: str) -> None:
        """Print one PDF or raise ``kiosk.errors.PrinterError`` (``message_key`` says
        why, for the person at the kiosk)."""


@dataclass(frozen=True)
class Frame:
    """One video frame: packed RGB24 pixels, row-major."""

    width: int
    height: int
    rgb: bytes
    timestamp: float


@runtime_checkable
class Camera(Device, Protocol):
    """A camera that keeps its latest frame; readers never wait on the sensor."""

    def latest_frame(self) -> Frame | None:
        """The newest frame, or None before the first one."""


@dataclass(frozen=True)
class AudioChunk:
    """Mono 16-bit little-endian PCM."""

    pcm: bytes
    sample_rate: int


@runtime_checkable
class AudioSource(Device, Protocol):
    """A microphone (or a recording standing in for one)."""

    def chunks(self, seconds: float | None = None) -> Iterator[AudioChunk]:
        """Yield audio as it comes; stops after ``seconds`` when given."""


class SpeechRecognizer(Protocol):
    """Offline speech to text."""

    def recognize(self, audio: Iterator[AudioChunk], grammar: list[str] | None = None) -> str:
        """Return the recognised text of one utterance."""


class VoiceInput(Protocol):
    """Listening to the person in voice mode: microphone, endpointing and recognition,
    on the adapter's own worker. Callbacks run on that worker."""

    def listen(
        self,
        on_heard: Callable[[str], None],
        on_partial: Callable[[str], None] | None = None,
        grammar: list[str] | None = None,
    ) -> None:
        """Start listening hands-free; each utterance's text goes to ``on_heard``."""

    def set_grammar(self, grammar: list[str] | None) -> None:
        """The phrases the current screen understands (None: free text)."""

    def mute(self) -> None:
        """Stop hearing (the kiosk is speaking)."""

    def unmute(self) -> None:
        """Hear again."""

    def stop(self) -> None:
        """Stop listening."""

    def open(self) -> None:
        """Load what listening needs (the speech model); blocking."""

    def close(self) -> None:
        """Release it."""


@runtime_checkable
class Speaker(Device, Protocol):
    """Speech output. Announcements queue up and never talk over each other."""

    def say(self, text: str, *, interrupt: bool = False) -> None:
        """Queue ``text`` to be spoken; ``interrupt`` drops what is queued or speaking."""

    def spoken(self) -> list[str]:
        """What has been spoken since open, newest last (for tests and the technician)."""

    @property
    def speaking(self) -> bool:
        """True while an announcement plays (the listener mutes then, so the kiosk never
        answers its own prompts)."""


@runtime_checkable
class VolumeControl(Protocol):
    """A speaker whose output level can be set: 0 (silent) to 100 (full), applied to
    what it plays from the next announcement on."""

    volume: int

    def set_volume(self, level: int) -> None:
        """Set the output level (clamped to 0–100)."""


class CentreUnavailable(Exception):
    """The centre cannot be reached now (no link, offline, or no answer in time)."""


class CentreError(Exception):
    """The centre answered a request with an error (``code`` for programs, ``message``
    for the technician's log)."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


class CentreChannel(Protocol):
    """Live messages with the centre, besides the durable outbox: requests that need
    an answer now (look-ups, bookings) and call signalling. Nothing here is durable:
    what must not be lost goes through the outbox instead."""

    def connected(self) -> bool:
        """True while the link to the centre is up."""

    def ask(self, name: str, args: dict[str, Any], timeout: float = 10.0) -> dict[str, Any]:
        """Ask the centre and wait for its answer (never call on the UI thread).

        Raises ``CentreUnavailable`` when offline or unanswered within ``timeout`` and
        ``CentreError`` when the centre answers with an error."""

    def send(self, leaf: str, payload: bytes) -> None:
        """Publish ``payload`` under the terminal's own topic root (any thread)."""

    def subscribe(self, leaf: str, handler: Callable[[bytes], None]) -> None:
        """Call ``handler`` with each message on the terminal's ``leaf`` (on the link's
        own thread: hand work over quickly)."""


class Clock(Protocol):
    """Wall-clock time, injectable so days and waits can be tested."""

    def now(self) -> datetime:
        """The current local time."""

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin, for timeouts."""


@dataclass
class SystemClock:
    """The real clock."""

    tz: object | None = field(default=None)

    def now(self) -> datetime:
        """The current local time."""
        return datetime.now().astimezone()

    def monotonic(self) -> float:
        """Seconds from an arbitrary origin."""
        return time.monotonic()
