"""From what a person types to an FTS5 expression: stop phrases out, the question cut into
words the library knows, plain words widened with the law's own terms
(``kiosk/lookup/data/query.toml``), pinyin turned into Hanzi."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field

from kiosk.datafile import parse_toml
from kiosk.errors import CatalogError
from kiosk.lookup.segment import HAN_RE, normalise, phrase_query, runs

PINYIN_RE = re.compile(r"^[a-z' ]+$")
MAX_WORD = 6  # longest word tried when cutting a question (chars)


class QueryVocabulary(BaseModel):
    """The validated ``query.toml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    stop_phrases: tuple[str, ...] = ()
    stop_chars: str = ""
    synonyms: dict[str, tuple[str, ...]] = Field(default_factory=dict)


@functools.cache
def vocabulary() -> QueryVocabulary:
    """The shipped query vocabulary."""
    text = resources.files("kiosk.lookup.data").joinpath("query.toml").read_text(encoding="utf-8")
    return parse_toml(text, "kiosk/lookup/data/query.toml", QueryVocabulary, "query vocabulary", CatalogError)


@functools.cache
def plain_words() -> frozenset[str]:
    """Every word of the query vocabulary: the plain words people type and the legal
    terms they stand for (what a pinyin guess should prefer)."""
    v = vocabulary()
    return frozenset(v.synonyms) | frozenset(t for terms in v.synonyms.values() for t in terms)


def is_pinyin(query: str) -> bool:
    """A query of Latin letters and spaces only is read as pinyin."""
    return bool(PINYIN_RE.match(normalise(query).strip())) and any(c.isalpha() for c in query)


def cut(run: str, known: Callable[[str], bool]) -> list[str]:
    """Cut a run of Hanzi into the longest pieces the library contains (forward maximum
    matching against the index itself: no dictionary to ship or keep up to date)."""
    words: list[str] = []
    i = 0
    while i < len(run):
        for j in range(min(len(run), i + MAX_WORD), i, -1):
            if j - i == 1 or known(run[i:j]):
                words.append(run[i:j])
                i = j
                break
    return words


def words_of(query: str, known: Callable[[str], bool]) -> list[str]:
    """The words of a Chinese question, stop phrases and stop characters out."""
    voc = vocabulary()
    text = normalise(query)
    for phrase in sorted(voc.stop_phrases, key=len, reverse=True):
        text = text.replace(phrase, " ")
    words: list[str] = []
    for r in runs(text):
        words.extend(cut(r, known) if HAN_RE.match(r) else [r])
    kept = [w for w in words if not (len(w) == 1 and w in voc.stop_chars)]
    return kept or words


def expression(words: list[str]) -> str | None:
    """FTS5 expression: any of the words (or their legal synonyms); bm25 ranks articles
    that contain more of them higher."""
    syn = vocabulary().synonyms
    groups: list[str] = []
    seen: set[str] = set()
    for w in words:
        for term in (w, *syn.get(w, ())):
            if term in seen:
                continue
            seen.add(term)
            q = phrase_query(term)
            if q:
                groups.append(q)
    return " OR ".join(groups) if groups else None
