"""The app side of appointments: what ``appt:…`` buttons do, answers from the worker
filling the screen shown, the check-in list kept fresh, the slip printed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.clock import Clock

from kiosk.appointments.events import AppointmentAnswered, AppointmentAsked, AppointmentsOpened
from kiosk.appointments.flow import AppointmentFlow
from kiosk.appointments.slip import appointment_slip
from kiosk.appointments.states import AppointmentState
from kiosk.events import Event, PrintFinished
from kiosk.feature import Feature, State
from screens.features import FeatureUiBase

if TYPE_CHECKING:
    from screens.app import KioskApp

REFRESH_S = 600  # how often the check-in list is fetched again while the centre is reachable


class AppointmentUi(FeatureUiBase):
    """The app side of appointments: actions, worker answers, the slip."""

    actions = ("appt",)

    def __init__(self, app: "KioskApp", feature: Feature) -> None:
        super().__init__(app, feature)
        assert isinstance(feature, AppointmentFlow)
        self.appts: AppointmentFlow = feature
        app.terminal.flow.add_listener(self._on_flow)
        # The check-in list, kept fresh while the line is up (first soon after start).
        Clock.schedule_once(lambda _dt: feature.keep_current(), 5)
        Clock.schedule_interval(lambda _dt: feature.keep_current(), REFRESH_S)

    def act(self, name: str, arg: str) -> None:
        """``appt:open`` and ``appt:<step>:<value>``."""
        flow = self.app.terminal.flow
        step, _, value = arg.partition(":")
        flow.handle(AppointmentsOpened() if step == "open" else AppointmentAsked(step, value))
        if self.app.sm.current in self.appts.screens:
            self.app.sm.current_screen.refresh()

    def _on_flow(self, old: State, new: State, event: Event) -> None:
        app = self.app
        if isinstance(event, AppointmentAnswered) and new is old and new in self.appts.states:
            app.sm.current_screen.refresh()  # the answer fills the screen shown now
            if app.voice or app._keypad_in_use:
                app.guide.speak_screen()
        if new is AppointmentState.APPT_BOOKED and old is not AppointmentState.APPT_BOOKED:
            self._print_slip()

    def print_finished(self, event: PrintFinished) -> bool | None:
        """A slip job ended: show it on the booked screen; False when it was an
        earlier person's slip (nothing to tell this one)."""
        if not event.job_id.startswith("appointment:"):
            return None
        a = self.appts
        if a.booking is None or event.job_id != f"appointment:{a.booking.code}":
            return False
        a.slip_key = "appointment.slip_printed" if event.ok else "appointment.not_printed"
        if self.app.sm.current == "appt_booked":
            self.app.sm.current_screen.refresh()
        return True

    def _print_slip(self) -> None:
        app = self.app
        t = app.terminal
        a = self.appts
        b = a.booking
        a.slip_key = None
        if b is None:
            return
        if not app.receipts.available:
            a.slip_key = "appointment.not_printed"
            return
        a.slip_key = "appointment.slip_printing"
        slip = appointment_slip(b, t.catalog.get(b.service), t.config, language=t.flow.visit.language,
                                printed_at=t.clock.now(), take_card=t.flow.visit.card_placed)
        app.receipts.queue.submit(f"appointment:{b.code}", slip)
