"""The technicians' web dashboard, served by ``kiosk-center serve``."""
