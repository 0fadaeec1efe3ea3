"""Identity documents read from a card: the record, masking, and age.

The record is personal information (PIPL); the ID number is sensitive. It lives in
memory for one visit only and is shown, printed and logged only in masked form.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class CardType(str, enum.Enum):
    """The four card types a SAM reader returns (flag at text offset 248)."""

    RESIDENT = "resident"  # 居民身份证
    HK_MO_TW = "hk_mo_tw"  # 港澳台居民居住证
    FOREIGN_2017 = "foreign_2017"  # 外国人永久居留身份证 (2017)
    FOREIGN_2023 = "foreign_2023"  # 外国人永久居留身份证 (2023)


class Gender(str, enum.Enum):
    """GB/T 2261.1 gender, as the card encodes it."""

    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


def mask_name(name: str) -> str:
    """Keep the first character (the family name, for Chinese names): ``张三丰`` → ``张**``.

    Latin names keep their first letter of each word: ``JOHN SMITH`` → ``J*** S****``.
    """
    name = name.strip()
    if not name:
        return ""
    if name.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())
    return name[0] + "*" * max(1, len(name) - 1)


def mask_id_number(number: str) -> str:
    """Keep the first 4 and last 4 characters: ``420102199001011234`` → ``4201**********1234``."""
    number = number.strip()
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_address(address: str) -> str:
    """Keep the first 6 characters (province, city), hide the rest."""
    address = address.strip()
    return address[:6] + "*" * max(0, min(len(address) - 6, 10))


def age_on(birth: date, today: date) -> int:
    """Whole years between ``birth`` and ``today``."""
    years = today.year - birth.year
    if (today.month, today.day) < (birth.month, birth.day):
        years -= 1
    return years


@dataclass(frozen=True, repr=False)
class IdentityCard:
    """What a card holds (the photo never enters this record).

    ``repr`` is masked so that a record accidentally logged or printed in a traceback
    does not leak the holder's data.
    """

    card_type: CardType
    name: str
    gender: Gender
    birth_date: date
    id_number: str
    address: str = ""
    nation: str | None = None
    name_en: str | None = None
    authority: str = ""
    valid_from: date | None = None
    valid_to: date | None = None  # None = 长期 (no expiry)
    extra: tuple[tuple[str, str], ...] = ()

    def age(self, today: date) -> int:
        """The holder's age in whole years on ``today``."""
        return age_on(self.birth_date, today)

    def is_expired(self, today: date) -> bool:
        """True when the card's validity ended before ``today``."""
        return self.valid_to is not None and self.valid_to < today

    @property
    def masked_name(self) -> str:
        """The name as it may appear on screen and paper."""
        return mask_name(self.name or (self.name_en or ""))

    @property
    def masked_id_number(self) -> str:
        """The ID number as it may appear on screen, paper and logs."""
        return mask_id_number(self.id_number)

    def __repr__(self) -> str:
        return (
            f"IdentityCard(card_type={self.card_type.value}, name={self.masked_name!r}, "
            f"id_number={self.masked_id_number!r})"
        )
