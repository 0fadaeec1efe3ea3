"""The done screen: listen for your number; back to the start by itself."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from screens.base import KioskScreen


class DoneScreen(KioskScreen):
    """Thanks, and what happens next."""

    primary_action = "finish"  # what "好的" / "yes" does here

    number = StringProperty("")

    def refresh(self) -> None:
        """Show the number once more."""
        ticket = self.kiosk.terminal.flow.visit.ticket
        self.number = ticket.number if ticket else ""

    def spoken_intro(self) -> str:
        """What happens next."""
        app = self.kiosk
        return f"{app.tr('done.title')}。{app.tr('done.line1')}。{app.tr('done.line2')}。"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
