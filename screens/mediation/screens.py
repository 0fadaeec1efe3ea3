"""Remote mediation screens: the invitation and consent, refused, connecting, the room
(the mediator large, the other party small, the agreement, hang-up and volume), signing,
ended. ``MediationUi`` (ui.py) runs the media and feeds the pictures to the room screen."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.input.motionevent import MotionEvent
from kivy.lang import Builder
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.ports import DeviceKind
from screens.base import KioskScreen
from screens.signature import SignaturePad  # noqa: F401 — used by screens.kv
from screens.video_call.screens import Picture

if TYPE_CHECKING:
    from kiosk.mediation.media import RoomMedia

_AGREE = {"同意", "我同意", "同意录像", "同意录音录像", "可以", "好的", "好", "行", "agree", "yes"}
_REFUSE = {"不同意", "我不同意", "不录像", "不要录像", "不同意录像", "disagree", "no"}
_ROOM_WORDS = (
    ({"朗读协议", "读协议", "读一下", "念一下", "念协议", "readaloud"}, "mediation:read"),
    ({"签名", "签名确认", "我要签名", "sign"}, "mediation:sign"),
    ({"大声", "大声点", "大声一点", "louder"}, "mediation:vol_up"),
    ({"小声", "小声点", "小声一点", "quieter"}, "mediation:vol_down"),
    ({"挂断", "结束", "hangup"}, "mediation:hangup"),
)


def _said(text: str) -> str:
    return re.sub(r"[\s，。！？,.!?'’]", "", text).lower()


class _MediationScreen(KioskScreen):
    """What every mediation screen shows of the session."""

    matter = StringProperty("")
    agreement = StringProperty("")
    who = StringProperty("")
    status = StringProperty("")

    def refresh(self) -> None:
        """The matter, the agreement and the session's word, as the centre last said."""
        f = self.kiosk.terminal.flow.features.get("mediation")
        session = getattr(f, "session", None) or {}
        doc = getattr(f, "doc", None) or {}
        app = self.kiosk
        self.matter = str(session.get("matter", ""))
        self.who = app.tr("mediation.invited_as", name=str(session.get("masked", ""))) if session else ""
        self.agreement = str(doc.get("agreement") or "") or app.tr("mediation.no_agreement")
        side = doc.get("side")
        self.status = (app.tr("mediation.side_waiting") if side == "waiting" else app.tr("mediation.side_with_me") if side == "with_me"
                       else app.tr("mediation.muted") if doc.get("muted") else app.tr("mediation.signed_wait") if doc.get("signed") and not doc.get("sha256")
                       else app.tr("mediation.signed_done", h=str(doc.get("sha256"))[:16]) if doc.get("sha256") else "")


class MediationInviteScreen(_MediationScreen):
    """调解员邀请您参加远程调解；本次调解将全程录音录像，是否同意？"""

    primary_action = "mediation:agree"
    needs_devices = (DeviceKind.CAMERA, DeviceKind.MIC)

    def spoken_intro(self) -> str:
        """The invitation, the question, and how to answer by voice."""
        app = self.kiosk
        return f"{app.tr('mediation.title')}。{self.matter}。{app.tr('mediation.consent_question')}{app.tr('mediation.consent_why')}"

    def take_speech(self, text: str) -> bool:
        """同意 / 不同意 answer the question."""
        said = _said(text)
        if said in _REFUSE:
            self.kiosk.act("mediation:refuse")
            return True
        if said in _AGREE:
            self.kiosk.act("mediation:agree")
            return True
        return False

    def voice_grammar(self) -> list[str]:
        """The answers the recogniser should expect here."""
        return ["同意", "不同意"]


class MediationRefusedScreen(_MediationScreen):
    """The session cannot proceed without recording: a ticket or an appointment instead."""

    primary_action = "mediation:ticket"

    def spoken_intro(self) -> str:
        """Why, and what instead."""
        return f"{self.kiosk.tr('mediation.refused')}{self.kiosk.tr('mediation.refused_offer')}"


class MediationConnectingScreen(_MediationScreen):
    """The card is checked against the invitation; the room is being joined."""

    def spoken_intro(self) -> str:
        """What is happening."""
        return self.kiosk.tr("mediation.connecting")


