"""The terminal's law library: a read-only SQLite content package built by
``kiosk.lookup.build``, opened from the data directory, searched article by article."""

from __future__ import annotations

import functools
import itertools
import json
import os
import re
import shutil
import sqlite3
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from collections.abc import Callable
from typing import Any, TypeVar

from kiosk.errors import KioskError
from kiosk.lookup.build import SCHEMA_VERSION, manifest_path
from kiosk.lookup.numerals import cn_to_int
from kiosk.lookup.parse import LEVEL_NAMES
from kiosk.lookup.query import expression, is_pinyin, plain_words, vocabulary, words_of
from kiosk.lookup.segment import normalise, phrase_query

LIBRARY_FILENAME = "library.sqlite3"

# How much a match counts by the text's level (laws first, then regulations, judicial
# interpretations, rules) and whether it is the version in force. bm25 is negative (more
# negative = better), so a factor below one pushes a match down without hiding it.
LEVEL_FACTOR = {0: 1.0, 1: 1.0, 2: 0.8, 3: 0.7, 4: 0.55, 5: 0.5}
SUPERSEDED_FACTOR = 0.3
# Column weights: the text's title, the article's bigrams, its single characters.
BM25_WEIGHTS = (2.0, 1.0, 0.5)

_NUM = "零〇一二三四五六七八九十百千两"
REFERENCE_RE = re.compile(rf"^(?P<title>.+?)\s*第?\s*(?P<num>[0-9]+|[{_NUM}]+)\s*条?\s*(?:之\s*(?P<sub>[0-9]+|[{_NUM}]+))?$")
_TITLE_NOISE = re.compile(r"[《》〈〉\"“”\s]|^中华人民共和国")


class LibraryError(KioskError):
    """The library is missing, not a library, or does not hold what was asked for."""

    message_key = "lookup.error"


@dataclass(frozen=True)
class TextInfo:
    """One version of one text."""

    id: int
    short_title: str
    title: str
    level: int
    version_date: str | None
    current: bool

    @property
    def level_name(self) -> str:
        """法律 / 行政法规 / 司法解释 / 部门规章 …"""
        return LEVEL_NAMES.get(self.level, "其他")


@dataclass(frozen=True)
class ArticleHit:
    """An article found, with its text and where it sits."""

    short_title: str
    title: str
    level: int
    version_date: str | None
    current: bool
    number: int
    sub: int
    label: str
    chapter: str
    body: str
    score: float = 0.0

    @property
    def citation(self) -> str:
        """``《劳动合同法》第四十七条`` (with the version date when superseded)."""
        old = "" if self.current else f"（{self.version_date}版，已被修改）"
        return f"《{self.short_title}》{self.label if self.number else ''}{old}"

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return asdict(self) | {"citation": self.citation, "level_name": LEVEL_NAMES.get(self.level, "其他")}


def default_library_path(data_dir: Path, configured: Path | None = None) -> Path:
    """The configured library file, else ``<data_dir>/lookup/library.sqlite3``."""
    return configured if configured is not None else data_dir / "lookup" / LIBRARY_FILENAME


