"""Keypad navigation: a visible focus ring that the arrow keys move over every button
on screen, in reading order; Enter presses, Escape goes back (EZ Access style).

Works with a USB keypad or the kiosk's own keys; the focused item is spoken.
"""

from __future__ import annotations

from typing import Callable

from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from screens.widgets import KButton

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
    ) -> None:
        self._buttons = buttons
        self._press = press
        self._speak = speak
        self._command = command
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
        if key in (KEY_DOWN, KEY_RIGHT):
            self.move(+1)
        elif key in (KEY_UP, KEY_LEFT):
            self.move(-1)
        elif key in (KEY_ENTER, KEY_NUMPAD_ENTER, KEY_SPACE):
            button = self.focused
            if button is None:
                self.move(+1)  # the first Enter shows where the ring is
            else:
                self._press(button.action)
        elif key in (KEY_ESCAPE, KEY_BACKSPACE):
            self._command("back")
        elif key in (KEY_F1, KEY_H):
            self._command("help")
        elif key in (KEY_F2, KEY_R):
            self._command("repeat")
        else:
            return False
        return True

    def move(self, step: int, interrupt: bool = True) -> None:
        """Move the ring ``step`` buttons on (wrapping round) and say what it is on;
        ``interrupt`` cuts what is being said (a person moving on has heard enough)."""
        buttons = self._buttons()
        if not buttons:
            return
        current = self.focused
        if current is None:
            index = 0 if step > 0 else len(buttons) - 1
        else:
            index = (buttons.index(current) + step) % len(buttons)
        if self._focused is not None:
            self._focused.focused = False
        self._focused = buttons[index]
        self._focused.focused = True
        scroll_into_view(self._focused)
        self._speak(self._focused.spoken_label(), interrupt=interrupt)
