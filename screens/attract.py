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

from kiosk.ports import DeviceKind
from screens.base import KioskScreen
from screens.strip import unusable

_TECH_TAPS = 5
_TECH_WINDOW_S = 3.0


class AttractScreen(KioskScreen):
    """Welcome screen shown between visits."""

    primary_action = "start"  # what "好的" / "yes" does here

    clock_text = StringProperty("")
    hours_text = StringProperty("")
    wake_text = StringProperty("")  # "也可以说“你好小法”…" while the name is listened for (screens/wake)
    # "请取回身份证" in large type while the last visit's card may lie on the reader.
    take_card = StringProperty("")
    # The invitation to put a card on the reader; empty while the reader cannot read one.
    card_hint = StringProperty("")

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._taps: list[float] = []
        self._layers: list[Widget] = []

    def refresh(self) -> None:
        """Update the date, time and today's opening hours, inviting only what works now."""
        app = self.kiosk
        self.clock_text = app.now_text()
        hours = app.hours_text()
        if hours == app.tr("attract.hours_closed") and unusable(app.terminal, (DeviceKind.PRINTER,)):
            hours = app.tr("card_left.hours_closed_no_printer")  # no "打印材料清单" without a printer
        self.hours_text = hours
        self.card_hint = "" if unusable(app.terminal, (DeviceKind.IDCARD,)) else app.tr("attract.card_hint")

    def card_reminder_changed(self, reminder: str) -> None:
        """The visit band's reminder, polled: said large here, where the next person
        stands in front of a card someone left. The invitations follow the devices too."""
        refused = self.kiosk.terminal.flow.visit.card_refused
        self.take_card = (reminder if refused else self.kiosk.tr("card_left.attract")) if reminder else ""
        self.refresh()

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
        hint = f"{self.card_hint}。" if self.card_hint else ""
        return f"{app.tr('attract.title')}。{app.tr('attract.tap')}。{hint}"

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
