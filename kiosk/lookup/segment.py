"""How Chinese text becomes FTS5 tokens.

SQLite's tokenizers do not segment Chinese: ``unicode61`` makes a whole run of Hanzi one
token, ``trigram`` cannot match queries shorter than three characters. So the library
indexes two columns of space-separated tokens under ``unicode61``: every character
(unigrams, for one-character queries such as 钱) and every pair of neighbouring characters
(bigrams, for everything longer: a query of n characters is the phrase of its n-1
bigrams, which must be adjacent). No word dictionary is needed, nothing is missed inside a
word, and the same function serves the index and the query (docs/lookup.md).
"""

from __future__ import annotations

import re
import unicodedata

# Hanzi (CJK unified ideographs and extension A, compatibility ideographs).
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_HAN}]+|[0-9A-Za-z]+")
HAN_RE = re.compile(rf"[{_HAN}]")


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII), lower case."""
    return unicodedata.normalize("NFKC", text).lower()


def runs(text: str) -> list[str]:
    """The runs of Hanzi and of ASCII letters/digits in ``text``; punctuation and spaces
    separate runs, so no bigram spans a comma."""
    return _RUN.findall(normalise(text))


def bigrams(run: str) -> list[str]:
    """Neighbouring pairs of a Hanzi run; a single character stays itself; ASCII runs
    stay whole."""
    if not HAN_RE.match(run) or len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def unigram_column(text: str) -> str:
    """The text as space-separated single characters (ASCII runs whole)."""
    out: list[str] = []
    for r in runs(text):
        out.extend(r if HAN_RE.match(r) else [r])
    return " ".join(out)


def bigram_column(text: str) -> str:
    """The text as space-separated bigrams, run by run."""
    out: list[str] = []
    for r in runs(text):
        out.extend(bigrams(r))
    return " ".join(out)


def phrase_query(term: str) -> str | None:
    """The FTS5 expression that finds ``term`` (one run of text) as written: a
    one-character Hanzi term in the unigram column, anything else as the phrase of its
    bigrams. ``None`` for an empty term."""
    rs = runs(term)
    if not rs:
        return None
    parts: list[str] = []
    for r in rs:
        if HAN_RE.match(r) and len(r) == 1:
            parts.append(f'uni : "{r}"')
        else:
            parts.append('bi : "' + " ".join(bigrams(r)) + '"')
    return "(" + " AND ".join(parts) + ")" if len(parts) > 1 else parts[0]
