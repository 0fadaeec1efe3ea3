"""Appointments at the centre: published slots per site and service, bookings, check-in
(see docs/appointments.md). Tables live on the centre store's engine."""
