"""Widgets shared by every screen: buttons, labels, bars."""

from __future__ import annotations

import re
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, StringProperty
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
