"""The home screen: one large tile per service, with how many people wait."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import ColorProperty, StringProperty

from screens import theme
from screens.base import KioskScreen
from screens.widgets import KButton


class ServiceTile(KButton):
    """A service tile: name, ticket prefix and the current wait."""

    stripe = ColorProperty(theme.NAVY)
    prefix = StringProperty("")


class HomeScreen(KioskScreen):
    """Choose a service."""

    greeting = StringProperty("")

    def refresh(self) -> None:
        """Rebuild the tiles with current waits, in the current language."""
        app = self.kiosk
        t = app.terminal
        visit = t.flow.visit
        self.greeting = app.tr("home.card_holder", name=visit.card.masked_name) if visit.card else ""
        grid = self.ids.tiles
        grid.clear_widgets()
        grid.cols = app.tile_columns()
        for service in t.catalog.services:
            waiting = len(t.queue.waiting([service.code]))
            wait_text = app.tr("home.waiting", n=waiting) if waiting else app.tr("home.waiting_none")
            size = int(app.fs(34))
            tile = ServiceTile(
                text=f"[b][size={size}]{service.name.get(app.lang)}[/size][/b]\n{wait_text}",
                markup=True,
                action=f"service:{service.code}",
                stripe=theme.STRIPES.get(service.prefix, theme.NAVY),
                prefix=service.prefix,
                bg=theme.SURFACE,
                fg=theme.TEXT,
                outline=theme.BORDER,
            )
            grid.add_widget(tile)

    def spoken_intro(self) -> str:
        """The question, and the greeting when a card was read."""
        greeting = f"{self.greeting}。" if self.greeting else ""
        return f"{greeting}{self.kiosk.tr('home.title')}。"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
