"""Offline speech recognition with Vosk: grammar mode and free mode, live partials.

One ``VoskRecognizer`` owns a loaded model (≈2 s and a few hundred MB to load, so it is
loaded once, on a worker, by ``open()``). Each utterance is a ``RecognitionSession``:
``accept`` audio as it comes (partial text goes to a callback whenever it changes),
``finish`` at the end of speech for the final text.

Kaldi recognisers are kept and reused per grammar: a lookahead model composes its
decoding graph lazily, so a fresh recogniser decodes its first utterance several times
slower than a warm one (measured with the Korean small model: real-time factor 0.76
cold, 0.15 warm, in free mode).

Vosk facts this module relies on (vosk 0.3.45): a grammar is JSON text that Vosk reads
without decoding ``\\uXXXX`` escapes, so it must be dumped with ``ensure_ascii=False``;
words the model lacks are dropped from the grammar with only a log line; ``[unk]``
exists only in some models; ``Model(None)`` would try to download a model, so a path
is always given.
"""

from __future__ import annotations

import collections
import json
import logging
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol

from devices.audio.vocab import fit_grammar, join_words
from kiosk.errors import DeviceError
from kiosk.ports import AudioChunk

log = logging.getLogger(__name__)

PartialCallback = Callable[[str], None]
_UNK = "[unk]"


class _Kaldi(Protocol):
    """What this module uses of ``vosk.KaldiRecognizer`` (Vosk ships no type information)."""

    def AcceptWaveform(self, data: bytes) -> int: ...  # noqa: N802 - Vosk's names

    def Result(self) -> str: ...  # noqa: N802

    def PartialResult(self) -> str: ...  # noqa: N802

    def FinalResult(self) -> str: ...  # noqa: N802

    def SetWords(self, words: bool) -> None: ...  # noqa: N802


@dataclass(frozen=True)
class Recognition:
    """The result of one utterance, with what it cost."""

    text: str
    grammar: bool  # decoded against a grammar (False: free text)
    audio_seconds: float
    decode_seconds: float  # time spent inside Vosk for this utterance
    finish_seconds: float  # from ``finish()`` called to the text: the end-of-speech cost
    partials: int = 0  # how many partial texts were delivered
    # Each word as the model spelt it with its confidence (0–1), when the session was
    # asked for words (a wake word's threshold is on these); empty otherwise.
    words: tuple[tuple[str, float], ...] = ()


class RecognitionSession:
    """One utterance being recognised. Not thread-safe: one feeder thread."""

    def __init__(
        self,
        owner: "VoskRecognizer",
        key: tuple[str, int, bool],
        kaldi: _Kaldi,
        grammar: bool,
        on_partial: PartialCallback | None,
        partial_interval_s: float = 0.2,
    ) -> None:
        self._owner = owner
        # Partial texts are for the screen: five a second is as fast as anyone reads,
        # and each costs a lattice traceback inside Vosk.
        self._partial_every = int(2 * key[1] * partial_interval_s)
        self._since_partial = 0
        self._key = key
        self._kaldi: _Kaldi | None = kaldi
        self._grammar = grammar
        self._on_partial = on_partial
        self._segments: list[str] = []
        self._words: list[tuple[str, float]] = []
        self._partial = ""
        self._partials = 0
        self._bytes = 0
        self._decode = 0.0
        self._done = False

    @property
    def sample_rate(self) -> int:
        """The sample rate this session expects."""
        return self._key[1]

    def accept(self, chunk: AudioChunk) -> None:
        """Decode ``chunk``; deliver the partial text if it changed."""
        kaldi = self._live()
        if chunk.sample_rate != self.sample_rate:
            raise ValueError(f"chunk at {chunk.sample_rate} Hz in a {self.sample_rate} Hz session")
        t0 = time.perf_counter()
        ended = kaldi.AcceptWaveform(chunk.pcm)
        if ended:
            # Vosk found a pause and closed a segment; the utterance may go on.
            segment = json.loads(kaldi.Result())
            self._keep_words(segment)
            text = join_words(segment.get("text", ""))
            if text:
                self._segments.append(text)
            current = ""
            due = self._on_partial is not None
        else:
            self._since_partial += len(chunk.pcm)
            due = self._on_partial is not None and self._since_partial >= self._partial_every
            current = join_words(json.loads(kaldi.PartialResult()).get("partial", "")) if due else ""
        if due:
            self._since_partial = 0
        self._decode += time.perf_counter() - t0
        self._bytes += len(chunk.pcm)
        if due and self._on_partial is not None:
            partial = self._join(self._segments + ([current] if current else []))
            if partial != self._partial:
                self._partial = partial
                self._partials += 1
                self._on_partial(partial)

    def finish(self) -> Recognition:
        """End of speech: the final text. The session cannot be fed afterwards."""
        kaldi = self._live()
        t0 = time.perf_counter()
        final = json.loads(kaldi.FinalResult())
        elapsed = time.perf_counter() - t0
        self._keep_words(final)
        text = join_words(final.get("text", ""))
        self._done = True
        if text:
            self._segments.append(text)
        self._owner._release(self._key, kaldi)  # FinalResult left it reset
        return Recognition(
            text=self._join(self._segments),
            grammar=self._grammar,
            audio_seconds=self._bytes / 2 / self.sample_rate,
            decode_seconds=self._decode + elapsed,
            finish_seconds=elapsed,
            partials=self._partials,
            words=tuple(self._words),
        )

    def _keep_words(self, result: dict[str, Any]) -> None:
        # Present only when the recogniser was asked for words (SetWords).
        for w in result.get("result", ()):
            if w.get("word") and w["word"] != _UNK:
                self._words.append((str(w["word"]), float(w.get("conf", 0.0))))

    def cancel(self) -> None:
        """Drop the utterance (the person went away, or pressed stop)."""
        if not self._done:
            self._done = True
            # Not returned to the pool: after Reset Vosk may keep the feature pipeline
            # (and what it heard) for continuous decoding; a new recogniser is cheap.
            self._kaldi = None

    def _live(self) -> _Kaldi:
        if self._done or self._kaldi is None:
            raise RuntimeError("session already finished")
        return self._kaldi

    @staticmethod
    def _join(parts: list[str]) -> str:
        return join_words(" ".join(parts))


