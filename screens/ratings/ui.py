"""The app side of ratings: what ``rate:<source>`` and ``rating:<step>:<value>`` do,
and the visit that ends by itself a while after the thanks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from kiosk.events import Event
from kiosk.feature import Feature, State
from kiosk.ratings.events import RatingAsked, RatingOpened
from kiosk.ratings.flow import RatingFlow
from kiosk.ratings.states import RatingState
from screens.features import FeatureUiBase

if TYPE_CHECKING:
    from screens.app import KioskApp

THANKS_S = 8.0  # the thanks stays this long, then the visit ends


class RatingUi(FeatureUiBase):
    """Rating actions; the visit ends a while after a rating was given."""

    actions = ("rate", "rating")

    def __init__(self, app: "KioskApp", feature: Feature) -> None:
        super().__init__(app, feature)
        assert isinstance(feature, RatingFlow)
        self.ratings: RatingFlow = feature
        self._finish_event: Any = None
        app.terminal.flow.add_listener(self._on_flow)

    def act(self, name: str, arg: str) -> None:
        """``rate:<source>`` opens a rating; ``rating:<step>:<value>`` is a choice."""
        flow = self.app.terminal.flow
        step, _, value = arg.partition(":")
        if name == "rate":
            flow.handle(RatingOpened(step or "ticket"))
            return
        flow.handle(RatingAsked(step, value))
        self.app.sm.current_screen.refresh()
        self.app.guide.sync()

    def _on_flow(self, old: State, new: State, event: Event) -> None:
        if self._finish_event is not None:
            self._finish_event.cancel()
            self._finish_event = None
        if new is RatingState.RATE and self.ratings.given:
            app = self.app
            self._finish_event = Clock.schedule_once(lambda _dt: app.act("finish"), THANKS_S)
