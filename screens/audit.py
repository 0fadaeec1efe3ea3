"""The accessibility audit: every screen rendered, every actionable widget checked.

Checks, after the MIIT 适老化 rules (2021) and EZ Access:
- target: buttons at least 60×60 dp in elder mode, 44×44 dp otherwise;
- text: at least 18 dp in elder mode (16 dp otherwise), buttons and labels alike;
- contrast: text against what it is drawn on, at least 4.5:1 (3:1 from 24 dp up);
- label: every button has something to say when focused or read out;
- keypad: every button is in the focus order and can be brought on screen;
- voice: saying a button's label does what the button does;
- layout (``layout_violations``): no text cut off or spilling out of its box, no
  overlapping texts or targets, no notice over an action, keypad keys at least 60 dp,
  every target at least 60 dp in elder mode (48 dp otherwise) — run over every screen,
  mode, language and supported window size by ``audit_matrix``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Generator

from kivy.core.text import Label as CoreLabel
from kivy.core.text.markup import MarkupLabel
from kivy.core.window import Window
from kivy.metrics import dp
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk import events as ev
from kiosk.visit import VisitState
from screens import theme
from screens.pilot import Pilot, Script
from screens.shots import SCREEN_NAMES, reach
from screens.widgets import KButton

if TYPE_CHECKING:
    from screens.app import KioskApp

Steps = Generator[float, None, None]

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
            return tuple(colour)
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


def audit_screen(app: KioskApp, screen: str, elder: bool, layout_only: bool = False) -> tuple[int, list[Violation]]:
    """Check the screen shown now; returns the number of widgets checked and the
    violations. ``layout_only``: only what the window size changes (the matrix checks
    the rest once per language and mode)."""
    pilot = Pilot(app)
    found: list[Violation] = []
    min_target = dp(60 if elder else 48)
    min_text = dp(18 if elder else 16)
    buttons = app.buttons_on_screen()
    labels = [w for w in pilot.widgets() if isinstance(w, Label) and not isinstance(w, KButton) and w.text.strip() and w.opacity > 0]
    if layout_only:
        for button in buttons:
            if min(button.width, button.height) < min_target:
                found.append(Violation(screen, _name(button), "target", f"{button.width:.0f}×{button.height:.0f} < {min_target:.0f}"))
        return len(buttons) + len(labels), found + layout_violations(app, screen, elder, buttons, labels)
    for widget in buttons + labels:
        name = _name(widget)
        fg: theme.RGBA
        bg: theme.RGBA | None
        if widget.font_size < min_text:
            found.append(Violation(screen, name, "text", f"{widget.font_size:.0f} px < {min_text:.0f}"))
        if isinstance(widget, KButton):
            fg, bg = tuple(widget.fg), tuple(widget.bg)
        else:
            fg, bg = tuple(widget.color), _surface_of(widget)
        if bg is None:
            found.append(Violation(screen, name, "contrast", "no known background"))
        else:
            need = 3.0 if widget.font_size >= dp(24) else 4.5
            ratio = theme.contrast(fg, bg)
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
    return len(buttons) + len(labels), found + layout_violations(app, screen, elder, buttons, labels)


# --- layout --------------------------------------------------------------------------------

Rect = tuple[float, float, float, float]  # x, y, right, top in window pixels
_DIGITS = re.compile(r"\d+")
_SLACK = 2.0  # pixels of rounding a box may be off by
KEYPAD_KEY_DP = 60  # keys of a number keypad, in every mode
_KEYPAD_ACTIONS = ("numpad:", "pin:")


def _window_rect(widget: Widget) -> Rect:
    x, y = widget.to_window(widget.x, widget.y)
    return (x, y, x + widget.width, y + widget.height)


def _viewport(widget: Widget) -> Rect:
    """The part of the window where ``widget`` can be seen: the window, cut by every
    ScrollView it is inside."""
    left, bottom, right, top = 0.0, 0.0, float(Window.width), float(Window.height)
    node: Any = widget.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            x, y, r, t = _window_rect(node)
            left, bottom, right, top = max(left, x), max(bottom, y), min(right, r), min(top, t)
        node = node.parent
    return (left, bottom, right, top)


def _intersection(a: Rect, b: Rect) -> Rect | None:
    x, y, r, t = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x, y, r, t) if r - x > _SLACK and t - y > _SLACK else None


def _in_scroll(widget: Widget) -> bool:
    node: Any = widget.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            return True
        node = node.parent
    return False


def _full_text_size(label: Label) -> tuple[float, float]:
    """The size ``label``'s text needs, laid out as the label lays it out but never cut
    (no height limit, no shortening): what a person would have to see."""
    options = {name: getattr(label, name) for name in label._font_properties if hasattr(label, name)}
    width = label.text_size[0]
    options.update(text_size=(width, None), shorten=False, max_lines=0)
    core = (MarkupLabel if label.markup else CoreLabel)(**options)
    core.text = label.text
    core.refresh()
    return core.texture.size if core.texture is not None else (0, 0)


def _ink(label: Label) -> Rect | None:
    """Where ``label``'s text is drawn, in window pixels (its texture, centred on it as
    Kivy draws it, cut to the label's own box), or None when it draws nothing."""
    tw, th = label.texture_size
    if tw <= 0 or th <= 0:
        return None
    cx, cy = label.to_window(*label.center)
    drawn = (cx - tw / 2, cy - th / 2, cx + tw / 2, cy + th / 2)
    return _intersection(drawn, _window_rect(label))


