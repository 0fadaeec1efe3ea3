"""Video consultation screens: consent, waiting for a lawyer, the call, the call ended.

``CallUi`` is the glue between the app and the call (``terminal.video``, a
``kiosk.call.VideoCallPort``): it starts the call when the person consents, keeps the
call's figures, records them in the outbox when it ends, and feeds the pictures to the
screens. Pictures arrive already decoded (RGB, on the call's own thread) in a
latest-frame slot; the UI only copies the newest into a texture on its own clock, so a
busy call never stalls the screen and a busy screen only skips frames.

The person is never timed out while waiting or talking (kiosk.visit.UNTIMED_STATES).
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk import events as ev
from kiosk.ports import DeviceKind
from kiosk.call import CallRecord, CallRequest, call_priority, reason_key, record_call
from kiosk.visit import VisitState
from screens.base import KioskScreen

log = logging.getLogger(__name__)
_FPS = 15.0

# Said answers to the consent question (besides the buttons' own labels).
_AGREE = {"同意", "我同意", "同意录像", "同意录音录像", "可以", "好的", "好", "行", "agree", "yes", "iagree"}
_REFUSE = {"不同意", "我不同意", "不录像", "不要录像", "不同意录像", "不要录", "不录", "disagree", "no", "norecording", "idonotagree"}


def _said(text: str) -> str:
    return re.sub(r"[\s，。！？,.!?'’]", "", text).lower()


class CallUi:
    """The app's side of a video call (one per app, on the UI thread)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.rec: CallRecord | None = None
        self._service = "video"
        self._ticker: Any = None
        video = app.terminal.video
        if video is not None:
            video.sink = app.bridge.post  # the call's events reach the flow on the UI thread
        # Registered before the app's own listener, so the figures are current when the
        # screen refreshes.
        app.terminal.flow.add_listener(self.on_flow)

    # ---- availability ---------------------------------------------------------------------
    def available(self) -> bool:
        """Offer calls on the home screen: enabled, joined to a centre, a camera."""
        video = self.app.terminal.video
        return video is not None and video.available()

    # ---- actions ------------------------------------------------------------------------------
    def act(self, arg: str) -> None:
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
            flow.handle(ev.CallOpened())
        elif arg == "agree":
            flow.handle(ev.CallConsented(record=True))
        elif arg == "norecord":
            if not app.terminal.config.video.allow_unrecorded:
                app.show_notice("call.record_required")  # the centre's policy: recorded calls only
                return
            flow.handle(ev.CallConsented(record=False))
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
    def on_flow(self, old: VisitState, new: VisitState, event: ev.Event) -> None:
        """Start the call on consent; keep its figures; stop pictures when it ends."""
        video = self.app.terminal.video
        if isinstance(event, ev.CallConsented) and new is VisitState.CALL_WAIT and video is not None:
            flow = self.app.terminal.flow
            visit = flow.visit
            request = CallRequest(self._service, call_priority(flow.priority().value), event.record, visit.language)
            self.rec = CallRecord("", request.service, time.monotonic(), event.record)
            self.rec.call_id = video.start(request)
            self._start_pictures()
        elif isinstance(event, ev.CallQueued) and self._mine(event.call_id):
            assert self.rec is not None
            self.rec.position, self.rec.estimate_s, self.rec.lawyers_on_duty = event.position, event.estimate_s, event.lawyers_on_duty
        elif isinstance(event, ev.CallConnected) and self._mine(event.call_id):
            assert self.rec is not None
            self.rec.answered_at, self.rec.lawyer = time.monotonic(), event.lawyer
        elif isinstance(event, ev.CallEnded) and self._mine(event.call_id):
            assert self.rec is not None
            if self.rec.ended_at is None:
                self.rec.ended_reason, self.rec.ended_at = event.reason, time.monotonic()
                self._stop_pictures()
                self._record(self.rec)
        if new is VisitState.ATTRACT:
            if old in (VisitState.CALL_WAIT, VisitState.CALL_ACTIVE) and video is not None and self.rec is not None and self.rec.ended_at is None:
                # The visit ended under the call: never leave it open; its figures still count.
                self.rec.ended_reason, self.rec.ended_at = "hung_up", time.monotonic()
                self._record(self.rec)
                video.hang_up()
            self._stop_pictures()
            self.rec = None  # the visit is over: nothing of the call stays on screen

    def _mine(self, call_id: str) -> bool:
        return self.rec is not None and self.rec.call_id == call_id

    def _record(self, rec: CallRecord) -> None:
        from kiosk.store import DB_FILENAME, connect

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


