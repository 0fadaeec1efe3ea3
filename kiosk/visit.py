"""One person's visit at the kiosk, as a state machine fed by typed events.

attract → home → service → (materials) → (card) → ticket → done → attract

That skeleton (``VisitState``, kiosk/states.py) is the core's; every other step belongs
to a registered feature (kiosk/feature.py), which brings its states, its transitions and
the events it alone answers. The flow dispatches to features without naming any.

The whole visit is testable without Kivy: feed events, look at ``state`` and ``visit``.
Personal data read from an ID card lives only in ``visit.card`` and is dropped when
the visit ends, however it ends (finished, idle timeout, back to attract).
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass, field, replace
from typing import Callable

from kiosk import events as ev
from kiosk.catalog import Catalog
from kiosk.errors import KioskError
from kiosk.feature import FeatureRegistry, State
from kiosk.identity import IdentityCard
from kiosk.inbox import EventInbox
from kiosk.ports import Clock
from kiosk.queue import QueueService
from kiosk.states import VisitState
from kiosk.tickets import Priority, Ticket

log = logging.getLogger(__name__)


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
    # A card was put on the reader during this visit. The reader cannot tell when it is
    # taken away (after a read the SAM answers "no card" until a card enters the field
    # anew), so from the read on the person is reminded to take it back.
    card_placed: bool = False
    elder_offer: bool = False  # ask now whether to switch to elder mode (a 60+ card was read)
    elder_offered: bool = False  # asked once this visit: never again
    # Why the card put on the reader was refused (a message key: card.expired…), kept
    # until a card is read: the reader will not read that card again while it lies there,
    # so every later step that asks for a card must say why it cannot be used.
    card_refused: str | None = None

    @property
    def has_card(self) -> bool:
        """True when an ID card was read during this visit."""
        return self.card is not None


S = VisitState
# The core's transition table: (state, event type) → next state. Guards and side effects
# live in VisitFlow's ``on_<event>`` handlers, which may redirect (e.g. to CARD).
# Features add their own steps (``Feature.transitions``).
CORE_TRANSITIONS: dict[tuple[State, type[ev.Event]], State] = {
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
    CORE_TRANSITIONS[(_s, ev.HomePressed)] = S.HOME
for _s in (S.HOME, S.SERVICE, S.MATERIALS, S.CARD):
    CORE_TRANSITIONS[(_s, ev.Finished)] = S.ATTRACT
# The last screen of the skeleton's visit: where "请取回身份证" is said again.
CORE_FINAL_STATES = frozenset({S.DONE})

CardHandler = Callable[["VisitFlow", IdentityCard], "State | None"]
Listener = Callable[[State, State, ev.Event], None]


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
        elder_warning_seconds: int = 60,
        flow_warning_seconds: int = 45,
        features: FeatureRegistry | None = None,
        inbox: EventInbox | None = None,
    ) -> None:
        self._catalog = catalog
        self._queue = queue
        self._clock = clock
        self._default_language = language
        self._elderly_age = elderly_age
        self._idle = idle_seconds
        self._elder_idle = elder_idle_seconds
        self._warning = warning_seconds
        self._elder_warning = elder_warning_seconds
        self._flow_warning = flow_warning_seconds
        self._ids = itertools.count(1)
        # Events from workers (devices, the centre asker, the call) for this flow's thread.
        self.inbox = inbox if inbox is not None else EventInbox()
        self.use_features(features if features is not None else FeatureRegistry())
        self._listeners: list[Listener] = []
        self.state: State = VisitState.ATTRACT
        self.visit = Visit(language=language)
        # The card step asked for by another flow (see ask_for_card): purpose, handler, back.
        self._card_request: tuple[str, CardHandler, State] | None = None
        # The service a window ticket is for when the step asking for the card is not a
        # ticket's (legal aid, appointments): set by ask_for_card.
        self._window_service: str | None = None
        # The visit that just ended had a card on the reader: the attract screen keeps
        # reminding the person to take it back for a while.
        self.card_left_by_last_visit = False
        # A card put on the reader in an ended visit was never seen to leave (the reader
        # cannot tell that a read card is taken away; only CardRemoved says it has gone).
        # The next visits are told what to do with a card that is not theirs.
        self.card_may_be_left = False

    def use_features(self, features: FeatureRegistry) -> None:
        """Serve with ``features`` (given at construction, or once the first frame is up
        on a terminal that loads them after it; before the first visit either way)."""
        self.features = features
        self._transitions = {**CORE_TRANSITIONS, **features.transitions()}
        self._untimed = features.untimed()
        self._final = CORE_FINAL_STATES | features.final()
        self._multi_step = features.multi_step()

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(old, new, event)`` after every handled event."""
        self._listeners.append(listener)

    # --- derived facts ---------------------------------------------------------------

    @property
    def catalog(self) -> Catalog:
        """The services of this terminal (features choose a ticket's service from it)."""
        return self._catalog

    @property
    def final_states(self) -> frozenset[State]:
        """The last screen of each kind of visit (the skeleton's and the features')."""
        return self._final

    def idle_timeout(self) -> float | None:
        """Seconds of inactivity before the next IdleTimedOut; None on the attract screen."""
        if self.state is VisitState.ATTRACT or self.state in self._untimed:
            return None
        if self.visit.idle_warning:
            # Someone listening to the question needs time to hear it and answer; in the
            # middle of an application or a booking, answers would be lost: more time.
            seconds = self._warning
            if self.visit.elder_mode or self.visit.voice_mode:
                seconds = max(seconds, self._elder_warning)
            if self.state in self._multi_step:
                seconds = max(seconds, self._flow_warning)
            return float(seconds)
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

    def handle(self, event: ev.Event) -> State:
        """Consume one event; returns the new state. An event a feature alone answers
        goes to that feature; the others to the core's ``on_<event>`` handlers."""
        old = self.state
        target = self._transitions.get((old, type(event)))
        feature = self.features.answering(type(event))
        if feature is not None:
            target = feature.on_event(self, event, target)
        else:
            handler = getattr(self, f"on_{_snake(type(event).__name__)}", None)
            if handler is not None:
                target = handler(event, target)
        if target is not None and target is not old:
            self._enter(target)
            log.info("visit %d: %s -> %s (%s)", self.visit.visit_id, old.value, target.value, type(event).__name__)
        for f in self.features:
            f.observe(self, old, self.state, event)
        for listener in list(self._listeners):
            listener(old, self.state, event)
        return self.state

    def _enter(self, target: State) -> None:
        if target is not VisitState.CARD:
            self._card_request = None  # left the card step another way (home, finish…)
        if target is VisitState.ATTRACT:
            self._wipe()
        elif self.state is VisitState.ATTRACT:
            self.visit = replace(self.visit, visit_id=next(self._ids))
        self.state = target
        # Any step the person takes answers the idle question.
        self.visit = replace(self.visit, idle_warning=False)

    def _wipe(self) -> None:
        # A new Visit object: the card, ticket and choices of the last person are gone.
        self.card_left_by_last_visit = self.visit.card_placed
        self.card_may_be_left = self.card_may_be_left or self.visit.card_placed
        self.visit = Visit(language=self._default_language)
        self._card_request = None
        self._window_service = None
        # What the features hold of the person (a draft, a phone number) goes too.
        self.features.wipe()

    # --- handlers: guards and side effects ---------------------------------------------

    def on_started(self, event: ev.Started, target: State | None) -> State | None:
        """Touching the attract screen starts a visit."""
        return target

    def on_service_chosen(self, event: ev.ServiceChosen, target: State | None) -> State | None:
        """Remember the chosen service (validated against the catalogue)."""
        if target is not None:
            self._catalog.get(event.service)
            self.visit = replace(self.visit, service=event.service, ticket=None)
        return target

    def on_ticket_requested(self, event: ev.TicketRequested, target: State | None) -> State | None:
        """Issue a ticket, or first ask for the ID card the service needs."""
        if target is None or self.visit.service is None:
            return None
        if self._catalog.get(self.visit.service).needs_id_card and not self.visit.has_card:
            return VisitState.CARD
        return self._issue()

    def _issue(self) -> State | None:
        assert self.visit.service is not None
        try:
            ticket = self._queue.take(self.visit.service, self.priority(), by_hours=True)
        except KioskError as exc:
            log.error("ticket not issued: %s", exc.detail)
            self.visit = replace(self.visit, notice_key=exc.message_key)
            return None
        self.visit = replace(self.visit, ticket=ticket)
        return VisitState.TICKET

    def on_card_read(self, event: ev.CardRead, target: State | None) -> State | None:
        """Keep the card for this visit; in the CARD state, go on to issue the ticket.

        A card whose number fails the check digit is not used: its data cannot be
        trusted for identity or priority, and the person is sent to the window.
        """
        self.visit = replace(self.visit, card_placed=True)
        if not event.id_number_valid:
            self.visit = replace(self.visit, card_refused="card.invalid_number")
            if self.state is not VisitState.ATTRACT:
                self.visit = replace(self.visit, notice_key="card.invalid_number")
            return None
        self._offer_elder_mode(event.card)
        self.visit = replace(self.visit, card_refused=None)
        if self.state is VisitState.CARD:
            self.visit = replace(self.visit, card=event.card, notice_key=None)
            if self._card_request is not None:
                _, on_read, _ = self._card_request
                self._card_request = None
                return on_read(self, event.card)
            return self._issue()
        if self.state in (VisitState.TICKET, VisitState.DONE):
            return target  # a card placed after the ticket changes nothing issued
        self.visit = replace(self.visit, card=event.card, notice_key="card.read_ok")
        return target

    def _offer_elder_mode(self, card: IdentityCard) -> None:
        # The age the queue treats as elderly: from it, offer elder mode, once a visit.
        if self.visit.elder_mode or self.visit.elder_offered:
            return
        if card.age(self._clock.now().date()) >= self._elderly_age:
            self.visit = replace(self.visit, elder_offer=True, elder_offered=True)

    def elder_offer_shown(self) -> None:
        """The elder-mode offer is on screen; it is not shown again this visit."""
        self.visit = replace(self.visit, elder_offer=False)

    # --- the card step for other flows (legal aid, appointments…) ----------------------

    @property
    def card_purpose(self) -> str | None:
        """Why the CARD screen asks for the card now (a translation key), when a flow
        other than the ticket asked (see ``ask_for_card``)."""
        return self._card_request[0] if self._card_request else None

    def ask_for_card(
        self, purpose: str, on_read: CardHandler, back_to: State, window_service: str | None = None
    ) -> State | None:
        """The ID card step, for any flow: returns the state to go to.

        ``purpose`` is the translation key of the sentence saying why the card is needed
        (shown and spoken on the CARD screen). When a valid card is read there,
        ``on_read(flow, card)`` gives the next state (the card is already kept in
        ``visit.card``); Back returns to ``back_to``. A card read earlier in the visit
        is used at once, without the CARD screen. Invalid cards are refused as usual.
        ``window_service`` is the service of the ticket offered instead when the reader
        cannot be used (see ``on_window_ticket_requested``).
        """
        if self.visit.card is not None:
            return on_read(self, self.visit.card)
        self._card_request = (purpose, on_read, back_to)
        self._window_service = window_service
        return VisitState.CARD

    def card_reminder_due(self, old: State, new: State, event: ev.Event) -> bool:
        """True when "请取回身份证" is to be said now: right after a card was put on the
        reader (read or refused), on the last screen of a visit that had one, and when
        such a visit ends some other way."""
        if isinstance(event, (ev.CardRead, ev.CardRejected)):
            return self.visit.card_placed
        if new is old:
            return False
        if new in self._final:
            return self.visit.card_placed
        return new is VisitState.ATTRACT and old not in self._final and self.card_left_by_last_visit

    def card_reminder_shown(self) -> bool:
        """True when the visit band is to say "请取回身份证" now: once the card on the
        reader is of no more use to this visit. A refused card never was; a read card
        is no more once read (the visit keeps what it needs and never reads it again),
        so the reminder comes right after the read and stays to the visit's last screen.
        A visit without a card never sees it: shown to everyone, it would be learnt
        and ignored."""
        if not self.visit.card_placed:
            return False
        if self.visit.card is None and self.visit.card_refused is not None:
            return True
        return self.visit.card is not None or self.state is VisitState.TICKET or self.state in self._final

    def on_window_ticket_requested(self, event: ev.WindowTicketRequested, target: State | None) -> State | None:
        """A ticket to be served at the window, when a step cannot be done here because
        its device is missing (no card reader, no camera…): for the visit's service, else
        the service the asking flow named, else the first service that needs no card.
        Staff check the ID card at the window, so the card is not required here."""
        # Every step of a visit but the attract screen offers it.
        if self.state is VisitState.ATTRACT:
            return None
        service = self.visit.service or self._window_service
        services = self._catalog.services
        if service is None or service not in self._catalog.codes():
            service = next((s.code for s in services if not s.needs_id_card), services[0].code)
        self.visit = replace(self.visit, service=service, ticket=None)
        return self._issue()

    def on_back_pressed(self, event: ev.BackPressed, target: State | None) -> State | None:
        """Back from a card step another flow asked for returns to that flow; back
        within a feature's states is decided by that feature."""
        if self.state is VisitState.CARD and self._card_request is not None:
            return self._card_request[2]
        owner = self.features.owner(self.state)
        if owner is not None:
            return owner.back(self, self.state)
        return target

    def on_card_rejected(self, event: ev.CardRejected, target: State | None) -> State | None:
        """Tell the person why the card cannot be used."""
        # It lies on the reader all the same.
        self.visit = replace(self.visit, card_placed=True, card_refused=event.message_key)
        if self.state is not VisitState.ATTRACT:
            self.visit = replace(self.visit, notice_key=event.message_key)
        return target

    def on_card_removed(self, event: ev.CardRemoved, target: State | None) -> State | None:
        """A card known to have left the reader: a refusal no longer describes what lies
        there, and nothing is left to take back (a new card placed is read anew)."""
        self.visit = replace(self.visit, card_placed=False, card_refused=None)
        self.card_may_be_left = False
        return target

    def on_priority_declared(self, event: ev.PriorityDeclared, target: State | None) -> State | None:
        """The person says they are disabled or a service member (staff check the
        certificate at the window); NORMAL withdraws it."""
        self.visit = replace(self.visit, declared_priority=event.priority)
        return target

    def on_idle_timed_out(self, event: ev.IdleTimedOut, target: State | None) -> State | None:
        """First ask "还在吗？"; end the visit only when the question goes unanswered."""
        if self.state is VisitState.ATTRACT:
            return None
        if not self.visit.idle_warning:
            self.visit = replace(self.visit, idle_warning=True)
            log.info("visit %d: idle warning", self.visit.visit_id)
            return None
        log.info("visit %d: ended by idle timeout", self.visit.visit_id)
        return VisitState.ATTRACT

    def on_still_here(self, event: ev.StillHere, target: State | None) -> State | None:
        """The person answered the idle question."""
        self.visit = replace(self.visit, idle_warning=False)
        return target

    def on_elder_mode_toggled(self, event: ev.ElderModeToggled, target: State | None) -> State | None:
        """Switch elder mode (长辈版) for this visit."""
        self.visit = replace(self.visit, elder_mode=event.on)
        return target

    def on_voice_mode_toggled(self, event: ev.VoiceModeToggled, target: State | None) -> State | None:
        """Switch voice mode for this visit; switching it on from attract starts the visit."""
        self.visit = replace(self.visit, voice_mode=event.on)
        if event.on and self.state is VisitState.ATTRACT:
            return VisitState.HOME
        return target

    def on_language_changed(self, event: ev.LanguageChanged, target: State | None) -> State | None:
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


__all__ = ["CORE_TRANSITIONS", "CardHandler", "Listener", "Visit", "VisitFlow", "VisitState"]
