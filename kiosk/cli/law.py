"""``kiosk law …``: search the law library, show an article, list topics, show a guide."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path

from kiosk.cli.common import config_of, print_json
from kiosk.i18n import Translator
from kiosk.lookup.guides import load_guides
from kiosk.lookup.library import ArticleHit, Library, default_library_path, install_library
from kiosk.lookup.topics import load_topics


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk law search|article|topics|guide|info``."""
    p = sub.add_parser("law", parents=[common], help="look up the law (offline library)")
    p.add_argument("--library", metavar="F", default=None, help="library file (default: config lookup.library or DATA_DIR/lookup/library.sqlite3)")
    ls = p.add_subparsers(dest="law_command", metavar="ACTION", required=True)

    s = ls.add_parser("search", parents=[common], help="search articles (Chinese, pinyin, or 'TITLE NUMBER')")
    s.add_argument("text", nargs="+", help="what to look for, e.g. 老板不给工资 / laodong hetong / 劳动合同法 47")
    s.add_argument("--limit", type=_positive, default=10)
    s.add_argument("--json", action="store_true")
    s.set_defaults(handler=search)

    a = ls.add_parser("article", parents=[common], help="show one article, e.g. 劳动合同法 47")
    a.add_argument("title")
    a.add_argument("number", help="47, 四十七 or 第四十七条 (第十七条之一 for added articles)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=article)

    i = ls.add_parser("info", parents=[common], help="the library's version and provenance")
    i.add_argument("--json", action="store_true")
    i.set_defaults(handler=info)

    n = ls.add_parser("install", parents=[common], help="check a new library package and put it in place")
    n.add_argument("package", help="a library.sqlite3 built by python -m kiosk.lookup.build")
    n.set_defaults(handler=install)

    t = ls.add_parser("topics", parents=[common], help="life topics and their key articles")
    t.add_argument("name", nargs="?", help="one topic (e.g. 劳动工资) to list its articles")
    t.add_argument("--json", action="store_true")
    t.set_defaults(handler=topics)

    g = ls.add_parser("guide", parents=[common], help="a plain-language guide (办事指南); without NAME: the list")
    g.add_argument("name", nargs="?")
    g.add_argument("--json", action="store_true")
    g.set_defaults(handler=guide)


def _positive(value: str) -> int:
    n = int(value)
    if n < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return n


def open_library(args: argparse.Namespace) -> Library:
    """The library named by ``--library``, the configuration, or the data dir."""
    if getattr(args, "library", None):
        return Library(Path(args.library))
    config, data_dir = config_of(args)
    return Library(default_library_path(data_dir, config.lookup.library))


def config_language(args: argparse.Namespace) -> str:
    """The terminal's language (zh_CN unless configured otherwise)."""
    config, _ = config_of(args)
    return config.language


def _print_hit(h: ArticleHit, *, full: bool) -> None:
    head = f"{h.citation}  [{h.chapter}]" if h.chapter else h.citation
    print(head)
    body = h.body if full else (h.body if len(h.body) <= 120 else h.body[:120] + "…")
    for para in body.splitlines():
        print(textwrap.indent(para, "    "))


def search(args: argparse.Namespace) -> int:
    """Print the best articles for the query."""
    query = " ".join(args.text)
    with open_library(args) as lib:
        hits = lib.search(query, args.limit)
    if args.json:
        print_json([h.as_dict() for h in hits])
        return 0
    if not hits:
        print(Translator(config_language(args)).t("lookup.not_found", query=query))
        return 1
    for h in hits:
        _print_hit(h, full=False)
    return 0


def article(args: argparse.Namespace) -> int:
    """Print one article in full."""
    with open_library(args) as lib:
        h = lib.article(args.title, args.number)
    if args.json:
        print_json(h.as_dict())
        return 0
    _print_hit(h, full=True)
    print(f"    （{h.title}，{h.version_date or '日期不详'}版{'，现行有效' if h.current else '，已被修改'}）")
    return 0


def info(args: argparse.Namespace) -> int:
    """Print the library's manifest."""
    with open_library(args) as lib:
        manifest = lib.manifest()
    if args.json:
        print_json(manifest)
        return 0
    for k, v in manifest.items():
        print(f"{k}: {v}")
    return 0


def install(args: argparse.Namespace) -> int:
    """Validate a library package and make it the terminal's library."""
    if getattr(args, "library", None):
        dest = Path(args.library)
    else:
        config, data_dir = config_of(args)
        dest = default_library_path(data_dir, config.lookup.library)
    manifest = install_library(Path(args.package), dest)
    print(f"{dest}: library {manifest.get('version')} installed ({manifest.get('texts')} texts, {manifest.get('articles')} articles)")
    return 0


def topics(args: argparse.Namespace) -> int:
    """List the life topics, or one topic's articles."""
    all_topics = load_topics()
    if args.name is None:
        if args.json:
            print_json([t.model_dump(mode="json") for t in all_topics.topics])
            return 0
        for t in all_topics.topics:
            print(f"{t.name}\t{t.summary}\t{len(t.refs)} 条")
        return 0
    topic = all_topics.get(args.name)
    with open_library(args) as lib:
        hits = [lib.article(r.title, r.article, r.sub) for r in topic.refs]
    if args.json:
        print_json({"topic": topic.model_dump(mode="json"), "articles": [h.as_dict() for h in hits]})
        return 0
    print(f"{topic.name}：{topic.summary}")
    for h in hits:
        _print_hit(h, full=False)
    return 0


def guide(args: argparse.Namespace) -> int:
    """List the guides, or print one."""
    guides = load_guides()
    if args.name is None:
        if args.json:
            print_json([{"id": g.id, "title": g.title} for g in guides.guides])
            return 0
        for g in guides.guides:
            print(f"{g.id}\t{g.title}")
        return 0
    g = guides.get(args.name)
    if args.json:
        print_json(g.model_dump(mode="json"))
        return 0
    for line in g.lines():
        print(line)
    return 0
