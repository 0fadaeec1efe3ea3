"""UI scenarios of a second walk through the app: tickets outside opening hours, elder
layout, the keypad's focus, the idle countdown. One fresh process each:

    python -m tests.support.ui tests.screens.walkfix_scenarios NAME DATA_DIR OUT.json [WxH] [JSON]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.ui import Scenarios, Steps, look, wait_for

SCENARIOS = Scenarios()
scenario = SCENARIOS.add


def shoot(p: Any, record: dict[str, Any], label: str) -> None:
    """Photograph the screen into ``record["shots"]`` (when given) under ``label``."""
    if record.get("shots"):
        p.screenshot(Path(record["shots"]) / f"{label}.png")


@scenario
def after_hours(p: Any, record: dict[str, Any]) -> Steps:
    """A person comes after closing time (``given["now"]``), opens a service, takes a
    ticket if the site issues one then; what the home tile, the service screen, the
    ticket screen and the printed ticket say."""
    if record.get("lang") == "en":
        p.app.act("lang")
    yield p.tap("start")
    yield 0.5
    look(p, record, "home")
    yield p.tap(f"service:{record.get('service', 'consultation')}")
    yield 0.5
    look(p, record, "service")
    take = next(w for w in p.app.sm.current_screen.walk(restrict=True) if getattr(w, "action", None) == "take")
    record["take_disabled"] = bool(take.disabled)
    if record["take_disabled"]:
        return
    yield p.tap("take")
    yield from wait_for(p, lambda: p.app.receipts.ticket_state_key == "ticket.printed", 8)
    yield 0.3
    look(p, record, "ticket")
    ticket = p.app.terminal.flow.visit.ticket
    record["ticket_day"] = ticket.day.isoformat() if ticket else None
    last = Path(record["data_dir"]) / "printer" / "last.bin"
    record["printed"] = last.read_bytes().decode("gb18030", "replace") if last.is_file() else ""
