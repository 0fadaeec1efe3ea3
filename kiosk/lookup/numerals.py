"""Chinese numerals as laws write article numbers (第四十七条, 第一百零五条, 第一千二百六十条)
and back, so a person can type either ``47`` or ``四十七``."""

from __future__ import annotations

DIGITS = "零一二三四五六七八九"
_VALUE = {c: i for i, c in enumerate(DIGITS)} | {"〇": 0, "两": 2}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}


def cn_to_int(text: str) -> int:
    """``四十七`` → 47, ``一百零五`` → 105, ``十`` → 10; ``ValueError`` when ``text`` is not
    a Chinese numeral (or is Arabic digits, which are accepted as they are)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if not text or any(c not in _VALUE and c not in _UNITS for c in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    total = 0
    section = 0
    digit: int | None = None
    for c in text:
        if c in _VALUE:
            digit = _VALUE[c]
            continue
        unit = _UNITS[c]
        if unit == 10000:
            total += (section + (digit or 0)) * unit
            section = 0
        else:
            # A leading 十 means 一十 (十五 = 15).
            section += (1 if digit is None else digit) * unit
        digit = None
    return total + section + (digit or 0)


def int_to_cn(n: int) -> str:
    """47 → ``四十七``, 105 → ``一百零五``, 10 → ``十``, 110 → ``一百一十`` (the way laws
    number articles)."""
    if n < 0:
        raise ValueError("negative numbers are not article numbers")
    if n == 0:
        return "零"
    if n >= 10000:
        high, low = divmod(n, 10000)
        rest = int_to_cn(low) if low else ""
        return int_to_cn(high) + "万" + ("零" + rest if 0 < low < 1000 else rest)
    parts: list[str] = []
    zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, n = divmod(n, unit)
        if d:
            if zero:
                parts.append("零")
                zero = False
            parts.append(DIGITS[d] + name)
        elif parts:
            zero = True
    text = "".join(parts)
    # 十 to 十九 are written without a leading 一.
    return text[1:] if text.startswith("一十") else text
