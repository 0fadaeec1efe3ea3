"""UI scenarios of what a person still met on a walk through the app: a refused card,
elder mode at 1280×800, the rating's confirm, a reprint after a paper fault, the elder
offer over the technician screen, the technician's fault colours, the ticket's window.
One fresh process each:

    python -m tests.support.ui tests.screens.walk_scenarios NAME DATA_DIR OUT.json [WxH] [JSON]
"""

from __future__ import annotations

from typing import Any

from tests.support.ui import Scenarios, Steps, look, wait_for

SCENARIOS = Scenarios()
scenario = SCENARIOS.add


def open_technician(p: Any) -> Steps:
    """The PIN screen, then the technician screen, as a technician does."""
    p.app.act("tech")
    yield 0.2
    for key in p.app.terminal.config.technician.pin:
        yield p.tap(f"pin:{key}")
    yield p.tap("pin:ok")
    yield 0.3


def offer_shown(p: Any) -> bool:
    """True while the offer of elder mode is on screen."""
    offer = getattr(p.app, "_offer", None)
    return offer is not None and offer.parent is not None


@scenario
def technician_walk(p: Any, record: dict[str, Any]) -> Steps:
    """A technician at a visit's card step unplugs the reader, plugs it back and puts a
    70-year-old's card on it from the technician screen, then leaves."""
    from kiosk.ports import DeviceKind

    yield p.tap("start")
    yield p.tap("service:legal_aid")
    yield p.tap("take")
    yield from open_technician(p)
    p.app._run_sim_action("idcard.unplug")
    yield from wait_for(p, lambda: p.app.terminal.devices[DeviceKind.IDCARD].health().state.value == "absent", 6)
    p.app.root_screen("technician").refresh_states()
    yield 0.3
    rows = [w for w in p.app.root_screen("technician").walk(restrict=True) if type(w).__name__ == "DeviceRow"]
    record["rows"] = {r.state_text: list(r.state_colour) for r in rows}
    p.app._run_sim_action("idcard.plug")
    yield from wait_for(p, lambda: p.app.terminal.devices[DeviceKind.IDCARD].health().state.value == "ready", 8)
    p.app._run_sim_action("idcard.insert_elderly")
    yield from wait_for(p, lambda: p.app.terminal.flow.visit.card is not None, 8)
    yield 0.4
    record["offer_over_technician"] = offer_shown(p)
    record["screen_with_card"] = p.app.sm.current
    yield p.tap("tech_exit")
    yield 0.4
    record["screen_after"] = p.app.sm.current
    record["offer_after"] = offer_shown(p)
