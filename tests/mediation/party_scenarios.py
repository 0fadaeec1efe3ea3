"""The mediation party's screens on the real app (offscreen, a process of its own),
joined to the test's real centre through its agent; the test plays the mediator.

    python -m tests.support.ui tests.mediation.party_scenarios NAME DATA_DIR OUT.json [WxH] [GIVEN_JSON]

``record["a4"]``: the A4 printer — ``ready`` (the simulator, the default), ``stopped``
(the simulator paused: paper out) or ``none`` (the terminal has none).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import ui
from tests.support.ui import Scenarios, Steps, look

SCENARIOS = Scenarios(maxfps=20)
scenario = SCENARIOS.add


def _feature(p: Any) -> Any:
    return p.app.terminal.flow.features.get("mediation")


def _mark(record: dict[str, Any], step: str) -> None:
    """Tell the test (which reads this file) how far the party got."""
    Path(record["progress"]).write_text(step, encoding="utf-8")


def _a4(p: Any, record: dict[str, Any]) -> None:
    # deferred: the app's process only
    from kiosk.ports import DeviceKind
    from kiosk.terminal import AbsentDevice

    t = p.app.terminal
    if record.get("a4") == "none":
        t.devices[DeviceKind.A4PRINTER].close()
        t.devices[DeviceKind.A4PRINTER] = AbsentDevice(DeviceKind.A4PRINTER, "", "not configured")
    elif record.get("a4") == "stopped":
        p.app._run_sim_action("a4printer.stopped")


@scenario
def party(p: Any, record: dict[str, Any]) -> Steps:
    """Invitation → consent → card → room (pictures, the agreement read aloud) → sign →
    ended, the party's copy on A4 or the receipt."""
    _a4(p, record)
    yield p.tap("start")
    if record.get("elder"):
        yield p.tap("elder")  # 长辈版, as a person switches it on the home screen
    yield from ui.wait_for(p, lambda: "mediation:open" in [b.action for b in p.buttons()], 15)
    look(p, record, "home")
    yield from ui.go(p, "mediation:open", "mediation_invite")
    look(p, record, "invite")
    if record.get("by_voice"):
        ui.hear(p, "同意")  # the answer said, not tapped
        yield from ui.wait_for(p, lambda: p.app.sm.current == "card", 20)
    else:
        yield from ui.go(p, "mediation:agree", "card")
    yield from ui.place_card(p, record.get("card_action", "idcard.insert_adult"), leaves="card")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "mediation_room", 20)
    _mark(record, "room")
    record["room_reached"] = p.app.sm.current

    def pictures() -> list[bool]:
        screen = p.app.sm.current_screen  # read safely: a loaded machine may not be there yet
        return [getattr(screen, "mediator_texture", None) is not None, getattr(screen, "other_texture", None) is not None]

    yield from ui.wait_for(p, lambda: all(pictures()), 30, settle=0.5)
    record["pictures"] = pictures()
    yield from ui.wait_for(p, lambda: "修缮费" in str(_feature(p).doc.get("agreement", "")), 20, settle=1.2)
    look(p, record, "room")
    if record.get("by_voice"):
        ui.hear(p, "朗读协议")
    else:
        yield p.tap("mediation:read")
    yield 0.5
    record["spoken"] = ui.spoken(p)
    if record.get("only_look"):
        yield p.tap("mediation:hangup")
        yield from ui.wait_for(p, lambda: p.app.sm.current == "mediation_ended", 10)
        return
    yield from ui.go(p, "mediation:sign", "mediation_sign")
    look(p, record, "sign")
    yield p.tap("mediation:sign_done")  # nothing drawn: refused with a message
    yield 0.3
    record["empty_sign_screen"] = p.app.sm.current
    ui.draw_strokes(p.app.sm.current_screen.pad, [[(0.1, 0.5), (0.3, 0.2), (0.5, 0.7), (0.8, 0.3)]])
    yield 0.2
    look(p, record, "signed_pad")
    yield from ui.go(p, "mediation:sign_done", "mediation_room")
    _mark(record, "signed")
    printed = Path(record["data_dir"]) / "printer" / "last.png"
    before = printed.stat().st_mtime if printed.is_file() else 0.0
    seen: list[str] = []

    def shown(*_: Any) -> None:
        # Every line the ended screen showed of the copy (printing, then printed): after
        # each event of the flow (the app has refreshed the screen by then) and each frame.
        text = getattr(p.app.sm.current_screen, "copy_text", "")
        if text and text not in seen:
            seen.append(text)

    p.app.terminal.flow.add_listener(shown)
    yield from ui.wait_for(p, lambda: p.app.sm.current == "mediation_ended", 40)

    def copy_done() -> bool:
        shown()
        return _feature(p).copy in ("printed", "receipt")

    yield from ui.wait_for(p, copy_done, 60, settle=0.8)
    copy_done()
    record["copy_seen"] = seen
    record["copy"] = _feature(p).copy
    look(p, record, "ended")
    if record["copy"] == "printed":
        jobs = p.app.terminal.a4_printer().jobs
        record["a4_printed"] = str(jobs[-1]) if jobs else None
        return
    yield from ui.wait_for(p, lambda: printed.is_file() and printed.stat().st_mtime > before, 10)
    record["printed"] = str(printed) if printed.is_file() and printed.stat().st_mtime > before else None
