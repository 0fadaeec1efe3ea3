"""The service catalogue: which services a terminal offers and what to bring for each.

A validated data file (``kiosk/data/catalog.toml``), never code, so a site or the
centre can change materials lists without a release.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kiosk.datafile import parse_toml, read_text
from kiosk.errors import CatalogError

LANGUAGES = ("zh_CN", "en")


class LocalText(BaseModel):
    """A text in every language the terminal speaks (zh_CN first)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zh_CN: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, language: str) -> str:
        """The text in ``language``, falling back to Chinese."""
        return self.en if language == "en" else self.zh_CN


class Material(BaseModel):
    """One item of the materials list (一次性告知)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: LocalText
    required: bool = True  # False: "if you have it" (如有)
    id_card: bool = False  # this item is the person's own ID card (what the screens say about the card)


class Service(BaseModel):
    """One service a person can take a ticket for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[a-z_]+$")
    prefix: str = Field(pattern=r"^[A-Z]$")
    name: LocalText
    summary: LocalText
    needs_id_card: bool
    avg_service_minutes: int = Field(ge=1, le=240)
    materials: tuple[Material, ...] = Field(min_length=1)
    # The home tile: a plain line under the office word (for people who read little),
    # and its pictogram (screens/icons/<icon>.png).
    plain: LocalText | None = None
    icon: str = Field(default="ticket", pattern=r"^[a-z_]+$")
    # "window": a ticket tile among the window services; "feature": a feature offers
    # this service's tile itself (the video call), the window list leaves it out.
    tile: Literal["window", "feature"] = "window"

    @property
    def brings_id_card(self) -> bool:
        """True when the materials list asks for the ID card at the window (required)."""
        return any(m.id_card and m.required for m in self.materials)

    @model_validator(mode="after")
    def _card_agrees(self) -> "Service":
        # The screens say "the card is needed" from needs_id_card and list the materials
        # from here: a service that reads the card must also list it, or they contradict.
        if self.needs_id_card and not self.brings_id_card:
            raise ValueError(f"service {self.code}: needs_id_card but no required material has id_card = true")
        return self


class Catalog(BaseModel):
    """All services, in the order the home screen shows them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = Field(ge=1)
    services: tuple[Service, ...] = Field(min_length=1)

    @field_validator("services")
    @classmethod
    def _unique(cls, services: tuple[Service, ...]) -> tuple[Service, ...]:
        codes = [s.code for s in services]
        prefixes = [s.prefix for s in services]
        if len(set(codes)) != len(codes):
            raise ValueError(f"service codes repeat: {sorted(codes)}")
        if len(set(prefixes)) != len(prefixes):
            raise ValueError(f"ticket prefixes repeat: {sorted(prefixes)}")
        return services

    def get(self, code: str) -> Service:
        """The service with ``code``; raises CatalogError for an unknown code."""
        for service in self.services:
            if service.code == code:
                return service
        known = ", ".join(s.code for s in self.services)
        raise CatalogError(f"unknown service {code!r} (known: {known})", message_key="error.unknown_service")

    def window_services(self) -> list[Service]:
        """The services the home screen offers as tickets for a window, in order."""
        return [s for s in self.services if s.tile == "window"]

    def codes(self) -> list[str]:
        """Every service code, in display order."""
        return [s.code for s in self.services]


def parse_catalog(text: str, source: str = "<catalog>") -> Catalog:
    """Parse and validate a catalogue from TOML text."""
    return parse_toml(text, source, Catalog, "catalogue", CatalogError)


def load_catalog(path: Path | None = None) -> Catalog:
    """Load the catalogue from ``path``, or the one shipped with the product."""
    text, source = read_text(path, "catalog.toml", CatalogError)
    return parse_catalog(text, source)
