"""Whether a home tile can work now on this terminal, and the tiles features offer.

A feature offers its home tile(s) (``Feature.tiles``, kiosk/feature.py), each with an
``availability`` callable the home screen asks every time it is shown; each feature
keeps its own rule (legal aid: the centre's key; the video call: a camera and a lawyer).
A tile that cannot work is not offered as a button: the home screen says instead why not
and what to do (``Unavailable.reason_key``, a translation key), before anyone taps in vain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Literal

# Where a tile is done: "window" — take a ticket and be served at a staffed window;
# "here" — done at the terminal itself. The home screen shows the two kinds apart.
TileKind = Literal["window", "here"]


@dataclass(frozen=True)
class Available:
    """The tile works now."""

    def __bool__(self) -> bool:
        return True


@dataclass(frozen=True)
class Unavailable:
    """The tile cannot work now; ``reason_key`` says why and what to do instead.
    ``hidden`` is for what this terminal never offers (switched off in its
    configuration): nothing to explain to a visitor then."""

    reason_key: str
    hidden: bool = False

    def __bool__(self) -> bool:
        return False


Availability = Available | Unavailable
AVAILABLE = Available()


def always() -> Availability:
    """For tiles that need nothing beyond the terminal itself."""
    return AVAILABLE


@dataclass(frozen=True)
class HomeTile:
    """One tile a feature offers on the home screen.

    ``title_key``/``hint_key`` are translation keys; ``icon`` names a pictogram
    (screens/icons/<icon>.png); ``action`` is what pressing it does (KioskApp.act);
    ``order`` places it among the tiles of its kind; ``spoken_key``, when set, is the
    name it is read out and called by in voice mode (the short name people say)."""

    title_key: str
    hint_key: str
    icon: str
    action: str
    kind: TileKind = "here"
    order: int = 50
    spoken_key: str = ""
    availability: Callable[[], Availability] = field(default=always, compare=False)


__all__ = ["AVAILABLE", "Availability", "Available", "HomeTile", "TileKind", "Unavailable", "always"]
