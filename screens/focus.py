"""Keypad navigation: a visible focus ring that the arrow keys move over every button
on screen; Enter presses, Escape goes back (EZ Access style).

Up and Down move to the nearest button above or below (as the eye expects), Left and
Right through every button in reading order. On a new screen the ring starts on the
screen's main action, never on the bar's 关闭语音; the first Enter presses that main
action. Escape on the home screen asks before the visit ends.

Works with a USB keypad or the kiosk's own keys; the focused item is spoken.
"""

from __future__ import annotations

from typing import Callable

from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from screens.widgets import KButton

# The bar's buttons (voice, language, elder mode): never where the ring starts.
CHROME = frozenset({"voice", "lang", "elder"})

# Kivy key codes.
KEY_UP, KEY_DOWN, KEY_LEFT, KEY_RIGHT = 273, 274, 276, 275
KEY_ENTER, KEY_NUMPAD_ENTER, KEY_SPACE = 13, 271, 32
KEY_ESCAPE, KEY_BACKSPACE = 27, 8
KEY_F1, KEY_F2 = 282, 283  # help, repeat
KEY_H, KEY_R = ord("h"), ord("r")


def visible_buttons(roots: list[Widget]) -> list[KButton]:
    """The buttons a person can see and press under the first of ``roots`` that has any
    (an open overlay before the screen), in reading order (top to bottom, then left to
    right)."""
    for root in roots:
        found = [w for w in root.walk(restrict=True) if isinstance(w, KButton) and w.opacity > 0 and not w.disabled]
        found = [b for b in found if b.width > 1 and b.height > 1]
        if found:
            return sorted(found, key=lambda b: (-round(b.to_window(*b.pos)[1] + b.height), b.to_window(*b.pos)[0]))
    return []


def scroll_into_view(button: KButton) -> None:
    """Scroll every scroll view around ``button`` so that it shows."""
    node = button.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            node.scroll_to(button, animate=False)
        node = node.parent


class KeypadNavigator:
    """Moves the focus ring and presses the focused button.

    ``buttons()`` lists what is on screen now, in reading order; ``press(action)`` does
    what the button does; ``speak(text)`` says the focused item;
    ``command(name)`` handles "back", "help" and "repeat".
    """

    def __init__(
        self,
        buttons: Callable[[], list[KButton]],
        press: Callable[[str], None],
        speak: Callable[..., None],
        command: Callable[[str], None],
        main_action: Callable[[], str | None] = lambda: None,
        ask_before_back: Callable[[], tuple[str, str] | None] = lambda: None,
    ) -> None:
        self._buttons = buttons
        self._press = press
        self._speak = speak
        self._command = command
        # The screen's (or open question's) main action, where the ring starts.
        self._main_action = main_action
        # (the button that answers yes, the question) to ask before Escape goes back.
        self._ask_before_back = ask_before_back
        self._focused: KButton | None = None

    @property
    def focused(self) -> KButton | None:
        """The button with the focus ring, if it is still on screen."""
        if self._focused is not None and self._focused in self._buttons():
            return self._focused
        return None

    def reset(self) -> None:
        """A new screen: no ring until a key is pressed."""
        if self._focused is not None:
            self._focused.focused = False
        self._focused = None

    def on_key(self, key: int) -> bool:
        """Handle one key; True when it was ours."""
        if key == KEY_RIGHT:
            self.move(+1)
        elif key == KEY_LEFT:
            self.move(-1)
        elif key in (KEY_DOWN, KEY_UP):
            self.move_vertically(down=key == KEY_DOWN)
        elif key in (KEY_ENTER, KEY_NUMPAD_ENTER, KEY_SPACE):
            button = self.focused
            main = self._main_button(self._buttons())
            if button is None and main is not None and main.action == self._main_action():
                self._press(main.action)  # the main action of the screen or question: at once
            elif button is None:
                self.move(+1)  # no main action: the first Enter shows where the ring is
            else:
                self._press(button.action)
        elif key in (KEY_ESCAPE, KEY_BACKSPACE):
            ask = self._ask_before_back()
            if ask is None:
                self._command("back")
            else:
                self._ask(*ask)
        elif key in (KEY_F1, KEY_H):
            self._command("help")
        elif key in (KEY_F2, KEY_R):
            self._command("repeat")
        else:
            return False
        return True

    def _main_button(self, buttons: list[KButton]) -> KButton | None:
        """Where the ring starts: the main action, else the first button that is not
        the bar's."""
        main = self._main_action()
        for button in buttons:
            if main is not None and button.action == main:
                return button
        return next((b for b in buttons if b.action not in CHROME), buttons[0] if buttons else None)

    def move(self, step: int, interrupt: bool = True) -> None:
        """Move the ring ``step`` buttons on in reading order (wrapping round; from no
        ring, to the main action) and say what it is on; ``interrupt`` cuts what is being
        said (a person moving on has heard enough)."""
        buttons = self._buttons()
        if not buttons:
            return
        current = self.focused
        if current is None:
            self._focus(self._main_button(buttons), interrupt)
            return
        self._focus(buttons[(buttons.index(current) + step) % len(buttons)], interrupt)

    def move_vertically(self, down: bool) -> None:
        """Move the ring to the nearest button below (or above): the nearest row first,
        then the button nearest across; past the last row, round to the first."""
        buttons = self._buttons()
        current = self.focused
        if not buttons or current is None:
            self.move(+1)
            return
        cx, cy = current.to_window(*current.center)
        centres = {b: b.to_window(*b.center) for b in buttons}
        ahead = [b for b in buttons if (centres[b][1] < cy - 2 if down else centres[b][1] > cy + 2)]
        if not ahead:
            self._focus(buttons[0] if down else buttons[-1])
            return
        nearest_row = min(abs(centres[b][1] - cy) for b in ahead)
        row = [b for b in ahead if abs(centres[b][1] - cy) <= nearest_row + 8]
        self._focus(min(row, key=lambda b: abs(centres[b][0] - cx)))

    def _ask(self, action: str, question: str) -> None:
        # The ring goes to the button that answers yes (Enter then presses it); the
        # question is said. Nothing else happens: a stray Escape ends no visit.
        target = next((b for b in self._buttons() if b.action == action), None)
        if target is not None:
            self._focus(target, speak=False)
        self._speak(question, interrupt=True)

    def _focus(self, button: KButton | None, interrupt: bool = True, speak: bool = True) -> None:
        if button is None:
            return
        if self._focused is not None:
            self._focused.focused = False
        self._focused = button
        button.focused = True
        scroll_into_view(button)
        if speak:
            self._speak(button.spoken_label(), interrupt=interrupt)