def is_notice(widget: Widget) -> bool:
    """A message shown on the screen for a while (a notice or toast): flagged by
    ``is_notice = True`` on the widget."""
    return bool(getattr(widget, "is_notice", False))


def layout_violations(app: KioskApp, screen: str, elder: bool, buttons: list[KButton], labels: list[Label]) -> list[Violation]:
    """Clipped or spilling text, overlapping texts or targets, a notice over an action,
    targets and keypad keys too small, on the screen shown now."""
    found: list[Violation] = []
    # An open overlay (the idle question) covers the screen by design: only what is
    # on top is checked.
    on_top = [w for w in Window.children if w is not app.root] or [app.root]
    labels = [w for w in labels if _root_of(w) in on_top]
    # A banner floating over the screen (the app's own, when it has one) is on top by
    # nature: it is checked as a notice (``is_notice``) against buttons, not as text.
    floating = getattr(app, "notice_label", None)
    labels = [w for w in labels if w is not floating]
    notices = [w for w in Pilot(app).widgets() if isinstance(w, Widget) and is_notice(w) and w.opacity > 0]
    shown: list[tuple[Label, Rect]] = []
    for label in buttons + labels:
        if label in notices:
            continue
        name = _name(label)
        tw, th = label.texture_size
        if tw <= 0 or th <= 0:
            continue  # not drawn (yet): nothing shown, nothing cut
        if tw > label.width + _SLACK or th > label.height + _SLACK:
            found.append(Violation(screen, name, "clipped", f"text {tw:.0f}×{th:.0f} in a box {label.width:.0f}×{label.height:.0f}"))
            continue
        view = _viewport(label)
        box = _window_rect(label)
        if _intersection(box, view) is None:
            if not _in_scroll(label):
                found.append(Violation(screen, name, "clipped", "outside the window"))
            continue
        if not _in_scroll(label) and (box[0] < -_SLACK or box[1] < -_SLACK or box[2] > Window.width + _SLACK or box[3] > Window.height + _SLACK):
            found.append(Violation(screen, name, "clipped", "partly outside the window"))
        if label.text_size[1] is not None or label.shorten or label.max_lines:
            # Only a label boxed in height, shortened or cut to some lines can hide text
            # inside a texture that fits: lay it out again, uncut, to see.
            need_w, need_h = _full_text_size(label)
            if need_h > th + _SLACK or (label.text_size[0] is not None and need_w > label.text_size[0] + _SLACK):
                found.append(Violation(screen, name, "clipped", f"text needs {need_w:.0f}×{need_h:.0f}, shown {tw:.0f}×{th:.0f}"))
        ink = _ink(label)
        seen = _intersection(ink, view) if ink is not None else None
        if seen is not None:
            shown.append((label, seen))
    # Texts drawn over each other, or over a button they are not part of.
    for i, (a, ra) in enumerate(shown):
        for b, rb in shown[i + 1 :]:
            if _related(a, b):
                continue
            if _intersection(ra, rb) is not None:
                found.append(Violation(screen, _name(a), "overlap", f"over {_name(b)}"))
    for i, a in enumerate(buttons):
        box_a = _intersection(_window_rect(a), _viewport(a))
        if box_a is None:
            continue
        for b in buttons[i + 1 :]:
            box_b = _intersection(_window_rect(b), _viewport(b))
            if box_b is not None and not _related(a, b) and _intersection(box_a, box_b) is not None:
                found.append(Violation(screen, _name(a), "overlap", f"over {_name(b)}"))
        if any(a.action.startswith(p) for p in _KEYPAD_ACTIONS) and min(a.width, a.height) < dp(KEYPAD_KEY_DP) - 0.5:
            found.append(Violation(screen, _name(a), "keypad_key", f"{a.width:.0f}×{a.height:.0f} < {dp(KEYPAD_KEY_DP):.0f}"))
        for notice in notices:
            if _intersection(_window_rect(notice), box_a) is not None:
                # Named, so a technician knows which message to move (and a test which one it planted).
                found.append(Violation(screen, _name(a), "notice", f"a notice covers it: {_name(notice)}"))
    return found


