"""查法律 on the real app, offscreen, in a subprocess: browse by topic to one article
(Back at every step, elder mode, English), read it aloud and print it; search with the
on-screen pinyin keyboard."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT
from tests.support.ui import run_scenario, step, text

pytestmark = pytest.mark.ui

URL = "https://12348.example.gov.cn/law?t={title}&n={number}"


def _given(library_path: Path) -> dict[str, Any]:
    config = f'[lookup]\nlibrary = "{library_path}"\nurl_template = "{URL}"\n'
    shots = str(ROOT / "docs" / "screens") if os.environ.get("KIOSK_DOC_SHOTS") else ""
    return {"config": config, "shots": shots}


def test_browse_read_aloud_and_print(tmp_path: Path, library_path: Path) -> None:
    r = run_scenario("tests.lookup.ui_scenarios", "browse", tmp_path / "kiosk", _given(library_path),
                     out=tmp_path / "browse.json", timeout=240)
    assert r["violations"] == []  # the accessibility audit of every screen looked at
    assert "查法律" in text(r, "home")
    topics = text(r, "law_topics")
    for name in ("劳动工资", "婚姻家庭", "土地承包", "交通事故", "法律援助"):
        assert name in topics
    texts = text(r, "law_texts")
    assert "《劳动合同法》" in texts and "版本日期：2012-12-28（现行有效）" in texts
    articles = text(r, "law_articles")
    assert "本类问题的要点条文" in articles and "第四十七条" in articles and "第 1 页" in articles
    assert "第 2 页" in text(r, "law_articles_page2")
    article = text(r, "law_article")
    assert "《劳动合同法》第四十七条" in article
    assert "版本日期：2012-12-28（现行有效）" in article  # the version date, always
    assert "经济补偿按劳动者在本单位工作的年限" in article
    assert "朗读" in article and "打印" in article and "用手机扫码" in article
    assert "经济补偿按劳动者在本单位工作的年限" in text(r, "law_article_elder")
    en = text(r, "law_article_en")
    assert "Read aloud" in en and "Version of 2012-12-28 (in force)" in en
    assert "经济补偿按劳动者在本单位工作的年限" in en  # the law itself stays Chinese
    assert any("劳动合同法" in s and "经济补偿按劳动者" in s for s in r["spoken_after_read"])
    assert "已打印" in r["banner_after_print"]
    printed = r["printed"]
    assert "中华人民共和国劳动合同法" in printed and "2012-12-28" in printed and "经济补偿" in printed
    # Back retraces the way in: the articles, the texts, the topics, home.
    assert r["back_trail"] == ["law_articles", "law_texts", "law_topics", "home"]


def test_search_by_keyboard(tmp_path: Path, library_path: Path) -> None:
    r = run_scenario("tests.lookup.ui_scenarios", "search", tmp_path / "kiosk", _given(library_path),
                     out=tmp_path / "search.json", timeout=240)
    assert r["violations"] == []
    assert "qian" in text(r, "law_search_qian") and "钱" in text(r, "law_search_qian")
    one = text(r, "law_results_qian")
    assert "“钱”的搜索结果" in one and "第" in one and "没有找到" not in one
    words = text(r, "law_results_laodong")
    assert "“laodong hetong”的搜索结果" in words and "拼音理解为“劳动合同”" in words and "《劳动合同法》" in words
    assert "劳动合同" in text(r, "law_search_ldht")  # the initials' likeliest phrase is offered
    assert "《劳动" in text(r, "law_results_ldht")
    assert step(r, "law_result_article")["screen"] == "law_article"
    assert "版本日期：" in text(r, "law_result_article")
