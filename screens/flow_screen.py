"""A screen of a feature's multi-step flow (appointments, ratings): the top bar, a title
and a line under it, a message, a body the screen fills in ``refresh``, the navigation
bar; and the widgets such bodies are built from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from screens.base import KioskScreen
from screens.numpad import DIGIT_WORDS, NumPad, find_numpad
from screens.widgets import KButton, discard_children


class FlowScreen(KioskScreen):
    """A screen with a title, a line under it, a message and a body built in ``refresh``."""

    title = StringProperty("")
    subtitle = StringProperty("")
    message = StringProperty("")
    screen_name = ""  # the visit state's value

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(name=self.screen_name, **kwargs)

    _kept_pad: NumPad | None = None  # the screen's own keypad, once it has shown one

    def body(self) -> Any:
        """The body, emptied (the screen's keypad is kept, with its kv bindings, for the
        next redraw)."""
        box = self.ids.body
        # (``ids`` hold weak proxies: ``parent is box`` would never be true.)
        if self._kept_pad is not None and self._kept_pad in box.children:
            box.remove_widget(self._kept_pad)
        discard_children(box)
        return box

    def keypad(self, **props: Any) -> NumPad:
        """The screen's keypad, empty, with ``props`` (mode, lengths): made on first use
        and shown again at every redraw, instead of a new one of some twenty widgets,
        each with its kv rules and its key labels' textures, at every step of typing a
        code. Set ``on_done`` on it and add it to the body."""
        pad = self._kept_pad
        if pad is None:
            pad = self._kept_pad = NumPad(size_hint_y=None, **props)
            return pad
        for key, value in props.items():
            setattr(pad, key, value)
        pad.value = ""  # as a new keypad: nothing typed, no message
        pad.error = ""
        return pad

    def button(self, text: str, action: str, selected: bool = False, **kw: Any) -> KButton:
        """A large choice button."""
        return Factory.ChoiceButton(text=text, action=action, selected=selected, **kw)

    def text(self, text: str, big: bool = False, code: bool = False) -> Widget:
        """A paragraph in the body."""
        return (Factory.CodeText if code else Factory.BigText if big else Factory.KText)(text=text)

    def grid(self, cols: int) -> GridLayout:
        """A grid of buttons that grows with its rows."""
        g = GridLayout(cols=cols, size_hint_y=None, spacing=14 * self.kiosk.scale)
        g.bind(minimum_height=g.setter("height"))
        return g

    def spoken_intro(self) -> str:
        """The title, the line under it, and any message."""
        return "。".join(p for p in (self.title, self.subtitle, self.message) if p) + "。"

    def voice_grammar(self) -> list[str] | None:
        """Digits, when the screen shows a keypad (spoken numbers are typed on it);
        None from a screen taking free text (dictation)."""
        return list(DIGIT_WORDS) if find_numpad(self) is not None else []

    def take_speech(self, text: str) -> bool:
        """Spoken digits go to the keypad on screen (a phone number, a code)."""
        pad = find_numpad(self)
        return pad is not None and pad.hear(text)

    def service_name(self, code: str | None) -> str:
        """A service's name in the current language."""
        return self.kiosk.terminal.catalog.get(code).name.get(self.kiosk.lang) if code else ""


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
