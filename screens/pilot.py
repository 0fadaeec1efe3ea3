"""Drive the running app as a person would: touches on what is shown, then read it.

Used by ``kiosk screenshot``, the UI tests and technicians' self-tests. A script is a
generator taking the Pilot; each ``yield`` gives the seconds to wait for the UI to
settle before the next step (``yield pilot.tap("take")``).
"""

from __future__ import annotations

import itertools
import logging
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Generator, Iterator

from kivy.base import EventLoop
from kivy.clock import Clock, ClockEvent
from kivy.core.window import Window
from kivy.input.motionevent import MotionEvent
from kivy.uix.label import Label
from kivy.uix.layout import Layout
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from screens.focus import scroll_into_view
from screens.widgets import KButton, strip_markup

log = logging.getLogger(__name__)

Script = Callable[["Pilot"], Generator[float, None, None]]
_ids = itertools.count(1)
TAP_SETTLE_S = 0.15
_drawing = True  # the window draws its frames (Pilot.draw_frames)


class PilotTouch(MotionEvent):
    """A finger on the screen at window coordinates."""

    def __init__(self, x: float, y: float) -> None:
        super().__init__("pilot", next(_ids), (x, y), is_touch=True, type_id="touch")

    def depack(self, args: tuple[float, float]) -> None:
        """Window pixels → the normalised position Kivy expects."""
        x, y = args
        self.sx = x / max(1, Window.width)
        self.sy = y / max(1, Window.height)
        self.profile = ["pos"]
        super().depack(args)


class PilotError(AssertionError):
    """What the script looked for is not on screen."""


