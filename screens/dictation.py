"""Free-mode dictation on a screen: one utterance taken as text (the legal-aid story, a
document's field, a spoken law question).

In voice mode the voice guide is already listening: it is switched to free text and
back. Otherwise the screen holds the voice input itself while it listens, and must
give it back when the person moves on — that bookkeeping lives here, once.
"""

from __future__ import annotations

from kivy.properties import BooleanProperty

from kiosk.events import SpeechHeard
from screens.base import KioskScreen


class Dictation(KioskScreen):
    """Mixed in before a screen's own base (``class X(Dictation, FlowScreen)``): the
    ``dictating`` flag its kv and voice grammar follow, ``start_dictation`` and
    ``stop_dictation``, and leaving the screen stops listening. What is heard comes
    back as a :class:`SpeechHeard` through the app's bridge, to ``take_speech``."""

    dictating = BooleanProperty(False)
    # True while this screen, not the voice guide, holds the voice input.
    _own_listening = False

    def start_dictation(self) -> None:
        """Listen for one utterance in free mode (the caller has checked that the
        terminal has a voice input)."""
        app = self.kiosk
        voice = app.terminal.voice_input
        assert voice is not None, "start_dictation without a voice input"
        self.dictating = True
        if app.voice:
            app.guide.sync()  # the guide is listening: switch it to free text
        else:
            post = app.bridge.post
            voice.listen(lambda text: post(SpeechHeard(text)), None, None)
            self._own_listening = True

    def stop_dictation(self) -> None:
        """Stop listening for dictation (nothing to do when not dictating)."""
        if not self.dictating:
            return
        self.dictating = False
        app = self.kiosk
        if self._own_listening:
            self._own_listening = False
            if app.terminal.voice_input is not None:
                app.terminal.voice_input.stop()
        elif app.voice:
            app.guide.sync()  # back to the screen's buttons

    def on_leave(self, *args: object) -> None:
        """Stop listening when the person moves on."""
        self.stop_dictation()
        super().on_leave(*args)