class MediationRoomScreen(_MediationScreen):
    """The mediator large, the other party small, the agreement, hang-up and volume."""

    volume = StringProperty("")
    mediator_texture = ObjectProperty(None, allownone=True)
    other_texture = ObjectProperty(None, allownone=True)

    def on_pre_enter(self, *args: Any) -> None:
        """Fresh pictures for a new session."""
        self._mediator, self._other = Picture(), Picture()

    def refresh(self) -> None:
        """The session's word and the loudness."""
        super().refresh()
        ui = self.kiosk.uis.get("mediation")
        room = getattr(ui, "room", None)
        self.volume = self.kiosk.tr("mediation.volume", n=getattr(room, "volume", 80))

    def spoken_intro(self) -> str:
        """Where the person is, and what is asked of them now."""
        return f"{self.kiosk.tr('mediation.room_title')}。{self.status}"

    def take_speech(self, text: str) -> bool:
        """Said in the room: read the agreement, sign, louder, quieter, hang up."""
        said = _said(text)
        for words, action in _ROOM_WORDS:
            if said in words:
                self.kiosk.act(action)
                return True
        return False

    def voice_grammar(self) -> list[str]:
        """What the recogniser should expect in the room."""
        return [w for words, _ in _ROOM_WORDS for w in sorted(words)]

    def draw_pictures(self, room: "RoomMedia") -> None:
        """Copy the newest pictures in (UI clock): the mediator, and the other party."""
        if not hasattr(self, "_mediator"):
            self.on_pre_enter()
        self.mediator_texture = self._mediator.update(*room.picture("mediator"))
        me = getattr(self.kiosk.terminal.flow.features.get("mediation"), "room_pass", None) or {}
        other = "party-b" if me.get("display") == "party-a" else "party-a"
        self.other_texture = self._other.update(*room.picture(other))


class MediationSignScreen(_MediationScreen):
    """The agreement and a pad to sign it with a finger."""

    primary_action = "mediation:sign_done"

    @property
    def pad(self) -> SignaturePad:
        """The signature pad."""
        return self.ids.pad

    def on_pre_enter(self, *args: Any) -> None:
        """A clean pad."""
        self.ids.pad.clear()

    def spoken_intro(self) -> str:
        """What to do here."""
        return self.kiosk.tr("mediation.sign_hint")


class MediationEndedScreen(_MediationScreen):
    """The session is over; where the party's copy of the agreement is (printing on A4,
    printed, or a receipt instead and why)."""

    primary_action = "home"
    copy_text = StringProperty("")

    def refresh(self) -> None:
        """The session's word and the copy's."""
        super().refresh()
        f = self.kiosk.terminal.flow.features.get("mediation")
        app = self.kiosk
        copy, reason = getattr(f, "copy", ""), getattr(f, "copy_reason", None)
        if copy in ("fetching", "printing", "printed"):
            self.copy_text = app.tr(f"mediation_a4.{copy}")
        elif copy == "receipt":
            receipts = getattr(app, "receipts", None)
            ui = app.uis.get("mediation")
            on_paper = receipts is not None and receipts.available and not getattr(ui, "receipt_failed", False)
            self.copy_text = app.tr("mediation_a4.on_receipt" if on_paper else "mediation_a4.no_receipt",
                                    why=app.tr(reason or "mediation_a4.failed"))
        else:
            self.copy_text = ""

    def spoken_intro(self) -> str:
        """It is over, the agreement's state and where its copy is."""
        return f"{self.kiosk.tr('mediation.ended')}{self.status}。{self.copy_text}"


class MediationCallLayer(BoxLayout):
    """Over the attract screen while a party called by their ticket is expected: the
    number, the masked name and one big button to the consent step of that session
    (and a small one for anybody else, who starts a visit as usual)."""

    title = StringProperty("")
    who = StringProperty("")

    def show(self, number: str, masked: str, tr: Any) -> None:
        """Show the call of ticket ``number`` (``tr``: the app's translation)."""
        self.title = tr("mediation_call.title", number=number)
        self.who = tr("mediation_call.who", name=masked) if masked else ""

    def on_touch_down(self, touch: MotionEvent) -> bool:
        """Its buttons take their touches; the rest of the screen starts nothing."""
        super().on_touch_down(touch)
        return bool(self.parent is not None)

    def on_touch_up(self, touch: MotionEvent) -> bool:
        """Every touch over the layer is its own (the attract screen below starts no visit)."""
        super().on_touch_up(touch)
        return bool(self.parent is not None)


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
