"""The base of every screen: a name, and ``refresh`` to rebuild what depends on data."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from kivy.app import App
from kivy.properties import ColorProperty
from kivy.uix.screenmanager import Screen

from screens import theme

if TYPE_CHECKING:
    from screens.app import KioskApp


class KioskScreen(Screen):
    """A screen of the kiosk. ``refresh`` runs each time it is shown and whenever the
    language, elder mode or the data it shows change. ``surface`` is its background."""

    surface = ColorProperty(theme.BACKGROUND)
    primary_action: str | None = None  # what "yes" does on this screen, if anything

    def refresh(self) -> None:
        """Rebuild data-dependent widgets (default: nothing)."""

    def spoken_intro(self) -> str:
        """What this screen is, said first in voice mode (its offers follow)."""
        return ""

    @property
    def kiosk(self) -> "KioskApp":
        """The running KioskApp."""
        return cast("KioskApp", App.get_running_app())
