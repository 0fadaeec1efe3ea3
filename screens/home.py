"""The home screen, for a person who reads little: two kinds of tile kept apart —
"take a ticket for a window" (the catalogue's services) and "do it here" (what the
features offer at the terminal) — each with a pictogram and a plain line under the
office word. A tile that cannot work now is not a button: a note says why and what to
do instead (kiosk.availability), asked afresh each time the screen is shown."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import ColorProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout

from kiosk.availability import HomeTile, Unavailable
from screens import theme
from screens.base import KioskScreen
from screens.icons import icon_texture
from screens.service import resume_when
from screens.widgets import KButton, place_widgets


def tile_height(scale: float, elder: bool, portrait: bool = False) -> float:
    """The least height of a home tile; elder mode's tiles are never smaller. A portrait
    screen has height to spare: taller tiles, easier to hit."""
    factor = max(theme.ELDER_FACTOR if elder else 1.0, 1.6 if portrait else 1.0)
    return dp(118) * scale * factor


class ServiceTile(KButton):
    """A home tile: pictogram on the left, then the name, a plain line and the wait.
    Its height follows its text (never clipped); the grid evens out each row."""

    stripe = ColorProperty(theme.NAVY)  # the pictogram's badge
    tint = ColorProperty(theme.ON_NAVY)  # the pictogram itself
    prefix = StringProperty("")
    icon = ObjectProperty(None, allownone=True)
    badge = NumericProperty(0)  # the pictogram badge's side, in pixels
    text_size: Any  # Kivy's Label property (annotation only: Kivy ships no types)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # After KButton's rule (which boxes text into the button's height): the text
        # here wraps at the width and sets the height instead, so it is never cut.
        # (A label's text_size includes its padding: the pictogram's room on the left.)
        self.bind(size=self._wrap, text_size=self._wrap)
        self._wrap()

    def _wrap(self, *_args: Any) -> None:
        wanted = (max(1, self.width), None)
        if tuple(self.text_size) != wanted:
            self.text_size = wanted

    def needed_height(self) -> float:
        """The height that shows all of its text and the whole pictogram."""
        return max(self.texture_size[1], self.badge) + dp(20)


class TileHeading(BoxLayout):
    """A section's heading: its pictogram, what kind of tiles follow and what that means."""

    icon = StringProperty("")
    title = StringProperty("")
    hint = StringProperty("")
    tone = ColorProperty(theme.NAVY)


class TileNote(KButton):
    """What cannot be done here now, and what to do instead: a flat button the keypad's
    focus ring reaches (so it is scrolled to and said), wrapping its words at its width."""

    icon = ObjectProperty(None, allownone=True)
    badge = NumericProperty(0)  # the pictogram's side, in pixels
    text_size: Any  # Kivy's Label property (annotation only: Kivy ships no types)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # After KButton's rule (which boxes text into the button's height): the words
        # wrap at the width and set the height, never less than a touch target.
        self.bind(size=self._wrap, text_size=self._wrap, texture_size=self._fit)
        self._wrap()

    def _wrap(self, *_args: Any) -> None:
        wanted = (max(1, self.width), None)
        if tuple(self.text_size) != wanted:
            self.text_size = wanted

    def _fit(self, *_args: Any) -> None:
        app = App.get_running_app()
        self.height = max(self.texture_size[1] + dp(12), app.target(app.elder, app.scale) if app else dp(64))


class TileGrid(GridLayout):
    """A grid of tiles whose rows are all as tall as the tallest tile needs (at least
    ``min_tile``): no text is cut off, whatever the language or mode."""

    min_tile = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._even = Clock.create_trigger(self._even_out, -1)
        self.bind(min_tile=self._even)

    def add_tile(self, tile: ServiceTile) -> None:
        """Add ``tile`` and keep the rows even when its text changes size."""
        tile.bind(texture_size=self._even)
        self.add_widget(tile)
        self._even()

    def even_soon(self) -> None:
        """Even the rows out before the next frame (a tile came or went)."""
        self._even()

    def _even_out(self, *_args: Any) -> None:
        tiles = [t for t in self.children if isinstance(t, ServiceTile)]
        tallest = max([self.min_tile] + [t.needed_height() for t in tiles])
        for tile in tiles:
            tile.height = tallest


def place_tiles(grid: TileGrid, specs: list[dict[str, Any]]) -> None:
    """Make ``grid`` show one tile per entry of ``specs`` (a tile's properties), updated
    in place (see place_widgets), and even its rows out."""
    place_widgets(grid, ServiceTile, specs, add=grid.add_tile)
    grid.even_soon()


