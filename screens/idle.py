"""The idle question: "您还在吗？" with a countdown, before a visit ends by itself."""

from __future__ import annotations

from pathlib import Path

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView


class IdleOverlay(ModalView):
    """Asks whether the person is still there; answering keeps the visit."""

    remaining = NumericProperty(0)

    def start(self, seconds: float) -> None:
        """Show the question, counting down from ``seconds``."""
        self.remaining = int(seconds)
        self._tick = Clock.schedule_interval(self._count, 1.0)
        self.open(animation=False)

    def stop(self) -> None:
        """Hide the question."""
        if getattr(self, "_tick", None) is not None:
            self._tick.cancel()
        self.dismiss(animation=False)

    def _count(self, _dt: float) -> None:
        self.remaining = max(0, self.remaining - 1)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
