"""Validation of the numbers printed on Chinese identity cards (pure standard library).

Covers the four card types a SAM reader returns:

- resident ID (居民身份证), GB 11643-1999: 6-digit region, 8-digit birth date, 3-digit
  sequence (odd = male), ISO 7064 MOD 11-2 check character;
- HK/Macao/Taiwan residence permit (港澳台居民居住证): the same layout with region
  ``810000`` (Hong Kong), ``820000`` (Macao) or ``830000`` (Taiwan);
- 2023 foreigner permanent-residence card: ``9`` + 2-digit issuing province + 3-digit
  ISO 3166 numeric nationality + birth date + 2-digit sequence + gender digit + MOD 11-2;
- 2017 foreigner permanent-residence card: 3-letter nationality + 4-digit issuing region
  + ``YYMMDD`` birth date + sequence digit + MRZ-style (7-3-1, mod 10) check digit.

Why not a library: python-stdnum 2.2 (``stdnum.cn.ric``) rejects 81/82/83 numbers
(its region table lacks them) and knows neither foreigner format; id-validator 1.0.20
accepts 81/82/83 but rejects the 2023 foreigner number and has no 2017 format. Both
were checked with the numbers in ``tests/test_idnumber.py``.

The number is sensitive personal information: nothing here logs or keeps it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from kiosk.identity import Gender

# Weights of GB 11643 / ISO 7064 MOD 11-2: 2^(17-i) mod 11.
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"

# First two digits of a region code (GB/T 2260 provinces) plus 71 Taiwan, 81 HK, 82 Macao
# (71 appears on some historical records; 83 is used only by residence permits).
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
)
_PERMIT_REGIONS = {"810000", "820000", "830000"}

_RE_18 = re.compile(r"^\d{17}[\dX]$")
_RE_FOREIGN_2023 = re.compile(r"^9\d{16}[\dX]$")
_RE_FOREIGN_2017 = re.compile(r"^[A-Z]{3}\d{12}$")


class NumberKind(str, enum.Enum):
    """Which numbering scheme a number follows."""

    RESIDENT = "resident"
    HK_MO_TW = "hk_mo_tw"
    FOREIGN_2017 = "foreign_2017"
    FOREIGN_2023 = "foreign_2023"


class Problem(str, enum.Enum):
    """Why a number is not valid (technician-facing; never includes the number)."""

    FORMAT = "format"
    REGION = "region"
    BIRTH_DATE = "birth_date"
    CHECKSUM = "checksum"
    BIRTH_MISMATCH = "birth_mismatch"
    GENDER_MISMATCH = "gender_mismatch"


@dataclass(frozen=True)
class NumberCheck:
    """The result of validating one number: its kind (when recognisable), the birth date
    and gender it encodes, and the problems found (empty = valid)."""

    kind: NumberKind | None
    birth_date: date | None = None
    gender: Gender | None = None
    problems: tuple[Problem, ...] = ()

    @property
    def valid(self) -> bool:
        """True when no problem was found."""
        return not self.problems


def mod11_2_check_char(first17: str) -> str:
    """The GB 11643 / ISO 7064 MOD 11-2 check character of 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("expected 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def mrz_check_digit(chars: str) -> str:
    """The ICAO 9303 (passport MRZ) check digit: weights 7-3-1, A=10 … Z=35, mod 10."""
    total = 0
    for i, c in enumerate(chars):
        if c.isdigit():
            value = int(c)
        elif "A" <= c <= "Z":
            value = ord(c) - ord("A") + 10
        elif c == "<":
            value = 0
        else:
            raise ValueError("invalid character for an MRZ check digit")
        total += value * (7, 3, 1)[i % 3]
    return str(total % 10)


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _gender_of_digit(digit: str) -> Gender:
    return Gender.MALE if int(digit) % 2 == 1 else Gender.FEMALE


def kind_of(number: str) -> NumberKind | None:
    """Recognise the numbering scheme from the shape alone (no checksum)."""
    number = number.strip().upper()
    if _RE_FOREIGN_2017.match(number):
        return NumberKind.FOREIGN_2017
    if _RE_FOREIGN_2023.match(number):
        return NumberKind.FOREIGN_2023
    if _RE_18.match(number):
        return NumberKind.HK_MO_TW if number[:2] in ("81", "82", "83") else NumberKind.RESIDENT
    return None


def check_number(
    number: str,
    *,
    birth_date: date | None = None,
    gender: Gender | None = None,
    today: date | None = None,
) -> NumberCheck:
    """Validate ``number``; when ``birth_date``/``gender`` (from the card) are given,
    cross-check them against what the number encodes.

    ``today`` bounds the birth date (a number cannot be born in the future); it defaults
    to the system date. Gender is not cross-checked for 2017 foreigner numbers: which
    digit carries it is not verified.
    """
    number = number.strip().upper()
    kind = kind_of(number)
    if kind is None:
        return NumberCheck(kind=None, problems=(Problem.FORMAT,))
    today = today or date.today()
    problems: list[Problem] = []
    encoded_gender: Gender | None
    if kind is NumberKind.FOREIGN_2017:
        yy, mm, dd = int(number[7:9]), int(number[9:11]), int(number[11:13])
        # Two-digit year: the latest century that does not put the birth in the future.
        encoded = _date_or_none(2000 + yy, mm, dd)
        if encoded is None or encoded > today:
            encoded = _date_or_none(1900 + yy, mm, dd)
        encoded_gender = None
        if number[3:5] == "00" or int(number[3:5]) not in _PROVINCES:
            problems.append(Problem.REGION)
        if mrz_check_digit(number[:14]) != number[14]:
            problems.append(Problem.CHECKSUM)
    else:
        if kind is NumberKind.FOREIGN_2023:
            region_ok = int(number[1:3]) in _PROVINCES
            birth_digits = number[6:14]
        elif kind is NumberKind.HK_MO_TW:
            region_ok = number[:6] in _PERMIT_REGIONS
            birth_digits = number[6:14]
        else:
            region_ok = int(number[:2]) in _PROVINCES
            birth_digits = number[6:14]
        if not region_ok:
            problems.append(Problem.REGION)
        encoded = _date_or_none(int(birth_digits[:4]), int(birth_digits[4:6]), int(birth_digits[6:8]))
        encoded_gender = _gender_of_digit(number[16])
        if mod11_2_check_char(number[:17]) != number[17]:
            problems.append(Problem.CHECKSUM)
    if encoded is None or encoded > today or encoded.year < 1880:
        problems.append(Problem.BIRTH_DATE)
        encoded = None
    if birth_date is not None and encoded is not None and encoded != birth_date:
        problems.append(Problem.BIRTH_MISMATCH)
    if (
        gender is not None
        and gender is not Gender.UNKNOWN
        and encoded_gender is not None
        and gender is not encoded_gender
    ):
        problems.append(Problem.GENDER_MISMATCH)
    return NumberCheck(kind=kind, birth_date=encoded, gender=encoded_gender, problems=tuple(problems))


def is_valid_number(
    number: str,
    *,
    birth_date: date | None = None,
    gender: Gender | None = None,
    today: date | None = None,
) -> bool:
    """Shorthand for ``check_number(...).valid``."""
    return check_number(number, birth_date=birth_date, gender=gender, today=today).valid
