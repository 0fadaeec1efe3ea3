"""Printer-column widths, wrapping and padding (Chinese = 2 columns, ASCII = 1)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from devices.printer.textwidth import char_width, clean, pad, text_width, wrap


def test_widths_follow_the_printer_fonts() -> None:
    assert text_width("B007") == 4
    assert text_width("法律援助") == 8
    # wcwidth calls these 1; a GBK printer prints them from the 24×24 font.
    assert [char_width(c) for c in "·—“，"] == [2, 2, 2, 2]
    assert text_width("约 45 分钟") == 10


def test_wrap_keeps_ascii_words_and_never_starts_a_line_with_a_comma() -> None:
    assert wrap("前面等候 12 人", 8) == ["前面等候", "12 人"]
    lines = wrap("请留意叫号，过号请重新取号", 10)
    assert lines == ["请留意叫", "号，过号请", "重新取号"]
    assert not any(line.startswith("，") for line in lines)


def test_pad_lines_up_mixed_text() -> None:
    assert pad("号", 6, "right") == "    号"
    assert pad("A号", 7, "center") == "  A号  "
    assert pad("法律援助中心", 7) == "法律援 "  # cut short, never half a character


def test_control_characters_become_spaces() -> None:
    assert clean("a\x1b@b\tc") == "a @b c"


cjk_text = st.text(alphabet=st.sampled_from(list("法律援助调解公证，。ABC 123-·")), max_size=60)


@given(cjk_text, st.integers(min_value=2, max_value=48))
def test_wrapped_lines_fit_and_lose_nothing(text: str, columns: int) -> None:
    lines = wrap(text, columns)
    assert all(text_width(line) <= columns for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
