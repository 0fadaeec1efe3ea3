"""自助查询 by life topic (``data/topics.toml``): each topic with its key articles."""

from __future__ import annotations

import functools
from importlib import resources

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kiosk.datafile import parse_toml
from kiosk.errors import CatalogError
from kiosk.lookup.guides import Cite
from kiosk.lookup.library import LibraryError


class Topic(BaseModel):
    """One life topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    summary: str
    refs: tuple[Cite, ...] = Field(min_length=1)

    @field_validator("refs", mode="before")
    @classmethod
    def _refs(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return tuple(Cite.parse(v) if isinstance(v, str) else v for v in value)
        return value


class Topics(BaseModel):
    """All topics, names unique."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    topics: tuple[Topic, ...] = Field(min_length=1)

    @field_validator("topics")
    @classmethod
    def _unique(cls, topics: tuple[Topic, ...]) -> tuple[Topic, ...]:
        names = [t.name for t in topics]
        if len(set(names)) != len(names):
            raise ValueError("topic names must be unique")
        return topics

    def get(self, name: str) -> Topic:
        """A topic by name; ``LibraryError`` listing the names when none fits."""
        for t in self.topics:
            if t.name == name:
                return t
        raise LibraryError(f"no topic {name!r}; topics: {', '.join(t.name for t in self.topics)}", message_key="lookup.no_text")


@functools.cache
def load_topics() -> Topics:
    """The shipped topics."""
    text = resources.files("kiosk.lookup.data").joinpath("topics.toml").read_text(encoding="utf-8")
    return parse_toml(text, "kiosk/lookup/data/topics.toml", Topics, "topics", CatalogError)
