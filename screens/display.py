"""The calling display: a TV in the waiting room showing who is served at which window,
who is next, and the latest call — legible from five metres.

The widgets only show a ``DisplaySnapshot`` (kiosk.announce); reading the queue and
announcing happen on a worker in ``screens.display_app``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.stencilview import StencilView

from kiosk.announce import CallAnnounced, DisplaySnapshot
from screens import theme

# The notice moves this many pixels a second (at scale 1): readable, not restless.
_MARQUEE_SPEED = 90.0
_MARQUEE_FPS = 30.0
# How long the latest call stands out (highlighted card) after it was made.
HIGHLIGHT_S = 12.0


class DisplayTexts(Protocol):
    """Where the display's words come from (its app: ``screens.display_app.DisplayApp``)."""

    def tr(self, key: str, *_deps: object, **values: object) -> str:
        """A UI text in the display's language."""
        ...

    def service_name(self, code: str) -> str:
        """A service's name in the display's language."""
        ...


class WindowCard(BoxLayout):
    """One window: its name and the number it serves (or a dash)."""

    window = NumericProperty(0)
    number = StringProperty("")
    service = StringProperty("")
    highlight = BooleanProperty(False)
    ink = ColorProperty(theme.ON_NAVY)  # the text colour on the card's current background


class NextNumber(Label):
    """One of the next numbers; ``priority`` marks a priority ticket."""

    priority = BooleanProperty(False)


class Marquee(StencilView):
    """A line of text that scrolls right to left, for the site's notice."""

    text = StringProperty("")
    offset = NumericProperty(0.0)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._event = Clock.schedule_interval(self._step, 1 / _MARQUEE_FPS)

    def _step(self, dt: float) -> None:
        label = self.ids.get("line")
        if label is None or not self.text:
            return
        self.offset -= _MARQUEE_SPEED * dt * max(1.0, self.height / 60)
        if self.offset < -label.texture_size[0]:
            self.offset = self.width


class CallingDisplay(BoxLayout):
    """The display's root: header, window cards, the next numbers, the latest call, notice."""

    site = StringProperty("")
    banner = StringProperty("")  # the latest call, as text
    notice = StringProperty("")
    waiting_text = StringProperty("")
    clock_text = StringProperty("")
    upcoming = ListProperty([])
    portrait = BooleanProperty(False)  # a TV hung upright: windows above, the next below

    def on_size(self, _widget: object, size: list[float]) -> None:
        """Follow the screen's orientation."""
        self.portrait = size[1] > size[0]
        grid = self.ids.get("windows")
        if grid is not None:
            grid.cols = self._cols(len(grid.children))

    def _cols(self, windows: int) -> int:
        # Landscape: one column up to three windows; portrait: one up to four.
        return 1 if windows <= (4 if self.portrait else 3) else 2

    def show(self, snap: DisplaySnapshot, app: DisplayTexts) -> None:
        """Show ``snap`` (UI thread)."""
        tr = app.tr
        grid = self.ids.windows
        cards = {c.window: c for c in grid.children if isinstance(c, WindowCard)}
        wanted = [w.window for w in snap.windows]
        if sorted(cards) != sorted(wanted):
            grid.clear_widgets()
            grid.cols = self._cols(len(wanted))
            cards = {}
            for window in wanted:
                cards[window] = WindowCard(window=window)
                grid.add_widget(cards[window])
        for shown in snap.windows:
            card = cards[shown.window]
            card.number = shown.number or ""
            card.service = app.service_name(shown.service) if shown.service else tr("display.idle")
        box = self.ids.next_box
        box.clear_widgets()
        for number in snap.upcoming:
            box.add_widget(NextNumber(text=number, priority=number in snap.priority_upcoming))
        if not snap.upcoming:
            box.add_widget(NextNumber(text=tr("display.nobody_next"), font_size=self.height * 0.04))
        self.waiting_text = tr("display.waiting_count", n=snap.waiting_count)

    def called(self, call: CallAnnounced, app: DisplayTexts) -> None:
        """Make ``call`` stand out: the banner, and its window's card for a while."""
        self.banner = app.tr("display.call_banner", number=call.number, window=call.window)
        for card in self.ids.windows.children:
            if isinstance(card, WindowCard):
                card.highlight = card.window == call.window
        Clock.schedule_once(lambda _dt: self._unhighlight(call.window), HIGHLIGHT_S)

    def _unhighlight(self, window: int) -> None:
        for card in self.ids.windows.children:
            if isinstance(card, WindowCard) and card.window == window:
                card.highlight = False


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
