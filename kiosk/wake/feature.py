"""The wake word as a feature: its setting, its spotter, and what it counts.

It owns no state of the visit and no screen: on the attract screen it only listens (the
app's side, ``screens/wake/ui.py``) and, when the name is heard, voice mode starts the
way the attract screen's 语音服务 button starts it.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.events import Event
from kiosk.feature import FeatureBase, FeatureContext, State
from kiosk.visit import VisitFlow
from kiosk.wake.spotter import WakeSpotter


@dataclass(frozen=True)
class WakeHeard(Event):
    """The terminal's name was heard on the attract screen (posted from the listener's
    worker through the app's bridge). Holds no words: only how sure the recogniser was."""

    confidence: float


class WakeFeature(FeatureBase):
    """Listening for the name on the attract screen (``[wake]`` in kiosk.toml)."""

    name = "wake"
    events = (WakeHeard,)
    config_section = "wake"

    def __init__(self, enabled: bool, spotter: WakeSpotter) -> None:
        self.enabled = enabled
        self.spotter = spotter
        self.wakes = 0  # times the name started voice mode since start-up (a count, never words)

    def on_event(self, flow: VisitFlow, event: Event, target: State | None) -> State | None:
        """No step of its own: the app starts voice mode if the attract screen is still
        the one shown (it knows; the visit flow does not)."""
        return None


def setup(ctx: FeatureContext) -> WakeFeature:
    """The feature from ``[wake]``."""
    wake = ctx.config.wake
    return WakeFeature(wake.enabled, WakeSpotter(wake.phrase, wake.threshold, tuple(wake.decoys)))
