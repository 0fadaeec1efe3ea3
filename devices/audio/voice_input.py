"""Voice input for the app: the microphone, the endpointer and the recogniser behind the
core's ``VoiceInput`` port.

The recogniser loads its model (about 2 s, several hundred MB) on ``open()``, which the
app calls on a worker. While the kiosk itself speaks the microphone is muted, so the
kiosk never answers its own prompts.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable

from devices.audio.listener import Heard, Listener, ListenMode
from devices.audio.recognizer import VoskRecognizer, open_recognizer
from devices.audio.vocab import fit_phrase
from kiosk.ports import AudioSource
from kiosk.voice.models import check_model

log = logging.getLogger(__name__)

_SPEAKING_POLL_S = 0.05


class ListeningVoiceInput:
    """Hands-free listening on ``mic`` with ``recognizer``; muted while ``speaking()``."""

    def __init__(self, mic: AudioSource, recognizer: VoskRecognizer, speaking: Callable[[], bool] = lambda: False) -> None:
        self._recognizer = recognizer
        self._listener = Listener(mic, recognizer)
        self._speaking = speaking
        self._watch_stop = threading.Event()
        self._watch: threading.Thread | None = None

    def open(self) -> None:
        """Load the model (blocking: call from a worker)."""
        self._recognizer.open()

    def close(self) -> None:
        """Stop listening and free the model."""
        self.stop()
        self._recognizer.close()

    def listen(
        self,
        on_heard: Callable[[str], None],
        on_partial: Callable[[str], None] | None = None,
        grammar: list[str] | None = None,
    ) -> None:
        """Listen hands-free; each utterance's text goes to ``on_heard`` (on the worker)."""

        def heard(h: Heard) -> None:
            if h.text:
                on_heard(h.text)

        self._start(heard, on_partial, grammar, words=False)

    def listen_words(self, grammar: list[str], on_words: Callable[[list[tuple[str, float]]], None]) -> None:
        """Listen hands-free with ``grammar`` for each utterance's words and their
        confidences (``on_words``, on the worker; called for every utterance, even an
        empty one). Replaces any listening in progress: the microphone has one reader."""
        self._start(lambda h: on_words(list(h.recognition.words)), None, grammar, words=True)

    @property
    def listening(self) -> bool:
        """True while the microphone is being listened to."""
        return self._listener.listening

    def spells(self, phrase: str) -> bool:
        """True if the loaded model can spell ``phrase`` with words it knows (a grammar
        phrase it cannot spell is left out, and would never be heard)."""
        return fit_phrase(phrase, self._recognizer.knows) is not None

    def _start(
        self,
        heard: Callable[[Heard], None],
        on_partial: Callable[[str], None] | None,
        grammar: list[str] | None,
        words: bool,
    ) -> None:
        # One mute watcher per run: the previous one ends before the next starts.
        self._watch_stop.set()
        if self._watch is not None and self._watch is not threading.current_thread():
            self._watch.join(1.0)
        muted = self._speaking()  # the prompt of the screen is usually still being said
        if muted:
            self._listener.mute()
        else:
            self._listener.unmute()
        self._listener.start(ListenMode.HANDS_FREE, on_heard=heard, on_partial=on_partial, grammar=grammar, words=words)
        self._watch_stop = threading.Event()
        self._watch = threading.Thread(target=self._mute_while_speaking, args=(muted, self._watch_stop), name="voice-mute", daemon=True)
        self._watch.start()

    def set_grammar(self, grammar: list[str] | None) -> None:
        """The phrases the screen shown now understands."""
        self._listener.set_grammar(grammar)

    def mute(self) -> None:
        """Stop hearing."""
        self._listener.mute()

    def unmute(self) -> None:
        """Hear again."""
        self._listener.unmute()

    def stop(self) -> None:
        """Stop listening; the model stays loaded for the next person."""
        self._watch_stop.set()
        self._listener.stop()
        self._recognizer.forget()  # nothing of one person's voice carries over to the next

    def _mute_while_speaking(self, muted: bool, stop: threading.Event) -> None:
        while not stop.wait(_SPEAKING_POLL_S):
            speaking = self._speaking()
            if speaking and not muted:
                self._listener.mute()
            elif not speaking and muted:
                self._listener.unmute()
            muted = speaking


def open_voice_input(data_dir: Path, mic: AudioSource, speaking: Callable[[], bool]) -> ListeningVoiceInput | None:
    """Voice input for the installed Chinese model, or None when no model is installed."""
    status = check_model(data_dir)
    if not status.ok:
        log.warning("voice input unavailable: %s", status.detail)
        return None
    return ListeningVoiceInput(mic, open_recognizer(data_dir), speaking)