class Picture:
    """A texture fed from a latest-frame slot; only copies when a new frame came."""

    def __init__(self) -> None:
        self.texture: Texture | None = None
        self.count = 0

    def update(self, count: int, img: Any) -> Texture | None:
        """Copy ``img`` (H×W×3 RGB) in if it is new; returns the texture (or None)."""
        if img is None or count == self.count:
            return self.texture if img is not None else None
        self.count = count
        h, w = img.shape[:2]
        if self.texture is None or self.texture.size != (w, h):
            self.texture = Texture.create(size=(w, h), colorfmt="rgb")
            self.texture.flip_vertical()  # camera rows run top-down, GL textures bottom-up
        self.texture.blit_buffer(img.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        return self.texture


def _fmt_minutes(app: Any, seconds: float) -> str:
    return app.tr("call.minutes", n=max(1, round(seconds / 60)))


class CallConsentScreen(KioskScreen):
    """本次通话将录音录像，是否同意？"""

    primary_action = "call:agree"
    allow_unrecorded = BooleanProperty(True)
    # A call needs both; without them the visit band offers a ticket for the window.
    needs_devices = (DeviceKind.CAMERA, DeviceKind.MIC)

    def refresh(self) -> None:
        """Offer the no-recording call only where the centre allows it."""
        self.allow_unrecorded = self.kiosk.terminal.config.video.allow_unrecorded

    def spoken_intro(self) -> str:
        """The question, and how to answer it by voice."""
        app = self.kiosk
        return f"{app.tr('call.consent_question')}{app.tr('call.consent_why')}{app.guide.text('call.consent_voice')}"

    def take_speech(self, text: str) -> bool:
        """同意 / 不同意 answer the question."""
        said = _said(text)
        if said in _REFUSE:
            self.kiosk.act("call:norecord")
            return True
        if said in _AGREE:
            self.kiosk.act("call:agree")
            return True
        return False

    def voice_grammar(self) -> list[str]:
        """The answers the recogniser should expect here."""
        return ["同意", "不同意", "不录像"]


class CallWaitScreen(KioskScreen):
    """Waiting for a lawyer: place in the line, an estimate, cancel."""

    primary_action = None
    place = StringProperty("")
    estimate = StringProperty("")
    self_texture = ObjectProperty(None, allownone=True)

    def on_pre_enter(self, *args: Any) -> None:
        """A new call: no texture of the last one."""
        self._self_pic = Picture()
        self.self_texture = None

    def refresh(self) -> None:
        """The place and the estimate, as the centre last said."""
        app = self.kiosk
        rec = app.call_ui.rec
        if rec is None or rec.position is None:
            self.place, self.estimate = app.tr("call.connecting_centre"), ""
            return
        if rec.lawyers_on_duty == 0:
            self.place, self.estimate = app.tr("call.no_lawyer_now"), ""
            return
        ahead = rec.position - 1
        self.place = app.tr("call.ahead", n=ahead) if ahead > 0 else app.tr("call.next")
        est = rec.estimate_s or 0
        self.estimate = app.tr("call.estimate", t=_fmt_minutes(app, est)) if est > 0 else app.tr("call.estimate_soon")

    def spoken_intro(self) -> str:
        """Where the person stands."""
        return f"{self.kiosk.tr('call.wait_title')}。{self.place}。{self.estimate}"

    def draw_pictures(self, video: Any) -> None:
        """The self-view, so the person can sit where the lawyer will see them."""
        pic = getattr(self, "_self_pic", None) or Picture()
        self._self_pic = pic
        self.self_texture = pic.update(*video.self_picture())


class CallActiveScreen(KioskScreen):
    """The call: the lawyer large, oneself small, a big red hang-up, the volume."""

    primary_action = None
    lawyer = StringProperty("")
    volume = StringProperty("")
    elapsed = StringProperty("")
    remote_texture = ObjectProperty(None, allownone=True)
    self_texture = ObjectProperty(None, allownone=True)
    recording = BooleanProperty(False)

    def on_pre_enter(self, *args: Any) -> None:
        """Fresh pictures for a new call."""
        self._remote, self._self = Picture(), Picture()
        self.remote_texture = self.self_texture = None

    def refresh(self) -> None:
        """Who, how loud, recorded or not."""
        app = self.kiosk
        rec = app.call_ui.rec
        self.lawyer = app.tr("call.with_lawyer", name=rec.lawyer) if rec and rec.lawyer else app.tr("call.with_lawyer_anon")
        video = app.terminal.video
        self.volume = app.tr("call.volume", n=getattr(video, "volume", 80))
        self.recording = bool(rec and rec.record)

    def spoken_intro(self) -> str:
        """Who answered."""
        return f"{self.lawyer}。"

    def draw_pictures(self, video: Any) -> None:
        """Copy the newest pictures in (UI clock)."""
        if not hasattr(self, "_remote"):
            self.on_pre_enter()
        self.remote_texture = self._remote.update(*video.remote_picture())
        self.self_texture = self._self.update(*video.self_picture())
        rec = self.kiosk.call_ui.rec
        if rec is not None and rec.answered_at is not None:
            s = int(time.monotonic() - rec.answered_at)
            self.elapsed = f"{s // 60:02d}:{s % 60:02d}"


class CallEndedScreen(KioskScreen):
    """The call is over: rate it, take a ticket, or go home."""

    primary_action = "home"
    reason = StringProperty("")
    summary = StringProperty("")
    can_rate = BooleanProperty(False)

    def refresh(self) -> None:
        """Why it ended and how long it lasted."""
        app = self.kiosk
        rec = app.call_ui.rec
        self.reason = app.tr(reason_key(rec.ended_reason or "failed")) if rec else ""
        answered = bool(rec and rec.answered_at is not None and rec.ended_at is not None)
        if answered:
            s = int(rec.ended_at - rec.answered_at)  # type: ignore[operator]
            self.summary = app.tr("call.lasted", t=f"{s // 60}:{s % 60:02d}")
        else:
            self.summary = ""
        from screens.app import SCREENS

        # Rating a call needs the rating screen (screens/rating.py) and a call that happened.
        self.can_rate = answered and "rate" in SCREENS

    def spoken_intro(self) -> str:
        """Why it ended."""
        return f"{self.kiosk.tr('call.ended_title')}。{self.reason}"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