def _root_of(widget: Widget) -> Widget:
    node: Any = widget
    while node.parent is not None and node.parent is not node and not isinstance(node.parent, type(Window)):
        node = node.parent
    return node


def _related(a: Widget, b: Widget) -> bool:
    """One is inside the other (a button's own label, a tile's text)."""
    for x, y in ((a, b), (b, a)):
        node: Any = x.parent
        while node is not None and node is not node.parent:
            if node is y:
                return True
            node = node.parent
    return False


def settled(app: KioskApp, wait_s: float = 0.5) -> Steps:
    """Steps until the screen shown has had ``wait_s`` to lay itself out without the
    flow moving on by itself meanwhile (a call answered while it was waiting)."""
    shown = None
    while app.sm.current != shown:
        shown = app.sm.current
        yield wait_s


def quiet(p: Pilot, still_s: float = 1.0, at_most_s: float = 6.0) -> Steps:
    """Steps until what the screen says has stayed the same for ``still_s`` (numbers
    aside: a countdown is quiet), at most ``at_most_s``; at once when the flow moves to
    another screen by itself."""
    app = p.app
    shown = app.sm.current  # type: ignore[attr-defined]
    last: tuple[str, ...] = ()
    still = waited = 0.0
    step = 0.25
    while waited < at_most_s and still < still_s and app.sm.current == shown:  # type: ignore[attr-defined]
        p.lay_out_now()
        now = tuple(_DIGITS.sub("#", text) for text in p.texts())
        still = still + step if now == last else 0.0
        last = now
        yield step
        waited += step


def report(screens: int, widgets: int, violations: list[Violation]) -> dict[str, Any]:
    """The JSON shape of ``kiosk audit a11y --json``."""
    return {"screens": screens, "widgets": widgets, "violations": [asdict(v) for v in violations]}


def audit_all(app: KioskApp, elder: bool, result: dict[str, Any]) -> Script:
    """A pilot script: visit every screen the way a person would and audit it; fills
    ``result`` with the report."""
    widgets = 0
    violations: list[Violation] = []

    def script(p: Pilot) -> Steps:
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
            yield from settled(app)
            checked, found = audit_screen(app, screen, elder)
            widgets += checked
            violations.extend(found)
        result.update(report(len(SCREEN_NAMES), widgets, violations))

    return script


