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
            waiting = t.queue.estimate(service.code).waiting  # the figure the service screen shows too
            wait_text = app.tr("home.waiting", n=waiting) if waiting else app.tr("home.waiting_none")
            size = int(app.fs(34))
            action = f"service:{service.code}"
            # --- video consultation (issue 7): with a centre and a camera, the video tile
            # calls the duty lawyer now instead of issuing a ticket for a video booth.
            call_ui = getattr(app, "call_ui", None)
            if service.code == "video" and call_ui is not None and call_ui.available():
                action, wait_text = "call:open", app.tr("call.home_tile_sub")
            tile = ServiceTile(
                text=f"[b][size={size}]{service.name.get(app.lang)}[/size][/b]\n{wait_text}",
                markup=True,
                action=action,
                stripe=theme.STRIPES.get(service.prefix, theme.NAVY),
                prefix=service.prefix,
                bg=theme.SURFACE,
                fg=theme.TEXT,
                outline=theme.BORDER,
            )
            grid.add_widget(tile)
        # --- legal aid (issue 8): apply here, or follow an application (the catalogue's
        # legal-aid ticket stays, for those who would rather see staff) ---
        if t.flow.legal_aid is not None:
            size = int(app.fs(34))
            for key, action in (("legal_aid.home_apply", "la:open"), ("legal_aid.home_progress", "la:progress_open")):
                grid.add_widget(ServiceTile(
                    text=f"[b][size={size}]{app.tr(key)}[/size][/b]", markup=True, action=action,
                    spoken=app.tr(key), stripe=theme.STRIPES["B"], bg=theme.SURFACE, fg=theme.TEXT, outline=theme.BORDER,
                ))
        # --- appointments and ratings (issue 8): book, cancel or move; rate a served ticket ---
        size = int(app.fs(34))
        for key, action in (("appointment.home_tile", "appt:open"), ("rating.home_tile", "rate:ticket")):
            hint = app.tr(key.replace("home_tile", "home_hint"))
            grid.add_widget(ServiceTile(
                text=f"[b][size={size}]{app.tr(key)}[/size][/b]\n{hint}", markup=True, action=action,
                spoken=app.tr(key), stripe=theme.NAVY, bg=theme.SURFACE, fg=theme.TEXT, outline=theme.BORDER,
            ))

    def spoken_intro(self) -> str:
        """The question, and the greeting when a card was read."""
        greeting = f"{self.greeting}。" if self.greeting else ""
        return f"{greeting}{self.kiosk.tr('home.title')}。"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
