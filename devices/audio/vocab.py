"""Fitting grammar phrases to a recognition model's vocabulary.

A Vosk grammar may only use words the model knows, separated by spaces; a Chinese model
knows words such as 法律 and 援助, not the phrase 法律援助. Each phrase is cut into known
words by maximum matching (forward, then backward), falling back to single characters;
a phrase that cannot be spelt with known words is left out rather than letting Vosk
silently drop a word and listen for something else. Pure: the model is a lookup.
"""

from __future__ import annotations

import re
from typing import Callable

_CJK = re.compile(r"^[\u3400-\u9fff]+$")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff]) +(?=[\u3400-\u9fff])")


def _max_match(token: str, known: Callable[[str], bool], longest: int, backward: bool) -> list[str] | None:
    words: list[str] = []
    rest = token
    while rest:
        for size in range(min(longest, len(rest)), 0, -1):
            piece = rest[-size:] if backward else rest[:size]
            if known(piece):
                words.append(piece)
                rest = rest[:-size] if backward else rest[size:]
                break
        else:
            return None
    return list(reversed(words)) if backward else words


def fit_phrase(phrase: str, known: Callable[[str], bool], longest: int = 6) -> str | None:
    """``phrase`` as space-separated known words, or None if it cannot be."""
    out: list[str] = []
    for token in phrase.split():
        if known(token):
            out.append(token)
            continue
        if not _CJK.match(token):
            return None
        words = _max_match(token, known, longest, backward=False) or _max_match(token, known, longest, backward=True)
        if words is None:
            return None
        out.extend(words)
    return " ".join(out) if out else None


def fit_grammar(phrases: list[str], known: Callable[[str], bool]) -> tuple[list[str], list[str]]:
    """(phrases fitted to the vocabulary, without duplicates; phrases left out)."""
    fitted: list[str] = []
    dropped: list[str] = []
    seen: set[str] = set()
    for phrase in phrases:
        words = fit_phrase(phrase, known)
        if words is None:
            dropped.append(phrase)
        elif words not in seen:
            seen.add(words)
            fitted.append(words)
    return fitted, dropped


def join_words(text: str) -> str:
    """Recogniser output with the spaces between Chinese words removed ("法律 援助" →
    "法律援助"); spaces between other words (Korean, English) stay."""
    text = " ".join(w for w in text.split() if w != "[unk]")
    return _CJK_GAP.sub("", text)
