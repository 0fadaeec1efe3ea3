"""Presence in the app: the attract screen's face and the greeting (kiosk/presence)."""