class HomeScreen(KioskScreen):
    """Choose a service: a ticket for a window, or something done here."""

    greeting = StringProperty("")

    def refresh(self) -> None:
        """Show the tiles: current waits, what can work now, in the current language.

        The tiles already on the screen are given their new words (a label whose text
        did not change keeps its texture); only a change in how many there are adds or
        takes away tiles. Building them afresh on every entry cost a dozen widgets, their
        kv rules and a new texture for every label at each return to this screen."""
        app = self.kiosk
        t = app.terminal
        visit = t.flow.visit
        self.greeting = app.tr("home.card_holder", name=visit.card.masked_name) if visit.card else ""
        window, here, notes = self.ids.tiles, self.ids.here_tiles, self.ids.notes
        self.not_now: list[str] = []  # what cannot be done here now, also said aloud
        window.cols = app.tile_columns()
        # The "here" tasks are shorter words: one row of four in landscape standard mode
        # (elder mode's tiles stay at least as wide as the standard ones).
        here.cols = window.cols + 1 if not (app.elder or app.portrait) else window.cols
        window.min_tile = here.min_tile = tile_height(app.scale, app.elder, app.portrait)
        window_tiles: list[dict[str, Any]] = []
        for service in t.catalog.window_services():
            est = t.queue.estimate(service.code)  # the figure the service screen shows too
            waiting = est.waiting
            wait_text = app.tr("home.waiting", n=waiting) if waiting else app.tr("home.waiting_none")
            if est.resumes is not None:  # closed now: when service resumes, never "无需等候"
                wait_text = app.tr("hours.tile", when=resume_when(app.tr, est.resumes, t.clock.now()), time=f"{est.resumes:%H:%M}")
            plain = service.plain.get(app.lang) if service.plain else ""
            window_tiles.append(self._tile(
                service.name.get(app.lang), plain, wait_text, service.icon, f"service:{service.code}",
                stripe=theme.STRIPES.get(service.prefix, theme.NAVY), bg=theme.SURFACE, fg=theme.TEXT, muted=theme.TEXT_MUTED,
                outline=theme.BORDER, prefix=service.prefix,
            ))
        here_tiles: list[dict[str, Any]] = []
        note_specs: list[dict[str, Any]] = []
        for tile in t.flow.features.tiles():
            self._offer(tile, here_tiles, note_specs)
        place_tiles(window, window_tiles)
        place_tiles(here, here_tiles)
        place_widgets(notes, TileNote, note_specs)

    def _offer(self, tile: HomeTile, tiles: list[dict[str, Any]], notes: list[dict[str, Any]]) -> None:
        app = self.kiosk
        answer = tile.availability()
        if isinstance(answer, Unavailable):
            if not answer.hidden:
                text = app.tr("home.tiles.not_now", what=app.tr(tile.title_key), why=app.tr(answer.reason_key))
                self.not_now.append(text)
                notes.append({"icon": icon_texture(tile.icon), "text": text, "spoken": text})
            return
        tiles.append(self._tile(
            app.tr(tile.title_key), app.tr(tile.hint_key), "", tile.icon, tile.action,
            stripe=theme.HERE_DARK, bg=theme.HERE, fg=theme.ON_NAVY, muted=theme.ON_NAVY, outline=theme.HERE,
            spoken=app.tr(tile.spoken_key) if tile.spoken_key else app.tr(tile.title_key),
        ))

    def _tile(self, name: str, plain: str, wait: str, icon: str, action: str, *, muted: theme.RGBA, spoken: str = "",
              prefix: str = "", **style: Any) -> dict[str, Any]:
        """What one tile shows and does (its properties, all of them: a reused tile
        keeps nothing of the tile it was before)."""
        app = self.kiosk
        lines = [f"[b][size={int(app.fs(30))}]{name}[/size][/b]"]
        muted_hex = "".join(f"{int(c * 255):02x}" for c in muted[:3])
        if plain:
            lines.append(f"[color={muted_hex}]{plain}[/color]")
        if wait:
            lines.append(f"[b]{wait}[/b]")
        return dict(text="\n".join(lines), markup=True, action=action, spoken=spoken or name, icon=icon_texture(icon),
                    tint=theme.ON_NAVY, prefix=prefix, **style)

    def say_notes(self) -> None:
        """Say aloud what cannot be done here now (a note was tapped)."""
        self.kiosk.speak("。".join(getattr(self, "not_now", [])))

    def spoken_intro(self) -> str:
        """The question, the greeting when a card was read, and what cannot be done
        here now (a person who cannot see the notes hears them)."""
        greeting = f"{self.greeting}。" if self.greeting else ""
        notes = "".join(f"{n}。" for n in getattr(self, "not_now", []))
        return f"{greeting}{self.kiosk.tr('home.title')}。{notes}"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
