"""The ping feature's side in the app: its actions."""

from __future__ import annotations

from tests.features.ping.core import Pinged, PingOpened
from screens.features import FeatureUiBase


class PingUi(FeatureUiBase):
    """``ping:open`` opens its screen; ``ping:ping`` counts."""

    actions = ("ping",)

    def act(self, name: str, arg: str) -> None:
        """Hand the action to the visit flow as the feature's event."""
        flow = self.app.terminal.flow
        flow.handle(PingOpened() if arg == "open" else Pinged())
        self.app.sm.current_screen.refresh()
