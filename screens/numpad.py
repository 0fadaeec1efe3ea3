"""The big on-screen numeric keypad: phone numbers and application numbers, typed by
touch, by a USB keypad or spoken digit by digit — never with a Chinese keyboard.

Use it in a screen's .kv::

    NumPad:
        id: numpad
        mode: "mobile"          # or "digits" (any number up to ``max_length``)
        max_length: 11

and in the screen (``screens/legal_aid/screens.py`` shows all of it)::

    self.ids.numpad.on_done = self._phone_entered   # called with the digits on 确定
    self.ids.numpad.value = ""                      # clear for the next person

Every key is a ``KButton`` whose action is ``numpad:<key>`` (``0``–``9``, ``del``,
``clear``, ``read``, ``ok``): ``KioskApp.act`` hands it to the keypad on the screen
shown now (``press_on``), so touches, the keypad focus ring, voice button names and
tests all press the same keys. Digit keys of a USB keypad type directly. Spoken digits
("一三八幺二三四…", 幺 for 1, 洞 for 0) go through ``hear``; a screen with a keypad
returns ``voice_grammar()`` so the recogniser listens for digits there.

Privacy: the number is shown in full (the person must check it) but read aloud only
when the person asks (``读给我听``); other prompts say how many digits and the last
four. ``mobile`` mode refuses anything but an 11-digit mainland mobile number
(13x–19x) with a plain message (``error``), shown and spoken.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from kivy.app import App
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.phone import grouped, mobile_problem, spoken_digits

# Digits on a keyboard's top row (48–57) and on its numeric block (256–265).
_KEY_DIGITS = {**{48 + d: str(d) for d in range(10)}, **{256 + d: str(d) for d in range(10)}}
_KEY_DELETE = 127

# Words a recogniser should listen for on a keypad screen (grammar mode).
DIGIT_WORDS = ["零", "一", "幺", "二", "两", "三", "四", "五", "六", "七", "八", "九", "洞"]
KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "del")


class NumPad(BoxLayout):
    """A large numeric keypad with its own display; see the module docstring."""

    value = StringProperty("")  # the digits typed so far
    mode = OptionProperty("mobile", options=["mobile", "digits"])
    max_length = NumericProperty(11)
    min_length = NumericProperty(1)  # "digits" mode: the shortest number accepted
    error = StringProperty("")  # the translated message when 确定 was refused
    shown = StringProperty("")  # the value as displayed (grouped 3-4-4 for phones)
    wide = BooleanProperty(False)  # keys on the left, display and 确定 on the right

    def __init__(self, **kwargs: object) -> None:
        # ``on_done(digits)`` runs when 确定 accepts the number (set by the screen).
        self.on_done: Callable[[str], None] | None = None
        self._listening = False
        self._side: BoxLayout | None = None  # the display and 确定 beside the keys (wide)
        super().__init__(**kwargs)
        self.bind(value=self._show, mode=self._show)

    def on_kv_post(self, _base_widget: Widget) -> None:
        """Lay the parts out once the kv rule has made them."""
        self._arrange()

    def on_wide(self, _widget: Widget, _wide: bool) -> None:
        """Lay the parts out again for the new shape."""
        self._arrange()

    def _arrange(self) -> None:
        ids = self.ids
        if "keys" not in ids:
            return  # the kv rule has not run yet
        # The parts themselves, not the weak proxies ``ids`` holds: between being taken
        # out and put back a part has no other owner, and the collector may free it.
        display, error, keys, actions = (ids[name].__self__ for name in ("display", "error_line", "keys", "actions"))
        for part in (display, error, keys, actions):
            if part.parent is not None:
                part.parent.remove_widget(part)
        self.clear_widgets()
        if not self.wide:
            self.orientation = "vertical"
            keys.size_hint_x = 1
            for part in (display, error, keys, actions):
                self.add_widget(part)
            return
        self.orientation = "horizontal"
        keys.size_hint_x = 0.6
        side = self._side
        if side is None:
            side = self._side = BoxLayout(orientation="vertical", size_hint=(0.4, None), pos_hint={"top": 1})
            side.bind(minimum_height=side.setter("height"))
        side.spacing = self.spacing
        for part in (display, error, actions):
            side.add_widget(part)
        self.add_widget(keys)
        self.add_widget(side)

    def on_parent(self, _widget: Widget, parent: Widget | None) -> None:
        """Listen to the keyboard only while in a widget tree. Screens that rebuild
        their keypad at each redraw drop the old one: still bound to the window, it
        would stay alive (with its screen's closures) and add a listener per redraw."""
        if parent is not None and not self._listening:
            Window.bind(on_key_down=self._on_key)
            self._listening = True
        elif parent is None and self._listening:
            Window.unbind(on_key_down=self._on_key)
            self._listening = False

    # --- what the keys do --------------------------------------------------------------

    def press(self, key: str) -> None:
        """Press one key: a digit, ``del``, ``clear``, ``read`` (say it aloud) or ``ok``."""
        app = App.get_running_app()
        if key.isdigit() and len(key) == 1:
            if len(self.value) < int(self.max_length):
                self.value += key
                self.error = ""
            else:
                self._refuse("numpad.full")
        elif key == "del":
            self.value = self.value[:-1]
            self.error = ""
        elif key == "clear":
            self.value = ""
            self.error = ""
        elif key == "read":
            if app is not None:
                spoken = " ".join(self.value) if self.value else app.tr("numpad.empty")
                app.speak(app.tr("numpad.read_back", digits=spoken))
        elif key == "ok":
            problem = self.problem()
            if problem is not None:
                self._refuse(problem)
            elif self.on_done is not None:
                self.error = ""
                self.on_done(self.value)

    def problem(self) -> str | None:
        """Why the number cannot be accepted (a translation key), or None."""
        if self.mode == "mobile":
            return mobile_problem(self.value)
        if len(self.value) < int(self.min_length):
            return "numpad.empty" if not self.value else "numpad.too_short"
        return None

    def hear(self, text: str) -> bool:
        """Spoken digits: typed as if pressed. True when ``text`` held any digit."""
        digits = spoken_digits(text)
        for d in digits:
            self.press(d)
        return bool(digits)

    def spoken_state(self) -> str:
        """What the voice prompt says of the keypad: how many digits, the last four."""
        app = App.get_running_app()
        if not self.value:
            return app.tr("numpad.state_empty")
        return app.tr("numpad.state", n=len(self.value), tail=" ".join(self.value[-4:]))

    # --- internals ---------------------------------------------------------------------

    def _refuse(self, key: str) -> None:
        app = App.get_running_app()
        self.error = app.tr(key)
        app.speak(self.error)

    def _show(self, *_args: object) -> None:
        self.shown = grouped(self.value) if self.mode == "mobile" else self.value

    def _on_key(self, _window: object, key: int, *_args: object) -> bool:
        # Only the keypad on the screen shown now types (others are off the window).
        if self.get_root_window() is None or self.disabled:
            return False
        if key in _KEY_DIGITS:
            self.press(_KEY_DIGITS[key])
            return True
        if key == _KEY_DELETE:
            self.press("del")
            return True
        return False


def find_numpad(root: Widget) -> NumPad | None:
    """The keypad under ``root`` (a screen), if it has one."""
    for w in root.walk(restrict=True):
        if isinstance(w, NumPad):
            return w
    return None


def press_on(screen: Widget, key: str) -> bool:
    """Press ``key`` on the keypad of ``screen`` (``KioskApp.act("numpad:7")``)."""
    pad = find_numpad(screen)
    if pad is None:
        return False
    pad.press(key)
    return True


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