# The window sizes the product supports: the common kiosk panel, full HD, full HD portrait.
SIZES = ((1280, 800), (1920, 1080), (1080, 1920))
LANGUAGES = ("zh_CN", "en")
MODES = (False, True)  # standard, elder


def audit_matrix(app: KioskApp, result: dict[str, Any], *, sizes: tuple[tuple[int, int], ...] = SIZES,
                 languages: tuple[str, ...] = LANGUAGES, modes: tuple[bool, ...] = MODES,
                 screens: tuple[str, ...] | None = None, notice: bool = False) -> Script:
    """A pilot script: reach each screen once, then audit it in every window size,
    language and mode (switched in place, as a person or a technician would); fills
    ``result`` with the report, each violation's screen named ``screen@WxH/lang/mode``.
    ``notice`` shows a message on each before it is checked (a notice must never
    cover an action)."""
    names = screens or SCREEN_NAMES
    widgets = 0
    violations: list[Violation] = []
    checked = 0

    def reached(p: Pilot, screen: str) -> Steps:
        while app.terminal.flow.state is not VisitState.ATTRACT:
            app.terminal.flow.handle(ev.Finished())
        if tuple(Window.size) != sizes[0]:
            Window.size = sizes[0]
        app.show_screen("attract")
        yield 0.1
        app.terminal.flow.handle(ev.ElderModeToggled(False))
        yield 0.1
        yield from reach(screen)(p)
        yield from settled(app)

    def script(p: Pilot) -> Steps:
        nonlocal widgets, checked
        p.draw_frames(False)  # only measured, never looked at
        for screen in names:
            yield from reached(p, screen)
            # What a worker brings (the ticket printed, a device found) is shown before
            # the sweep: no frame passes during it, so nothing arrives meanwhile.
            shown = app.sm.current
            yield from quiet(p)
            if app.sm.current != shown and screen not in STAFF_SCREENS:
                # The flow moved on by itself meanwhile (the lawyer answered the waiting
                # call): the screen is reached again and checked at once.
                yield from reached(p, screen)
                shown = app.sm.current
            for size in sizes:
                if tuple(Window.size) != size:
                    Window.size = size  # the app rescales at once (Window's on_resize)
                for language, elder in ((lang, mode) for lang in languages for mode in modes):
                    flow = app.terminal.flow
                    if flow.visit.language != language:
                        flow.handle(ev.LanguageChanged(language))
                    if flow.visit.elder_mode != elder:
                        flow.handle(ev.ElderModeToggled(elder))
                    if app.sm.current != screen and screen in STAFF_SCREENS:
                        app.show_screen(screen)
                    if screen in STAFF_SCREENS and hasattr(app.sm.current_screen, "refresh_states"):
                        # The technician's screen does not follow the flow: it re-reads
                        # itself every second while shown. Done now, as a second later.
                        app.sm.current_screen.refresh_states()
                    if notice:
                        app.show_notice("error.generic")
                    # Laid out now, as the next frame would lay it out, but without drawing
                    # it: each frame re-rendered every screen's texts for each change.
                    if not p.lay_out_now():
                        yield 0.05  # never settles by itself: measured as a person sees it after a few frames
                    if app.sm.current != shown and screen not in STAFF_SCREENS:
                        # The flow moved on by itself (the lawyer answered the waiting
                        # call): the new screen is checked once it has laid itself out,
                        # named as what it is, never measured half-built as the old one.
                        yield from settled(app)
                        p.lay_out_now()
                    shown = app.sm.current
                    where = f"{shown}@{size[0]}x{size[1]}/{language}/{'elder' if elder else 'standard'}"
                    n, found = audit_screen(app, where, elder, layout_only=size != sizes[0])
                    widgets += n
                    checked += 1
                    violations.extend(found)
        p.draw_frames(True)
        result.update(report(checked, widgets, violations))

    return script
