"""Numbers the way people say them in Mandarin: ticket numbers, windows, phone numbers.

A ticket number is read digit by digit with 零 ("A001" → "A零零一号"), never as an
English or cardinal number: that is how halls call them and how people remember them.
Window numbers and small counts are cardinals ("十二号窗口"); long digit strings such as
the hotline 12348 are read digit by digit.
"""

from __future__ import annotations

import re

_DIGITS = "零一二三四五六七八九"
_TICKET = re.compile(r"^\s*([A-Za-z])\s*(\d{1,4})\s*号?\s*$")
# In running text: a letter and 2–4 digits standing alone (B007, A12), optionally 号.
_TICKET_IN_TEXT = re.compile(r"(?<![A-Za-z0-9])([A-Z])(\d{2,4})(号?)(?![A-Za-z0-9])")
_NUMBER_IN_TEXT = re.compile(r"(?<![A-Za-z0-9.])(\d+)(?![0-9])")


def digits_zh(digits: str) -> str:
    """Each digit as its character: "007" → "零零七"."""
    if not digits.isdigit():
        raise ValueError(f"not digits: {digits!r}")
    return "".join(_DIGITS[int(d)] for d in digits)


def cardinal_zh(n: int) -> str:
    """A cardinal number in characters, 0–99999999: 2 → "二", 12 → "十二", 105 → "一百零五"."""
    if n < 0 or n >= 10**8:
        raise ValueError(f"out of range: {n}")
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        # 十二, not 一十二: how a number starting with ten is said on its own.
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    if n >= 10**4:
        high, low = divmod(n, 10**4)
        rest = "" if low == 0 else ("零" if low < 1000 else "") + _under_10k(low)
        return ("两" if high == 2 else _under_10k(high)) + "万" + rest
    return _under_10k(n)


def _under_10k(n: int) -> str:
    units = ((1000, "千"), (100, "百"), (10, "十"), (1, ""))
    out: list[str] = []
    zero_pending = False
    for value, unit in units:
        d = (n // value) % 10
        if d == 0:
            if out:
                zero_pending = True
            continue
        if zero_pending:
            out.append("零")
            zero_pending = False
        # 两千, not 二千: how thousands are said.
        out.append(("两" if d == 2 and unit == "千" else _DIGITS[d]) + unit)
    return "".join(out) or "零"


def say_number(number: str) -> str:
    """A ticket number as it is called: "A001" → "A零零一号", "b7" → "B七号"."""
    m = _TICKET.match(number)
    if m is None:
        raise ValueError(f"not a ticket number: {number!r}")
    return f"{m.group(1).upper()}{digits_zh(m.group(2))}号"


def speakable(text: str) -> str:
    """``text`` with its numbers rewritten as they should be heard.

    Ticket numbers become digit strings ("B007" → "B零零七号"); numbers of five or more
    digits, or with a leading zero, are read digit by digit (the hotline 12348); other
    numbers become cardinals ("3人" → "三人").
    """

    def ticket(m: re.Match[str]) -> str:
        return f"{m.group(1)}{digits_zh(m.group(2))}号"

    def number(m: re.Match[str]) -> str:
        digits = m.group(1)
        if len(digits) >= 5 or (len(digits) > 1 and digits.startswith("0")):
            return digits_zh(digits)
        return cardinal_zh(int(digits))

    return _NUMBER_IN_TEXT.sub(number, _TICKET_IN_TEXT.sub(ticket, text))


_SPOKEN_NUMBER = re.compile(r"^(?:[零〇一二两三四五六七八九十]+|\d+)$")
_VALUES = {"零": 0, "〇": 0, "一": 1, "幺": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def parse_small_number(word: str) -> int | None:
    """A spoken number from 0 to 99 ("二", "两", "十二", "二十", "12"), else None."""
    word = word.strip()
    if not word or not _SPOKEN_NUMBER.match(word):
        return None
    if word.isdigit():
        return int(word)
    if "十" in word:
        tens, _, ones = word.partition("十")
        if "十" in ones or len(tens) > 1 or len(ones) > 1:
            return None
        t = _VALUES.get(tens, -1) if tens else 1
        o = _VALUES.get(ones, -1) if ones else 0
        return None if t < 0 or o < 0 else t * 10 + o
    if len(word) == 1:
        return _VALUES.get(word)
    return None
