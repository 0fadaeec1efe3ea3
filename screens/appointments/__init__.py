"""The appointment screens (one per ``AppointmentState``) and their side in the app."""
