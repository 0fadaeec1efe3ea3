"""A mediation party called by their ticket, on the real app (offscreen, a process of
its own) joined to the test's real centre: the party takes a 人民调解 ticket at the
terminal; another visitor is in the middle of a visit when the mediator calls it (the
visit goes on untouched); once that visitor is done the terminal calls the number and
offers the invitation over the attract screen; the party taps it and reaches the
consent step of that session.

    python -m tests.support.ui tests.mediation.call_scenarios NAME DATA_DIR OUT.json [WxH] [GIVEN_JSON]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import ui
from tests.support.ui import Scenarios, Steps, look

SCENARIOS = Scenarios(maxfps=20)
scenario = SCENARIOS.add


def _mark(record: dict[str, Any], step: str) -> None:
    """Tell the test (which reads this file) how far the terminal got."""
    Path(record["progress"]).write_text(step, encoding="utf-8")


def _told(record: dict[str, Any]) -> str:
    signal = Path(record["signal"])
    return signal.read_text(encoding="utf-8") if signal.is_file() else ""


def _at(p: Any, screen: str) -> bool:
    return bool(p.app.sm.current == screen)


@scenario
def called(p: Any, record: dict[str, Any]) -> Steps:
    """Ticket → another visitor's visit (the call held) → the call → the invitation → consent."""
    queue = p.app.terminal.open_queue()
    for _ in range(11):  # the villagers before her this morning
        queue.take("mediation")
    # The party takes her ticket for 人民调解 and goes to sit down.
    yield p.tap("start")
    yield from ui.go(p, "service:mediation", "service")
    yield from ui.go(p, "take", "ticket")
    look(p, record, "ticket", photograph=False)
    record["ticket"] = queue.tickets()[-1].number
    yield p.tap("finish")
    yield from ui.wait_for(p, lambda: _at(p, "done") or _at(p, "attract"), 10)
    if _at(p, "done"):
        yield p.tap("finish")
    yield from ui.wait_for(p, lambda: _at(p, "attract"), 10, settle=0.5)

    # Another visitor reads the consultation service when the mediator calls.
    yield p.tap("start")
    yield from ui.go(p, "service:consultation", "service")
    _mark(record, "visiting")
    yield from ui.wait_for(p, lambda: _told(record) == "busy", 60)
    yield 4.0  # a poll or two more: nothing may change for the visitor
    seen = look(p, record, "visiting")
    record["visiting_screen"] = seen["screen"]
    record["visiting_actions"] = [b.action for b in p.buttons()]
    record["visiting_spoken"] = ui.spoken(p)
    # The visitor is done (back to home, back to the attract screen).
    yield p.tap("back")
    yield from ui.wait_for(p, lambda: _at(p, "home"), 5)
    yield p.tap("back")
    yield from ui.wait_for(p, lambda: "mediation:called" in [b.action for b in p.buttons()], 20, settle=1.0)
    if record.get("elder_look"):
        p.app.elder = True  # how the invitation looks in elder type (a person's visit would set it)
        yield 0.8
    look(p, record, "called")
    record["called_actions"] = [b.action for b in p.buttons()]
    yield from ui.wait_for(p, lambda: sum("C零一二" in s for s in ui.spoken(p)) >= 2, 20)
    record["called_spoken"] = ui.spoken(p)
    if record.get("elder_look"):
        return
    # She comes and taps the one big button: the consent step of her session.
    yield from ui.go(p, "mediation:called", "mediation_invite")
    look(p, record, "invite")
    session = p.app.terminal.flow.features.get("mediation").session or {}
    record["session"] = session.get("session_id")
    _mark(record, "invite")
