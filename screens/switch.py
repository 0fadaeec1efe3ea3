"""The screen manager's transition: the next screen replaces the last one in the very
frame that first shows it.

Kivy's ``NoTransition`` still runs an animation of duration 0, which completes one
clock tick later: the first frame after a switch draws the old screen *and* the new
one on top of it, and a second frame follows only to take the old one away. With a
software renderer (Mesa's llvmpipe on a kiosk without a GPU driver, and the offscreen
runs of the tests and benches) every frame is rasterised in full, so each switch paid
for three screens' worth of drawing instead of one, and the next tap's first text
texture waited for all of it. Here the switch is completed just before the next frame
is drawn (a clock trigger with timeout -1, which Kivy runs before drawing): after the
code that asked for the switch has run, as before, and with the same events
(``on_pre_enter``/``on_pre_leave`` at once, ``on_enter``/``on_leave`` at completion).
"""

from __future__ import annotations

from typing import Any

from kivy.clock import Clock
from kivy.uix.screenmanager import NoTransition, ScreenManager


class InstantTransition(NoTransition):
    """``NoTransition`` completed before the next frame, not a tick after it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._finish_soon = Clock.create_trigger(self._finish, -1)

    def start(self, manager: ScreenManager) -> None:
        """Start the switch as Kivy does, and have it completed before the next frame."""
        super().start(manager)
        self._finish_soon()

    def _finish(self, *_args: Any) -> None:
        # A switch already completed (or stopped by the next one) has nothing left to do.
        anim = getattr(self, "_anim", None)
        if not self.is_active or anim is None:
            return
        anim.cancel(self)  # its own completion would come a tick later: not wanted now
        self._on_complete()
