"""Chinese text as toneless pinyin syllables, and how alike two syllables sound.

Recognisers get Chinese wrong by sound: 法律援助 comes out as 发律原助, 仲裁 as 重才.
Comparing what was said by pinyin rather than by characters makes those errors
harmless. pypinyin is imported on first use (its dictionaries take ~0.4 s to load), so
importing this module costs nothing.
"""

from __future__ import annotations

from types import ModuleType

import functools
import re
import unicodedata

_HAN = re.compile(r"[\u3400-\u9fff]")
_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s", "y", "w")
# Initials people (and recognisers) confuse: flat/retroflex, n/l, f/h, aspirated pairs.
_INITIAL_CLASS = {
    "zh": "z", "z": "z", "ch": "c", "c": "c", "sh": "s", "s": "s",
    "n": "l", "l": "l", "f": "h", "h": "h", "r": "l",
}
_CLOSE_INITIALS = [{"z", "c", "s", "j", "q", "x"}, {"b", "p"}, {"d", "t"}, {"g", "k"}, {"l", "r", "n"}, {"h", "f"}]
# Front/back nasal finals are merged in most southern and many northern accents.
_FINAL_CLASS = {"ang": "an", "eng": "en", "ing": "in", "iang": "ian", "uang": "uan", "ong": "on"}


def normalize_text(text: str) -> str:
    """Full-width → half-width, lower case, no spaces or punctuation (Han, latin, digits kept)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if _HAN.match(ch) or ch.isalnum())


@functools.lru_cache(maxsize=1)
def _pypinyin() -> ModuleType:
    import pypinyin  # heavy: its dictionaries load on first use, never before the first frame

    return pypinyin


@functools.lru_cache(maxsize=4096)
def syllables(text: str) -> tuple[str, ...]:
    """One toneless syllable per Han character of ``normalize_text(text)``; each latin
    letter or digit is a token of its own. Polyphones are resolved by pypinyin's phrase
    dictionary (重复 → chong fu)."""
    norm = normalize_text(text)
    if not norm:
        return ()
    p = _pypinyin()
    out: list[str] = []
    for piece in p.lazy_pinyin(norm, style=p.Style.NORMAL, errors=lambda s: list(s)):
        out.append(piece.replace("ü", "v"))
    return tuple(out)


def split(syllable: str) -> tuple[str, str]:
    """Initial and final of a toneless syllable ("zhuang" → ("zh", "uang"))."""
    for ini in _INITIALS:
        if syllable.startswith(ini) and len(syllable) > len(ini):
            return ini, syllable[len(ini):]
    return "", syllable


@functools.lru_cache(maxsize=8192)
def fuzzy_key(syllable: str) -> str:
    """A syllable with confusable sounds merged (zh=z, n=l, ang=an, …)."""
    ini, fin = split(syllable)
    return _INITIAL_CLASS.get(ini, ini) + "|" + _FINAL_CLASS.get(fin, fin)


@functools.lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> float:
    """How alike two toneless syllables sound, from 0 (nothing alike) to 1 (the same)."""
    if a == b:
        return 1.0
    if not (a.isalpha() and b.isalpha()):
        return 0.0  # digits and letters match only themselves
    if fuzzy_key(a) == fuzzy_key(b):
        return 0.85
    ia, fa = split(a)
    ib, fb = split(b)
    fa, fb = _FINAL_CLASS.get(fa, fa), _FINAL_CLASS.get(fb, fb)
    if fa == fb:
        ca, cb = _INITIAL_CLASS.get(ia, ia), _INITIAL_CLASS.get(ib, ib)
        if any(ca in group and cb in group for group in _CLOSE_INITIALS) or any(ia in g and ib in g for g in _CLOSE_INITIALS):
            return 0.7
        return 0.3
    if ia == ib and ia and (fa.startswith(fb) or fb.startswith(fa)):
        return 0.35
    return 0.0


@functools.lru_cache(maxsize=8192)
def final_class(syllable: str) -> str:
    """The final with front/back nasals merged: syllables that can sound alike share it."""
    fin = split(syllable)[1]
    return _FINAL_CLASS.get(fin, fin)


def tts_pinyin(text: str) -> str:
    """``text`` as tone-numbered pinyin for espeak-ng's ``cmn-latn-pinyin`` voice.

    espeak-ng's own Chinese dictionary gets polyphones wrong (长辈 as chang bei);
    pypinyin resolves them from its phrase dictionary. Punctuation stays, so pauses do.
    """
    p = _pypinyin()
    pieces = p.lazy_pinyin(text, style=p.Style.TONE3, neutral_tone_with_five=True, errors=lambda s: s)
    return " ".join(piece.strip() for piece in pieces if piece.strip())
