"""The idle question: "您还在吗？" with a countdown, before a visit ends by itself."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Callable

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView


class IdleOverlay(ModalView):
    """Asks whether the person is still there; answering keeps the visit.

    The countdown on screen is the deadline: at zero ``on_zero`` ends the visit. Nothing
    else (a key that answers nothing, speech still playing) moves it, so the visit is
    wiped when the question says it will be."""

    remaining = NumericProperty(0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._tick: object | None = None
        self._deadline = 0.0
        self._on_zero: Callable[[], None] | None = None

    @property
    def counting(self) -> bool:
        """True while the question is shown and its countdown runs."""
        return self._tick is not None

    def start(self, seconds: float, on_zero: Callable[[], None] | None = None) -> None:
        """Show the question, counting down from ``seconds``; call ``on_zero`` at zero."""
        self.stop()
        # Counted against the monotonic clock, not in ticks: a late frame never adds time.
        self._deadline = time.monotonic() + seconds
        self._on_zero = on_zero
        self.remaining = int(seconds)
        self._tick = Clock.schedule_interval(self._count, 0.25)
        self.open(animation=False)

    def stop(self) -> None:
        """Hide the question (the countdown stops; ``on_zero`` is not called)."""
        if self._tick is not None:
            self._tick.cancel()  # type: ignore[attr-defined]
            self._tick = None
        self._on_zero = None
        self.dismiss(animation=False)

    def _count(self, _dt: float) -> None:
        left = self._deadline - time.monotonic()
        self.remaining = max(0, math.ceil(left))
        if left <= 0:
            on_zero = self._on_zero
            self.stop()
            if on_zero is not None:
                on_zero()


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
