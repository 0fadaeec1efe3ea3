"""Grammar phrases fitted to a model's vocabulary (pure: the vocabulary is a set)."""

from __future__ import annotations

import pytest

from devices.audio.vocab import fit_grammar, fit_phrase, join_words

VOCAB = {"法律", "援助", "法", "律", "咨询", "取号", "取", "号", "人民", "调解", "返回", "hello", "world", "第", "二", "个"}


@pytest.mark.parametrize(
    "phrase, fitted",
    [
        ("法律援助", "法律 援助"),
        ("取号", "取号"),
        ("法律咨询", "法律 咨询"),
        ("第二个", "第 二 个"),
        ("hello world", "hello world"),
        ("人民 调解", "人民 调解"),
        ("公证", None),  # 公 and 证 unknown
        ("hello there", None),  # a non-Chinese word must be known whole
        ("", None),
    ],
)
def test_fit_phrase(phrase: str, fitted: str | None) -> None:
    assert fit_phrase(phrase, VOCAB.__contains__) == fitted


def test_backward_matching_when_forward_fails() -> None:
    # Forward takes 法律, then 援, then finds no 助; backward takes 律援助, then 法.
    vocab = {"法律", "援", "法", "律援助"}
    assert fit_phrase("法律援助", vocab.__contains__) == "法 律援助"


def test_fit_grammar_dedups_and_reports() -> None:
    fitted, dropped = fit_grammar(["法律援助", "法律 援助", "公证", "取号"], VOCAB.__contains__)
    assert fitted == ["法律 援助", "取号"]
    assert dropped == ["公证"]


@pytest.mark.parametrize(
    "raw, joined",
    [("法律 援助", "法律援助"), ("我 想 取号 [unk]", "我想取号"), ("안녕하세요 감사합니다", "안녕하세요 감사합니다"), ("B 零 零 七", "B 零零七"), ("", "")],
)
def test_join_words(raw: str, joined: str) -> None:
    assert join_words(raw) == joined