@dataclass
class _Pool:
    idle: list[_Kaldi] = field(default_factory=list)


class VoskRecognizer:
    """The ``SpeechRecognizer`` port on Vosk. ``open()`` loads the model (slow: call it
    on a worker); sessions may then be started from any one thread at a time."""

    def __init__(self, model_path: Path | str, *, sample_rate: int = 16000, cache_size: int = 8, warm_up: bool = True) -> None:
        self.model_path = Path(model_path)
        self.sample_rate = sample_rate
        self.cache_size = cache_size
        self.warm_up = warm_up
        # vosk.Model and the vosk module, once loaded (Vosk ships no type information).
        self._model: Any = None
        self._vosk: Any = None
        self._lock = threading.Lock()
        self._pools: collections.OrderedDict[tuple[str, int, bool], _Pool] = collections.OrderedDict()
        self._fitted: dict[tuple[str, ...], tuple[str | None, int]] = {}
        self._has_unk = False

    # --- lifecycle -------------------------------------------------------------------

    def open(self) -> None:
        """Load the model; DeviceError if Vosk or the model is missing or broken."""
        if self._model is not None:
            return
        if not (self.model_path / "am" / "final.mdl").is_file():
            raise DeviceError(f"speech model not found in {self.model_path} (kiosk models install vosk-small-cn)")
        try:
            import vosk  # deferred: heavy (Kaldi's native library); only when a model is opened
        except ImportError as exc:
            raise DeviceError(f"vosk is not installed: {exc}") from exc
        vosk.SetLogLevel(-1)  # Kaldi's own logging is noise on a kiosk console
        t0 = time.perf_counter()
        try:
            self._model = vosk.Model(str(self.model_path))
        except Exception as exc:  # vosk raises a bare Exception on a bad model
            raise DeviceError(f"cannot load speech model {self.model_path}: {exc}") from exc
        self._vosk = vosk
        self._has_unk = self._model.vosk_model_find_word(_UNK) >= 0
        log.info("speech model %s loaded in %.1f s", self.model_path.name, time.perf_counter() - t0)
        if self.warm_up:
            self._warm()

    def close(self) -> None:
        """Free the model and every recogniser."""
        with self._lock:
            self._pools.clear()
            self._fitted.clear()
        self._model = None

    def forget(self) -> None:
        """Drop every pooled recogniser. Call it when a visit ends: Vosk keeps a
        recogniser's feature pipeline, with its speaker adaptation (i-vectors), for
        continuous decoding; nothing derived from one person's voice should shape what
        is heard from the next. (Free mode then pays its lazy graph composition again.)"""
        with self._lock:
            self._pools.clear()

    @property
    def ready(self) -> bool:
        """True once the model is loaded."""
        return self._model is not None

    def _warm(self) -> None:
        """Decode a second of quiet noise in free mode, so the first person's words do
        not pay for the lazy graph composition all at once."""
        rng = random.Random(0)
        pcm = b"".join(int(rng.gauss(0, 300)).to_bytes(2, "little", signed=True) for _ in range(self.sample_rate))
        session = self.session(None)
        for i in range(0, len(pcm), 3200):
            session.accept(AudioChunk(pcm[i : i + 3200], self.sample_rate))
        session.finish()

    # --- vocabulary ------------------------------------------------------------------

    def knows(self, word: str) -> bool:
        """True if the model's vocabulary has ``word``."""
        if self._model is None:
            raise DeviceError("speech model not loaded")
        return bool(self._model.vosk_model_find_word(word) >= 0)

    def fit(self, phrases: Iterable[str]) -> tuple[str | None, int]:
        """The Vosk grammar JSON for ``phrases`` (None: free mode) and how many phrases
        the model could not spell. Cached per phrase list."""
        key = tuple(phrases)
        if not key:
            return None, 0
        cached = self._fitted.get(key)
        if cached is not None:
            return cached
        fitted, dropped = fit_grammar(list(key), self.knows)
        if dropped:
            # The phrases are product vocabulary, not what anybody said: safe to log.
            log.warning("speech grammar: %d phrase(s) not in the model's vocabulary: %s", len(dropped), ", ".join(dropped[:10]))
        if not fitted:
            raise DeviceError("speech grammar: no phrase is in the model's vocabulary")
        if self._has_unk:
            fitted.append(_UNK)  # else anything said is forced onto a command
        result = (json.dumps(fitted, ensure_ascii=False), len(dropped))
        self._fitted[key] = result
        return result

    # --- recognition -----------------------------------------------------------------

    def session(
        self,
        grammar: list[str] | None = None,
        *,
        sample_rate: int | None = None,
        on_partial: PartialCallback | None = None,
        words: bool = False,
    ) -> RecognitionSession:
        """Start recognising one utterance (grammar None or []: free text); ``words``:
        the result carries each word with its confidence."""
        if self._model is None:
            raise DeviceError("speech model not loaded: call open() first")
        rate = sample_rate or self.sample_rate
        grammar_json, _ = self.fit(grammar or [])
        key = (grammar_json or "", rate, words)
        kaldi = self._acquire(key)
        return RecognitionSession(self, key, kaldi, grammar_json is not None, on_partial)

    def recognize(self, audio: Iterator[AudioChunk], grammar: list[str] | None = None, on_partial: PartialCallback | None = None) -> str:
        """The text of one utterance (the ``SpeechRecognizer`` port)."""
        return self.recognize_full(audio, grammar, on_partial).text

    def recognize_full(self, audio: Iterator[AudioChunk], grammar: list[str] | None = None, on_partial: PartialCallback | None = None) -> Recognition:
        """Like ``recognize``, with timings."""
        session: RecognitionSession | None = None
        for chunk in audio:
            if session is None:
                session = self.session(grammar, sample_rate=chunk.sample_rate, on_partial=on_partial)
            session.accept(chunk)
        if session is None:
            return Recognition("", bool(grammar), 0.0, 0.0, 0.0)
        return session.finish()

    def _acquire(self, key: tuple[str, int, bool]) -> _Kaldi:
        with self._lock:
            pool = self._pools.get(key)
            if pool is not None:
                self._pools.move_to_end(key)
                if pool.idle:
                    return pool.idle.pop()
        grammar_json, rate, words = key
        args = (self._model, float(rate), grammar_json) if grammar_json else (self._model, float(rate))
        kaldi: _Kaldi = self._vosk.KaldiRecognizer(*args)
        if words:
            kaldi.SetWords(True)
        return kaldi

    def _release(self, key: tuple[str, int, bool], kaldi: _Kaldi) -> None:
        with self._lock:
            pool = self._pools.setdefault(key, _Pool())
            self._pools.move_to_end(key)
            if len(pool.idle) < 2:
                pool.idle.append(kaldi)
            while len(self._pools) > self.cache_size:
                self._pools.popitem(last=False)


def open_recognizer(data_dir: Path, model: str = "vosk-small-cn") -> VoskRecognizer:
    """The recogniser for the model installed in ``DATA_DIR/models/<model>`` (not yet
    opened: call ``open()`` on a worker)."""
    return VoskRecognizer(data_dir / "models" / model)
