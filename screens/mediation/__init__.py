"""The remote mediation party's screens (kiosk/mediation)."""
