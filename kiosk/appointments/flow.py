"""The appointment steps of a visit, as a feature (``AppointmentState``).

The visit flow hands appointment events here; this decides the next state. Asks to the
centre run on the centre asker's one worker (so the desk's own SQLite connection stays on
one thread) and come back as ``AppointmentAnswered`` through the terminal's event inbox.
Everything personal held here — the phone number, the bookings found — goes with ``wipe``.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import replace
from datetime import date
from typing import Any, Callable, cast

from kiosk import events as ev
from kiosk.appointments.desk import AppointmentDesk, AppointmentError, Booking, CheckInOffer, Slot
from kiosk.appointments.events import AppointmentAnswered, AppointmentAsked, AppointmentsOpened
from kiosk.appointments.states import AppointmentState as S
from kiosk.availability import AVAILABLE, Availability, HomeTile, Unavailable
from kiosk.centre_asker import CentreAsker
from kiosk.errors import KioskError
from kiosk.events import Event
from kiosk.feature import FeatureBase, FeatureContext, State
from kiosk.identity import IdentityCard
from kiosk.queue import QueueService
from kiosk.states import VisitState
from kiosk.store import DB_FILENAME, connect
from kiosk.visit import VisitFlow

log = logging.getLogger(__name__)

CARD_PURPOSE_BOOK = "appointment.card_why"
CARD_PURPOSE_MINE = "appointment.card_why_mine"
_REFRESH_EVERY_S = 120.0  # the check-in list is fetched again at a card after this long

# The entries and the ways out; forward steps are decided by ``asked``/``answered``,
# back steps by ``back``.
TRANSITIONS: dict[tuple[State, type[Event]], State] = {
    (VisitState.HOME, AppointmentsOpened): S.APPT_MENU,
    (S.APPT_CHECKIN, ev.TicketRequested): VisitState.TICKET,
}
for _s in S:
    TRANSITIONS[(_s, ev.HomePressed)] = VisitState.HOME
    TRANSITIONS[(_s, ev.Finished)] = VisitState.ATTRACT


class AppointmentFlow(FeatureBase):
    """What the appointment screens show, and where each answer leads."""

    name = "appointments"
    states = tuple(S)
    transitions = TRANSITIONS
    events = (AppointmentsOpened, AppointmentAsked, AppointmentAnswered)
    final = frozenset({S.APPT_BOOKED})
    # The middle of a booking: the idle question waits longer.
    multi_step = frozenset(set(S) - {S.APPT_BOOKED})
    screens = {
        "appt_menu": "screens.appointments.screens:AppointmentMenuScreen",
        "appt_slots": "screens.appointments.screens:AppointmentSlotsScreen",
        "appt_phone": "screens.appointments.screens:AppointmentPhoneScreen",
        "appt_booked": "screens.appointments.screens:AppointmentBookedScreen",
        "appt_mine": "screens.appointments.screens:AppointmentMineScreen",
        "appt_checkin": "screens.appointments.screens:AppointmentCheckinScreen",
    }
    config_section = "appointments"

    def __init__(self, desk: AppointmentDesk, queue: QueueService, services: Callable[[], list[str]], asker: CentreAsker,
                 monotonic: Callable[[], float]) -> None:
        self.desk = desk
        self._queue = queue
        self._services = services  # the codes that can be booked (the catalogue's, minus video)
        self._asker = asker
        self._ids = itertools.count(1)
        self._last_refresh = -1e9
        self.monotonic = monotonic
        # Free slots per service as the centre last published them (None: not asked
        # yet); kept across visits, refreshed with the check-in list.
        self.free_slots: dict[str, int] | None = None
        self.wipe()

    # --- state the screens read -------------------------------------------------------

    def wipe(self) -> None:
        """Forget the person: phone, bookings, choices."""
        self.mode = "book"  # book | move
        self.service: str | None = None
        self.slots: list[Slot] = []
        self.day: date | None = None
        self.slot: Slot | None = None
        self.phone = ""
        self.booking: Booking | None = None  # booked or moved: on the done screen
        self.bookings: list[Booking] = []  # found under "my appointments"
        self.moving: Booking | None = None
        self.proof_last4 = ""  # the phone digits that proved a code look-up
        self.by_code = False
        self.code = ""
        self.offer: CheckInOffer | None = None
        self.asking: str | None = None  # what is being asked now (a spinner on screen)
        self.message_key: str | None = None  # what went wrong, shown on the screen
        self.cancelled: Booking | None = None
        self.slip_key: str | None = None  # what the booked screen says of the slip (printing, printed, not printed)
        self._pending: int | None = None

    def services(self) -> list[str]:
        """Services that take appointments: those the centre last said have free
        slots (all of them until it has said anything)."""
        known = self.free_slots
        return [code for code in self._services() if known is None or known.get(code, 0) > 0]

    def availability(self) -> Availability:
        """Can appointments be made, seen or changed here now? Bookings live at the
        centre: without a link the tile says so instead. (With no free slot anywhere
        the tile stays, for those who come to cancel or move; the menu then offers no
        service to book.)"""
        if not self.desk.online():
            return Unavailable("home.why.appointment_offline")
        return AVAILABLE

    def days(self) -> list[date]:
        """Days with a free slot, in order."""
        return sorted({s.day for s in self.slots})

    def times(self) -> list[Slot]:
        """The chosen day's free slots."""
        return [s for s in self.slots if s.day == self.day]

    def tiles(self) -> list[HomeTile]:
        """Book, see or change an appointment."""
        return [HomeTile("home.tiles.appointment", "appointment.home_hint", "calendar", "appt:open", order=40,
                         spoken_key="appointment.home_tile", availability=self.availability)]

    def on_event(self, flow: VisitFlow, event: Event, target: State | None) -> State | None:
        """Open the menu where the table allows it; a choice on its own screens; an
        answer from the worker while a visit is on."""
        if isinstance(event, AppointmentsOpened):
            return self.open(flow) if target is not None else None
        if isinstance(event, AppointmentAsked):
            return self.asked(flow, event) if flow.state in self.states else None
        if isinstance(event, AppointmentAnswered):
            return self.answered(flow, event) if flow.state is not VisitState.ATTRACT else None
        return None

    def observe(self, flow: VisitFlow, old: State, new: State, event: Event) -> None:
        """A valid card read at the start of a visit: is there an appointment today?
        (answered later, as an ``offer``)."""
        if (isinstance(event, ev.CardRead) and event.id_number_valid and old in (VisitState.ATTRACT, VisitState.HOME)
                and new is VisitState.HOME and flow.visit.card is not None):
            self.look_for_checkin(flow.visit.card)

    # --- asks on the worker -------------------------------------------------------------

    def _run(self, what: str, work: Callable[[], Any]) -> None:
        request = next(self._ids)
        self._pending = request
        self.asking = what
        self.message_key = None

        def job() -> AppointmentAnswered:
            try:
                result, key = work(), None
            except KioskError as exc:
                log.info("appointments %s: %s", what, exc.detail)
                result, key = None, exc.message_key
            except Exception:  # noqa: BLE001 — the person is told; the kiosk goes on
                log.exception("appointments %s failed", what)
                result, key = None, "appointment.failed"
            return AppointmentAnswered(request, what, result, key)

        self._asker.run(job, f"appointments {what}")

    def keep_current(self) -> None:
        """Refresh the check-in list and tell the centre of offline check-ins, on the
        worker, when the centre is reachable (the app calls this every few minutes, so
        the list is fresh when the line drops)."""
        def work() -> None:
            try:
                self._refresh()
            except AppointmentError as exc:
                log.info("check-in list not refreshed: %s", exc.detail)
            except Exception:  # noqa: BLE001 — tried again at the next round
                log.exception("check-in list refresh failed")

        self._asker.run(work, "check-in list")

    def _refresh(self) -> None:
        # On the worker. Only a refresh that happened counts: one tried while the link
        # was down must not keep the next card from trying again.
        if self.desk.online():
            self.desk.refresh_cache()
            self._last_refresh = self.monotonic()
            self.desk.report_pending()
            self.refresh_free_slots()

    def refresh_free_slots(self) -> None:
        """Ask the centre how many free slots each service has (worker thread; the
        dict is replaced whole, so the UI thread reads either the old or the new)."""
        counts: dict[str, int] = {}
        for code in self._services():
            counts[code] = sum(s.free for s in self.desk.slots(code))
        self.free_slots = counts

    def look_for_checkin(self, card: IdentityCard) -> None:
        """A card was placed at the start: is there an appointment today? (worker; the
        list is refreshed first when the centre is reachable, else the kept one is used)."""
        desk = self.desk

        def work() -> CheckInOffer | None:
            if self.monotonic() - self._last_refresh > _REFRESH_EVERY_S:
                try:
                    self._refresh()
                except AppointmentError as exc:
                    log.info("check-in list not refreshed: %s", exc.detail)
            return desk.offer_for(card)

        self._run("offer", work)
        self.asking = None  # silent: nothing on screen waits for it

    # --- events from the visit flow -------------------------------------------------------

    def open(self, flow: VisitFlow) -> State:
        """The person chose 预约 on the home screen."""
        self.wipe()
        return S.APPT_MENU

    def asked(self, flow: VisitFlow, event: AppointmentAsked) -> State | None:
        """One choice on an appointment screen."""
        step, value = event.step, event.value
        if step == "service" and value in self.services():
            self.mode, self.service, self.moving = "book", value, None
            self._fetch_slots()
            return S.APPT_SLOTS
        if step == "mine":
            self.by_code = False
            return flow.ask_for_card(CARD_PURPOSE_MINE, self._find_by_card, back_to=S.APPT_MENU)
        if step == "by_code":
            self.by_code, self.code, self.bookings, self.message_key = True, "", [], None
            return S.APPT_MINE
        if step == "code" and value.isdigit() and len(value) == 6:
            self.code = value
            return None
        if step == "last4" and value.isdigit() and len(value) == 4 and self.code:
            self.proof_last4 = value
            code = self.code
            self._run("find", lambda: self.desk.find(code=code, phone_last4=value))
            return None
        if step == "day":
            self.day = date.fromisoformat(value)
            return None
        if step == "slot":
            slot = next((s for s in self.slots if str(s.slot_id) == value), None)
            if slot is None:
                return None
            self.slot = chosen = slot
            if self.mode == "move" and self.moving is not None:
                moving, card, last4 = self.moving, flow.visit.card, self.proof_last4
                self._run("move", lambda: self.desk.move(moving, chosen, card=card, phone_last4=last4))
                return None
            return flow.ask_for_card(CARD_PURPOSE_BOOK, lambda f, c: S.APPT_PHONE, back_to=S.APPT_SLOTS, window_service=self.service)
        if step == "phone":
            self.phone = value
            card, slot, service = flow.visit.card, self.slot, self.service
            if card is None or slot is None or service is None:
                return None
            holder, booked_slot, booked_service = card, slot, service  # narrowed, for the worker
            self._run("book", lambda: self.desk.book(booked_slot, booked_service, holder, value))
            return None
        if step in ("cancel", "move"):
            booking = next((b for b in self.bookings if b.code == value), None)
            if booking is None:
                return None
            if step == "cancel":
                card, last4 = flow.visit.card, self.proof_last4
                self._run("cancel", lambda: self.desk.cancel(booking, card=card if not self.by_code else None, phone_last4=last4))
                return None
            self.mode, self.moving, self.service = "move", booking, booking.service
            self._fetch_slots()
            return S.APPT_SLOTS
        if step == "checkin" and self.offer is not None:
            return self._check_in(flow, self.offer, walk_in=False)
        if step == "walkin" and self.offer is not None:
            return self._check_in(flow, self.offer, walk_in=True)
        return None

    def _find_by_card(self, flow: VisitFlow, card: IdentityCard) -> State:

        self._run("find", lambda: self.desk.find(card=card))
        return S.APPT_MINE

    def _fetch_slots(self) -> None:
        service = self.service
        assert service is not None
        self.slots, self.day, self.slot = [], None, None
        self._run("slots", lambda: self.desk.slots(service))

    def _check_in(self, flow: VisitFlow, offer: CheckInOffer, walk_in: bool) -> State | None:

        try:
            if walk_in or offer.status == "early":
                ticket = self._queue.take(offer.booking.service, flow.priority())
            else:
                ticket = self.desk.check_in(offer, self._queue, flow.priority())
        except KioskError as exc:
            log.error("check-in ticket not issued: %s", exc.detail)
            flow.set_notice(exc.message_key)
            return None
        flow.visit = replace(flow.visit, ticket=ticket, service=offer.booking.service)
        self.offer = None
        self._asker.run(self._report, "check-in report")  # tell the centre now if it can be reached; else later
        return VisitState.TICKET

    def _report(self) -> None:
        try:
            if self.desk.online():
                self.desk.report_pending()
        except Exception:  # noqa: BLE001 — retried at the next card
            log.exception("check-in report failed")

    def answered(self, flow: VisitFlow, event: AppointmentAnswered) -> State | None:
        """An ask came back (on the UI thread)."""
        if event.what == "offer":
            offer = event.result
            # Only while the person is still at the start, with the card that was asked about.
            if isinstance(offer, CheckInOffer) and flow.state is VisitState.HOME and flow.visit.card is not None:
                self.offer = offer
                return S.APPT_CHECKIN
            return None
        if event.request_id != self._pending:
            return None  # an older ask the person has moved on from
        self.asking = None
        self.message_key = event.message_key
        if event.what == "slots":
            self.slots = list(cast("list[Slot]", event.result or []))
            self.day = self.days()[0] if self.slots else None
            return None
        if event.what == "find":
            self.bookings = list(cast("list[Booking]", event.result or []))
            if self.by_code and not self.bookings and event.result is not None:
                # Code or digits wrong: say so and start the code again (either may be the typo).
                self.code, self.proof_last4 = "", ""
                self.message_key = "appointment.not_found"
            return S.APPT_MINE if flow.state is not S.APPT_MINE else None
        if event.what in ("book", "move"):
            if event.result is None:
                if event.message_key in ("appointment.full", "appointment.no_slot"):
                    # Someone took the last place first: show the times as they are now.
                    key = event.message_key
                    self._fetch_slots()
                    self.message_key = key
                    flow.set_notice(key)
                    return S.APPT_SLOTS
                flow.set_notice(event.message_key or "appointment.failed")
                return None
            self.booking = cast(Booking, event.result)
            self.phone = ""  # not needed any more
            return S.APPT_BOOKED
        if event.what == "cancel":
            if isinstance(event.result, Booking):
                cancelled = self.cancelled = event.result
                self.bookings = [b for b in self.bookings if b.code != cancelled.code]
                flow.set_notice("appointment.cancelled")
            else:
                flow.set_notice(event.message_key or "appointment.failed")
            return None
        return None

    def back(self, flow: VisitFlow, state: State) -> State | None:
        """Back within the appointment steps."""
        if state is S.APPT_MENU:
            return VisitState.HOME
        if state is S.APPT_SLOTS:
            return S.APPT_MINE if self.mode == "move" else S.APPT_MENU
        if state is S.APPT_PHONE:
            return S.APPT_SLOTS
        if state in (S.APPT_MINE, S.APPT_BOOKED):
            return S.APPT_MENU
        if state is S.APPT_CHECKIN:
            return VisitState.HOME
        return None


def setup(ctx: FeatureContext) -> AppointmentFlow:
    """The appointment steps, with a desk on a connection of its own (used only on the
    centre asker's worker)."""
    desk = AppointmentDesk(connect(ctx.data_dir / DB_FILENAME), ctx.clock, ctx.centre, ctx.config.appointments)
    catalog = ctx.catalog
    return AppointmentFlow(desk, ctx.queue, lambda: [s.code for s in catalog.services if s.code != "video"], ctx.asker,
                           ctx.clock.monotonic)


__all__ = ["AppointmentFlow", "setup"]
