"""A screen that rebuilds its keypad at every redraw, in the real app offscreen (a fresh
process: one Kivy window each).

    python tests/screens/leak_scenarios.py DATA_DIR OUT.json
"""

from __future__ import annotations

import gc
import json
import sys
from pathlib import Path
from typing import Any, Generator

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def keypad_redraws(p: Any, record: dict[str, Any]) -> Generator[float, None, None]:
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
    record["typed"] = find_numpad(p.app.sm.current_screen).value


def main() -> None:
    data_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    record: dict[str, Any] = {}
    from screens.env import prepare_kivy

    prepare_kivy(1280, 800, offscreen=True)
    from kiosk.bootstrap import build_terminal
    from kiosk.config import KioskConfig
    from screens.app import KioskApp
    from screens.pilot import run_script

    terminal = build_terminal(KioskConfig(), data_dir, simulate=True)
    try:
        def script(p: Any) -> Generator[float, None, None]:
            while not terminal.devices_ready.is_set():
                yield 0.05
            yield from keypad_redraws(p, record)

        run_script(KioskApp(terminal), script)
    finally:
        terminal.close()
        out.write_text(json.dumps(record), encoding="utf-8")


if __name__ == "__main__":
    main()
