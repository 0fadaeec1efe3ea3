"""Build the terminal's law library, a versioned content package, from the shipped texts:

    python -m kiosk.lookup.build --out library.sqlite3 [--source content/laws] [--only 社会法 ...]

writes ``library.sqlite3`` (texts, articles, an FTS5 index, the pinyin vocabulary, a meta
table) and ``library.manifest.json`` beside it (version, date, source sha256, counts).
Both are written to temporary names first and renamed, so a terminal never sees half a
library.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sqlite3
import sys
import time
import unicodedata
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from kiosk.config import resolve_data_dir
from kiosk.lookup.parse import LawText, parse_text
from kiosk.lookup.segment import bigram_column, unigram_column

SCHEMA_VERSION = 1
MANIFEST_SUFFIX = ".manifest.json"

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE texts (
    id INTEGER PRIMARY KEY, short_title TEXT NOT NULL, title TEXT NOT NULL, shelf TEXT NOT NULL,
    level INTEGER NOT NULL, version_date TEXT, current INTEGER NOT NULL, source TEXT NOT NULL,
    history TEXT NOT NULL);
CREATE INDEX texts_short ON texts(short_title);
CREATE TABLE articles (
    id INTEGER PRIMARY KEY, text_id INTEGER NOT NULL REFERENCES texts(id), number INTEGER NOT NULL,
    sub INTEGER NOT NULL, label TEXT NOT NULL, chapter TEXT NOT NULL, body TEXT NOT NULL);
CREATE INDEX articles_num ON articles(text_id, number, sub);
-- Contentless: the text lives once, in ``articles``; the index only points at rowids.
CREATE VIRTUAL TABLE article_fts USING fts5(title, bi, uni, tokenize = 'unicode61', content = '');
CREATE TABLE pinyin (term TEXT NOT NULL, full TEXT NOT NULL, initials TEXT NOT NULL, df INTEGER NOT NULL);
"""


def manifest_path(library: Path) -> Path:
    """``library.sqlite3`` → ``library.manifest.json``."""
    return library.with_name(library.stem + MANIFEST_SUFFIX)


def source_files(source: Path, only: Iterable[str] = ()) -> list[Path]:
    """The Markdown texts under ``source`` (or under the named shelves), sorted."""
    shelves = list(only)
    files = [p for p in source.rglob("*.md") if p.parent != source]
    if shelves:
        files = [p for p in files if p.relative_to(source).parts[0] in shelves or p.stem.split("(")[0] in shelves]
    return sorted(files)


def source_sha256(source: Path, files: list[Path]) -> str:
    """One digest over every file's path and bytes: says which texts a library holds."""
    h = hashlib.sha256()
    for p in files:
        h.update(str(p.relative_to(source)).encode() + b"\0")
        h.update(hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


def mark_current(texts: list[LawText], as_of: date) -> list[bool]:
    """For each text: is it the newest version of its title whose date has passed."""
    best: dict[str, date] = {}
    for t in texts:
        d = t.version_date or date.min
        if d <= as_of and d >= best.get(t.short_title, date.min):
            best[t.short_title] = d
    return [(t.version_date or date.min) == best.get(t.short_title) for t in texts]


def _strip_tones(syllable: str) -> str:
    s = unicodedata.normalize("NFD", syllable.replace("ü", "v"))
    return "".join(c for c in s if not unicodedata.combining(c)).replace("u\u0308", "v")


def _readings(term: str, chars: dict[str, list[str]], phrases: dict[str, list[list[str]]]) -> set[str]:
    """The toneless full pinyin of ``term``: every reading of a single character; a word's
    reading from the phrase dictionary, else each character's usual (first) reading. Every
    combination of rare readings would make words nobody says: 前款 read "qianxin" (款's
    rare xīn) came before 欠薪 for a villager typing qianxin."""
    if len(term) == 1:
        return set(chars.get(term, []))
    if term in phrases:
        return {"".join(_strip_tones(r[0]) for r in phrases[term])}
    if all(chars.get(c) for c in term):
        return {"".join(chars[c][0] for c in term)}
    return set()


def build_pinyin(conn: sqlite3.Connection) -> int:
    """Fill ``pinyin``: each character and each bigram of the library with its readings
    and document frequency, so "laodong hetong" and "ldht" can be turned into 劳动合同."""
    # Deferred: pypinyin's dictionaries are large and only the build needs them.
    from pypinyin import Style, pinyin
    from pypinyin.phrases_dict import phrases_dict  # deferred with pypinyin: the heavy phrase dictionary

    conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, 'article_fts', 'col')")
    rows = conn.execute("SELECT term, doc FROM temp.vocab WHERE col IN ('bi', 'uni') AND doc >= 2").fetchall()
    chars: dict[str, list[str]] = {}
    terms: dict[str, int] = {}
    for term, df in rows:
        if not ("\u3400" <= term[0] <= "\u9fff") or len(term) > 2:
            continue
        terms[term] = max(df, terms.get(term, 0))
        for c in term:
            if c not in chars:
                # The usual reading first (pypinyin gives it first), then the rare ones.
                readings = [_strip_tones(r) for r in pinyin(c, style=Style.TONE, heteronym=True)[0]]
                chars[c] = list(dict.fromkeys(r for r in readings if r))
    out = []
    for term, df in terms.items():
        for full in _readings(term, chars, phrases_dict):
            out.append((term, full, _initials(term, chars, phrases_dict, full), df))
    conn.executemany("INSERT INTO pinyin VALUES (?, ?, ?, ?)", out)
    conn.execute("CREATE INDEX pinyin_full ON pinyin(full)")
    conn.execute("CREATE INDEX pinyin_initials ON pinyin(initials)")
    conn.execute("DROP TABLE temp.vocab")
    return len(out)


