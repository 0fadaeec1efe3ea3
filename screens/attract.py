"""The attract screen: welcome, hotline, touch (or place a card) to start.

Five quick taps on the site name open the technician PIN pad.
"""

from __future__ import annotations

from kivy.input.motionevent import MotionEvent

import time
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.widget import Widget

from screens.base import KioskScreen

_TECH_TAPS = 5
_TECH_WINDOW_S = 3.0


class AttractScreen(KioskScreen):
    """Welcome screen shown between visits."""

    primary_action = "start"  # what "好的" / "yes" does here

    clock_text = StringProperty("")
    hours_text = StringProperty("")
    wake_text = StringProperty("")  # "也可以说“你好小法”…" while the name is listened for (screens/wake)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._taps: list[float] = []
        self._layers: list[Widget] = []

    def refresh(self) -> None:
        """Update the date, time and today's opening hours."""
        self.clock_text = self.kiosk.now_text()
        self.hours_text = self.kiosk.hours_text()

    def add_layer(self, widget: Widget) -> None:
        """Lay ``widget`` over the whole screen (a feature's layer: the publicity
        slideshow); it takes the touches first and removes itself."""
        if widget not in self._layers:
            self._layers.append(widget)
        if widget.parent is None:
            self.add_widget(widget)

    def spoken_intro(self) -> str:
        """Welcome, and how to begin."""
        app = self.kiosk
        return f"{app.tr('attract.title')}。{app.tr('attract.tap')}。{app.tr('attract.card_hint')}。"

    def on_touch_up(self, touch: MotionEvent) -> bool:
        """Start a visit on any touch, except the hidden technician corner."""
        if any(w.parent is self and w.on_touch_up(touch) for w in self._layers):
            return True  # a layer over the screen (the slideshow) took it
        if not self.collide_point(*touch.pos) or any(self.ids[b].collide_point(*touch.pos) for b in ("start", "voice")):
            return super().on_touch_up(touch)  # the buttons handle their own touches
        if self.ids.site.collide_point(*touch.pos):
            now = time.monotonic()
            self._taps = [t for t in self._taps if now - t < _TECH_WINDOW_S] + [now]
            if len(self._taps) >= _TECH_TAPS:
                self._taps.clear()
                self.kiosk.act("tech")
            return True
        self.kiosk.act("start")
        return True


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
