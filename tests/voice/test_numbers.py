"""Numbers as people say them (table-driven)."""

from __future__ import annotations

import pytest

from kiosk.voice.numbers import cardinal_zh, digits_zh, parse_small_number, say_number, speakable


@pytest.mark.parametrize(
    "number, spoken",
    [("A001", "A零零一号"), ("B007", "B零零七号"), ("C120", "C一二零号"), ("V099", "V零九九号"), ("b7", "B七号"), ("D0010", "D零零一零号"), ("A001号", "A零零一号")],
)
def test_say_number(number: str, spoken: str) -> None:
    assert say_number(number) == spoken


@pytest.mark.parametrize("bad", ["", "007", "AB01", "A", "A12345", "甲001"])
def test_say_number_refuses(bad: str) -> None:
    with pytest.raises(ValueError):
        say_number(bad)


@pytest.mark.parametrize(
    "n, zh",
    [(0, "零"), (2, "二"), (10, "十"), (12, "十二"), (20, "二十"), (35, "三十五"), (100, "一百"), (105, "一百零五"), (110, "一百一十"), (1010, "一千零一十"), (2026, "两千零二十六"), (20000, "两万"), (200, "二百"), (10000, "一万"), (10001, "一万零一"), (12345, "一万两千三百四十五")],
)
def test_cardinal(n: int, zh: str) -> None:
    assert cardinal_zh(n) == zh


def test_digits() -> None:
    assert digits_zh("12348") == "一二三四八"
    with pytest.raises(ValueError):
        digits_zh("12a")


@pytest.mark.parametrize(
    "text, spoken",
    [
        ("请B007号到2号窗口办理", "请B零零七号到二号窗口办理"),
        ("您前面还有3人", "您前面还有三人"),
        ("热线12348", "热线一二三四八"),
        ("约15分钟", "约十五分钟"),
        ("您的号码是A001，请稍候", "您的号码是A零零一号，请稍候"),
        ("没有数字", "没有数字"),
    ],
)
def test_speakable(text: str, spoken: str) -> None:
    assert speakable(text) == spoken


@pytest.mark.parametrize("word, n", [("二", 2), ("两", 2), ("十", 10), ("十二", 12), ("二十", 20), ("三十五", 35), ("7", 7), ("零", 0), ("百", None), ("十十", None), ("", None), ("二三", None)])
def test_parse_small_number(word: str, n: int | None) -> None:
    assert parse_small_number(word) == n
