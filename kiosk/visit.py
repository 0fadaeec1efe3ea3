"""One person's visit at the kiosk, as a state machine fed by typed events.

attract → home → service → (materials) → (card) → ticket → done → attract

The whole visit is testable without Kivy: feed events, look at ``state`` and ``visit``.
Personal data read from an ID card lives only in ``visit.card`` and is dropped when
the visit ends, however it ends (finished, idle timeout, back to attract).
"""

from __future__ import annotations

import enum
import itertools
import logging
from dataclasses import dataclass, field, replace
from typing import Callable

from kiosk import events as ev
from kiosk.catalog import Catalog
from kiosk.errors import KioskError
from kiosk.identity import IdentityCard
from kiosk.ports import Clock
from kiosk.queue import QueueService
from kiosk.tickets import Priority, Ticket

log = logging.getLogger(__name__)


class VisitState(str, enum.Enum):
    """Where the person is; each state is one screen."""

    ATTRACT = "attract"
    HOME = "home"
    SERVICE = "service"
    MATERIALS = "materials"
    CARD = "card"  # waiting for the ID card a service needs
    TICKET = "ticket"
    DONE = "done"


@dataclass(frozen=True)
class Visit:
    """What the kiosk knows of the current visit. Replaced, never mutated."""

    visit_id: int = 0
    language: str = "zh_CN"
    elder_mode: bool = False
    voice_mode: bool = False
    service: str | None = None
    card: IdentityCard | None = field(default=None, repr=False)
    declared_priority: Priority = Priority.NORMAL  # disabled / military, said by the person
    ticket: Ticket | None = None
    idle_warning: bool = False  # "还在吗？" is on screen
    notice_key: str | None = None  # a message to show once (card rejected, printer fault…)

    @property
    def has_card(self) -> bool:
        """True when an ID card was read during this visit."""
        return self.card is not None


S = VisitState
# The transition table: (state, event type) → next state. Guards and side effects live
# in VisitFlow's ``on_<event>`` handlers, which may redirect (e.g. to CARD).
TRANSITIONS: dict[tuple[VisitState, type[ev.Event]], VisitState] = {
    (S.ATTRACT, ev.Started): S.HOME,
    (S.ATTRACT, ev.CardRead): S.HOME,
    (S.HOME, ev.ServiceChosen): S.SERVICE,
    (S.HOME, ev.BackPressed): S.ATTRACT,
    (S.SERVICE, ev.MaterialsOpened): S.MATERIALS,
    (S.SERVICE, ev.TicketRequested): S.TICKET,
    (S.SERVICE, ev.BackPressed): S.HOME,
    (S.MATERIALS, ev.TicketRequested): S.TICKET,
    (S.MATERIALS, ev.BackPressed): S.SERVICE,
    (S.CARD, ev.CardRead): S.TICKET,
    (S.CARD, ev.BackPressed): S.SERVICE,
    (S.TICKET, ev.Finished): S.DONE,
    (S.TICKET, ev.BackPressed): S.HOME,
    (S.DONE, ev.Finished): S.ATTRACT,
}
for _s in (S.HOME, S.SERVICE, S.MATERIALS, S.CARD, S.TICKET, S.DONE):
    TRANSITIONS[(_s, ev.HomePressed)] = S.HOME
for _s in (S.HOME, S.SERVICE, S.MATERIALS, S.CARD):
    TRANSITIONS[(_s, ev.Finished)] = S.ATTRACT

Listener = Callable[[VisitState, VisitState, ev.Event], None]


