"""Legal calculators: golden figures worked by hand from the article text."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kiosk.lookup import calc
from kiosk.lookup.calc import CalcError
from kiosk.lookup.library import Library


@pytest.mark.parametrize(
    ("amount", "fee"),
    [
        ("5000", "50"),  # not over 10,000: 50 per case
        ("10000", "50"),
        ("20000", "300"),  # 50 + 10,000 × 2.5%
        ("150000", "3300"),  # 50 + 90,000 × 2.5% + 50,000 × 2%
        ("1000000", "13800"),  # 50 + 2,250 + 2,000 + 4,500 + 5,000
        ("30000000", "191800"),  # … + 9,000 + 24,000 + 35,000 + 60,000 + 50,000
    ],
)
def test_court_fee_bands(amount: str, fee: str) -> None:
    assert calc.court_fee(amount).amount == Decimal(fee)


def test_court_fee_simplified_procedure_is_half() -> None:
    r = calc.court_fee("150000", simple=True)
    assert r.amount == Decimal("1650")
    assert [str(c) for c in r.basis] == ["《诉讼费用交纳办法》第十三条", "《诉讼费用交纳办法》第十六条"]


@pytest.mark.parametrize(
    ("wage", "years", "months", "avg", "expected"),
    [
        ("6000", 3, 7, None, "24000"),  # 7 months count as a year: 4 × 6,000
        ("6000", 3, 5, None, "21000"),  # under six months: half a month
        ("6000", 0, 3, None, "3000"),
        ("6000", 15, 0, "8000", "90000"),  # below three times the average: no caps
        ("30000", 15, 0, "8000", "288000"),  # 3 × 8,000 = 24,000, at most 12 years
        ("30000", 5, 0, "8000", "120000"),  # capped wage, years under twelve stay
    ],
)
def test_severance(wage: str, years: int, months: int, avg: str | None, expected: str) -> None:
    assert calc.severance(wage, years, months, avg).amount == Decimal(expected)


@pytest.mark.parametrize(
    ("grade", "wage", "avg", "expected"),
    [(1, "5000", None, "135000"), (4, "5000", None, "105000"), (5, "5000", None, "90000"), (6, "5000", None, "80000"),
     (7, "5000", None, "65000"), (10, "5000", None, "35000"),
     (10, "4000", "10000", "42000"),  # below 60% of the average: 6,000 × 7
     (1, "40000", "10000", "810000")],  # above 300%: 30,000 × 27
)
def test_injury_lump_sum(grade: int, wage: str, avg: str | None, expected: str) -> None:
    assert calc.injury_lump_sum(grade, wage, avg).amount == Decimal(expected)


def test_unpaid_wages_range() -> None:
    r = calc.unpaid_wages("12000")
    assert (r.amount, r.amount_max) == (Decimal("18000"), Decimal("24000"))
    assert "18,000.00 元 至 24,000.00 元" in "\n".join(r.lines())


@pytest.mark.parametrize(("age", "years"), [(30, 20), (60, 20), (61, 19), (74, 6), (75, 5), (90, 5)])
def test_compensation_years(age: int, years: int) -> None:
    assert calc.compensation_years(age) == years


def test_traffic_injury_disability_with_costs_and_liability() -> None:
    r = calc.traffic_injury(65, grade=9, income="44990", costs="20000", liability="70")
    # 44,990 × 15 years × 20% = 134,970; + 20,000 = 154,970; × 70% = 108,479
    assert r.amount == Decimal("108479")
    text = "\n".join(r.lines())
    assert "44,990.00 元 × 15 × 20%" in text and "第十二条" in text


def test_traffic_injury_death_uses_the_region_parameters() -> None:
    region = calc.parameters().region(None)
    r = calc.traffic_injury(80, death=True)
    assert region.urban_disposable_income is not None
    assert r.amount == region.urban_disposable_income * 5
    assert region.source in "\n".join(r.lines())
    if not region.verified:
        assert any("待核实" in n for n in r.notes)


@pytest.mark.parametrize(
    "call",
    [
        lambda: calc.court_fee("-5"),
        lambda: calc.court_fee("abc"),
        lambda: calc.severance("6000", 0, 0),
        lambda: calc.severance("6000", 1, 12),
        lambda: calc.injury_lump_sum(11, "5000"),
        lambda: calc.traffic_injury(30),
        lambda: calc.traffic_injury(30, grade=3, liability="150"),
        lambda: calc.traffic_injury(30, grade=3, region="mars"),
    ],
)
def test_bad_input_is_a_clear_error(call) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CalcError):
        call()


def test_every_basis_resolves_in_the_library(library: Library) -> None:
    results = [
        calc.court_fee("150000", simple=True), calc.severance("6000", 3, 0), calc.injury_lump_sum(1, "5000", "6000"),
        calc.injury_lump_sum(5, "5000"), calc.injury_lump_sum(8, "5000"), calc.unpaid_wages("1000"),
        calc.traffic_injury(40, grade=5), calc.traffic_injury(40, death=True),
    ]
    for r in results:
        for c in r.basis:
            assert library.article(c.title, c.article).current, c
