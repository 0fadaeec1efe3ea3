"""A screen that rebuilds its keypad at every redraw, in the real app offscreen (a fresh
process: one Kivy window each).

    python -m tests.support.ui tests.screens.leak_scenarios keypad_redraws DATA_DIR OUT.json
"""

from __future__ import annotations

import gc
from typing import Any

from tests.support.ui import Scenarios, Steps, go

SCENARIOS = Scenarios()


@SCENARIOS.add
def keypad_redraws(p: Any, record: dict[str, Any]) -> Steps:
    """我的预约 → 用预约码查找: the code keypad, redrawn 40 times (each answer, each
    language or elder switch redraws it); then a digit typed on a USB keypad."""
    from kivy.core.window import Window

    from screens.numpad import NumPad, find_numpad

    def alive() -> int:
        gc.collect()
        return sum(1 for o in gc.get_objects() if issubclass(type(o), NumPad))

    while len(p.app.sm.screens) < len(p.app.screen_table):  # the other screens are built after the first frame
        yield 0.05
    yield p.tap("start")
    # Its home tile needs a centre (slots come from there); the screen itself is the same.
    p.app.act("appt:open")
    yield 0.2
    yield p.tap("appt:by_code")
    record["screen"] = p.app.sm.current
    record["before"] = {"listeners": len(Window.get_property_observers("on_key_down")), "keypads": alive()}
    for _ in range(40):
        p.app.sm.current_screen.refresh()
        yield 0.02
    record["after"] = {"listeners": len(Window.get_property_observers("on_key_down")), "keypads": alive()}
    yield p.press_key(55)  # "7" on a USB keypad's top row
    pad = find_numpad(p.app.sm.current_screen)
    record["typed"] = pad.value if pad is not None else None


@SCENARIOS.add
def keypad_kept(p: Any, record: dict[str, Any]) -> Steps:
    """评价刚才的服务: digits that match no served ticket (the screen redraws with its
    message), a digit typed after that, then the screen in English. Which keypad is on
    the screen each time (the first one, or a new one) and what it shows."""
    from screens.numpad import find_numpad  # deferred: Kivy only in the app's process

    while len(p.app.sm.screens) < len(p.app.screen_table):  # the other screens are built after the first frame
        yield 0.05
    yield p.tap("start")
    yield from go(p, "rate:ticket", "rate_ticket")
    screen = p.app.sm.current_screen
    first = find_numpad(screen)
    for digit in "999":
        yield p.tap(f"numpad:{digit}")
    record["typed_before"] = first.value if first is not None else None
    yield p.tap("numpad:ok")
    yield 0.3
    pad = find_numpad(screen)
    record["after_search"] = {"same": pad is first, "value": pad.value if pad else None, "texts": p.texts()}
    yield p.tap("numpad:4")
    yield 0.2
    record["typed"] = {"value": pad.value if pad else None, "display": pad.ids.display.children[0].text if pad else None}
    yield p.tap("lang")
    yield 0.3
    pad = find_numpad(screen)
    record["english"] = {"same": pad is first, "value": pad.value if pad else None, "texts": p.texts()}


@SCENARIOS.add
def phone_keypad_twice(p: Any, record: dict[str, Any]) -> Steps:
    """预约's phone keypad shown to one person, then to the next: what each types is shown."""
    from screens.numpad import find_numpad  # deferred: Kivy only in the app's process

    while len(p.app.sm.screens) < len(p.app.screen_table):  # the other screens are built after the first frame
        yield 0.05
    app = p.app
    record["typed"] = []
    for digits in ("138", "139"):
        app.show_screen("appt_phone")
        yield 0.2
        for digit in digits:
            yield p.tap(f"numpad:{digit}")
        yield 0.2
        pad = find_numpad(app.sm.current_screen)
        record["typed"].append({"value": pad.value if pad else None,
                                "display": pad.ids.display.children[0].text if pad else None})
        app.show_screen("home")
        yield 0.2
