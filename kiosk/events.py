"""Typed events that feed the visit flow and the fleet.

Device adapters emit device events on their worker threads; the UI bridge carries them
to the UI thread, where the visit flow consumes them. Events are immutable values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.identity import IdentityCard
from kiosk.ports import DeviceKind
from kiosk.tickets import Priority, Ticket


@dataclass(frozen=True)
class Event:
    """Base of every event."""


# --- Device events (emitted by adapters, on worker threads) ----------------------------


@dataclass(frozen=True)
class DeviceEvent(Event):
    """Base of events that come from a device."""

    kind: DeviceKind


@dataclass(frozen=True)
class CardRead(DeviceEvent):
    """A card was read and decoded. Carries personal data: never log it unmasked."""

    card: IdentityCard = field(repr=False, default=None)  # type: ignore[assignment]
    id_number_valid: bool = True


@dataclass(frozen=True)
class CardRejected(DeviceEvent):
    """A card was on the reader but could not be used (unknown type, failed
    verification, unreadable). ``message_key`` says why, for the person at the kiosk."""

    message_key: str = "card.unreadable"
    detail: str = ""


@dataclass(frozen=True)
class CardRemoved(DeviceEvent):
    """The card left the reader's field."""


@dataclass(frozen=True)
class DeviceFaulted(DeviceEvent):
    """A device stopped working. Emitted once per transition."""

    detail: str = ""
    message_key: str = "device.fault"


@dataclass(frozen=True)
class DeviceRecovered(DeviceEvent):
    """A device works again. Emitted once per transition."""


@dataclass(frozen=True)
class PrinterFaulted(DeviceFaulted):
    """A print job failed; ``status`` is the printer's own word when it gave one."""

    status: str = "unknown"


# --- Visit events (from the person at the kiosk, or from timers) -----------------------


@dataclass(frozen=True)
class WindowTicketRequested(Event):
    """The person takes a ticket for the window because this step cannot be done here
    (its device — the card reader, the camera, the microphone — is missing or faulty)."""


@dataclass(frozen=True)
class Started(Event):
    """The person touched the attract screen (or spoke, or placed a card)."""


@dataclass(frozen=True)
class ServiceChosen(Event):
    """The person chose a service on the home screen."""

    service: str


@dataclass(frozen=True)
class MaterialsOpened(Event):
    """The person opened the list of materials to bring (一次性告知)."""


@dataclass(frozen=True)
class TicketRequested(Event):
    """The person asked for a queue ticket for the chosen service."""


@dataclass(frozen=True)
class TicketIssued(Event):
    """The queue issued a ticket (durably written)."""

    ticket: Ticket


@dataclass(frozen=True)
class BackPressed(Event):
    """One step back."""


@dataclass(frozen=True)
class HomePressed(Event):
    """Back to the service tiles, keeping the visit."""


@dataclass(frozen=True)
class Finished(Event):
    """The person is done: the visit ends and its personal data is wiped."""


@dataclass(frozen=True)
class IdleTimedOut(Event):
    """Nobody touched the screen for the configured time."""


@dataclass(frozen=True)
class StillHere(Event):
    """The person answered the idle warning ("我还在") and keeps the visit."""


@dataclass(frozen=True)
class ElderModeToggled(Event):
    """The elder-mode (长辈版) switch was pressed."""

    on: bool


@dataclass(frozen=True)
class VoiceModeToggled(Event):
    """Voice mode (语音服务) was switched: every screen speaks and listens."""

    on: bool


@dataclass(frozen=True)
class LanguageChanged(Event):
    """The person switched the language."""

    language: str


@dataclass(frozen=True)
class PriorityDeclared(Event):
    """The person says they are disabled or a service member (or withdraws it with
    NORMAL); staff check the certificate at the window."""

    priority: Priority


@dataclass(frozen=True)
class PrintFinished(Event):
    """A print job ended; ``message_key`` says what to tell the person when it failed."""

    job_id: str
    ok: bool
    message_key: str | None = None
    status: str = "ready"


@dataclass(frozen=True)
class SpeechHeard(Event):
    """The recogniser heard one utterance (voice mode). May hold personal words: the
    app acts on it and drops it; it is never logged or stored."""

    text: str = field(repr=False)


@dataclass(frozen=True)
class SpeechPartial(Event):
    """Words recognised so far in the utterance being spoken (shown live)."""

    text: str = field(repr=False)
