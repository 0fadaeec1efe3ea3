"""Guides and calculators as steps of the visit, without the screens: a question finds
its guide first, a guide's parts and cited articles, the calculators' questions (bad
answers refused with a plain message, nothing lost), the paper."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kiosk.bootstrap import build_terminal
from kiosk.config import parse_config
from kiosk.errors import CatalogError
from kiosk.events import BackPressed, Started
from kiosk.feature import State
from kiosk.i18n import Translator
from kiosk.lookup.calc import CALCULATORS
from kiosk.lookup.calcform import FORMS, form
from kiosk.lookup.feature import (LawAsked, LawOpened, LookupFeature, LookupState, calc_receipt, guide_parts,
                                  guide_receipt)
from kiosk.lookup.guides import load_guides, parse_guides
from kiosk.lookup.library import Library
from kiosk.receipt import default_tr
from kiosk.terminal import Terminal


def _terminal(tmp_path: Path, library: Path) -> tuple[Terminal, LookupFeature]:
    t = build_terminal(parse_config(f'[lookup]\nlibrary = "{library}"\n'), tmp_path / "kiosk", with_devices=False)
    feature = t.flow.features.get("lookup")
    assert isinstance(feature, LookupFeature)
    return t, feature


def _now(flow: Any) -> State:
    """The flow's state, read afresh after each step."""
    state: State = flow.state
    return state


def test_a_question_finds_the_wage_guide_first() -> None:
    guides = load_guides()
    assert guides.find("老板不给工资怎么办")[0].id == "unpaid-wages"
    assert guides.find("工资")[0].id == "unpaid-wages"  # the word a person typed in pinyin (gongzi)
    assert guides.find("欠薪")[0].id == "unpaid-wages"
    assert guides.find("借钱")[0].id == "loans"
    assert guides.find("怎么办") == []  # a question of filler words only finds nothing


def test_the_wage_guide_offers_its_calculators_and_names_its_documents() -> None:
    g = load_guides().get("unpaid-wages")
    assert set(g.calculators) == {"severance", "unpaid-wages"}
    # The arbitration application first; the court complaint its step 5 leads to after it.
    assert g.documents == ("labour-arbitration", "complaint-wages")
    assert guide_parts(g) == ("law", "steps", "bring", "time", "where", "next")


def test_a_guide_naming_an_unknown_calculator_is_refused() -> None:
    bad = """
[[guides]]
id = "x"
title = "t"
topic = "劳动工资"
service = "consultation"
calculators = ["nope"]
law = [{ text = "一句话", cite = ["劳动法 50"] }, { text = "两句话", cite = ["劳动法 50"] }]
steps = [{ text = "一步", cite = ["劳动法 50"] }]
bring = ["身份证"]
where = [{ text = "这里", cite = ["劳动法 50"] }]
"""
    with pytest.raises(CatalogError, match="unknown calculators"):
        parse_guides(bad, "test.toml")


@pytest.mark.parametrize("documents", ['["Labour arbitration"]', '["iou", "iou"]'])
def test_a_guide_naming_documents_wrongly_is_refused(documents: str) -> None:
    bad = f"""
[[guides]]
id = "x"
title = "t"
topic = "劳动工资"
service = "consultation"
documents = {documents}
law = [{{ text = "一句话", cite = ["劳动法 50"] }}, {{ text = "两句话", cite = ["劳动法 50"] }}]
steps = [{{ text = "一步", cite = ["劳动法 50"] }}]
bring = ["身份证"]
where = [{{ text = "这里", cite = ["劳动法 50"] }}]
"""
    with pytest.raises(CatalogError, match="documents must be distinct template names"):
        parse_guides(bad, "test.toml")


def test_every_calculator_has_a_form_and_its_articles_resolve(library: Library) -> None:
    assert {f.name for f in FORMS} == set(CALCULATORS)
    answers = {"severance": {"monthly_wage": "5000", "years": "3", "months": "0"}, "unpaid-wages": {"amount": "1000"},
               "injury-lump-sum": {"grade": "5", "monthly_wage": "4000"}, "court-fee": {"amount": "150000"},
               "traffic-injury": {"age": "40", "outcome": "disability", "grade": "10", "liability": "100"}}
    for f in FORMS:
        result = f.compute(answers[f.name])
        for c in result.basis:
            assert library.article(c.title, c.article).current, (f.name, c)


