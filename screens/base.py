"""The base of every screen: a name, and ``refresh`` to rebuild what depends on data."""

from __future__ import annotations

from kivy.app import App
from kivy.uix.screenmanager import Screen


class KioskScreen(Screen):
    """A screen of the kiosk. ``refresh`` runs each time it is shown and whenever the
    language, elder mode or the data it shows change."""

    def refresh(self) -> None:
        """Rebuild data-dependent widgets (default: nothing)."""

    @property
    def kiosk(self):  # type: ignore[no-untyped-def]
        """The running KioskApp."""
        return App.get_running_app()
