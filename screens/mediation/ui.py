"""The app's side of remote mediation: ``MediationUi`` turns the screens' actions into
the feature's events, runs the party's media (``remote_video.sfu.terminal.TerminalRoom``,
on its own loop thread) while the person is in the room, asks the centre for the
session's state every second and feeds the pictures to the room screen. At the end it
prints the agreement's receipt when the feature gives no A4 copy, and tells the ended
screen how the copy goes."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock

from kiosk import events as ev
from kiosk.events import Event, PrintFinished
from kiosk.feature import Feature, State
from kiosk.mediation.events import (MediationConsented, MediationCopyFailed, MediationCopyPrinted, MediationCopyReady, MediationHungUp,
                                    MediationOpened, MediationSigned, MediationSignOpened, MediationUpdated)
from kiosk.mediation.receipt import agreement_receipt
from kiosk.mediation.states import MediationState as M
from kiosk.states import VisitState
from screens.features import FeatureUiBase
from screens.mediation.screens import MediationCallLayer

if TYPE_CHECKING:
    from kiosk.mediation.media import RoomMedia
    from screens.app import KioskApp

log = logging.getLogger(__name__)
_FPS = 15.0
_POLL_S = 1.0
IN_SESSION = (M.ROOM, M.SIGN)


class MediationUi(FeatureUiBase):
    """The app's side of a mediation session (one per app, on the UI thread)."""

    actions = ("mediation",)

    def __init__(self, app: "KioskApp", feature: Feature) -> None:
        super().__init__(app, feature)
        self.room: RoomMedia | None = None
        self._pictures: Any = None
        self._poller: Any = None
        self._receipt_for: str | None = None  # the session whose receipt was printed (once)
        self.receipt_failed = False  # that receipt did not come out either
        self._layer: Any = None  # the called party's invitation over the attract screen
        app.terminal.flow.add_listener(self.on_flow)

    # ---- actions ----------------------------------------------------------------------------
    def act(self, name: str, arg: str) -> None:
        """``mediation:open|agree|refuse|hangup|vol_up|vol_down|read|sign|sign_clear|sign_done|ticket|appointment``."""
        app, flow = self.app, self.app.terminal.flow
        if arg == "open":
            flow.handle(MediationOpened())
        elif arg == "called":
            offered = self.feature.offered()  # type: ignore[attr-defined]
            if offered is not None:
                flow.handle(MediationOpened(offered[0]))
        elif arg == "agree":
            flow.handle(MediationConsented(True))
        elif arg == "refuse":
            flow.handle(MediationConsented(False))
        elif arg == "hangup":
            flow.handle(MediationHungUp())
        elif arg in ("vol_up", "vol_down") and self.room is not None:
            self.room.set_volume(self.room.volume + (10 if arg == "vol_up" else -10))
            app.sm.current_screen.refresh()
        elif arg == "read":
            text = str(getattr(self.feature, "doc", {}).get("agreement") or "")
            app.speak(text or app.tr("mediation.no_agreement"))
        elif arg == "sign":
            flow.handle(MediationSignOpened())
        elif arg == "sign_clear":
            pad = getattr(app.sm.current_screen, "pad", None)
            if pad is not None:
                pad.clear()
        elif arg == "sign_done":
            pad = getattr(app.sm.current_screen, "pad", None)
            if pad is None or pad.is_empty:
                app.show_notice("mediation.sign_empty")
                return
            flow.handle(MediationSigned(pad.png_bytes()))
        elif arg == "ticket":
            flow.handle(ev.HomePressed())
            flow.handle(ev.ServiceChosen("mediation"))
        elif arg == "appointment":
            flow.handle(ev.HomePressed())
            app.act("appt:open")
        else:
            log.warning("unknown mediation action %s", arg)

    # ---- the flow ---------------------------------------------------------------------------
    def on_flow(self, old: State, new: State, event: Event) -> None:
        """Join the room when admitted, follow the centre's word, leave when it is over."""
        if new is M.ROOM and old is M.CONNECTING:
            self._join()
        if isinstance(event, MediationUpdated) and self.room is not None:
            self._follow_side(event.doc)
        if old in IN_SESSION and new not in IN_SESSION:
            self._leave()
        if new is M.ENDED:
            # The feature chose the A4 copy or the receipt on the way in; a failed A4
            # copy turns into the receipt later (MediationCopyFailed).
            if getattr(self.feature, "copy", "") == "receipt":
                self._print_agreement()
            news = isinstance(event, (MediationCopyReady, MediationCopyFailed, MediationCopyPrinted))
            if news or old is not M.ENDED:
                self._tell_copy(say=news)  # on the way in, the screen's own introduction says it
        if new is VisitState.ATTRACT:
            self._leave()
        self._offer(new)

    def _offer(self, state: State) -> None:
        """The called party's invitation over the attract screen, only there: a visitor
        in the middle of a visit is never interrupted (the call waits for the end)."""
        offered = self.feature.offered() if state is VisitState.ATTRACT else None  # type: ignore[attr-defined]
        layer = self._layer
        if offered is None:
            if layer is not None and layer.parent is not None:
                layer.parent.remove_widget(layer)
            return
        if layer is None:
            layer = self._layer = MediationCallLayer()
        _sid, called = offered
        layer.show(called["number"], called.get("masked", ""), self.app.tr)
        attract = self.app.root_screen("attract")
        if layer.parent is not None:
            # Put back on top: a slideshow started since must not hide the invitation.
            layer.parent.remove_widget(layer)
        attract.add_layer(layer)

    def _join(self) -> None:
        factory = getattr(self.feature, "media_factory", None)
        pass_ = getattr(self.feature, "room_pass", None)
        if factory is not None and pass_:
            self.room = factory()
            self.room.join(pass_)
        self._pictures = Clock.schedule_interval(self._tick, 1.0 / _FPS)
        self._poller = Clock.schedule_interval(lambda _dt: self.feature.poll(), _POLL_S)  # type: ignore[attr-defined]

    def _follow_side(self, doc: dict[str, Any]) -> None:
        room = self.room
        assert room is not None
        if doc.get("side") == "with_me" and doc.get("side_pass") and not room.in_side_room:
            room.side(doc["side_pass"])
        elif doc.get("side") != "with_me" and room.in_side_room:
            room.side(None)

    def _leave(self) -> None:
        for ev_ in (self._pictures, self._poller):
            if ev_ is not None:
                ev_.cancel()
        self._pictures = self._poller = None
        room, self.room = self.room, None
        if room is not None:
            # Leaving waits for the media server's answer: never on the UI thread.
            threading.Thread(target=room.leave, name="mediation-leave", daemon=True).start()

    def _print_agreement(self) -> None:
        """The party's copy of a signed agreement without A4: a receipt with the hash and
        a QR (once per session)."""
        feature: Any = self.feature
        doc, session = feature.doc, feature.session
        receipts = getattr(self.app, "receipts", None)
        if not doc.get("sha256") or session is None or receipts is None or not receipts.available:
            return
        sid = str(session["session_id"])
        if self._receipt_for == sid:
            return
        self._receipt_for = sid
        self.receipt_failed = False
        visit = self.app.terminal.flow.visit
        receipt = agreement_receipt(session, doc, self.app.terminal.config, language=visit.language, take_card=visit.card_placed)
        receipts.queue.submit(f"mediation:{sid}", receipt)

    def print_finished(self, event: PrintFinished) -> bool | None:
        """The agreement's receipt: when it did not come out, the ended screen stops
        saying it did (the printer's own notice is shown as for any receipt)."""
        if event.job_id == f"mediation:{self._receipt_for}" and not event.ok:
            self.receipt_failed = True
            self._tell_copy(say=False)  # the printer's notice is said
        return None

    def _tell_copy(self, say: bool) -> None:
        """Show (and in voice mode, when ``say``, say) where the party's copy is."""
        screen = self.app.sm.current_screen
        if screen.name == M.ENDED.value:
            screen.refresh()
            text = getattr(screen, "copy_text", "")
            if say and text and getattr(self.app, "voice", False):
                self.app.speak(text, interrupt=False)

    def _tick(self, _dt: float) -> None:
        draw = getattr(self.app.sm.current_screen, "draw_pictures", None)
        if draw is not None and self.room is not None:
            draw(self.room)

    def self_picture(self) -> tuple[int, Any]:
        """What the camera sees now (for the small self-view)."""
        video = self.app.terminal.video
        return video.self_picture() if video is not None and hasattr(video, "self_picture") else (0, None)
