"""查法律 as a feature of the visit, without the screens: the tile is offered only where
a library is installed (saying why not), the steps, Back, the QR address, the paper."""

from __future__ import annotations

import shutil
from pathlib import Path

from kiosk.availability import HomeTile, Unavailable
from kiosk.bootstrap import build_terminal
from kiosk.config import KioskConfig, parse_config
from kiosk.feature import State
from kiosk.events import BackPressed, HomePressed, Started
from kiosk.i18n import Translator
from kiosk.lookup.feature import LawAsked, LawOpened, LookupFeature, LookupState, article_receipt
from kiosk.lookup.topics import load_topics
from kiosk.receipt import default_tr
from kiosk.states import VisitState
from kiosk.terminal import Terminal


def _terminal(tmp_path: Path, library: Path | None, extra: str = "") -> tuple[Terminal, LookupFeature]:
    toml = (f'[lookup]\nlibrary = "{library}"\n' + extra) if library else ""
    t = build_terminal(parse_config(toml) if toml else KioskConfig(), tmp_path / "kiosk", with_devices=False)
    feature = t.flow.features.get("lookup")
    assert isinstance(feature, LookupFeature)
    return t, feature


def _tile(feature: LookupFeature) -> HomeTile:
    return next(t for t in feature.tiles() if t.action == "law:open")


def test_not_offered_without_a_library_and_says_why(tmp_path: Path) -> None:
    _, feature = _terminal(tmp_path, None)
    why = _tile(feature).availability()
    assert isinstance(why, Unavailable) and not why.hidden
    assert "还没有安装法律法规库" in Translator("zh_CN").t(why.reason_key)
    assert "no law library is installed" in Translator("en").t(why.reason_key)


def test_a_file_that_is_no_library_is_not_offered(tmp_path: Path) -> None:
    bad = tmp_path / "library.sqlite3"
    bad.write_bytes(b"not a database at all" * 100)
    _, feature = _terminal(tmp_path, bad)
    why = _tile(feature).availability()
    assert isinstance(why, Unavailable) and why.reason_key == "lookup.ui.unavailable_broken"


def test_browse_search_and_back(tmp_path: Path, library_path: Path) -> None:
    t, feature = _terminal(tmp_path, library_path)
    flow = t.flow

    def now() -> State:
        return flow.state  # read afresh after each step

    assert _tile(feature).availability()
    flow.handle(Started())
    flow.handle(LawOpened())
    assert now() is LookupState.TOPICS
    flow.handle(LawAsked("topic", "婚姻家庭"))
    assert now() is LookupState.TEXTS
    assert feature.topic is not None and feature.topic.name == "婚姻家庭"
    civil = next(x for x in feature.texts_of(feature.topic) if x.short_title == "民法典")
    flow.handle(LawAsked("text", str(civil.id)))
    assert now() is LookupState.ARTICLES and len(feature.article_rows) > 1000  # all parts of the Code
    assert (1084, 0) in {(a.number, a.sub) for a in feature.key_articles()}
    flow.handle(LawAsked("article", "1084-0"))
    assert now() is LookupState.ARTICLE and feature.article is not None and "离婚" in feature.article.body
    flow.handle(BackPressed())
    assert now() is LookupState.ARTICLES
    flow.handle(BackPressed())
    flow.handle(BackPressed())
    assert now() is LookupState.TOPICS
    # Search: pinyin typed, a character chosen, searched; a result opens.
    flow.handle(LawAsked("search"))
    for k in "qian":
        flow.handle(LawAsked("key", k))
    assert "钱" in feature.candidates()
    flow.handle(LawAsked("hanzi", "钱"))
    assert (feature.query, feature.pinyin) == ("钱", "")
    flow.handle(LawAsked("query"))
    assert now() is LookupState.RESULTS and feature.results and all("钱" in r.body or "钱" in r.title for r in feature.results)
    flow.handle(LawAsked("result", "0"))
    assert now() is LookupState.ARTICLE
    flow.handle(BackPressed())
    flow.handle(BackPressed())
    assert now() is LookupState.SEARCH and feature.query == "钱"  # what was typed is kept
    flow.handle(LawAsked("key", "clear"))
    for k in "ldht":
        flow.handle(LawAsked("key", k))
    flow.handle(LawAsked("query"))
    assert feature.understood == "劳动合同" and feature.results
    # Home, and the next person starts clean.
    flow.handle(HomePressed())
    assert now() is VisitState.HOME
    flow.handle(LawOpened())
    assert feature.query == "" and feature.results == [] and feature.trail == []


def test_qr_address_and_receipt(tmp_path: Path, library_path: Path) -> None:
    _, feature = _terminal(tmp_path, library_path, 'url_template = "https://x.example/l?t={title}&n={number}"\n')
    _, plain = _terminal(tmp_path / "b", library_path)
    hit = feature.library.article("劳动合同法", 47) if feature.library else None
    assert hit is not None
    url = feature.article_url(hit)
    assert url == "https://x.example/l?t=%E5%8A%B3%E5%8A%A8%E5%90%88%E5%90%8C%E6%B3%95&n=47"
    assert plain.article_url(hit) is None  # no address configured: no QR code
    paper = article_receipt(hit, default_tr("zh_CN"), url)
    text = paper.text_content()
    assert "《中华人民共和国劳动合同法》" in text and "版本日期：2012-12-28（现行有效）" in text
    assert "经济补偿按劳动者在本单位工作的年限" in text
    assert any(getattr(b, "data", None) == url for b in paper.blocks)


def test_a_replaced_library_is_opened_again(tmp_path: Path, library_path: Path) -> None:
    mine = tmp_path / "lib" / "library.sqlite3"
    mine.parent.mkdir()
    _, feature = _terminal(tmp_path, mine)
    assert not _tile(feature).availability()
    shutil.copy(library_path, mine)  # installed later, without a restart
    assert _tile(feature).availability()


def test_every_topic_has_its_name_in_both_languages() -> None:
    zh, en = Translator("zh_CN"), Translator("en")
    for topic in load_topics().topics:
        key = f"lookup.ui.topic.{topic.name}"
        assert zh.has(key) and zh.t(key) == topic.name
        en.language = "en"
        assert en.has(key) and en.t(key).isascii(), topic.name
