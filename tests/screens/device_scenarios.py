"""UI scenarios of the visit band: the card left on the reader, devices a step needs,
voice mode without a speech model, the printer's live state. Run like scenarios.py:

    python tests/screens/device_scenarios.py NAME DATA_DIR OUT.json [WxH] [JSON]
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.screens.scenarios import Steps, look, main, scenario  # noqa: E402


def wait_until(p: Any, done: Any, seconds: float = 6.0) -> Steps:
    """Let the app run until ``done()`` or ``seconds`` pass."""
    for _ in range(int(seconds / 0.1)):
        if done():
            return
        yield 0.1


def spoken(p: Any) -> list[str]:
    """What the speaker simulator said so far."""
    from kiosk.ports import DeviceKind

    return list(p.app.terminal.devices[DeviceKind.SPEAKER].spoken())


@scenario
def card_left_ticket(p: Any, record: dict[str, Any]) -> Steps:
    """A ticket that needs the card: the card is read, the ticket printed, the visit ends."""
    yield p.tap("start")
    yield p.tap("service:legal_aid")
    yield p.tap("take")
    look(p, record, "card")
    p.app._run_sim_action("idcard.insert_adult")
    yield from wait_until(p, lambda: p.app.sm.current == "ticket")
    yield from wait_until(p, lambda: p.app.receipts.ticket_state_key == "ticket.printed")
    yield 0.3
    look(p, record, "ticket")
    record["spoken_after_read"] = spoken(p)
    last = Path(record["data_dir"]) / "printer" / "last.bin"
    record["printed"] = last.read_bytes().decode("gb18030", "replace") if last.is_file() else ""
    yield p.tap("finish")
    yield 0.3
    look(p, record, "done")
    record["spoken_done"] = spoken(p)
    yield p.tap("finish")
    yield 0.3
    look(p, record, "attract")
    record["spoken_end"] = spoken(p)


@scenario
def card_left_at_start(p: Any, record: dict[str, Any]) -> Steps:
    """A card put on the reader at the attract screen opens the visit; one refused (expired)
    lies there just the same; the person walks off and the visit times out."""
    p.app._run_sim_action("idcard.insert_expired")
    yield from wait_until(p, lambda: p.app.terminal.flow.visit.card_placed)
    yield 0.4
    look(p, record, "placed")
    record["spoken_placed"] = spoken(p)
    yield p.tap("start")
    yield 0.3
    look(p, record, "home")
    p.app._on_idle(0)
    yield 0.1
    p.app._on_idle(0)
    yield 0.4
    look(p, record, "ended")
    yield from wait_until(p, lambda: sum("请取回身份证" in x for x in spoken(p)) >= 2, 5)
    record["spoken_end"] = spoken(p)


if __name__ == "__main__":
    main()
