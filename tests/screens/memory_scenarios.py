"""The app at idle, in the real app offscreen (a fresh process: one Kivy window each):
what it has loaded once every screen is built and the devices are open.

    python -m tests.support.ui tests.screens.memory_scenarios idle DATA_DIR OUT.json
"""

from __future__ import annotations

import sys
from typing import Any

from tests.support.ui import Scenarios, Steps

SCENARIOS = Scenarios(maxfps=10, app_log=True)

# Libraries whose memory a terminal pays only when a feature that needs them is used.
HEAVY = ("pypinyin", "vosk")


@SCENARIOS.add
def idle(p: Any, record: dict[str, Any]) -> Steps:
    """Idle on the attract screen after start-up (no speech model on this terminal)."""
    t = p.app.terminal
    while not t.devices_ready.is_set() or len(p.app.sm.screens) < len(p.app.screen_table):
        yield 0.1
    yield 3.0  # what start-up set off on workers (warm-ups, device threads) has run
    record["voice_input"] = t.voice_input is not None
    record["loaded"] = [name for name in HEAVY if name in sys.modules]
    record["screen"] = p.app.sm.current


@SCENARIOS.add
def visit_ends(p: Any, record: dict[str, Any]) -> Steps:
    """A visit begun and finished; the attract screen stays a few seconds."""
    while len(p.app.sm.screens) < len(p.app.screen_table):
        yield 0.1
    yield p.tap("start")
    yield 0.5
    record["during"] = p.app.sm.current
    yield p.tap("finish")
    yield 5.0  # the heap is given back a few seconds after the attract screen is up
    record["screen"] = p.app.sm.current
