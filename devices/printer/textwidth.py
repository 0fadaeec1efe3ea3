"""Widths of text in printer columns, and wrapping/padding by them.

A printer in Chinese mode prints every 2-byte GBK/GB18030 code from its 24×24 Chinese
font, two columns wide, and every ASCII byte from the 12×24 font, one column wide. So the
width that lines text up on paper is "ASCII = 1, everything else = 2" — not ``len()``
(python-escpos 3.1's mistake) and not plain ``wcwidth`` either: wcwidth says 1 for "·",
"—" or "“", which the printer prints full width.
"""

from __future__ import annotations

from functools import lru_cache

from wcwidth import wcwidth


@lru_cache(maxsize=4096)
def char_width(ch: str) -> int:
    """Columns one character takes on the printer: 0, 1 or 2."""
    code = ord(ch)
    if code < 0x80:
        return 1 if code >= 0x20 else 0
    # Combining marks and zero-width characters take no cell; every other non-ASCII
    # character goes out as a 2-byte (or 4-byte) GB code and prints full width.
    return 0 if wcwidth(ch) == 0 else 2


_CONTROLS_TO_SPACE = {c: " " for c in [*range(0x20), 0x7F]}


def clean(text: str) -> str:
    """``text`` with control characters (tabs, escapes) turned into spaces: on a printer
    they would be commands, and they have no width to lay out."""
    return text.translate(_CONTROLS_TO_SPACE)


def text_width(text: str) -> int:
    """Columns ``text`` takes on the printer."""
    if text.isascii():
        return sum(1 for c in text if c >= " ")
    return sum(char_width(c) for c in text)


def wrap(text: str, columns: int) -> list[str]:
    """Break ``text`` into lines of at most ``columns`` printer columns.

    Chinese breaks anywhere; a run of ASCII letters/digits (a word, a ticket number, a
    URL) is kept whole when it fits on a line. Closing punctuation never starts a line.
    """
    if columns < 2:
        raise ValueError("a line needs at least 2 columns")
    lines: list[str] = []
    for token in _tokens(text):
        if not lines:
            lines.append("")
        width = text_width(token)
        current = text_width(lines[-1])
        if current + width <= columns:
            lines[-1] += token
            continue
        if token == " ":
            lines.append("")
            continue
        if width <= columns and token not in _NO_LINE_START:
            lines.append(token)
            continue
        if token in _NO_LINE_START and lines[-1] and text_width(lines[-1][-1] + token) <= columns:
            # Closing punctuation must not start a line: take the previous character
            # down with it (the Chinese typesetting rule 避头点).
            last = lines[-1][-1]
            lines[-1] = lines[-1][:-1]
            lines.append(last + token)
            continue
        for ch in token:  # a token longer than a line: break it by characters
            if text_width(lines[-1]) + char_width(ch) > columns:
                lines.append("")
            lines[-1] += ch
    lines = [line.rstrip(" ") for line in lines]
    for i in range(len(lines) - 1):
        # Opening brackets must not end a line (避尾): move one down when it fits there.
        line = lines[i]
        if len(line) > 1 and line[-1] in _NO_LINE_END and text_width(line[-1] + lines[i + 1]) <= columns:
            lines[i], lines[i + 1] = line[:-1], line[-1] + lines[i + 1]
    return lines or [""]


_NO_LINE_END = frozenset("（《「『【〔“‘([{")


_NO_LINE_START = frozenset("，。、；：？！）》」』】〕”’…—,.;:?!)]}%")


def _tokens(text: str) -> list[str]:
    # ASCII words stay together; spaces are their own tokens; other characters are
    # single tokens (Chinese can break between any two characters).
    tokens: list[str] = []
    word = ""
    for ch in text:
        if ch.isascii() and ch not in " ":
            word += ch
            continue
        if word:
            tokens.append(word)
            word = ""
        tokens.append(ch)
    if word:
        tokens.append(word)
    return tokens


def pad(text: str, columns: int, align: str = "left") -> str:
    """``text`` padded with spaces to exactly ``columns`` printer columns (or cut short
    when it is wider). ``align`` is ``left``, ``center`` or ``right``."""
    width = text_width(text)
    if width > columns:
        out = ""
        for ch in text:
            if text_width(out) + char_width(ch) > columns:
                break
            out += ch
        text, width = out, text_width(out)
    room = columns - width
    if align == "right":
        return " " * room + text
    if align == "center":
        left = room // 2
        return " " * left + text + " " * (room - left)
    return text + " " * room
