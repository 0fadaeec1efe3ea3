"""Video consultation screens: consent, waiting for a lawyer, the call, the call ended.

``CallUi`` (screens/video_call/ui.py) is the glue between the app and the call; these
screens show its figures and draw the pictures it hands them. Pictures arrive already
decoded (RGB, on the call's own thread) in a latest-frame slot; the UI only copies the
newest into a texture on its own clock, so a busy call never stalls the screen and a busy
screen only skips frames.

The person is never timed out while waiting or talking (``VideoCallFeature.untimed``).
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.ports import DeviceKind
from kiosk.video_call import CallRecord, reason_key
from screens.base import KioskScreen
from screens.video_call.ui import CallUi

if TYPE_CHECKING:
    from screens.app import KioskApp


# Said answers to the consent question (besides the buttons' own labels).
_AGREE = {"同意", "我同意", "同意录像", "同意录音录像", "可以", "好的", "好", "行", "agree", "yes", "iagree"}
_REFUSE = {"不同意", "我不同意", "不录像", "不要录像", "不同意录像", "不要录", "不录", "disagree", "no", "norecording", "idonotagree"}


def _said(text: str) -> str:
    return re.sub(r"[\s，。！？,.!?'’]", "", text).lower()


def call_of(app: "KioskApp") -> CallRecord | None:
    """The figures of the call on screen (None: no call this visit)."""
    ui = app.uis.get("video_call")
    return ui.rec if isinstance(ui, CallUi) else None


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


def _fmt_minutes(app: "KioskApp", seconds: float) -> str:
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
        rec = call_of(app)
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
        rec = call_of(app)
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
        rec = call_of(self.kiosk)
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
        rec = call_of(app)
        self.reason = app.tr(reason_key(rec.ended_reason or "failed")) if rec else ""
        answered = False
        self.summary = ""
        if rec is not None and rec.answered_at is not None and rec.ended_at is not None:
            answered = True
            s = int(rec.ended_at - rec.answered_at)
            self.summary = app.tr("call.lasted", t=f"{s // 60}:{s % 60:02d}")
        # Rating a call needs the rating screen (the ratings feature) and a call that happened.
        self.can_rate = answered and "rate" in app.screen_table

    def spoken_intro(self) -> str:
        """Why it ended."""
        return f"{self.kiosk.tr('call.ended_title')}。{self.reason}"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
