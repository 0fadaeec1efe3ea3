"""The appointment feature's visit states (their values are its screens' names)."""

from __future__ import annotations

import enum


class AppointmentState(enum.StrEnum):
    """Where the person is in booking, changing or checking in."""

    APPT_MENU = "appt_menu"  # book a service, or my appointments
    APPT_SLOTS = "appt_slots"  # free times: day, then time
    APPT_PHONE = "appt_phone"  # the phone number on the big keypad, then book
    APPT_BOOKED = "appt_booked"  # booked or moved: the code, the slip
    APPT_MINE = "appt_mine"  # my appointments: cancel or move (by card or code)
    APPT_CHECKIN = "appt_checkin"  # a card at the start found today's appointment
