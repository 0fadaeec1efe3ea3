"""Video consultation (视频咨询) as a feature of the visit: its steps, its tile, and
whether the tile can work now. The call itself runs behind ``VideoCallPort``
(remote_video/, wired by kiosk.bootstrap); the core never imports it."""

from __future__ import annotations

from typing import Callable, Mapping

from kiosk import events as ev
from kiosk.availability import AVAILABLE, Availability, HomeTile, Unavailable
from kiosk.config import KioskConfig
from kiosk.events import Event
from kiosk.feature import FeatureBase, FeatureContext, State
from kiosk.ports import CentreChannel, Device, DeviceKind, DeviceState
from kiosk.ratings.events import RatingOpened
from kiosk.ratings.states import RatingState
from kiosk.states import VisitState
from kiosk.video_call.call import VideoCallPort
from kiosk.video_call.events import CallConnected, CallConsented, CallEnded, CallOpened, CallQueued
from kiosk.video_call.states import VideoCallState as C

TRANSITIONS: dict[tuple[State, type[Event]], State] = {
    (VisitState.HOME, CallOpened): C.CALL_CONSENT,
    (C.CALL_CONSENT, CallConsented): C.CALL_WAIT,
    (C.CALL_CONSENT, ev.BackPressed): VisitState.HOME,
    (C.CALL_CONSENT, ev.HomePressed): VisitState.HOME,
    (C.CALL_CONSENT, ev.Finished): VisitState.ATTRACT,
    (C.CALL_WAIT, CallConnected): C.CALL_ACTIVE,
    (C.CALL_WAIT, CallEnded): C.CALL_ENDED,
    (C.CALL_ACTIVE, CallEnded): C.CALL_ENDED,
    (C.CALL_ENDED, ev.HomePressed): VisitState.HOME,
    (C.CALL_ENDED, ev.BackPressed): VisitState.HOME,
    (C.CALL_ENDED, ev.Finished): VisitState.ATTRACT,
    # Ending the visit some other way (the technician, a restart) ends the call too:
    # the call's screens hang up when the visit leaves a call for attract.
    (C.CALL_WAIT, ev.Finished): VisitState.ATTRACT,
    (C.CALL_ACTIVE, ev.Finished): VisitState.ATTRACT,
    # "评价这次通话": the rating feature's faces, for the call.
    (C.CALL_ENDED, RatingOpened): RatingState.RATE,
}


class VideoCallFeature(FeatureBase):
    """The video call's steps; the call's progress comes as events the table answers."""

    name = "video_call"
    states = tuple(C)
    transitions = TRANSITIONS
    events = (CallOpened, CallConsented, CallQueued, CallConnected, CallEnded)
    # Nobody is timed out while waiting for a lawyer or talking to one (elder mode or not).
    untimed = frozenset({C.CALL_WAIT, C.CALL_ACTIVE})
    final = frozenset({C.CALL_ENDED})
    screens = {
        "call_consent": "screens.video_call.screens:CallConsentScreen",
        "call_wait": "screens.video_call.screens:CallWaitScreen",
        "call_active": "screens.video_call.screens:CallActiveScreen",
        "call_ended": "screens.video_call.screens:CallEndedScreen",
    }
    config_section = "video"

    def __init__(
        self,
        config: KioskConfig,
        video: Callable[[], VideoCallPort | None],
        devices: Callable[[], Mapping[DeviceKind, Device]],
        centre: Callable[[], CentreChannel | None],
    ) -> None:
        self._config = config
        self._video = video
        self._devices = devices
        self._centre = centre

    @property
    def port(self) -> VideoCallPort | None:
        """The call behind its port (None: calls are off on this terminal)."""
        return self._video()

    def availability(self) -> Availability:
        """Can a video call be made from here now? Hidden where calls are switched off;
        otherwise the reason the person is told: no camera, or no lawyer reachable."""
        if self._video() is None or not self._config.video.enabled:
            return Unavailable("call.unavailable", hidden=True)
        camera = self._devices().get(DeviceKind.CAMERA)
        if camera is None or camera.health().state is DeviceState.ABSENT:
            return Unavailable("home.why.video_camera")
        centre = self._centre()
        if centre is None or not centre.connected():
            return Unavailable("home.why.video_no_lawyer")
        return AVAILABLE

    def tiles(self) -> list[HomeTile]:
        """The video consultation tile (its availability asked each time home is shown);
        none where calls are switched off in the configuration."""
        if not self._config.video.enabled:
            return []
        return [HomeTile("home.tiles.video", "home.tiles.video_hint", "video", "call:open", order=30,
                         spoken_key="call.home_tile", availability=self.availability)]


def setup(ctx: FeatureContext) -> VideoCallFeature:
    """The video call's steps; the port itself is opened by kiosk.bootstrap."""
    return VideoCallFeature(ctx.config, ctx.video, ctx.devices, ctx.centre)
