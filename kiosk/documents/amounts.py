"""Amounts of money in Chinese capitals (大写金额), as IOUs, receipts and court forms
write them beside the figures so neither can be altered: ¥10,050.30 → 人民币壹万零伍拾元叁角整.

The rules followed are those of the People's Bank's 《支付结算办法》 (正确填写票据和结算
凭证的基本规定): 元 after the yuan; 整 after a sum that ends at 元 or 角 (none after 分);
one 零 for each run of zeros inside the number, and between 元 and a 分 when the 角 is
zero; 拾 keeps its 壹 (壹拾元); amounts are rounded to the 分.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
SMALL_UNITS = ("", "拾", "佰", "仟")
BIG_UNITS = ("", "万", "亿", "万亿")
MAX_AMOUNT = Decimal("999999999999.99")


class AmountError(ValueError):
    """Not an amount of money this can write (negative, too large, not a number)."""


def parse_amount(text: str) -> Decimal:
    """``"12,000.5"`` or ``"¥12000.50"`` → Decimal('12000.50'); AmountError otherwise."""
    cleaned = text.strip().replace(",", "").replace("，", "").lstrip("¥￥").removesuffix("元").strip()
    try:
        value = Decimal(cleaned)
    except InvalidOperation as exc:
        raise AmountError(f"not an amount: {text!r}") from exc
    if not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        raise AmountError(f"amount out of range: {text!r}")
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _group(n: int) -> str:
    """0–9999 in capitals, with the zeros inside it (leading zeros left to the caller)."""
    out, zero = "", False
    for i in range(3, -1, -1):
        d = n // (10 ** i) % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[d] + SMALL_UNITS[i]
    return out


def yuan_in_capitals(yuan: int) -> str:
    """Whole yuan in capitals, without 元: 10050 → 壹万零伍拾."""
    if yuan == 0:
        return "零"
    groups: list[int] = []
    while yuan:
        groups.append(yuan % 10000)
        yuan //= 10000
    out = ""
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        # A zero between two groups (壹万零伍拾): the lower group starts below its 仟,
        # or a whole group of zeros was skipped (壹亿零壹仟).
        if out and (g < 1000 or groups[i + 1] == 0):
            out += "零"
        out += _group(g) + BIG_UNITS[i]
    return out


def in_capitals(amount: Decimal | str | int) -> str:
    """The amount as written on paper: ``人民币壹万零伍拾元叁角整``."""
    value = parse_amount(str(amount)) if not isinstance(amount, Decimal) else parse_amount(format(amount, "f"))
    cents = int(value * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if cents == 0:
        return "人民币零元整"
    out = ""
    if yuan:
        out = yuan_in_capitals(yuan) + "元"
    if jiao:
        out += DIGITS[jiao] + "角"
    elif fen and yuan:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    else:
        out += "整"
    return "人民币" + out


def in_figures(amount: Decimal | str) -> str:
    """The amount in figures for the same line: ``¥10,050.30``."""
    value = amount if isinstance(amount, Decimal) else parse_amount(amount)
    return f"¥{value:,.2f}"