_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(method: _F) -> _F:
    """One query at a time on the connection: the UI thread and a worker may share a
    library, and one sqlite3 connection must not be used by two threads at once."""

    @functools.wraps(method)
    def wrapper(self: Library, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


class Library:
    """A read-only law library. Use as a context manager, or ``close()``. Safe to share
    between threads (queries are serialised)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        if not self.path.is_file():
            raise LibraryError(f"no law library at {self.path} (build it: python -m kiosk.lookup.build --out {self.path})")
        try:
            # as_uri() escapes "%", "?" and "#" that a file name may hold.
            self._conn = sqlite3.connect(self.path.absolute().as_uri() + "?mode=ro", uri=True, check_same_thread=False)
            meta = dict(self._conn.execute("SELECT key, value FROM meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise LibraryError(f"{self.path}: not a law library ({exc})") from exc
        self.meta: dict[str, Any] = {k: json.loads(v) for k, v in meta.items()}
        if self.meta.get("schema") != SCHEMA_VERSION:
            self._conn.close()
            raise LibraryError(f"{self.path}: library schema {self.meta.get('schema')!r}, this software reads {SCHEMA_VERSION}")

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database."""
        self._conn.close()

    @property
    def version(self) -> str:
        """The content version (``<build date>+<source digest>``)."""
        return str(self.meta.get("version", "?"))

    def manifest(self) -> dict[str, Any]:
        """The manifest beside the file if present, else the one inside it."""
        mp = manifest_path(self.path)
        if mp.is_file():
            return dict(json.loads(mp.read_text(encoding="utf-8")))
        return dict(self.meta)

    # --- texts and articles -----------------------------------------------------------
    @_locked
    def find_text(self, title: str, *, version: str | None = None) -> TextInfo | None:
        """The text a person means by ``title`` (short or full, with or without 《》 and
        中华人民共和国): the version in force unless ``version`` (a date) is given."""
        t = _TITLE_NOISE.sub("", normalise(title))
        if not t:
            return None
        order = "ORDER BY (version_date = ?) DESC, current DESC, level, length(short_title), version_date DESC LIMIT 1"
        cols = "id, short_title, title, level, version_date, current"
        for where, arg in (
            ("short_title = ?", t),
            ("title = ? OR title = '中华人民共和国' || ?", t),
            ("short_title LIKE ? ESCAPE '\\'", _like(t) + "%"),
            ("short_title LIKE ? ESCAPE '\\'", "%" + _like(t) + "%"),
        ):
            args = (arg, t) if "OR" in where else (arg,)
            row = self._conn.execute(f"SELECT {cols} FROM texts WHERE ({where}) {order}", (*args, version or "")).fetchone()
            if row:
                return TextInfo(row[0], row[1], row[2], row[3], row[4], bool(row[5]))
        return None

    @_locked
    def article(self, title: str, number: int | str, sub: int | str = 0) -> ArticleHit:
        """Article ``number`` (47, "47", "四十七", "第四十七条") of the text ``title``;
        ``LibraryError`` naming what is missing."""
        text = self.find_text(title)
        if text is None:
            raise LibraryError(f"no text titled {title!r} in the library", message_key="lookup.no_text")
        n, s = parse_article_number(str(number), sub)
        row = self._conn.execute(
            f"{_HIT_SELECT} WHERE a.text_id IN ({_SAME_VERSION}) AND a.number = ? AND a.sub = ?", (text.id, n, s)
        ).fetchone()
        if row is None:
            raise LibraryError(f"《{text.short_title}》 has no article {n}" + (f"-{s}" if s else ""), message_key="lookup.no_article")
        return _hit(row, 0.0)

    @_locked
    def articles_of(self, title: str) -> list[ArticleHit]:
        """Every article of the version in force of ``title``."""
        text = self.find_text(title)
        if text is None:
            raise LibraryError(f"no text titled {title!r} in the library", message_key="lookup.no_text")
        return [_hit(r, 0.0) for r in self._conn.execute(f"{_HIT_SELECT} WHERE a.text_id IN ({_SAME_VERSION}) ORDER BY a.id", (text.id,))]

    # --- search -----------------------------------------------------------------------
    @_locked
    def search(self, query: str, limit: int = 10) -> list[ArticleHit]:
        """Articles for ``query``: a reference (``劳动合同法 47``) goes straight to its
        article; pinyin is read as Hanzi; then full-text search ranked by bm25 weighed by
        level and version in force."""
        query = query.strip()
        if not query or limit < 1:
            return []
        hits: list[ArticleHit] = []
        ref = self.reference(query)
        text = query
        if ref is not None:
            hits.append(ref)
            # After the article asked for, more of the same text, not every other law's
            # article of the same number.
            text = ref.short_title
        if is_pinyin(query):
            hanzi = self.pinyin_to_hanzi(query)
            if hanzi is None:
                return hits
            text = hanzi
        expr = expression(words_of(text, self._known))
        if expr is None:
            return hits
        level = " ".join(f"WHEN {lvl} THEN {f}" for lvl, f in LEVEL_FACTOR.items())
        w_title, w_bi, w_uni = BM25_WEIGHTS
        score = (
            f"bm25(article_fts, {w_title}, {w_bi}, {w_uni}) * (CASE t.level {level} ELSE 0.5 END)"
            f" * (CASE WHEN t.current THEN 1.0 ELSE {SUPERSEDED_FACTOR} END)"
        )
        sql = _HIT_SELECT.replace("SELECT ", f"SELECT {score} AS score, ", 1).replace(
            "FROM articles a", "FROM article_fts JOIN articles a ON a.id = article_fts.rowid", 1
        )
        rows = self._conn.execute(f"{sql} WHERE article_fts MATCH ? ORDER BY score LIMIT ?", (expr, limit + len(hits))).fetchall()
        seen = {(h.title, h.version_date, h.number, h.sub) for h in hits}
        for row in rows:
            h = _hit(row[1:], row[0])
            if (h.title, h.version_date, h.number, h.sub) not in seen:
                hits.append(h)
        return hits[:limit]

    def reference(self, query: str) -> ArticleHit | None:
        """The article a query like ``劳动合同法 47`` / ``劳动合同法第四十七条`` names, if any."""
        m = REFERENCE_RE.match(normalise(query).strip())
        if not m or not m.group("title").strip():
            return None
        try:
            return self.article(m.group("title"), m.group("num"), m.group("sub") or 0)
        except (LibraryError, ValueError):
            return None

    @_locked
    def count(self, term: str) -> int:
        """How many articles contain ``term`` as written."""
        q = phrase_query(term)
        if q is None:
            return 0
        return int(self._conn.execute("SELECT count(*) FROM article_fts WHERE article_fts MATCH ?", (q,)).fetchone()[0])

    def _known(self, word: str) -> bool:
        if word in vocabulary().synonyms:
            return True
        q = phrase_query(word)
        return q is not None and self._conn.execute("SELECT 1 FROM article_fts WHERE article_fts MATCH ? LIMIT 1", (q,)).fetchone() is not None

    # --- pinyin -----------------------------------------------------------------------
    @functools.cached_property
    def _readings(self) -> frozenset[str]:
        return frozenset(r for (r,) in self._conn.execute("SELECT DISTINCT full FROM pinyin"))

    def _candidates(self, column: str, value: str, k: int = 4) -> list[str]:
        # The words of the query vocabulary (what people type and the law's words for it)
        # come first, then by how many articles use them: a pair of characters that merely
        # stand side by side in many articles (钱信 of 金钱信用) is no word anyone means.
        rows = self._conn.execute(
            f"SELECT term, max(df) AS d FROM pinyin WHERE {column} = ? GROUP BY term ORDER BY d DESC LIMIT ?", (value, 4 * k)
        ).fetchall()
        plain = plain_words()
        return sorted((r[0] for r in rows), key=lambda term: term not in plain)[:k]

    @_locked
    def pinyin_to_hanzi(self, query: str) -> str | None:
        """The Hanzi a pinyin query most likely means, using the library's own words:
        ``laodong hetong`` / ``laodonghetong`` / ``ldht`` → 劳动合同. ``None`` when no
        reading fits."""
        q = normalise(query).replace("'", " ")
        best = self._to_hanzi(q)
        tokens = q.split()
        if len(tokens) > 1 and all(re.search(r"[aeiouv]", t) for t in tokens) and (best is None or best not in plain_words()):
            # People put spaces between syllables, not only between words ("qian xin"): the
            # reading as one run may be the word they mean where the pieces are not.
            joined = self._to_hanzi("".join(tokens))
            if joined is not None and joined in plain_words():
                return joined
        return best

    def _to_hanzi(self, q: str) -> str | None:
        pieces: list[list[str]] = []
        for token in q.split():
            if not re.search(r"[aeiouv]", token):
                # Initials only: two letters per word of two characters.
                pairs = [token[i : i + 2] for i in range(0, len(token), 2)]
                cands = [self._candidates("initials", p) for p in pairs]
            else:
                split = self._split_readings(token)
                if split is None:
                    return None
                cands = [self._candidates("full", p) for p in split]
            if any(not c for c in cands):
                return None
            pieces.extend(cands)
        return self._best_phrase(pieces)

    def pinyin_candidates(self, typed: str, k: int = 8) -> list[str]:
        """What typed pinyin may mean, for the on-screen keyboard's row of choices: the
        likeliest phrase first, then the library's words and single characters with
        exactly that reading (or those initials), most used first."""
        q = normalise(typed).replace("'", " ").strip()
        if not q or not is_pinyin(q):
            return []
        out: list[str] = []
        best = self.pinyin_to_hanzi(q)
        if best is not None and " " not in best:
            out.append(best)
        token = q.replace(" ", "")
        with self._lock:
            column = "full" if re.search(r"[aeiouv]", token) else "initials"
            for term in self._candidates(column, token, k * 2):
                if term not in out:
                    out.append(term)
        return out[:k]

    def _split_readings(self, token: str) -> list[str] | None:
        """``laodonghetong`` → [laodong, hetong]: fewest pieces that are readings of a
        character or a two-character word of the library."""
        best: list[list[str] | None] = [None] * (len(token) + 1)
        best[0] = []
        for i in range(len(token)):
            if best[i] is None:
                continue
            for j in range(i + 1, min(len(token), i + 13) + 1):
                piece = token[i:j]
                if piece in self._readings:
                    cand = [*best[i], piece]  # type: ignore[misc]
                    if best[j] is None or len(cand) < len(best[j]):  # type: ignore[arg-type]
                        best[j] = cand
        return best[len(token)]

    def _best_phrase(self, pieces: list[list[str]]) -> str | None:
        """Of the candidate words per piece, the combination the library uses most as one
        phrase; if none is used together, the likeliest word of each piece."""
        if not pieces:
            return None
        best, best_score = "", (False, 0)
        plain = plain_words()
        if len(pieces) <= 4:
            for combo in itertools.islice(itertools.product(*pieces), 256):
                phrase = "".join(combo)
                n = self.count(phrase)
                # A word of the query vocabulary the library uses beats a commoner string.
                score = (n > 0 and phrase in plain, n)
                if score > best_score:
                    best, best_score = phrase, score
        return best if best_score[1] else " ".join(p[0] for p in pieces)


# All files of one version of one text (the Civil Code's parts are one text).
_SAME_VERSION = (
    "SELECT o.id FROM texts o JOIN texts x ON x.id = ? "
    "WHERE o.short_title = x.short_title AND coalesce(o.version_date, '') = coalesce(x.version_date, '')"
)

def check_library(package: Path) -> dict[str, Any]:
    """Open the content package ``package`` the way the terminal will read it (schema,
    integrity, a search that finds something); its manifest, or ``LibraryError``."""
    with Library(package) as lib:
        try:
            ok = lib._conn.execute("PRAGMA quick_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise LibraryError(f"{package}: damaged ({exc})") from exc
        if ok != "ok":
            raise LibraryError(f"{package}: damaged ({ok})")
        if not lib.meta.get("articles") or not lib.search("法律", limit=1):
            raise LibraryError(f"{package}: holds no searchable articles")
        return lib.manifest()


def installed_version(dest: Path) -> str | None:
    """The version of the library installed at ``dest`` (from its manifest; no database
    opened, so telemetry can ask often), or None."""
    try:
        doc = json.loads(manifest_path(dest).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = doc.get("version") if isinstance(doc, dict) else None
    return str(version)[:64] if version and dest.is_file() else None


def install_library(package: Path, dest: Path) -> dict[str, Any]:
    """Check the content package ``package`` (``check_library``), then put it at ``dest``
    with its manifest, atomically: the library that works stays until the new one is
    proven."""
    manifest = check_library(package)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".new")
    shutil.copyfile(package, tmp)
    mtmp = manifest_path(dest).with_name(manifest_path(dest).name + ".new")
    mtmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, dest)
    os.replace(mtmp, manifest_path(dest))
    return manifest


_HIT_SELECT = (
    "SELECT t.short_title, t.title, t.level, t.version_date, t.current, a.number, a.sub, a.label, a.chapter, a.body "
    "FROM articles a JOIN texts t ON t.id = a.text_id"
)


def _hit(row: tuple[Any, ...], score: float) -> ArticleHit:
    return ArticleHit(row[0], row[1], row[2], row[3], bool(row[4]), row[5], row[6], row[7], row[8], row[9], score)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def parse_article_number(number: str, sub: int | str = 0) -> tuple[int, int]:
    """``47`` / ``四十七`` / ``第四十七条`` / ``第十七条之一`` → (number, sub)."""
    s = normalise(str(number)).strip().removeprefix("第")
    m = re.match(rf"^([0-9]+|[{_NUM}]+)\s*条?\s*(?:之\s*([0-9]+|[{_NUM}]+))?$", s)
    if not m:
        raise LibraryError(f"not an article number: {number!r} (e.g. 47 or 第四十七条)", message_key="lookup.bad_number")
    n = cn_to_int(m.group(1))
    sb = cn_to_int(m.group(2)) if m.group(2) else cn_to_int(str(sub)) if sub else 0
    return n, sb


__all__ = ["ArticleHit", "Library", "LibraryError", "TextInfo", "default_library_path", "install_library", "parse_article_number"]
