"""The ping feature's core part: its state, its event, its tile, its steps."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from kiosk import events as ev
from kiosk.availability import AVAILABLE, Availability, HomeTile, Unavailable
from kiosk.events import Event
from kiosk.feature import FeatureBase, FeatureContext, State
from kiosk.states import VisitState
from kiosk.visit import VisitFlow


class PingState(enum.StrEnum):
    """Its one state (and its one screen's name)."""

    PING = "ping"


@dataclass(frozen=True)
class PingOpened(Event):
    """The person tapped the ping tile."""


@dataclass(frozen=True)
class Pinged(Event):
    """The person pressed the ping button on its screen."""


class PingFeature(FeatureBase):
    """Counts pings in a visit; forgets them when the visit ends."""

    name = "ping"
    states = tuple(PingState)
    transitions = {
        (VisitState.HOME, PingOpened): PingState.PING,
        (PingState.PING, ev.HomePressed): VisitState.HOME,
        (PingState.PING, ev.Finished): VisitState.ATTRACT,
    }
    events = (PingOpened, Pinged)
    multi_step = frozenset({PingState.PING})
    screens = {"ping": "tests.features.ping.screen:PingScreen"}

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.pings = 0

    def on_event(self, flow: VisitFlow, event: Event, target: State | None) -> State | None:
        """Open where the table allows; count a ping on its own screen."""
        if isinstance(event, Pinged) and flow.state is PingState.PING:
            self.pings += 1
            return None
        return target

    def wipe(self) -> None:
        """The next person starts at zero."""
        self.pings = 0

    def availability(self) -> Availability:
        """Offered only where switched on (here: where the terminal speaks English)."""
        return AVAILABLE if self.enabled else Unavailable("call.unavailable", hidden=True)

    def tiles(self) -> list[HomeTile]:
        """One tile, first among the "here" tiles."""
        return [HomeTile("home.title", "home.waiting_none", "touch", "ping:open", order=5, availability=self.availability)]


def setup(ctx: FeatureContext) -> PingFeature:
    """The feature, from the terminal's parts."""
    return PingFeature(enabled=ctx.config.language in ("zh_CN", "en"))
