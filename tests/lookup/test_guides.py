"""Guides and topics: every citation resolves to an article in force; the data is validated."""

from __future__ import annotations

import re

import pytest

from kiosk.errors import CatalogError
from kiosk.i18n import Translator
from kiosk.lookup.calc import court_fee
from kiosk.lookup.guides import load_guides, parse_guides
from kiosk.lookup.library import Library
from kiosk.lookup.numerals import int_to_cn
from kiosk.lookup.topics import load_topics

# Durations stated in time limits ("一年", "三十日", "七十二小时") must be in the cited text.
DURATION = re.compile(r"[一二三四五六七八九十百]+(?:年|日|小时)")


def test_at_least_twenty_guides_cover_the_common_disputes() -> None:
    guides = load_guides().guides
    assert len(guides) >= 20
    ids = {g.id for g in guides}
    assert {"unpaid-wages", "work-injury", "land-contract", "homestead", "divorce-children", "support-parents", "loans",
            "traffic-accident", "consumer-fraud", "telecom-fraud", "domestic-violence", "inheritance"} <= ids


def test_every_guide_citation_resolves_to_an_article_in_force(library: Library) -> None:
    missing = []
    for g in load_guides().guides:
        for s in g.statements():
            for c in s.cite:
                try:
                    a = library.article(c.title, c.article, c.sub)
                except Exception as exc:  # noqa: BLE001 - collect every bad citation, then fail once
                    missing.append(f"{g.id}: {c.title} {c.article}: {exc}")
                    continue
                if not a.current:
                    missing.append(f"{g.id}: {c.title} {c.article} is not the version in force")
    assert not missing, "\n".join(missing)


def test_time_limits_say_what_the_cited_articles_say(library: Library) -> None:
    wrong = []
    for g in load_guides().guides:
        for s in g.time_limits:
            bodies = "".join(library.article(c.title, c.article, c.sub).body for c in s.cite)
            # Some texts write durations in Arabic digits (1年内): compare in Chinese numerals.
            bodies = re.sub(r"\d+", lambda m: int_to_cn(int(m.group())), bodies)
            wrong += [f"{g.id}: {d} not in {[str(c.article) for c in s.cite]}" for d in DURATION.findall(s.text) if d not in bodies]
    assert not wrong, "\n".join(wrong)


def test_labour_arbitration_limit_is_one_year(library: Library) -> None:
    g = load_guides().get("unpaid-wages")
    first = g.time_limits[0]
    assert "一年" in first.text and (first.cite[0].title, first.cite[0].article) == ("劳动争议调解仲裁法", 27)
    assert "劳动争议申请仲裁的时效期间为一年" in library.article("劳动争议调解仲裁法", 27).body


def test_every_topic_reference_resolves(library: Library) -> None:
    missing = []
    for t in load_topics().topics:
        for r in t.refs:
            try:
                assert library.article(r.title, r.article, r.sub).current
            except Exception as exc:  # noqa: BLE001
                missing.append(f"{t.name}: {r.title} {r.article}: {exc!r}")
    assert not missing, "\n".join(missing)


def test_topics_cover_life_and_every_guide_has_a_topic() -> None:
    names = {t.name for t in load_topics().topics}
    assert {"劳动工资", "婚姻家庭", "土地承包", "借贷", "交通事故", "消费", "老人", "妇女儿童", "邻里纠纷", "房屋宅基地", "法律援助"} <= names
    assert {g.topic for g in load_guides().guides} <= names


def test_guide_lines_carry_citations_and_the_next_service() -> None:
    lines = load_guides().get("老板不给工资").lines()
    text = "\n".join(lines)
    assert "（《劳动争议调解仲裁法》第二十七条）" in text and "取号：仲裁" in text


BAD = """
[[guides]]
id = "x"
title = "t"
topic = "劳动工资"
service = "{service}"
law = [{{ text = "一句话", cite = ["劳动法 50"] }}, {{ text = "两句话", cite = {cite} }}]
steps = [{{ text = "一步", cite = ["劳动法 50"] }}]
bring = ["身份证"]
where = [{{ text = "这里", cite = ["劳动法 50"] }}]
"""


@pytest.mark.parametrize(
    ("service", "cite", "message"),
    [("consultation", "[]", "cite"), ("consultation", '["劳动法第五十条"]', "TITLE NUMBER"), ("nope", '["劳动法 50"]', "unknown service")],
)
def test_invalid_guides_are_refused(service: str, cite: str, message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        parse_guides(BAD.format(service=service, cite=cite), "test.toml")


def test_guide_and_calculator_labels_come_from_the_catalogue() -> None:
    en = Translator("en")
    assert "What to bring:" in load_guides().get("loans").lines(en)
    assert "Result: 3,300.00 yuan" in court_fee("150000").lines(en)
    assert "计算结果：3,300.00 元" in court_fee("150000").lines()
