"""Deciding whether an utterance said the terminal's name (pure: no recogniser here).

The recogniser decodes each utterance against a small grammar: the name, and decoys —
ordinary words that other speech is heard as instead of being forced onto the name
(a model with ``[unk]`` adds it as well). The name counts only when its words come one
after the other in what was heard, each at least as sure as the threshold: "你好" alone,
"小法" alone, or the name's words scattered among others do not wake the terminal.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Callable, Protocol, Sequence, runtime_checkable

Word = tuple[str, float]  # a word as the model spelt it, and its confidence 0–1


def normalise(text: str) -> str:
    """``text`` compared as said: full-width folded, lower case, no spaces (a Chinese
    model spells 你好小法 as 你好 小 法)."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


@dataclass(frozen=True)
class WakeSpotter:
    """The name to listen for, the decoys beside it, and how sure the recogniser must be."""

    phrase: str
    threshold: float
    decoys: tuple[str, ...] = ()

    def grammar(self) -> list[str]:
        """The phrases to decode against: the name first, then the decoys."""
        target = normalise(self.phrase)
        return [self.phrase, *(d for d in self.decoys if normalise(d) != target)]

    def confidence(self, words: Sequence[Word]) -> float | None:
        """How sure the recogniser was of the name where it heard it (the least sure of
        its words; the best place if it was heard twice), or None if it was not heard."""
        target = normalise(self.phrase)
        best: float | None = None
        for start in range(len(words)):
            said = ""
            least = 1.0
            for word, conf in words[start:]:
                said += normalise(word)
                least = min(least, conf)
                if said == target:
                    best = least if best is None else max(best, least)
                    break
                if not target.startswith(said):
                    break
        return best

    def wakes(self, words: Sequence[Word]) -> bool:
        """True when the name was heard at or above the threshold."""
        conf = self.confidence(words)
        return conf is not None and conf >= self.threshold


@runtime_checkable
class WordListening(Protocol):
    """Voice input that can report each utterance's words with their confidences
    (``devices.audio.voice_input.ListeningVoiceInput``). Callbacks run on its worker."""

    def listen_words(self, grammar: list[str], on_words: Callable[[list[Word]], None]) -> None:
        """Listen hands-free with ``grammar``; every utterance's words go to ``on_words``."""

    def stop(self) -> None:
        """Stop listening."""

    def spells(self, phrase: str) -> bool:
        """True if the speech model can spell ``phrase`` (else it can never be heard)."""

    @property
    def listening(self) -> bool:
        """True while the microphone is being listened to."""
