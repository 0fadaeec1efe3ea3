"""Listening for one person's words: push-to-talk and hands-free, on a worker thread.

``Listener`` reads an ``AudioSource`` on its own worker and feeds a recogniser session:

- push-to-talk: ``start(PUSH_TO_TALK)`` when the key goes down, ``release()`` when it
  comes up; everything in between is one utterance;
- hands-free: the endpointer (``devices.audio.vad``) opens an utterance when speech
  starts (with a little audio from before, so the first syllable is not clipped) and
  closes it after a pause; the listener then waits for the next one.

Partial texts and results are delivered by callbacks **on the worker thread**; the app
carries them to the UI through its one bridge. While the kiosk itself speaks, ``mute()``
keeps it from hearing itself. Recognised text may be personal: it is never logged here.
"""

from __future__ import annotations

import collections
import enum
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable

from devices.audio.recognizer import Recognition, RecognitionSession, VoskRecognizer
from devices.audio.vad import EndpointConfig, Endpointer, VadEvent
from kiosk.ports import AudioChunk, AudioSource

log = logging.getLogger(__name__)


class ListenMode(str, enum.Enum):
    """How an utterance is delimited."""

    PUSH_TO_TALK = "push_to_talk"
    HANDS_FREE = "hands_free"


@dataclass(frozen=True)
class Heard:
    """One utterance, recognised."""

    text: str
    recognition: Recognition
    speech_ended_at: float  # time.monotonic() when the end of speech was known
    recognized_at: float  # time.monotonic() when the text was ready

    @property
    def latency_s(self) -> float:
        """End of speech → text."""
        return self.recognized_at - self.speech_ended_at


HeardCallback = Callable[[Heard], None]
PartialCallback = Callable[[str], None]
SpeechCallback = Callable[[VadEvent], None]


