"""Widgets shared by every screen: buttons, labels, bars."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

from screens import theme


class KButton(ButtonBehavior, Label):
    """A large touch target with a label. ``action`` is what ``KioskApp.act`` does
    when it is pressed (also what tests, the keypad and voice name it by)."""

    action = StringProperty("")
    bg = ColorProperty(theme.NAVY)
    fg = ColorProperty(theme.ON_NAVY)
    outline = ColorProperty((0, 0, 0, 0))
    selected = BooleanProperty(False)


Builder.load_file(str(Path(__file__).with_name("widgets.kv")))
