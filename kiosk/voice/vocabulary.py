"""The voice vocabulary (``kiosk/data/intents.toml``): what people say and what it means.

Data, not code, so a site can add its local way of saying things without a release.
"""

from __future__ import annotations

import enum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kiosk.datafile import parse_toml, read_text
from kiosk.errors import CatalogError


class IntentName(str, enum.Enum):
    """What a person can ask the kiosk for by voice."""

    SERVICE = "service"
    TAKE_TICKET = "take_ticket"
    MATERIALS = "materials"
    CALL_LAWYER = "call_lawyer"
    BACK = "back"
    HOME = "home"
    HELP = "help"
    REPEAT = "repeat"
    YES = "yes"
    NO = "no"
    ELDER_MODE = "elder_mode"
    FINISH = "finish"
    APPOINTMENT = "appointment"
    NONE = "none"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _nonempty_words(words: tuple[str, ...]) -> tuple[str, ...]:
    for w in words:
        if not w.strip():
            raise ValueError("empty phrase")
    return words


class IntentWords(_Strict):
    """The ways of asking for one intent."""

    name: IntentName
    phrases: tuple[str, ...] = Field(min_length=1)
    whole: tuple[str, ...] = ()

    _check = field_validator("phrases", "whole")(lambda cls, v: _nonempty_words(v))

    @field_validator("name")
    @classmethod
    def _not_service(cls, name: IntentName) -> IntentName:
        if name in (IntentName.SERVICE, IntentName.NONE):
            raise ValueError(f"{name.value!r} is not listed under [[intents]]: services go under [[services]]")
        return name


class ServiceWords(_Strict):
    """The ways of naming one service of the catalogue, and the matters it covers."""

    code: str = Field(pattern=r"^[a-z_]+$")
    phrases: tuple[str, ...] = Field(min_length=1)
    topics: tuple[str, ...] = ()

    _check = field_validator("phrases", "topics")(lambda cls, v: _nonempty_words(v))


class Screens(_Strict):
    """Which intents each screen offers; ``global_`` ones work on every screen."""

    global_: tuple[IntentName, ...] = Field(alias="global")
    offers: dict[str, tuple[IntentName, ...]]


class Vocabulary(_Strict):
    """The whole voice vocabulary."""

    version: int = Field(ge=1)
    min_confidence: float = Field(gt=0, lt=1)
    fillers: tuple[str, ...] = ()
    negators: tuple[str, ...] = ()
    intents: tuple[IntentWords, ...] = Field(min_length=1)
    services: tuple[ServiceWords, ...] = Field(min_length=1)
    screens: Screens

    @model_validator(mode="after")
    def _unique(self) -> "Vocabulary":
        names = [i.name for i in self.intents]
        if len(set(names)) != len(names):
            raise ValueError("an intent is listed twice")
        codes = [s.code for s in self.services]
        if len(set(codes)) != len(codes):
            raise ValueError("a service is listed twice")
        return self

    def intent_words(self, name: IntentName) -> IntentWords | None:
        """The words of one intent, if it has any."""
        for words in self.intents:
            if words.name is name:
                return words
        return None

    def screen_names(self) -> list[str]:
        """Every screen named under [screens.offers]."""
        return sorted(self.screens.offers)


def parse_vocabulary(text: str, source: str = "<intents>") -> Vocabulary:
    """Parse and validate a vocabulary from TOML text."""
    return parse_toml(text, source, Vocabulary, "voice vocabulary", CatalogError)


def load_vocabulary(path: Path | None = None) -> Vocabulary:
    """Load the vocabulary from ``path``, or the one shipped with the product."""
    text, source = read_text(path, "intents.toml", CatalogError)
    return parse_vocabulary(text, source)