class Pilot:
    """Touches, reads and photographs the running app."""

    def __init__(self, app: object) -> None:
        self.app = app

    def _roots(self) -> list[Widget]:
        # The window's children: the app's root and any open overlay (ModalView).
        return list(Window.children)

    def widgets(self) -> Iterator[Widget]:
        """Every widget on screen (only the current screen: the ScreenManager holds
        no other screen in its tree)."""
        for root in self._roots():
            yield from root.walk(restrict=True)

    def buttons(self) -> list[KButton]:
        """Every button on screen, topmost overlay first."""
        roots = self._roots()
        found: list[KButton] = []
        for root in roots:  # Window.children: the newest (topmost) first
            found += [w for w in root.walk(restrict=True) if isinstance(w, KButton) and w.opacity > 0 and not w.disabled]
        return found

    def find(self, action: str) -> KButton:
        """The button that does ``action``; PilotError when none is shown."""
        for button in self.buttons():
            if button.action == action:
                return button
        shown = sorted({b.action for b in self.buttons() if b.action})
        raise PilotError(f"no button {action!r} on screen; shown: {shown}")

    def texts(self) -> list[str]:
        """Every text on screen, markup removed."""
        return [strip_markup(w.text) for w in self.widgets() if isinstance(w, Label) and w.text and w.opacity > 0]

    def screen_text(self) -> str:
        """All texts on screen, one per line."""
        return "\n".join(self.texts())

    def tap_at(self, x: float, y: float) -> float:
        """A finger down and up at window pixel (x, y)."""
        touch = PilotTouch(x, y)
        EventLoop.post_dispatch_input("begin", touch)
        EventLoop.post_dispatch_input("end", touch)
        return TAP_SETTLE_S

    @staticmethod
    def _visible(button: KButton) -> bool:
        x, y = button.to_window(*button.center)
        if not (0 <= x < Window.width and 0 <= y < Window.height):
            return False
        parent = button.parent
        while parent is not None and parent is not parent.parent:
            if isinstance(parent, ScrollView):
                left, bottom = parent.to_window(*parent.pos)
                if not (left <= x < left + parent.width and bottom <= y < bottom + parent.height):
                    return False
            parent = parent.parent
        return True

    def reveal(self, action: str) -> float:
        """Scroll the button that does ``action`` into view, as a person would."""
        scroll_into_view(self.find(action))
        return TAP_SETTLE_S

    def tap(self, action: str) -> float:
        """Tap the middle of the button that does ``action``; PilotError when that
        point is off the window or scrolled out of view (a person could not tap it).
        A button in a scrolling area is scrolled to first, as a person would, and a
        screen rebuilt a moment ago is laid out first: a person sees it laid out."""
        self._lay_out()
        button = self.find(action)
        if not self._visible(button):
            scroll_into_view(button)
            node = button.parent
            while node is not None and node is not node.parent:
                if isinstance(node, ScrollView):
                    node.update_from_scroll()  # now, not at the next frame: the tap is now
                node = node.parent
        x, y = button.to_window(*button.center)
        if not (0 <= x < Window.width and 0 <= y < Window.height):
            raise PilotError(f"button {action!r} is off the window at ({x:.0f}, {y:.0f})")
        parent = button.parent
        while parent is not None and parent is not parent.parent:
            if isinstance(parent, ScrollView):
                left, bottom = parent.to_window(*parent.pos)
                if not (left <= x < left + parent.width and bottom <= y < bottom + parent.height):
                    raise PilotError(f"button {action!r} is scrolled out of view")
            parent = parent.parent
        return self.tap_at(x, y)

    def _lay_out(self) -> None:
        # Kivy lays out on the next frame; widgets added since (a screen's tiles rebuilt
        # when news arrived) still have their default place and size until then. Run the
        # pending layouts now, outside in, until none is left.
        for _round in range(6):
            pending = [w for root in self._roots() for w in root.walk(restrict=True)
                       if isinstance(w, Layout) and w._trigger_layout.is_triggered]
            if not pending:
                return
            for layout in pending:
                layout._trigger_layout.cancel()  # done now; setting sizes may trigger the children again
                layout.do_layout()

    def lay_out_now(self, rounds: int = 20) -> bool:
        """Do now, for what is on screen, what Kivy does before it draws the next frame:
        render the texts whose text or size changed, run the pending layouts and put
        scrolled content in place (every callback due "before the next frame"), round
        after round until nothing is left. Returns False when something was still due
        after ``rounds`` rounds (a layout that never settles).

        What a person sees is then measured without drawing a frame: drawing costs
        far more than measuring, and the screens not shown wait for the next frame
        (Kivy does their pending work once, however often it was asked for)."""
        for _round in range(rounds):
            due: list[ClockEvent] = []
            for root in self._roots():
                for widget in root.walk(restrict=True):
                    # Kivy keeps a widget's before-frame triggers (a label's texture, a
                    # layout's do_layout, a scroll view's position, the app's own) as
                    # attributes; a pending one is exactly what the next frame would run.
                    for value in getattr(widget, "__dict__", {}).values():
                        if isinstance(value, ClockEvent) and value.timeout < 0 and value.is_triggered:
                            due.append(value)
            if not due:
                return True
            for event in due:
                if not event.is_triggered:
                    continue  # done meanwhile by an earlier one
                callback = event.get_callback()
                event.cancel()
                if callback is not None:
                    callback(0)
        return False

    @staticmethod
    def draw_frames(on: bool) -> None:
        """Draw the window's frames (on, as always) or not: a script that only measures
        what is on screen (sizes, places, texts) leaves drawing out, which costs
        the most CPU offscreen. Everything else of a frame still runs: input, the
        clock's events, the layouts and the texts' textures."""
        global _drawing
        if on and not _drawing:
            Window.unbind(on_draw=_not_drawn)
        elif not on and _drawing:
            Window.bind(on_draw=_not_drawn)
        _drawing = on

    def press_key(self, key: int) -> float:
        """A key of the keypad (Kivy key code: 273 up, 274 down, 13 enter, 27 escape)."""
        Window.dispatch("on_key_down", key, 0, None, [])
        Window.dispatch("on_key_up", key, 0)
        return TAP_SETTLE_S

    def screenshot(self, out: Path) -> Path:
        """Save what the window shows now as a PNG at ``out``."""
        out.parent.mkdir(parents=True, exist_ok=True)
        if not _drawing:
            Window.on_draw()  # frames are not being drawn: this one is, for the photograph
        with tempfile.TemporaryDirectory() as tmp:
            # Kivy numbers screenshot files itself (shot0001.png); take whatever it wrote.
            written = Window.screenshot(name=str(Path(tmp) / "shot.png"))
            shutil.move(written, out)
        return out


def _not_drawn(*_args: object) -> bool:
    # Bound before the window's own on_draw: True stops the event there.
    return True


def run_script(app: object, script: Script, settle_s: float = 0.6) -> None:
    """Run ``app`` and play ``script`` against it; stop the app when the script ends.

    An exception in the script stops the app and is raised again from here.
    """
    pilot = Pilot(app)
    steps = script(pilot)
    failure: list[BaseException] = []

    def step(_dt: float) -> None:
        try:
            wait = next(steps)
        except StopIteration:
            app.stop()  # type: ignore[attr-defined]
            return
        except BaseException as exc:  # noqa: BLE001 — carried out of the Kivy loop
            failure.append(exc)
            app.stop()  # type: ignore[attr-defined]
            return
        Clock.schedule_once(step, max(0.0, float(wait or 0)))

    def wait_for_layout(_dt: float) -> None:
        # Building the app may take longer than the settle time: wait until frames are
        # being drawn and the root fills the window, then give the layout time to settle.
        root = getattr(app, "root", None)
        if Clock.frames_displayed < 3 or root is None or list(root.size) != list(Window.size):
            Clock.schedule_once(wait_for_layout, 0)
            return
        Clock.schedule_once(step, settle_s)

    Clock.schedule_once(wait_for_layout, 0)
    app.run()  # type: ignore[attr-defined]
    if failure:
        raise failure[0]
