"""How a screen switch is drawn, in a fresh process (one Kivy window each):

    python -m tests.support.ui tests.screens.switch_scenarios NAME DATA_DIR OUT.json WxH GIVEN_JSON
"""

from __future__ import annotations

from typing import Any

from tests.support.ui import KEY_RIGHT, Scenarios, Steps, go

SCENARIOS = Scenarios()
scenario = SCENARIOS.add


@scenario
def switches(p: Any, record: dict[str, Any]) -> Steps:
    """A ticket visit by touch. For every frame drawn: the screen shown and how many
    screens were in the drawing (the one shown, or also the one just left). For every
    entry to the service screen: the title it showed when it was entered (on_enter). The
    materials of two services, one after the other: the rows shown and which widgets."""
    from kivy.core.window import Window  # deferred: Kivy only in the app's process

    frames: list[list[Any]] = record.setdefault("frames", [])
    entered: list[str] = record.setdefault("entered", [])
    Window.bind(on_flip=lambda *_a: frames.append([p.app.sm.current, len(p.app.sm.children)]))
    service = p.app.root_screen("service")
    service.bind(on_enter=lambda *_a: entered.append(service.title))
    materials = p.app.root_screen("materials")

    def look_at_materials(label: str) -> None:
        rows = list(reversed(materials.ids.item_list.children))
        record[label] = {"rows": [[r.tag, r.text, r.required] for r in rows], "ids": [id(r) for r in rows],
                         "texts": p.texts()}

    yield from go(p, "start", "home")
    yield from go(p, "service:consultation", "service")
    yield from go(p, "materials", "materials")
    look_at_materials("consultation")
    yield from go(p, "back", "service")
    yield from go(p, "back", "home")
    yield from go(p, "service:mediation", "service")
    yield from go(p, "materials", "materials")
    look_at_materials("mediation")
    yield from go(p, "take", "ticket")
    yield from go(p, "finish", "done")
    yield from go(p, "finish", "attract")
    record["visited"] = [name for name, _n in frames]


def invisible_wide_lines(root: Any) -> int:
    """Lines wider than 1 px under a fully transparent colour in ``root``'s widgets (Kivy
    draws each through the stencil buffer, for no pixel at all)."""
    from kivy.graphics import Color, Line  # deferred: Kivy only in the app's process

    count = 0
    for widget in root.walk(restrict=True):
        for canvas in (widget.canvas.before, widget.canvas, widget.canvas.after):
            alpha = 1.0
            for ins in canvas.children:
                if isinstance(ins, Color):
                    alpha = ins.a
                elif isinstance(ins, Line) and ins.width > 1 and alpha == 0:
                    count += 1
    return count


@scenario
def button_lines(p: Any, record: dict[str, Any]) -> Steps:
    """The home and service screens: how many invisible wide lines they draw; then the
    keypad's focus ring on the first button: its lines' widths and colours."""

    yield from go(p, "start", "home")
    record["home"] = invisible_wide_lines(p.app.sm.current_screen)
    yield p.press_key(KEY_RIGHT)
    yield 0.2
    focused = p.app.keypad.focused
    rings = []
    if focused is not None:
        from kivy.graphics import Color, Line  # deferred: Kivy only in the app's process

        colour = None
        for ins in focused.canvas.after.children:
            if isinstance(ins, Color):
                colour = list(ins.rgba)
            elif isinstance(ins, Line):
                rings.append({"width": ins.width, "rgba": colour})
    record["ring"] = rings
    yield from go(p, "service:consultation", "service")
    record["service"] = invisible_wide_lines(p.app.sm.current_screen)
