"""The accessibility audit: every screen rendered, every actionable widget checked.

Checks, after the MIIT 适老化 rules (2021) and EZ Access:
- target: buttons at least 60×60 dp in elder mode, 44×44 dp otherwise;
- text: at least 18 dp in elder mode (16 dp otherwise), buttons and labels alike;
- contrast: text against what it is drawn on, at least 4.5:1 (3:1 from 24 dp up);
- label: every button has something to say when focused or read out;
- keypad: every button is in the focus order and can be brought on screen;
- voice: saying a button's label does what the button does.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from kivy.core.window import Window
from kivy.metrics import dp
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from screens import theme
from screens.pilot import Pilot
from screens.widgets import KButton

# Screens staff use with a keyboard or touch, never villagers by voice.
STAFF_SCREENS = {"pin", "technician"}


@dataclass(frozen=True)
class Violation:
    """One failed check on one widget."""

    screen: str
    widget: str
    check: str
    detail: str


def _surface_of(widget: Widget) -> theme.RGBA | None:
    node: Any = widget
    while node is not None:
        colour = getattr(node, "surface", None)
        if colour is not None:
            return tuple(colour)  # type: ignore[return-value]
        node = node.parent if node.parent is not node else None
    return None


def _name(widget: Widget) -> str:
    if isinstance(widget, KButton):
        return f"button {widget.action or widget.text!r}"
    return f"label {widget.text[:24]!r}"


def _on_screen_or_scrollable(button: KButton) -> bool:
    x, y = button.to_window(*button.center)
    if 0 <= x < Window.width and 0 <= y < Window.height:
        return True
    node: Any = button.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            return True
        node = node.parent
    return False


def audit_screen(app: Any, screen: str, elder: bool) -> tuple[int, list[Violation]]:
    """Check the screen shown now; returns the number of widgets checked and the violations."""
    pilot = Pilot(app)
    found: list[Violation] = []
    min_target = dp(60 if elder else 44)
    min_text = dp(18 if elder else 16)
    buttons = app.buttons_on_screen()
    labels = [w for w in pilot.widgets() if isinstance(w, Label) and not isinstance(w, KButton) and w.text.strip() and w.opacity > 0]
    for widget in buttons + labels:
        name = _name(widget)
        if widget.font_size < min_text:
            found.append(Violation(screen, name, "text", f"{widget.font_size:.0f} px < {min_text:.0f}"))
        if isinstance(widget, KButton):
            fg, bg = tuple(widget.fg), tuple(widget.bg)
        else:
            fg, bg = tuple(widget.color), _surface_of(widget)  # type: ignore[assignment]
        if bg is None:
            found.append(Violation(screen, name, "contrast", "no known background"))
        else:
            need = 3.0 if widget.font_size >= dp(24) else 4.5
            ratio = theme.contrast(fg, bg)  # type: ignore[arg-type]
            if ratio < need:
                found.append(Violation(screen, name, "contrast", f"{ratio:.2f}:1 < {need}:1"))
    for button in buttons:
        name = _name(button)
        if min(button.width, button.height) < min_target:
            found.append(Violation(screen, name, "target", f"{button.width:.0f}×{button.height:.0f} < {min_target:.0f}"))
        if not button.spoken_label():
            found.append(Violation(screen, name, "label", "nothing to say"))
        if not button.action or not _on_screen_or_scrollable(button):
            found.append(Violation(screen, name, "keypad", "not reachable by the focus ring"))
        if screen not in STAFF_SCREENS:
            heard = app.guide.action_for(button.spoken_label())
            if heard != button.action:
                found.append(Violation(screen, name, "voice", f"saying {button.spoken_label()!r} does {heard!r}"))
    return len(buttons) + len(labels), found


def report(screens: int, widgets: int, violations: list[Violation]) -> dict[str, Any]:
    """The JSON shape of ``kiosk audit a11y --json``."""
    return {"screens": screens, "widgets": widgets, "violations": [asdict(v) for v in violations]}


def audit_all(app: Any, elder: bool, result: dict[str, Any]) -> Any:
    """A pilot script: visit every screen the way a person would and audit it; fills
    ``result`` with the report."""
    from kiosk import events as ev
    from kiosk.visit import VisitState
    from screens.shots import SCREEN_NAMES, reach

    widgets = 0
    violations: list[Violation] = []

    def script(p: Pilot) -> Any:
        nonlocal widgets
        for screen in SCREEN_NAMES:
            # Start each screen from a fresh visit on the attract screen.
            while app.terminal.flow.state is not VisitState.ATTRACT:
                app.terminal.flow.handle(ev.Finished())
            app.show_screen("attract")
            yield 0.1
            # Set (not toggle) the mode: a screen reached without starting a visit (the
            # technician's) keeps the last visit's choice.
            app.terminal.flow.handle(ev.ElderModeToggled(elder))
            yield 0.1
            yield from reach(screen)(p)
            yield 0.5
            checked, found = audit_screen(app, screen, elder)
            widgets += checked
            violations.extend(found)
        result.update(report(len(SCREEN_NAMES), widgets, violations))

    return script
