"""Deciding whether what was heard is the terminal's name, and the ``[wake]`` setting."""

from __future__ import annotations

import pytest

from kiosk.config import parse_config
from kiosk.errors import ConfigError
from kiosk.wake.spotter import WakeSpotter

SPOT = WakeSpotter("你好小法", 0.8, ("你好", "谢谢", "法律"))


@pytest.mark.parametrize(
    ("words", "wakes"),
    [
        ([("你好", 0.95), ("小", 0.9), ("法", 0.92)], True),  # a Chinese model spells it in three words
        ([("嗯", 0.5), ("你好", 0.95), ("小", 0.9), ("法", 0.92), ("我", 0.4)], True),  # inside a longer utterance
        ([("你好", 0.95), ("小", 0.7), ("法", 0.92)], False),  # one word under the threshold
        ([("你好", 0.99)], False),  # a greeting alone
        ([("小", 0.99), ("法", 0.99)], False),  # half the name
        ([("你好", 0.95), ("法律", 0.9)], False),
        ([("你好", 0.95), ("我", 0.9), ("小", 0.9), ("法", 0.92)], False),  # the words apart
        ([("法", 0.9), ("小", 0.9), ("你好", 0.9)], False),  # out of order
        ([], False),
    ],
)
def test_the_name_wakes_only_whole_in_order_and_sure(words: list[tuple[str, float]], wakes: bool) -> None:
    assert SPOT.wakes(words) is wakes


def test_the_best_place_counts_and_spacing_does_not() -> None:
    heard = [("你好", 0.5), ("小", 0.9), ("法", 0.9), ("你好小法", 0.85)]
    assert SPOT.confidence(heard) == 0.85
    korean = WakeSpotter("변호사 도움말", 0.9)
    assert korean.confidence([("변호사", 1.0), ("도움말", 0.95)]) == 0.95
    assert korean.confidence([("도움말", 1.0)]) is None


def test_the_grammar_is_the_name_then_the_decoys_without_the_name_again() -> None:
    assert WakeSpotter("你好小法", 0.8, ("你好", "你好 小法", "谢谢")).grammar() == ["你好小法", "你好", "谢谢"]


def test_the_setting_defaults_and_is_validated() -> None:
    wake = parse_config("").wake
    assert wake.enabled and wake.phrase == "你好小法" and 0 < wake.threshold <= 1 and "你好" in wake.decoys
    custom = parse_config('[wake]\nphrase = "  小法  小法 "\nthreshold = 0.5\n').wake
    assert custom.phrase == "小法 小法" and custom.threshold == 0.5
    for bad, says in [
        ('phrase = "你好，小法"', "letters only"),
        ('phrase = "小法2"', "letters only"),
        ('phrase = "法"', "at least 2"),
        ('phrase = ""', "at least 2"),
        ("threshold = 1.5", "less than or equal to 1"),
        ('decoys = ["好的", "12"]', "letters only"),
        ("volume = 3", "volume"),
    ]:
        with pytest.raises(ConfigError) as caught:
            parse_config(f"[wake]\n{bad}\n")
        assert "wake" in str(caught.value) and says in str(caught.value), str(caught.value)
