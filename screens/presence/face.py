"""The attract screen's face: the gold 法 disc with two eyes that follow the person in
front of the terminal and blink, and a mouth that moves while the terminal speaks.

Drawn with canvas instructions only (no image files). It reads where to look from the
presence feature ten times a second; it never sees a frame. Nobody there: the eyes are
half closed and look ahead. A small notice beside it says what the camera is used for.
"""

from __future__ import annotations

import math
import random
from typing import Any, Callable

from kivy.clock import Clock
from kivy.graphics import Color, Ellipse, Line
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from screens import theme

_TICK_S = 0.1
_FOLLOW_S = 0.2  # the eyes glide to where the person is (time constant), they do not jump
_BLINK_S = 0.15


class CameraNotice(Label):
    """The camera notice beside the disc; drawn on the screen's navy, not on the gold."""

    surface = ColorProperty(theme.NAVY)


class PresenceFace(Widget):
    """Eyes and mouth over the emblem's disc (its parent draws the disc)."""

    look = NumericProperty(0.5)  # where the eyes look now, 0 left … 1 right
    openness = NumericProperty(0.5)  # 0 shut … 1 wide open
    speaking = BooleanProperty(False)
    awake = BooleanProperty(False)  # someone is in view
    notice = StringProperty("")

    def __init__(self, gaze: Callable[[], float | None], speaking: Callable[[], bool], scale: Callable[[], float],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gaze = gaze
        self._speaking = speaking
        self._scale = scale
        self._blink_until = 0.0
        self._next_blink = 3.0
        self._clock = 0.0
        self.blinks = 0
        self.label = CameraNotice(color=theme.ON_NAVY, halign="left", valign="bottom", markup=False)
        self.add_widget(self.label)
        self.bind(pos=self._redraw, size=self._redraw, look=self._redraw, openness=self._redraw, speaking=self._redraw,
                  notice=self._redraw)
        self._event = Clock.schedule_interval(self._tick, _TICK_S)

    def diameter(self) -> float:
        """The disc's size, as the attract screen draws it."""
        return max(0.0, min(dp(140) * self._scale(), self.height - dp(8)))

    def pupil_offset(self) -> float:
        """How far the pupils sit from the middle of the eyes, in pixels (negative: left)."""
        return (self.look - 0.5) * 2 * self.diameter() * 0.07

    def _tick(self, dt: float) -> None:
        if self.get_root_window() is None:
            return  # the attract screen is not shown: nothing to draw, no work for the UI thread
        self._clock += dt
        target = self._gaze()
        self.awake = target is not None
        goal = 0.5 if target is None else max(0.0, min(1.0, target))
        # By time, not by tick: on a busy machine the ticks come late, and the eyes must
        # still be where the person is, not a few ticks behind.
        self.look += (goal - self.look) * (1.0 - math.exp(-dt / _FOLLOW_S))
        if self._clock >= self._next_blink:
            self._blink_until = self._clock + _BLINK_S
            self._next_blink = self._clock + random.uniform(2.5, 6.0)
            self.blinks += 1
        blinking = self._clock < self._blink_until
        self.openness = 0.08 if blinking else (1.0 if self.awake else 0.45)
        self.speaking = self._speaking()

    def stop(self) -> None:
        """Stop following (the widget is being dropped)."""
        self._event.cancel()

    def _redraw(self, *_args: object) -> None:
        d = self.diameter()
        cx, cy = self.center
        self.canvas.before.clear()
        if d < dp(56) * self._scale():  # the attract screen leaves the disc out: so does the face
            self.label.text = ""
            self.label.opacity = 0
            return
        eye_w, eye_h = d * 0.22, d * 0.26 * max(0.08, self.openness)
        eye_y = cy + d * 0.08
        pupil = d * 0.12
        with self.canvas.before:
            for side in (-1, 1):
                ex = cx + side * d * 0.19
                Color(1, 1, 1, 1)
                Ellipse(pos=(ex - eye_w / 2, eye_y - eye_h / 2), size=(eye_w, eye_h))
                Color(*theme.NAVY)
                ph = min(pupil, eye_h)
                Ellipse(pos=(ex - pupil / 2 + self.pupil_offset(), eye_y - ph / 2), size=(pupil, ph))
            Color(*theme.NAVY)
            mouth_w = d * 0.36
            if self.speaking:
                mh = d * 0.12
                Ellipse(pos=(cx - mouth_w / 3, cy - d * 0.27 - mh / 2), size=(mouth_w * 2 / 3, mh))
            else:
                Line(ellipse=(cx - mouth_w / 2, cy - d * 0.34, mouth_w, d * 0.2, 120, 240), width=max(1.0, d / 45))
        # The camera notice: small (never under the smallest readable size), beside the disc,
        # bottom-aligned, wrapping in narrow windows; left out where it would not fit.
        room = max(dp(80), (self.width - d) / 2 - dp(12))
        self.label.text = self.notice
        self.label.font_size = max(dp(18), dp(16) * self._scale())
        self.label.text_size = (room, None)
        self.label.texture_update()
        self.label.size = self.label.texture_size
        self.label.pos = (cx + d / 2 + dp(12), self.y + dp(4))
        fits = self.label.height <= self.height - dp(8) and self.label.right <= self.right + 1
        self.label.opacity = 1 if fits else 0
        if not fits:
            self.label.text = ""