def test_guide_steps_cite_and_back(tmp_path: Path, library_path: Path) -> None:
    t, lk = _terminal(tmp_path, library_path)
    flow = t.flow
    flow.handle(Started())
    flow.handle(LawOpened(start="guides"))
    assert _now(flow) is LookupState.GUIDES
    flow.handle(LawAsked("guide", "unpaid-wages"))
    assert _now(flow) is LookupState.GUIDE and lk.guide is not None and lk.part == 0
    flow.handle(LawAsked("part", "next"))
    assert lk.part == 1 and _now(flow) is LookupState.GUIDE
    flow.handle(LawAsked("cite", "劳动争议调解仲裁法|27|0"))
    assert _now(flow) is LookupState.ARTICLE and lk.article is not None and lk.article.number == 27
    flow.handle(BackPressed())
    assert _now(flow) is LookupState.GUIDE and lk.part == 1  # back to the guide, where the person was
    flow.handle(LawAsked("cite", "劳动合同法|9999|0"))
    assert _now(flow) is LookupState.GUIDE  # an article the library lacks: a message, no step
    flow.handle(LawAsked("part", "last"))
    assert guide_parts(lk.guide)[lk.part] == "next"


def test_a_spoken_question_finds_the_guide_and_the_articles(tmp_path: Path, library_path: Path) -> None:
    t, lk = _terminal(tmp_path, library_path)
    t.flow.handle(Started())
    t.flow.handle(LawOpened())
    t.flow.handle(LawAsked("search"))
    t.flow.handle(LawAsked("spoken", "老板不给工资怎么办"))
    assert _now(t.flow) is LookupState.RESULTS
    assert lk.guide_results[0].id == "unpaid-wages" and lk.results


def test_severance_by_answers_and_bad_answers_refused(tmp_path: Path, library_path: Path) -> None:
    t, lk = _terminal(tmp_path, library_path)
    flow = t.flow
    flow.handle(Started())
    flow.handle(LawOpened(start="guides"))
    flow.handle(LawAsked("calc", "severance"))
    assert _now(flow) is LookupState.CALC
    for bad, why in (("", "lookup.calc_ui.empty"), ("0", "lookup.calc_ui.zero"), ("abc", "lookup.calc_ui.not_number"),
                     ("9999999", "lookup.calc_ui.too_big")):
        flow.handle(LawAsked("answer", bad))
        assert lk.problem == why and lk.field == 0 and _now(flow) is LookupState.CALC
    flow.handle(LawAsked("answer", "6500"))
    assert lk.problem == "" and lk.field == 1
    flow.handle(LawAsked("answer", "3"))
    flow.handle(LawAsked("answer", "7"))  # seven months: counts as a whole year
    flow.handle(LawAsked("skip"))  # no local average known
    assert _now(flow) is LookupState.CALC_RESULT and lk.calc_result is not None
    assert lk.calc_result.amount == Decimal(6500 * 4)
    # No time worked at all: each answer is in range, together they are not.
    flow.handle(LawAsked("calc", "severance"))
    for value in ("6500", "0", "0"):
        flow.handle(LawAsked("answer", value))
    flow.handle(LawAsked("skip"))
    assert _now(flow) is LookupState.CALC and lk.problem == "lookup.calc_error" and lk.field == 0
    assert "请检查" in Translator("zh_CN").t(lk.problem)


def test_traffic_asks_the_grade_only_for_a_disability() -> None:
    f = form("traffic-injury")
    assert f is not None
    assert "grade" in [q.id for q in f.asked({"outcome": "disability"})]
    assert "grade" not in [q.id for q in f.asked({"outcome": "death"})]


def test_paper_of_a_guide_and_a_result() -> None:
    g = load_guides().get("unpaid-wages")
    r = guide_receipt(g, default_tr("zh_CN"), "https://12348.example.gov.cn/guide/unpaid-wages")
    text = "\n".join(getattr(b, "text", "") for b in r.blocks)
    assert "被拖欠工资怎么办" in text and "一年" in text and "《劳动争议调解仲裁法》第二十七条" in text
    assert any(type(b).__name__ == "QrCode" for b in r.blocks)
    f = form("severance")
    assert f is not None
    res = f.compute({"monthly_wage": "6500", "years": "3", "months": "7"})
    text = "\n".join(getattr(b, "text", "") for b in calc_receipt(res, default_tr("zh_CN")).blocks)
    assert "26,000.00 元" in text and "《劳动合同法》第四十七条" in text


def test_guides_tile_with_the_library_and_silent_without(tmp_path: Path, library_path: Path) -> None:
    _, lk = _terminal(tmp_path, library_path)
    tile = next(t for t in lk.tiles() if t.action == "law:open:guides")
    assert tile.availability() and tile.icon == "signpost"
    missing = LookupFeature(tmp_path / "none.sqlite3")
    why = next(t for t in missing.tiles() if t.action == "law:open:guides").availability()
    # 查法律 says why there is no library; the guides' tile does not say it again.
    assert not why and getattr(why, "hidden", False)
