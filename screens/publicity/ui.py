"""The app side of 法治宣传: when the slideshow starts (on the attract screen, after
a quiet while, when something is due), what stops it (a touch, leaving the attract
screen, a ``PublicityInterrupted`` event), and ``publicity:read`` (read the text slide
aloud)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kivy.clock import Clock
from kivy.core.window import Window

from kiosk import events as ev
from kiosk.feature import Feature, State
from kiosk.publicity.feature import PublicityFeature, PublicityInterrupted
from kiosk.states import VisitState
from screens.features import FeatureUiBase
from screens.publicity.slideshow import Slideshow

if TYPE_CHECKING:
    from kivy.clock import ClockEvent

    from screens.app import KioskApp

RECHECK_S = 60.0  # nothing due now: look again this much later


class PublicityUi(FeatureUiBase):
    """Owns the slideshow widget and its timer."""

    actions = ("publicity",)

    def __init__(self, app: "KioskApp", feature: Feature) -> None:
        super().__init__(app, feature)
        assert isinstance(feature, PublicityFeature)
        self.publicity: PublicityFeature = feature
        self.show = Slideshow(feature.due_now, feature.record_play, self._touched)
        self._timer: "ClockEvent | None" = None
        app.terminal.flow.add_listener(self._on_flow)
        # Any touch on the attract screen is someone there: the quiet while starts again.
        Window.bind(on_touch_down=self._on_window_touch)
        # Bound once the app has bound its own key handler, which answers every key: Kivy
        # asks the last bound first, so this one sees the key before it is taken.
        Clock.schedule_once(lambda _dt: Window.bind(on_key_down=self._on_window_key), 0)
        self.wait(feature.start_after_s)

    def act(self, name: str, arg: str) -> None:
        """``publicity:read``: say the text slide shown (title, then text)."""
        slide = self.show.current
        if arg == "read" and slide is not None and slide.item.kind == "text":
            self.app.speak(f"{slide.item.title}。{slide.item.text}")

    # --- when it plays -----------------------------------------------------------------------

    def wait(self, seconds: float) -> None:
        """Start the slideshow after ``seconds`` more of quiet on the attract screen."""
        if self._timer is not None:
            self._timer.cancel()
        self._timer = Clock.schedule_once(self._maybe_start, seconds)

    def _maybe_start(self, _dt: float) -> None:
        self._timer = None
        app = self.app
        if app.terminal.flow.state is not VisitState.ATTRACT or app.sm.current != "attract" or self.show.playing:
            return
        attract = app.root_screen("attract")
        attract.add_layer(self.show)
        if not self.show.play():
            attract.remove_widget(self.show)
            self.wait(RECHECK_S)

    def _touched(self) -> None:
        # The touch that stopped the show is the start of a visit, as on the attract screen.
        self.app.act("start")

    def _on_window_touch(self, _window: object, _touch: object) -> bool:
        if not self.show.playing and self.app.terminal.flow.state is VisitState.ATTRACT:
            self.wait(self.publicity.start_after_s)
        return False  # the touch goes on to the widgets

    def _on_window_key(self, _window: object, *_args: object) -> bool:
        # A keypad user is there: the attract screen's own buttons, not slides over them.
        if self.show.playing:
            self.show.stop()
        if self.app.terminal.flow.state is VisitState.ATTRACT:
            self.wait(self.publicity.start_after_s)
        return False  # the key goes on to the app's keypad navigation

    def _on_flow(self, old: State, new: State, event: ev.Event) -> None:
        if isinstance(event, PublicityInterrupted) or new is not VisitState.ATTRACT:
            self.show.stop()
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if new is VisitState.ATTRACT and (old is not VisitState.ATTRACT or isinstance(event, PublicityInterrupted)):
            self.wait(self.publicity.start_after_s)
