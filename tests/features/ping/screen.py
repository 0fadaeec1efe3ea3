"""The ping feature's one screen: the count, a ping button, and the way home."""

from __future__ import annotations

from typing import Any

from kivy.uix.boxlayout import BoxLayout

from screens.base import KioskScreen
from kivy.uix.label import Label

from screens.widgets import KButton


class PingScreen(KioskScreen):
    """Shows how many pings this visit made."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(name="ping", **kwargs)
        box = BoxLayout(orientation="vertical", padding=40, spacing=20)
        self.count = Label(text="0", color=(0, 0, 0, 1), font_size=60)
        box.add_widget(self.count)
        box.add_widget(KButton(text="ping", action="ping:ping"))
        box.add_widget(KButton(text="home", action="home"))
        box.add_widget(KButton(text="finish", action="finish"))
        self.add_widget(box)

    def refresh(self) -> None:
        """The count as the feature has it now."""
        feature = self.kiosk.terminal.flow.features.get("ping")
        self.count.text = str(getattr(feature, "pings", "?"))
