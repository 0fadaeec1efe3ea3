"""The app's side of a video call: ``CallUi`` starts the call when the person consents
(``terminal.video``, a ``kiosk.video_call.VideoCallPort``), keeps the call's figures,
records them in the outbox when it ends, and feeds the pictures to the screens."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from kiosk import events as ev
from kiosk.events import Event
from kiosk.feature import Feature, State
from kiosk.states import VisitState
from kiosk.store import DB_FILENAME, connect
from kiosk.video_call import CallRecord, CallRequest, call_priority, record_call
from kiosk.video_call.events import CallConnected, CallConsented, CallEnded, CallOpened, CallQueued
from kiosk.video_call.states import VideoCallState
from screens.features import FeatureUiBase

if TYPE_CHECKING:
    from screens.app import KioskApp

log = logging.getLogger(__name__)
_FPS = 15.0


class CallUi(FeatureUiBase):
    """The app's side of a video call (one per app, on the UI thread)."""

    actions = ("call",)

    def __init__(self, app: "KioskApp", feature: Feature) -> None:
        super().__init__(app, feature)
        self.rec: CallRecord | None = None
        self._service = "video"
        self._ticker: Any = None
        # Registered before the app's own listener, so the figures are current when the
        # screen refreshes.
        app.terminal.flow.add_listener(self.on_flow)

    # ---- availability ---------------------------------------------------------------------
    def available(self) -> bool:
        """Offer calls on the home screen: enabled, joined to a centre, a camera."""
        video = self.app.terminal.video
        return video is not None and video.available()

    # ---- actions ------------------------------------------------------------------------------
    def act(self, name: str, arg: str) -> None:
        """``call:open[:service]|agree|norecord|cancel|hangup|vol_up|vol_down|ticket``."""
        app, flow = self.app, self.app.terminal.flow
        video = app.terminal.video
        if arg == "open" or arg.startswith("open:"):
            if not self.available():
                app.show_notice("call.unavailable")
                return
            # The call is about the service it was opened from ("call:open:<code>"), else
            # the video consultation itself (the home tile).
            self._service = arg.partition(":")[2] or "video"
            flow.handle(CallOpened())
        elif arg == "agree":
            flow.handle(CallConsented(record=True))
        elif arg == "norecord":
            if not app.terminal.config.video.allow_unrecorded:
                app.show_notice("call.record_required")  # the centre's policy: recorded calls only
                return
            flow.handle(CallConsented(record=False))
        elif arg == "cancel" and video is not None:
            video.cancel()
        elif arg == "hangup" and video is not None:
            video.hang_up()
        elif arg in ("vol_up", "vol_down") and video is not None:
            step = 10 if arg == "vol_up" else -10
            video.set_volume(getattr(video, "volume", 80) + step)
            app.root_screen("call_active").refresh()
        elif arg == "ticket":
            # A ticket for the window: the service chosen before, else the consultation.
            service = flow.visit.service or "consultation"
            flow.handle(ev.HomePressed())
            flow.handle(ev.ServiceChosen(service))
        else:
            log.warning("unknown call action %s", arg)

    # ---- the flow ----------------------------------------------------------------------------
    def on_flow(self, old: State, new: State, event: Event) -> None:
        """Start the call on consent; keep its figures; stop pictures when it ends."""
        video = self.app.terminal.video
        if isinstance(event, CallConsented) and new is VideoCallState.CALL_WAIT and video is not None:
            flow = self.app.terminal.flow
            visit = flow.visit
            request = CallRequest(self._service, call_priority(flow.priority().value), event.record, visit.language)
            self.rec = CallRecord("", request.service, time.monotonic(), event.record)
            self.rec.call_id = video.start(request)
            self._start_pictures()
        elif isinstance(event, CallQueued) and self._mine(event.call_id):
            assert self.rec is not None
            self.rec.position, self.rec.estimate_s, self.rec.lawyers_on_duty = event.position, event.estimate_s, event.lawyers_on_duty
        elif isinstance(event, CallConnected) and self._mine(event.call_id):
            assert self.rec is not None
            self.rec.answered_at, self.rec.lawyer = time.monotonic(), event.lawyer
        elif isinstance(event, CallEnded) and self._mine(event.call_id):
            assert self.rec is not None
            if self.rec.ended_at is None:
                self.rec.ended_reason, self.rec.ended_at = event.reason, time.monotonic()
                self._stop_pictures()
                self._record(self.rec)
        if new is VisitState.ATTRACT:
            if old in self.feature.untimed and video is not None and self.rec is not None and self.rec.ended_at is None:
                # The visit ended under the call: never leave it open; its figures still count.
                self.rec.ended_reason, self.rec.ended_at = "hung_up", time.monotonic()
                self._record(self.rec)
                video.hang_up()
            self._stop_pictures()
            self.rec = None  # the visit is over: nothing of the call stays on screen

    def _mine(self, call_id: str) -> bool:
        return self.rec is not None and self.rec.call_id == call_id

    def _record(self, rec: CallRecord) -> None:
        t = self.app.terminal
        try:
            conn = connect(t.data_dir / DB_FILENAME)
            try:
                record_call(conn, rec, t.clock.now())
            finally:
                conn.close()
        except Exception:  # noqa: BLE001 — a lost figure must not break the screen
            log.exception("video_call event not recorded")

    # ---- pictures --------------------------------------------------------------------------
    def _start_pictures(self) -> None:
        if self._ticker is None:
            self._ticker = Clock.schedule_interval(self._tick, 1.0 / _FPS)

    def _stop_pictures(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None

    def _tick(self, _dt: float) -> None:
        screen = self.app.sm.current_screen
        draw = getattr(screen, "draw_pictures", None)
        video = self.app.terminal.video
        if draw is not None and video is not None:
            draw(video)