class Listener:
    """Owns the listening worker for one microphone and one recogniser."""

    def __init__(self, source: AudioSource, recognizer: VoskRecognizer, endpoint: EndpointConfig | None = None) -> None:
        self.source = source
        self.recognizer = recognizer
        self.endpoint = endpoint or EndpointConfig()
        self._thread: threading.Thread | None = None
        # Guards ``_thread``: a callback may start the next run on the worker while
        # another thread stops or waits, and must never see a thread not yet started.
        self._thread_lock = threading.Lock()
        self._stop = threading.Event()
        self._released = threading.Event()
        self._muted = threading.Event()
        self._grammar: list[str] | None = None
        self._words = False  # results carry each word's confidence (a wake word's threshold)
        self._released_at = 0.0

    @property
    def listening(self) -> bool:
        """True while the worker runs."""
        thread = self._thread  # one read: another thread may clear it meanwhile
        return thread is not None and thread.is_alive()

    def set_grammar(self, grammar: list[str] | None) -> None:
        """Use ``grammar`` from the next utterance on (the screen changed)."""
        self._grammar = list(grammar) if grammar else None

    def start(
        self,
        mode: ListenMode,
        *,
        on_heard: HeardCallback,
        grammar: list[str] | None = None,
        on_partial: PartialCallback | None = None,
        on_speech: SpeechCallback | None = None,
        words: bool = False,
    ) -> None:
        """Start listening (push-to-talk: the key went down). Callbacks run on the worker.
        ``words``: each result carries its words with their confidences."""
        self.stop()
        self.set_grammar(grammar)
        self._words = words
        # A fresh stop token per run: a worker that was told to stop stays stopped even
        # when the next run starts from its own callback.
        self._stop = threading.Event()
        self._released = threading.Event()
        self._released_at = 0.0
        target = self._push_to_talk if mode is ListenMode.PUSH_TO_TALK else self._hands_free
        thread = threading.Thread(
            target=self._guard,
            args=(target, self._stop, self._released, on_heard, on_partial, on_speech),
            name=f"listener-{mode.value}",
            daemon=True,
        )
        with self._thread_lock:
            thread.start()
            self._thread = thread

    def release(self) -> None:
        """Push-to-talk: the key came up, the utterance is complete."""
        self._released_at = time.monotonic()
        self._released.set()

    def mute(self) -> None:
        """Ignore the microphone (the kiosk is speaking); an utterance in progress is dropped."""
        self._muted.set()

    def unmute(self) -> None:
        """Listen again."""
        self._muted.clear()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop listening; an utterance in progress is dropped."""
        self._stop.set()
        self._released.set()
        with self._thread_lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread is not threading.current_thread():  # stop() from a callback
            thread.join(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the worker to end (its source ran out); True if it did."""
        with self._thread_lock:
            thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        return not thread.is_alive()

    # --- worker ----------------------------------------------------------------------

    def _guard(self, target: Callable[..., None], *args: object) -> None:
        try:
            target(*args)
        except Exception:
            # A recogniser or device failure must not kill the app; the mic's health
            # reports device faults, this logs the rest once.
            log.exception("listener stopped by an error")

    def _session(self, rate: int, on_partial: PartialCallback | None) -> RecognitionSession:
        return self.recognizer.session(self._grammar, sample_rate=rate, on_partial=on_partial, words=self._words)

    def _push_to_talk(
        self,
        stop: threading.Event,
        released: threading.Event,
        on_heard: HeardCallback,
        on_partial: PartialCallback | None,
        on_speech: SpeechCallback | None,
    ) -> None:
        session: RecognitionSession | None = None
        if on_speech:
            on_speech(VadEvent.STARTED)
        for chunk in self.source.chunks():
            if stop.is_set():
                break
            if session is None:
                session = self._session(chunk.sample_rate, on_partial)
            if not self._muted.is_set():
                session.accept(chunk)
            if released.is_set():
                break
        if session is None:
            return
        if stop.is_set() and not self._released_at:
            session.cancel()
            return
        ended = self._released_at or time.monotonic()  # the source ran out: that is the end
        if on_speech:
            on_speech(VadEvent.ENDED)
        self._deliver(session, ended, on_heard)

    def _hands_free(
        self,
        stop: threading.Event,
        released: threading.Event,
        on_heard: HeardCallback,
        on_partial: PartialCallback | None,
        on_speech: SpeechCallback | None,
    ) -> None:
        endpointer: Endpointer | None = None
        preroll: collections.deque[AudioChunk] = collections.deque()
        preroll_bytes = 0
        session: RecognitionSession | None = None
        for chunk in self.source.chunks():
            if stop.is_set():
                break
            if self._muted.is_set():
                if session is not None:
                    session.cancel()
                    session = None
                if endpointer is not None:
                    endpointer.reset()
                preroll.clear()
                preroll_bytes = 0
                continue
            if endpointer is None:
                endpointer = Endpointer(chunk.sample_rate, self.endpoint)
            events = endpointer.feed(chunk.pcm)
            if session is None:
                preroll.append(chunk)
                preroll_bytes += len(chunk.pcm)
                keep = 2 * chunk.sample_rate * self.endpoint.preroll_ms // 1000 + len(chunk.pcm)
                while preroll_bytes - len(preroll[0].pcm) >= keep:
                    preroll_bytes -= len(preroll.popleft().pcm)
            else:
                session.accept(chunk)
            for event in events:
                if event.event is VadEvent.STARTED and session is None:
                    session = self._session(chunk.sample_rate, on_partial)
                    for c in preroll:
                        session.accept(c)
                    preroll.clear()
                    preroll_bytes = 0
                    if on_speech:
                        on_speech(VadEvent.STARTED)
                elif event.event is VadEvent.ENDED and session is not None:
                    if stop.is_set():
                        break
                    ended = time.monotonic()
                    if on_speech:
                        on_speech(VadEvent.ENDED)
                    self._deliver(session, ended, on_heard)
                    session = None
        if session is not None:
            if stop.is_set():
                session.cancel()
            else:  # the source ran out mid-utterance
                self._deliver(session, time.monotonic(), on_heard)

    def _deliver(self, session: RecognitionSession, ended: float, on_heard: HeardCallback) -> None:
        recognition = session.finish()
        heard = Heard(recognition.text, recognition, ended, time.monotonic())
        log.debug("heard %d characters in %.0f ms", len(heard.text), heard.latency_s * 1000)
        on_heard(heard)