def _initials(term: str, chars: dict[str, list[str]], phrases: dict[str, list[list[str]]], full: str) -> str:
    """First letters of the reading ``full`` of ``term`` (zh/ch/sh count as z/c/s, the
    way people abbreviate)."""
    if term in phrases:
        return "".join(_strip_tones(r[0])[0] for r in phrases[term])
    out = ""
    rest = full
    for c in term:
        for r in sorted(chars.get(c, []), key=len, reverse=True):
            if rest.startswith(r):
                out += r[0]
                rest = rest[len(r) :]
                break
    return out


def build(source: Path, out: Path, *, as_of: date | None = None, only: Iterable[str] = ()) -> dict[str, object]:
    """Build the library ``out`` (and its manifest) from ``source``; return the manifest."""
    as_of = as_of or date.today()
    files = source_files(source, only)
    if not files:
        raise SystemExit(f"no texts found under {source}")
    digest = source_sha256(source, files)
    texts = [parse_text(p, source) for p in files]
    current = mark_current(texts, as_of)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.unlink(missing_ok=True)
    conn = sqlite3.connect(tmp)
    try:
        conn.executescript(SCHEMA)
        n_articles = 0
        for tid, (t, cur) in enumerate(zip(texts, current), start=1):
            conn.execute(
                "INSERT INTO texts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (tid, t.short_title, t.title, t.shelf, t.level, t.version_date and t.version_date.isoformat(), int(cur), t.source, "\n".join(t.history)),
            )
            title_bi = bigram_column(t.short_title)
            for a in t.articles:
                n_articles += 1
                conn.execute("INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)", (n_articles, tid, a.number, a.sub, a.label, a.chapter, a.text))
                conn.execute("INSERT INTO article_fts(rowid, title, bi, uni) VALUES (?, ?, ?, ?)", (n_articles, title_bi, bigram_column(a.text), unigram_column(a.text)))
        conn.execute("INSERT INTO article_fts(article_fts) VALUES ('optimize')")
        n_pinyin = build_pinyin(conn)
        manifest: dict[str, object] = {
            "schema": SCHEMA_VERSION,
            "version": f"{as_of.isoformat()}+{digest[:12]}",
            "built": as_of.isoformat(),
            "source": "国家法律法规数据库 via LawRefBook/Laws (snapshot 2025-04-19)",
            "source_sha256": digest,
            "texts": len(texts),
            "articles": n_articles,
            "pinyin_terms": n_pinyin,
        }
        conn.executemany("INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v, ensure_ascii=False)) for k, v in manifest.items()])
        conn.commit()
    finally:
        conn.close()
    mtmp = manifest_path(out).with_name(manifest_path(out).name + ".tmp")
    mtmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, out)
    os.replace(mtmp, manifest_path(out))
    return manifest


def up_to_date(out: Path, source: Path, only: Iterable[str] = ()) -> bool:
    """Was ``out`` built today, by this schema, from exactly these texts?"""
    try:
        manifest = json.loads(manifest_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    # Built today: which version is in force depends on the build date.
    return (
        out.is_file()
        and manifest.get("schema") == SCHEMA_VERSION
        and manifest.get("built") == date.today().isoformat()
        and manifest.get("source_sha256") == source_sha256(source, source_files(source, only))
    )


def default_source() -> Path:
    """``content/laws`` of the source tree this module belongs to."""
    return Path(__file__).resolve().parents[2] / "content" / "laws"


def main(argv: list[str] | None = None) -> int:
    """Command line of the build."""
    p = argparse.ArgumentParser(prog="python -m kiosk.lookup.build", description="Build the law library content package.")
    p.add_argument("--out", type=Path, default=None, help="the library file to write (default: DATA_DIR/lookup/library.sqlite3)")
    p.add_argument("--if-changed", action="store_true", help="do nothing when --out was built from the same texts by this schema")
    p.add_argument("--source", type=Path, default=None, help="directory of Markdown texts (default: content/laws)")
    p.add_argument("--as-of", type=date.fromisoformat, default=None, help="date that decides which versions are in force (default: today)")
    p.add_argument("--only", nargs="*", default=[], help="build only these shelves or titles (tests)")
    args = p.parse_args(argv)
    source = args.source or default_source()
    if not source.is_dir():
        print(f"build: no such directory: {source}", file=sys.stderr)
        return 2
    if args.out is None:
        args.out = resolve_data_dir(None) / "lookup" / "library.sqlite3"
    if args.if_changed and up_to_date(args.out, source, args.only):
        print(f"{args.out}: up to date")
        return 0
    started = time.monotonic()
    manifest = build(source, args.out, as_of=args.as_of, only=args.only)
    print(f"{args.out}: {manifest['texts']} texts, {manifest['articles']} articles, version {manifest['version']} ({time.monotonic() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
