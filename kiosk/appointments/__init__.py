"""Appointments (预约): booking at the terminal, the slip, cancelling and moving, and
check-in that puts the person ahead of walk-ins (docs/appointments.md)."""

from kiosk.appointments.desk import AppointmentDesk, AppointmentError, Booking, CheckInOffer, Slot, valid_phone

__all__ = ["AppointmentDesk", "AppointmentError", "Booking", "CheckInOffer", "Slot", "valid_phone"]
