"""Widgets shared by every screen: buttons, labels, bars."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable, TypeVar

from kivy.app import App
from kivy.lang import Builder
from kivy.uix.widget import Widget
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ColorProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from screens import theme


class SurfaceBox(BoxLayout):
    """A box that paints its own background; ``surface`` is that colour, which the
    accessibility audit checks the text on it against."""

    surface = ColorProperty(theme.SURFACE)


class SurfaceLabel(Label):
    """A label on its own coloured patch (a tag)."""

    surface = ColorProperty(theme.TEXT_MUTED)


class NoticeLine(Label):
    """The message line of a screen (a card read, a printer fault, what was heard).

    It is a fixed-height strip in every screen's layout, between the header and the
    content, there whether or not a message shows: a message never covers a button and
    the buttons never move when one appears. ``is_notice`` marks it for the layout audit.
    The text is the app's ``banner``; a long one is set smaller until it fits.
    """

    is_notice = True
    surface = ColorProperty(theme.NAVY_DARK)  # what the audit checks its text against

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        # Every screen has a message line, but one is seen: the banner goes to the line
        # in the window now, and to another's when its screen is shown (show_banner).
        # Bound to all of them, a message rendered and fitted the same text on every
        # screen that has a line (most of a second of CPU offscreen, for each message).
        app = App.get_running_app()
        if app is not None and hasattr(app, "banner"):
            app.bind(banner=self._on_banner)

    def _on_banner(self, _app: object, text: str) -> None:
        if self.get_root_window() is not None:
            self.text = text

    def show_banner(self, text: str) -> None:
        """Show ``text`` (the app's banner) now that this line's screen is shown."""
        self.text = text

    def fit(self, *_args: object) -> None:
        """Shrink the type of a message too long for the line (never below 60 %)."""
        if not self.text or self.height <= 0:
            return
        # Set here, not by a kv rule: the rule may run after this on a resize.
        self.text_size = (max(1.0, self.width - dp(32)), None)
        self.font_size = self.base_size
        self.texture_update()
        while self.texture_size[1] > self.height - 4 and self.font_size > self.base_size * 0.6:
            self.font_size = self.font_size * 0.9
            self.texture_update()

    base_size = NumericProperty(24.0)


class KButton(ButtonBehavior, Label):
    """A large touch target with a label. ``action`` is what ``KioskApp.act`` does
    when it is pressed (also what tests, the keypad and voice name it by)."""

    action = StringProperty("")
    bg = ColorProperty(theme.NAVY)
    fg = ColorProperty(theme.ON_NAVY)
    outline = ColorProperty((0, 0, 0, 0))
    selected = BooleanProperty(False)
    focused = BooleanProperty(False)  # the keypad's focus ring is on it
    spoken = StringProperty("")  # what is said for it, when the label alone would not do

    def spoken_label(self) -> str:
        """What a screen reader says for this button: ``spoken``, else its text."""
        return self.spoken or plain_text(self.text)


_MARKUP = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")


def strip_markup(text: str) -> str:
    """Label text without Kivy markup tags."""
    return _MARKUP.sub("", text)


def plain_text(text: str) -> str:
    """Label text as it is read aloud: markup removed, line breaks as pauses."""
    return strip_markup(text).replace("\n", "，").strip()


Builder.load_file(str(Path(__file__).with_name("widgets.kv")))


def discard_children(container: Widget) -> None:
    """Remove every child of ``container`` for good, with the kv bindings they hold.

    A rule such as ``font_size: app.fs(22, app.elder, app.scale)`` binds the app's
    properties to the widget; a widget that is thrown away while those bindings stay
    makes the next change of elder mode or language reach a dead widget
    (``ReferenceError``). Rebuilt lists (tiles, rows, choices) go through here.
    """
    for child in list(container.children):
        for widget in child.walk(restrict=True):
            Builder.unbind_widget(widget.uid)
    container.clear_widgets()


def discard_child(container: Widget, child: Widget) -> None:
    """Remove one ``child`` of ``container`` for good, with its kv bindings (see
    :func:`discard_children`)."""
    for widget in child.walk(restrict=True):
        Builder.unbind_widget(widget.uid)
    container.remove_widget(child)


W = TypeVar("W", bound=Widget)


def place_widgets(container: Widget, kind: type[W], specs: list[dict[str, Any]],
                  add: Callable[[W], None] | None = None) -> None:
    """Make ``container`` show one ``kind`` per entry of ``specs`` (its properties), in
    order: the ones there are given the new properties, missing ones are made (and put
    in with ``add``, the container's ``add_widget`` unless given) and extra ones
    discarded. Kivy dispatches only a property whose value changed, so a widget whose
    words are the same is not rendered again; rebuilding a list at every redraw cost a
    widget, its kv rules and a new texture per label."""
    present = [w for w in reversed(container.children) if isinstance(w, kind)]
    for widget, spec in zip(present, specs):
        for key, value in spec.items():
            setattr(widget, key, value)
    for widget in present[len(specs):]:
        discard_child(container, widget)
    for spec in specs[len(present):]:
        (add or container.add_widget)(kind(**spec))


def place_buttons(container: Widget, specs: list[dict[str, Any]]) -> None:
    """Make ``container`` show one ``KButton`` per entry of ``specs`` (see place_widgets)."""
    place_widgets(container, KButton, specs)
