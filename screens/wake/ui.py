"""The wake word in the app: listen for the terminal's name on the attract screen only,
and start voice mode when it is heard.

The microphone has one reader at a time, so the name is listened for only where nothing
else listens: on the attract screen (never during a visit, so never during a video call,
which is one), not while a technician has the screen, not in voice mode (the guide
listens then), and never without a speech model — then the attract screen does not
claim to listen either. Whoever starts listening next (voice mode's guide) replaces this
listening on the same voice input.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING

from kivy.clock import Clock

from kiosk.events import Event
from kiosk.feature import Feature, State
from kiosk.states import VisitState
from kiosk.wake.feature import WakeFeature, WakeHeard
from kiosk.wake.spotter import Word, WordListening
from screens.features import FeatureUiBase

if TYPE_CHECKING:
    from screens.app import KioskApp

log = logging.getLogger(__name__)

# How often the conditions are looked at besides every step of the visit: the speech
# model loads seconds after start, a technician opens his screen, a mic comes and goes.
_CHECK_S = 0.5
# After listening ended by itself (the microphone unplugged or failing), the next try
# waits this long, so a failing device is not restarted twice a second.
_RETRY_S = 10.0


class WakeUi(FeatureUiBase):
    """Starts and stops listening for the name; turns a WakeHeard into voice mode."""

    def __init__(self, app: "KioskApp", feature: Feature) -> None:
        super().__init__(app, feature)
        assert isinstance(feature, WakeFeature)
        self.wake: WakeFeature = feature
        self.listening = False  # this feature is listening for the name now
        self._retry_at = 0.0  # time.monotonic() before which listening is not tried again
        self._spelt: tuple[object, bool] | None = None  # (voice input, can its model spell the name)
        self._lock = threading.Lock()
        self._utterances = 0  # utterances heard while listening (counts, never words)
        app.terminal.flow.add_listener(self.on_flow)
        # After the app's own listener has run (it stops voice mode's listening when a visit ends).
        self._soon = Clock.create_trigger(lambda _dt: self.sync(), 0)
        Clock.schedule_interval(lambda _dt: self.sync(), _CHECK_S)

    @property
    def utterances(self) -> int:
        """How many utterances were heard while listening for the name."""
        with self._lock:
            return self._utterances

    def _voice(self) -> WordListening | None:
        voice = self.app.terminal.voice_input
        return voice if isinstance(voice, WordListening) else None

    def _model_spells_name(self, voice: WordListening) -> bool:
        # Asked once per voice input: a model of another language cannot spell the name,
        # and listening for what can never be heard would only claim to listen.
        if self._spelt is None or self._spelt[0] is not voice:
            spells = voice.spells(self.wake.spotter.phrase)
            if not spells:
                log.warning("wake word: the speech model cannot spell the name %r; not listening for it", self.wake.spotter.phrase)
            self._spelt = (voice, spells)
        return self._spelt[1]

    def should_listen(self) -> bool:
        """True where the name is listened for: switched on, a speech model loaded that
        can spell it and a working microphone, the attract screen shown, voice mode off."""
        app = self.app
        voice = self._voice()
        return (
            self.wake.enabled
            and voice is not None
            and app.guide.hears
            and app.terminal.flow.state is VisitState.ATTRACT
            and app.sm.current == "attract"
            and not app.voice
            and self._model_spells_name(voice)
        )

    def sync(self) -> None:
        """Listen, or stop, as the terminal stands now (UI thread)."""
        voice = self._voice()
        if self.listening and (voice is None or not voice.listening):
            self.listening = False  # ended by itself: the microphone went away or failed
            self._retry_at = time.monotonic() + _RETRY_S
            log.warning("wake word: listening ended by itself; trying again in %.0f s", _RETRY_S)
        if self.should_listen() and not self.listening and time.monotonic() >= self._retry_at:
            assert voice is not None
            voice.listen_words(self.wake.spotter.grammar(), self._on_words)
            self.listening = True
            log.info("wake word: listening")
        elif self.listening and not self.should_listen():
            self.listening = False
            if voice is not None and not self.app.voice:
                voice.stop()  # in voice mode the guide's listening has replaced this one
            log.info("wake word: not listening")
        self._show()

    def _show(self) -> None:
        # The attract screen says it listens only while it does.
        text = self.app.tr("wake.hint", phrase=self.wake.spotter.phrase) if self.listening else ""
        screen = self.app.root_screen("attract")
        if getattr(screen, "wake_text", None) != text:
            screen.wake_text = text

    def _on_words(self, words: list[Word]) -> None:
        # On the listener's worker: decide here, hand only the decision to the UI thread.
        with self._lock:
            self._utterances += 1
        conf = self.wake.spotter.confidence(words)
        if conf is not None and conf >= self.wake.spotter.threshold:
            self.app.bridge.post(WakeHeard(conf))
        elif conf is not None:
            log.info("wake word: heard at %.2f, under the threshold %.2f", conf, self.wake.spotter.threshold)

    def on_flow(self, old: State, new: State, event: Event) -> None:
        """A heard name starts voice mode (next frame, outside this step); any step may
        change where the name is listened for."""
        if isinstance(event, WakeHeard):
            Clock.schedule_once(lambda _dt: self._woken(event.confidence), 0)
        self._soon()

    def _woken(self, confidence: float) -> None:
        if not (self.listening and self.should_listen()):
            return  # heard just as the screen changed: the person is already served
        self.wake.wakes += 1
        log.info("wake word: heard at %.2f, voice mode starts", confidence)
        self.app.act("voice")  # the same as the attract screen's 语音服务 button
