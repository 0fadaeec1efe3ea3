"""The publicity slideshow over the attract screen (kiosk/publicity)."""
