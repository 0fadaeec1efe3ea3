"""Amounts in Chinese capitals (大写), as IOUs, receipts and court forms write them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kiosk.documents.amounts import AmountError, in_capitals, in_figures, parse_amount


@pytest.mark.parametrize(("amount", "written"), [
    ("0", "人民币零元整"),
    ("0.05", "人民币伍分"),
    ("0.5", "人民币伍角整"),
    ("1.05", "人民币壹元零伍分"),
    ("3.2", "人民币叁元贰角整"),
    ("10", "人民币壹拾元整"),
    ("15", "人民币壹拾伍元整"),
    ("1010", "人民币壹仟零壹拾元整"),
    ("10050.30", "人民币壹万零伍拾元叁角整"),
    ("10000.01", "人民币壹万元零壹分"),
    ("101000", "人民币壹拾万壹仟元整"),
    ("100100", "人民币壹拾万零壹佰元整"),
    ("110005", "人民币壹拾壹万零伍元整"),
    ("120000", "人民币壹拾贰万元整"),
    ("1000001", "人民币壹佰万零壹元整"),
    ("10001000", "人民币壹仟万壹仟元整"),
    ("20000000.5", "人民币贰仟万元伍角整"),
    ("100001000", "人民币壹亿零壹仟元整"),
    ("100010000", "人民币壹亿零壹万元整"),
    ("1001001001", "人民币壹拾亿零壹佰万壹仟零壹元整"),
    ("6,000.456", "人民币陆仟元肆角陆分"),
])
def test_amounts_in_capitals(amount: str, written: str) -> None:
    """Worked by hand from the rules of 《支付结算办法》: 整 after 元 or 角, one 零 per
    run of zeros, 拾 keeps its 壹, rounding to the 分."""
    assert in_capitals(amount) == written


def test_figures_beside_the_capitals() -> None:
    """The same amount in figures, grouped, two decimals."""
    assert in_figures("12000") == "¥12,000.00"
    assert in_figures(Decimal("3500.5")) == "¥3,500.50"


@pytest.mark.parametrize("bad", ["", "abc", "-5", "1e20", "NaN", "12.3.4"])
def test_what_is_not_an_amount(bad: str) -> None:
    """Negative, absurdly large or not a number: refused."""
    with pytest.raises(AmountError):
        parse_amount(bad)
