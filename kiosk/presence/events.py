"""Presence events, posted by the watcher's thread and answered on the UI thread."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.events import Event


@dataclass(frozen=True)
class PersonApproached(Event):
    """Someone came into view, facing the terminal (``person``: a number for as long as
    they stay; never who they are)."""

    person: int


@dataclass(frozen=True)
class PersonEngaged(Event):
    """Someone has faced the screen from close by for about 1.5 s: not a passer-by."""

    person: int


@dataclass(frozen=True)
class PersonLeft(Event):
    """Someone who had approached is no longer in view."""

    person: int
