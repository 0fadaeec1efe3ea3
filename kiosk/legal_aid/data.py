"""The legal-aid data file (``kiosk/data/legal_aid.toml``): matters, groups, materials.

Validated data, never code, so a legal aid centre can change what is within legal aid
or what to bring without a release.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kiosk.catalog import LocalText
from kiosk.datafile import parse_toml, read_text
from kiosk.errors import CatalogError
from kiosk.identity import age_on


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Matter(_Model):
    """A kind of matter a person may apply for (讨薪, 工伤…)."""

    code: str = Field(pattern=r"^[a-z_]+$")
    within: bool  # within legal aid at all
    hardship: bool = True  # financial hardship is a condition (self-declared)
    name: LocalText
    hint: LocalText
    outside_reason: LocalText | None = None
    materials: tuple[LocalText, ...] = ()

    @model_validator(mode="after")
    def _reason(self) -> "Matter":
        if not self.within and self.outside_reason is None:
            raise ValueError(f"matter {self.code}: outside legal aid needs an outside_reason")
        return self


class Group(_Model):
    """A group the law treats specially; read from the card (age) or asked."""

    code: str = Field(pattern=r"^[a-z_]+$")
    name: LocalText
    age_min: int | None = Field(default=None, ge=0, le=150)
    age_max: int | None = Field(default=None, ge=0, le=150)
    exempt_hardship: bool = False
    exempt_for: tuple[str, ...] = ()  # empty: every matter
    priority: str | None = Field(default=None, pattern=r"^(elderly|disabled|military)$")

    @property
    def from_card(self) -> bool:
        """True when the ID card decides membership (by age), not the person."""
        return self.age_min is not None or self.age_max is not None

    def by_age(self, age: int) -> bool:
        """Membership by age (only for groups read from the card)."""
        lo = self.age_min if self.age_min is not None else 0
        hi = self.age_max if self.age_max is not None else 200
        return lo <= age <= hi

    def waives_hardship(self, matter: str) -> bool:
        """True when the hardship review is waived for this group on ``matter``."""
        return self.exempt_hardship and (not self.exempt_for or matter in self.exempt_for)


class LegalAidData(_Model):
    """The whole data file."""

    version: int = Field(ge=1)
    matters: tuple[Matter, ...] = Field(min_length=1)
    groups: tuple[Group, ...] = Field(min_length=1)
    common_materials: tuple[LocalText, ...] = ()

    @field_validator("matters", "groups")
    @classmethod
    def _unique(cls, items: tuple[Matter | Group, ...]) -> tuple[Matter | Group, ...]:
        codes = [i.code for i in items]
        if len(set(codes)) != len(codes):
            raise ValueError(f"codes repeat: {sorted(codes)}")
        return items

    @model_validator(mode="after")
    def _exempt_for_known(self) -> "LegalAidData":
        known = {m.code for m in self.matters}
        for g in self.groups:
            unknown = set(g.exempt_for) - known
            if unknown:
                raise ValueError(f"group {g.code}: exempt_for names unknown matters {sorted(unknown)}")
        return self

    def matter(self, code: str) -> Matter:
        """The matter ``code``; CatalogError if unknown."""
        for m in self.matters:
            if m.code == code:
                return m
        raise CatalogError(f"unknown legal-aid matter {code!r}", message_key="error.generic")

    def group(self, code: str) -> Group:
        """The group ``code``; CatalogError if unknown."""
        for g in self.groups:
            if g.code == code:
                return g
        raise CatalogError(f"unknown legal-aid group {code!r}", message_key="error.generic")

    def card_groups(self, birth: date, today: date) -> list[str]:
        """The groups the ID card puts the holder in (by age)."""
        age = age_on(birth, today)
        return [g.code for g in self.groups if g.from_card and g.by_age(age)]

    def asked_groups(self) -> list[Group]:
        """The groups the person is asked about (not read from the card)."""
        return [g for g in self.groups if not g.from_card]

    def materials(self, matter: str, language: str) -> list[str]:
        """What to bring for ``matter``: the matter's own list, then the common items."""
        return [t.get(language) for t in self.matter(matter).materials + self.common_materials]


def parse_legal_aid(text: str, source: str = "<legal_aid>") -> LegalAidData:
    """Parse and validate the data file from TOML text."""
    return parse_toml(text, source, LegalAidData, "legal-aid data", CatalogError)


def load_legal_aid(path: Path | None = None) -> LegalAidData:
    """The data file at ``path``, or the one shipped with the product."""
    text, source = read_text(path, "legal_aid.toml", CatalogError)
    return parse_legal_aid(text, source)