class VisitFlow:
    """Drives visits: consumes events, issues tickets, wipes personal data.

    Call ``handle`` on one thread only (the UI thread in the app).
    """

    def __init__(
        self,
        catalog: Catalog,
        queue: QueueService,
        clock: Clock,
        *,
        language: str = "zh_CN",
        elderly_age: int = 60,
        idle_seconds: int = 60,
        elder_idle_seconds: int = 180,
        warning_seconds: int = 20,
    ) -> None:
        self._catalog = catalog
        self._queue = queue
        self._clock = clock
        self._default_language = language
        self._elderly_age = elderly_age
        self._idle = idle_seconds
        self._elder_idle = elder_idle_seconds
        self._warning = warning_seconds
        self._ids = itertools.count(1)
        self._listeners: list[Listener] = []
        self.state = VisitState.ATTRACT
        self.visit = Visit(language=language)

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(old, new, event)`` after every handled event."""
        self._listeners.append(listener)

    # --- derived facts ---------------------------------------------------------------

    def idle_timeout(self) -> float | None:
        """Seconds of inactivity before the next IdleTimedOut; None on the attract screen."""
        if self.state is VisitState.ATTRACT:
            return None
        if self.visit.idle_warning:
            # Someone listening to the question needs time to hear it and answer.
            slow = self.visit.elder_mode or self.visit.voice_mode
            return float(self._warning * (2 if slow else 1))
        return float(self._elder_idle if (self.visit.elder_mode or self.visit.voice_mode) else self._idle)

    def priority(self) -> Priority:
        """The ticket priority this visit earns: declared, else elderly from the card."""
        if self.visit.declared_priority.is_priority:
            return self.visit.declared_priority
        card = self.visit.card
        if card is not None and card.age(self._clock.now().date()) >= self._elderly_age:
            return Priority.ELDERLY
        return Priority.NORMAL

    # --- the one entry point ---------------------------------------------------------

    def handle(self, event: ev.Event) -> VisitState:
        """Consume one event; returns the new state."""
        old = self.state
        handler = getattr(self, f"on_{_snake(type(event).__name__)}", None)
        target = TRANSITIONS.get((old, type(event)))
        if handler is not None:
            target = handler(event, target)
        if target is not None and target is not old:
            self._enter(target)
            log.info("visit %d: %s -> %s (%s)", self.visit.visit_id, old.value, target.value, type(event).__name__)
        for listener in list(self._listeners):
            listener(old, self.state, event)
        return self.state

    def _enter(self, target: VisitState) -> None:
        if target is VisitState.ATTRACT:
            self._wipe()
        elif self.state is VisitState.ATTRACT:
            self.visit = replace(self.visit, visit_id=next(self._ids))
        self.state = target
        # Any step the person takes answers the idle question.
        self.visit = replace(self.visit, idle_warning=False)

    def _wipe(self) -> None:
        # A new Visit object: the card, ticket and choices of the last person are gone.
        self.visit = Visit(language=self._default_language)

    # --- handlers: guards and side effects ---------------------------------------------

    def on_started(self, event: ev.Started, target: VisitState | None) -> VisitState | None:
        """Touching the attract screen starts a visit."""
        return target

    def on_service_chosen(self, event: ev.ServiceChosen, target: VisitState | None) -> VisitState | None:
        """Remember the chosen service (validated against the catalogue)."""
        if target is not None:
            self._catalog.get(event.service)
            self.visit = replace(self.visit, service=event.service, ticket=None)
        return target

    def on_ticket_requested(self, event: ev.TicketRequested, target: VisitState | None) -> VisitState | None:
        """Issue a ticket, or first ask for the ID card the service needs."""
        if target is None or self.visit.service is None:
            return None
        if self._catalog.get(self.visit.service).needs_id_card and not self.visit.has_card:
            return VisitState.CARD
        return self._issue()

    def _issue(self) -> VisitState | None:
        assert self.visit.service is not None
        try:
            ticket = self._queue.take(self.visit.service, self.priority())
        except KioskError as exc:
            log.error("ticket not issued: %s", exc.detail)
            self.visit = replace(self.visit, notice_key=exc.message_key)
            return None
        self.visit = replace(self.visit, ticket=ticket)
        return VisitState.TICKET

    def on_card_read(self, event: ev.CardRead, target: VisitState | None) -> VisitState | None:
        """Keep the card for this visit; in the CARD state, go on to issue the ticket.

        A card whose number fails the check digit is not used: its data cannot be
        trusted for identity or priority, and the person is sent to the window.
        """
        if not event.id_number_valid:
            if self.state is not VisitState.ATTRACT:
                self.visit = replace(self.visit, notice_key="card.invalid_number")
            return None
        if self.state is VisitState.CARD:
            self.visit = replace(self.visit, card=event.card, notice_key=None)
            return self._issue()
        if self.state in (VisitState.TICKET, VisitState.DONE):
            return target  # a card placed after the ticket changes nothing issued
        self.visit = replace(self.visit, card=event.card, notice_key="card.read_ok")
        return target

    def on_card_rejected(self, event: ev.CardRejected, target: VisitState | None) -> VisitState | None:
        """Tell the person why the card cannot be used."""
        if self.state is not VisitState.ATTRACT:
            self.visit = replace(self.visit, notice_key=event.message_key)
        return target

    def on_priority_declared(self, event: ev.PriorityDeclared, target: VisitState | None) -> VisitState | None:
        """The person says they are disabled or a service member (staff check the
        certificate at the window); NORMAL withdraws it."""
        self.visit = replace(self.visit, declared_priority=event.priority)
        return target

    def on_idle_timed_out(self, event: ev.IdleTimedOut, target: VisitState | None) -> VisitState | None:
        """First ask "还在吗？"; end the visit only when the question goes unanswered."""
        if self.state is VisitState.ATTRACT:
            return None
        if not self.visit.idle_warning:
            self.visit = replace(self.visit, idle_warning=True)
            log.info("visit %d: idle warning", self.visit.visit_id)
            return None
        log.info("visit %d: ended by idle timeout", self.visit.visit_id)
        return VisitState.ATTRACT

    def on_still_here(self, event: ev.StillHere, target: VisitState | None) -> VisitState | None:
        """The person answered the idle question."""
        self.visit = replace(self.visit, idle_warning=False)
        return target

    def on_elder_mode_toggled(self, event: ev.ElderModeToggled, target: VisitState | None) -> VisitState | None:
        """Switch elder mode (长辈版) for this visit."""
        self.visit = replace(self.visit, elder_mode=event.on)
        return target

    def on_voice_mode_toggled(self, event: ev.VoiceModeToggled, target: VisitState | None) -> VisitState | None:
        """Switch voice mode for this visit; switching it on from attract starts the visit."""
        self.visit = replace(self.visit, voice_mode=event.on)
        if event.on and self.state is VisitState.ATTRACT:
            return VisitState.HOME
        return target

    def on_language_changed(self, event: ev.LanguageChanged, target: VisitState | None) -> VisitState | None:
        """Switch the language for this visit."""
        self.visit = replace(self.visit, language=event.language)
        return target

    def clear_notice(self) -> None:
        """The notice was shown; forget it."""
        self.visit = replace(self.visit, notice_key=None)

    def set_notice(self, key: str) -> None:
        """Show a message to the person at the next screen update (e.g. a printer fault)."""
        self.visit = replace(self.visit, notice_key=key)


def _snake(name: str) -> str:
    out = []
    for i, ch in enumerate(name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)
