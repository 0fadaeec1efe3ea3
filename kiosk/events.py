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


# --- Legal aid (kiosk/legal_aid; issue 8) -------------------------------------------------


@dataclass(frozen=True)
class LegalAidOpened(Event):
    """The person chose "法律援助申请" (apply) on the home screen."""


@dataclass(frozen=True)
class LegalAidAnswered(Event):
    """One answer in the application: ``step`` names the question (matter, group,
    hardship, phone, story, letter, sign), ``value`` the choice. ``value`` and ``data``
    may be personal (a phone number, dictated words, the signature image): never logged."""

    step: str
    value: str = field(default="", repr=False)
    data: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class ProgressOpened(Event):
    """The person chose "查询申请进度" (follow an application) on the home screen."""


@dataclass(frozen=True)
class ProgressAnswered(Event):
    """The centre answered a progress look-up (posted from a worker through the UI
    bridge). ``applications`` are dicts {number, status, note, matter, submitted};
    ``message_key`` says what went wrong when the look-up failed."""

    lookup_id: int
    applications: tuple[dict, ...] = field(default=(), repr=False)  # type: ignore[type-arg]
    message_key: str | None = None


# --- Video consultation (remote_video; issue 7) ------------------------------------------


@dataclass(frozen=True)
class CallOpened(Event):
    """The person chose "视频咨询" (talk to a lawyer by video) on the home screen."""


@dataclass(frozen=True)
class CallConsented(Event):
    """The person answered the consent question: ``record`` is their consent to the
    call being recorded (False: a call without recording, where the centre allows it)."""

    record: bool


@dataclass(frozen=True)
class CallQueued(Event):
    """The centre put the call in the lawyers' line (sent again when the place changes)."""

    call_id: str
    position: int
    estimate_s: float
    lawyers_on_duty: int


@dataclass(frozen=True)
class CallConnected(Event):
    """A lawyer answered; ``lawyer`` is the name to show (e.g. "王律师")."""

    call_id: str
    lawyer: str


@dataclass(frozen=True)
class CallEnded(Event):
    """The call is over, however it ended (``reason``: hung_up, cancelled,
    lawyer_hung_up, lawyer_lost, no_lawyer, offline, no_camera, failed…)."""

    call_id: str
    reason: str


# --- Appointments and ratings (kiosk/appointments, kiosk/ratings; issue 8) ------------------


@dataclass(frozen=True)
class AppointmentsOpened(Event):
    """The person chose "预约" on the home screen."""


@dataclass(frozen=True)
class AppointmentAsked(Event):
    """One choice on an appointment screen: ``step`` (service, day, slot, phone, mine,
    by_code, code, last4, cancel, move, checkin, walkin) and its ``value``, which may be
    personal (a phone number): never logged."""

    step: str
    value: str = field(default="", repr=False)


@dataclass(frozen=True)
class AppointmentAnswered(Event):
    """An appointment ask came back from its worker (through the UI bridge): ``what``
    was asked (slots, book, find, cancel, move, offer), ``result`` (None when it
    failed) and ``message_key`` saying why it failed."""

    request_id: int
    what: str
    result: object = field(default=None, repr=False)
    message_key: str | None = None


@dataclass(frozen=True)
class RatingOpened(Event):
    """A rating was asked for: ``source`` is ``ticket`` (a served ticket) or ``video``
    (after a video call; the video screen's ``rate:video`` action)."""

    source: str = "ticket"


@dataclass(frozen=True)
class RatingAsked(Event):
    """One choice on a rating screen: ``step`` (digits, ticket, score, reason, submit)."""

    step: str
    value: str = ""
