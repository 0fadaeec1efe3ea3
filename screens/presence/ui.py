"""Presence's side in the app: the face on the attract screen, the greeting aloud, and
the watcher started with the app (kiosk/presence/feature.py decides; this says it)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kivy.clock import Clock

from kiosk.events import Event
from kiosk.feature import Feature, State
from kiosk.ports import DeviceKind
from kiosk.presence.events import PersonEngaged
from kiosk.presence.feature import PresenceFeature
from screens.features import FeatureUiBase
from screens.presence.face import PresenceFace
from screens.strip import unusable

if TYPE_CHECKING:
    from screens.app import KioskApp

log = logging.getLogger(__name__)


class PresenceUi(FeatureUiBase):
    """Puts the face in the attract screen's emblem and greets whom the feature says."""

    def __init__(self, app: "KioskApp", feature: Feature) -> None:
        super().__init__(app, feature)
        assert isinstance(feature, PresenceFeature)
        self.presence: PresenceFeature = feature
        self.face: PresenceFace | None = None
        if feature.watcher is None:
            return  # presence switched off: the 法 badge stays as it was
        app.terminal.flow.add_listener(self._on_flow)
        self._attach_face()
        feature.start(app.terminal.flow.inbox.post)
        # Stopped with the app: a look must not be cut off by the interpreter's exit.
        app.bind(on_stop=lambda *_args: feature.stop())

    def _attach_face(self) -> None:
        attract = self.app.root_screen("attract")
        emblem, badge = attract.ids.get("emblem"), attract.ids.get("badge")
        if emblem is None or badge is None:
            return
        emblem.remove_widget(badge)

        def speaking() -> bool:
            speaker = self.app.terminal.speaker()
            return speaker is not None and speaker.speaking

        self.face = PresenceFace(self.presence.gaze, speaking, lambda: float(self.app.scale))
        self._say_notice()
        # Bound to the app's language itself: a flow listener may run before the app has
        # switched its translator, and would leave the notice one change behind.
        self.app.bind(lang=self._say_notice)
        # A camera unplugged or broken senses nothing: the notice would tell people
        # about a camera that is not looking. Device health is kept by the adapters
        # (no I/O here), so a look every second costs nothing.
        Clock.schedule_interval(self._say_notice, 1.0)
        emblem.add_widget(self.face)

    def _say_notice(self, *_args: object) -> None:
        if self.face is not None:
            working = unusable(self.app.terminal, (DeviceKind.CAMERA,)) is None
            self.face.notice = self.app.tr("presence.notice") if working else ""

    def _on_flow(self, old: State, new: State, event: Event) -> None:
        if isinstance(event, PersonEngaged) and self.presence.take_greeting():
            text = self.presence.settings.greeting or self.app.tr("presence.greeting")
            log.info("presence: greeting person in view")
            self.app.speak(text, interrupt=False)
