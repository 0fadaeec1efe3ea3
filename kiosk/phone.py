"""Phone numbers typed on the big keypad or spoken digit by digit.

Pure functions (no Kivy), so the keypad widget (legal aid, appointments), voice and tests
share one rule.
"""

from __future__ import annotations

import re

# Mainland mobile numbers: 11 digits, 1 then 3–9 (13x…19x), as the carriers issue them.
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SPOKEN = {"零": "0", "〇": "0", "洞": "0", "一": "1", "幺": "1", "妖": "1", "二": "2", "两": "2", "三": "3", "四": "4",
           "五": "5", "六": "6", "七": "7", "拐": "7", "八": "8", "九": "9", "勾": "9"}


def is_mobile(digits: str) -> bool:
    """True for an 11-digit mainland mobile number (13x–19x)."""
    return bool(_MOBILE.match(digits))


def mobile_problem(digits: str) -> str | None:
    """Why ``digits`` is not a mobile number, as a translation key; None when it is."""
    if not digits:
        return "numpad.empty"
    if len(digits) < 11:
        return "numpad.too_short"
    if not is_mobile(digits):
        return "numpad.not_mobile"
    return None


def spoken_digits(text: str) -> str:
    """The digits said in ``text`` ("一三八 幺二三四" → "1381234"); other words dropped.

    People read phone numbers digit by digit, often with 幺 for 1 and 洞 for 0; Arabic
    digits from a recogniser that writes them are kept as they are.
    """
    return "".join(ch if ch.isdigit() and ch.isascii() else _SPOKEN.get(ch, "") for ch in text)


def grouped(digits: str) -> str:
    """``13812345678`` → ``138 1234 5678``: how people read a mobile number back."""
    parts = [digits[:3], digits[3:7], digits[7:]]
    return " ".join(p for p in parts if p)


def masked_phone(digits: str) -> str:
    """``13812345678`` → ``138****5678`` (for paper, screens of others and logs)."""
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
