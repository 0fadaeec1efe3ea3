"""The appointment screens (预约): the menu, free times, phone, booked, my appointments,
check-in.

Each screen fills one body in ``refresh`` from the appointment feature; every button names
its action (``appt:<step>:<value>``), which ``KioskApp.act`` hands to ``AppointmentUi``
(screens/appointments/ui.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kiosk.appointments.desk import Booking
from kiosk.appointments.flow import AppointmentFlow
from kiosk.appointments.slip import when_text
from screens import theme
from screens.flow_screen import FlowScreen

WEEKDAYS_ZH = "一二三四五六日"


class AppointmentScreen(FlowScreen):
    """An appointment screen: the flow screen, reading the appointment feature."""

    @property
    def appts(self) -> Any:
        """The visit's appointment steps (None where appointments are not registered)."""
        return self.kiosk.terminal.flow.features.get(AppointmentFlow.name)

    def _message(self) -> None:
        key = self.appts.message_key if self.appts else None
        self.message = self.kiosk.tr(key) if key else ""

    def day_text(self, day: Any) -> str:
        """``11月30日 周一`` / ``Mon 30 Nov``."""
        if self.kiosk.lang == "en":
            return f"{day:%a %d %b}"
        return f"{day.month}月{day.day}日 周{WEEKDAYS_ZH[day.weekday()]}"


class AppointmentMenuScreen(AppointmentScreen):
    """Book a service, or see my appointments."""

    screen_name = "appt_menu"

    def refresh(self) -> None:
        """One button per service that takes appointments, then 我的预约."""
        app = self.kiosk
        self.title = app.tr("appointment.title")
        self.subtitle = app.tr("appointment.choose_service")
        self.message = ""
        box = self.body()
        grid = self.grid(1 if app.portrait else 2 if app.elder else 3)
        for code in self.appts.services():
            grid.add_widget(self.button(self.service_name(code), f"appt:service:{code}"))
        box.add_widget(grid)
        row = self.grid(1 if app.portrait else 2)
        row.add_widget(self.button(app.tr("appointment.mine"), "appt:mine", selected=True))
        # Without the card at hand: the code from the slip and the phone's last digits.
        row.add_widget(self.button(app.tr("appointment.by_code"), "appt:by_code"))
        box.add_widget(row)


class AppointmentSlotsScreen(AppointmentScreen):
    """Free times: the days (next working days) on top, the chosen day's times under."""

    screen_name = "appt_slots"

    def refresh(self) -> None:
        """Days, then times of the chosen day; a waiting line while the centre answers."""
        app, a = self.kiosk, self.appts
        self.title = f"{app.tr('appointment.slots_title')} · {self.service_name(a.service)}"
        self._message()
        box = self.body()
        if a.asking == "slots":
            self.subtitle = app.tr("appointment.loading")
            return
        if not a.slots:
            self.subtitle = "" if a.message_key else app.tr("appointment.no_slots")
            return
        self.subtitle = app.tr("appointment.choose_day")
        days = self.grid(2 if app.portrait else 4 if app.elder else 7)
        for day in a.days():
            days.add_widget(self.button(self.day_text(day), f"appt:day:{day.isoformat()}", selected=day == a.day,
                                        font_size=app.fs(24)))
        box.add_widget(days)
        box.add_widget(self.text(app.tr("appointment.choose_time")))
        times = self.grid(2 if app.portrait else 3 if app.elder else 4)
        for s in a.times():
            times.add_widget(self.button(f"{s.start}–{s.end}  [size={int(app.fs(20))}]{app.tr('appointment.free', n=s.free)}[/size]",
                                         f"appt:slot:{s.slot_id}", markup=True, spoken=s.start))
        box.add_widget(times)


class AppointmentPhoneScreen(AppointmentScreen):
    """The phone number on the big keypad; 确定 books."""

    screen_name = "appt_phone"

    def refresh(self) -> None:
        """The chosen time, and the keypad."""
        app, a = self.kiosk, self.appts
        self.title = app.tr("appointment.phone_title")
        self.subtitle = app.tr("appointment.summary", service=self.service_name(a.service),
                               when=when_text(_booking_like(a), app.lang)) + "\n" + app.tr("appointment.phone_hint")
        self.message = app.tr("appointment.booking") if a.asking == "book" else ""
        # The screen's one keypad, kept with its bindings (a redraw while the person
        # types, as the booking starts, keeps what is typed; the next person's is empty).
        typed = self._kept_pad.value if self._kept_pad is not None else ""
        box = self.body()
        pad = self.keypad(mode="mobile", max_length=11)
        pad.value = typed
        pad.on_done = lambda digits: app.act(f"appt:phone:{digits}")
        box.add_widget(pad)

    def on_leave(self, *args: object) -> None:
        """The number goes when the screen does."""
        if self._kept_pad is not None:
            self._kept_pad.value = ""

    def spoken_intro(self) -> str:
        """Title, the chosen time, and how many digits are typed."""
        pad = self._kept_pad
        return super().spoken_intro() + (pad.spoken_state() if pad is not None else "")


