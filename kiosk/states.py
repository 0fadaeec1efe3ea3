"""The core's own visit states: the skeleton every visit shares.

attract → home → service → (materials) → (card) → ticket → done → attract

Each feature brings its own states in its own enum (``LegalAidState``…); the value of
every state is also the name of the screen that shows it.
"""

from __future__ import annotations

import enum


class VisitState(enum.StrEnum):
    """Where the person is in the visit's skeleton; each state is one screen."""

    ATTRACT = "attract"
    HOME = "home"
    SERVICE = "service"
    MATERIALS = "materials"
    CARD = "card"  # waiting for the ID card a service (or a feature's step) needs
    TICKET = "ticket"
    DONE = "done"