def _booking_like(a: Any) -> Any:
    s = a.slot
    return Booking("", a.service or "", s.day, s.start, s.end) if s else Booking("", "", date.today(), "", "")


class AppointmentBookedScreen(AppointmentScreen):
    """Booked (or moved): the code large, the time, and the slip being printed."""

    screen_name = "appt_booked"

    primary_action = "finish"

    def refresh(self) -> None:
        """The booking."""
        app, a = self.kiosk, self.appts
        b = a.booking
        if b is None:
            return
        self.title = app.tr("appointment.moved_title" if a.mode == "move" else "appointment.booked_title")
        self.subtitle = app.tr("appointment.summary", service=self.service_name(b.service), when=when_text(b, app.lang))
        slip = a.slip_key
        self.message = app.tr(slip) if slip == "appointment.not_printed" else ""
        box = self.body()
        box.add_widget(self.text(app.tr("appointment.code"), big=True))
        box.add_widget(self.text(b.code, code=True))
        box.add_widget(self.text(app.tr("appointment.booked_hint"), big=True))
        if slip and slip != "appointment.not_printed":
            line = self.text(app.tr(slip), big=True)
            line.color = theme.OK
            box.add_widget(line)

    def spoken_intro(self) -> str:
        """Title, time, and the code digit by digit."""
        b = self.appts.booking
        code = " ".join(b.code) if b else ""
        slip = self.appts.slip_key
        tail = f"{self.kiosk.tr(slip)}。" if slip else ""
        return f"{self.title}。{self.subtitle}。{self.kiosk.tr('appointment.code')}{code}。{self.kiosk.tr('appointment.booked_hint')}{tail}"


class AppointmentMineScreen(AppointmentScreen):
    """My appointments: each with 取消 and 改约; or find one by code and phone digits."""

    screen_name = "appt_mine"

    def refresh(self) -> None:
        """The bookings found, or the code keypad."""
        app, a = self.kiosk, self.appts
        self.title = app.tr("appointment.mine_title")
        self._message()
        box = self.body()
        if a.asking in ("find", "cancel"):
            self.subtitle = app.tr("appointment.loading")
            return
        if a.by_code and not a.bookings and a.cancelled is not None and a.cancelled.code == a.code:
            # Just cancelled (found by code): say so, rather than ask for the digits again.
            self.subtitle = app.tr("appointment.cancelled")
            return
        if a.by_code and not a.bookings:
            self.subtitle = app.tr("appointment.last4_title" if a.code else "appointment.code_title")
            pad = self.keypad(mode="digits", max_length=4 if a.code else 6, min_length=4 if a.code else 6)
            step = "last4" if a.code else "code"
            pad.on_done = lambda digits: app.act(f"appt:{step}:{digits}")
            box.add_widget(pad)
            return
        self.subtitle = "" if a.bookings else app.tr("appointment.none")
        for b in a.bookings:
            box.add_widget(self.text(f"{self.service_name(b.service)} · {when_text(b, app.lang)} · {app.tr('appointment.code')} {b.code}", big=True))
            row = self.grid(2)
            row.add_widget(self.button(app.tr("appointment.move"), f"appt:move:{b.code}"))
            row.add_widget(self.button(app.tr("appointment.cancel"), f"appt:cancel:{b.code}", bg=theme.ACCENT, fg=theme.ON_NAVY, outline=theme.ACCENT))
            box.add_widget(row)
        if not a.by_code:
            box.add_widget(self.button(app.tr("appointment.by_code"), "appt:by_code"))


class AppointmentCheckinScreen(AppointmentScreen):
    """A card at the start found today's appointment: check in (or queue as a walk-in)."""

    screen_name = "appt_checkin"

    primary_action = "appt:checkin"

    def refresh(self) -> None:
        """The question, and the way the person will be served."""
        app, a = self.kiosk, self.appts
        offer = a.offer
        if offer is None:
            return
        b = offer.booking
        self.title = app.tr("appointment.checkin_title")
        self.subtitle = ""
        box = self.body()
        # The question in large type: the one thing this screen asks.
        self.question = app.tr("appointment.checkin_question", start=b.start, service=self.service_name(b.service))
        box.add_widget(self.text(self.question, big=True))
        self.message = ""
        if offer.status == "late":
            self.message = app.tr("appointment.checkin_late", minutes=app.terminal.config.appointments.late_minutes)
            self.primary_action = "appt:walkin"
            box.add_widget(self.button(app.tr("appointment.checkin_walkin"), "appt:walkin", selected=True))
        elif offer.status == "early":
            self.message = app.tr("appointment.checkin_early", time=offer.opens_at)
            self.primary_action = "appt:walkin"
            box.add_widget(self.button(app.tr("appointment.checkin_walkin"), "appt:walkin"))
        else:
            self.primary_action = "appt:checkin"
            box.add_widget(self.button(app.tr("appointment.checkin_yes"), "appt:checkin", selected=True))

    def spoken_intro(self) -> str:
        """The title, the question, and why a walk-in ticket when late or early."""
        return "。".join(p for p in (self.title, getattr(self, "question", ""), self.message) if p) + "。"


