"""UI scenarios of the visit band: the card left on the reader, devices a step needs,
voice mode without a speech model, the printer's live state. One fresh process each:

    python -m tests.support.ui tests.screens.device_scenarios NAME DATA_DIR OUT.json [WxH] [JSON]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support import ui
from tests.support.ui import Scenarios, Steps, look, spoken
from tests.video.call_scenarios import join_loopback

SCENARIOS = Scenarios()
scenario = SCENARIOS.add


def wait_until(p: Any, done: Any, seconds: float = 6.0) -> Steps:
    """Let the app run until ``done()`` or ``seconds`` pass."""
    return ui.wait_for(p, done, seconds)


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
    # Queued behind what is still being said: wait for it to begin.
    said = sum("请取回身份证" in x for x in record["spoken_after_read"])
    yield from wait_until(p, lambda: sum("请取回身份证" in x for x in spoken(p)) > said, 5)
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
    # Queued behind why the card was refused, which is said first and takes a while.
    yield from wait_until(p, lambda: sum("请取回身份证" in x for x in spoken(p)) >= 2, 20)
    record["spoken_end"] = spoken(p)


@scenario
def home_scrolled_then_next_visit(p: Any, record: dict[str, Any]) -> Steps:
    """One person scrolls the home screen to its end and leaves; the next person's home
    screen opens at its top."""
    from kivy.uix.scrollview import ScrollView

    def home_view() -> Any:
        return next(w for w in p.app.root_screen("home").walk(restrict=True) if isinstance(w, ScrollView))

    yield p.tap("start")
    yield 0.3
    home_view().scroll_y = 0.0
    yield 0.3
    record["scrolled"] = home_view().scroll_y
    record["scrollable"] = home_view().children[0].height > home_view().height
    yield p.tap("finish")
    yield 0.3
    yield p.tap("start")
    yield 0.5
    record["screen"] = p.app.sm.current
    record["next_visit"] = home_view().scroll_y


@scenario
def no_card_with_me(p: Any, record: dict[str, Any]) -> Steps:
    """A service that needs the card, and the person has none with them: the card screen
    itself offers a ticket for the window, where staff check identity."""
    yield p.tap("start")
    yield p.tap("service:legal_aid")
    yield p.tap("take")
    look(p, record, "card")
    yield p.tap("window_ticket")
    yield from wait_until(p, lambda: p.app.sm.current == "ticket")
    look(p, record, "ticket")


def problem_within(p: Any, record: dict[str, Any], key: str, seconds: float = 5.0) -> Steps:
    """Wait for the visit band to name a device problem; record how long it took."""
    import time

    began = time.monotonic()
    yield from wait_until(p, lambda: bool(p.app.strip.problem), seconds)
    record[key] = round(time.monotonic() - began, 2)
    yield 0.2  # one layout pass: the way-on buttons take their place


@scenario
def device_absent(p: Any, record: dict[str, Any]) -> Steps:
    """The reader is unplugged while the card screen waits; the printer runs out of paper
    on the materials screen (whose own step is printing)."""
    yield p.tap("voice")  # voice mode: the problem is said as well as shown
    yield p.tap("service:legal_aid")
    yield p.tap("take")
    yield 0.3
    look(p, record, "card")
    p.app._run_sim_action("idcard.unplug")
    yield from problem_within(p, record, "reader_seconds")
    yield 0.2
    look(p, record, "unplugged")
    record["way_on"] = [b.action for b in p.app.strip.ids.way_on.children]
    yield 2.0
    record["spoken_unplugged"] = spoken(p)
    yield p.tap("window_ticket")
    yield 0.3
    look(p, record, "window_ticket")
    ticket = p.app.terminal.flow.visit.ticket
    record["ticket"] = [ticket.number, ticket.service] if ticket else None
    yield p.tap("voice")
    p.app.act("home")  # the ticket stays issued
    yield 0.2
    yield p.tap("service:consultation")
    yield p.tap("materials")
    yield 0.3
    look(p, record, "materials")
    p.app._run_sim_action("printer.paper_out")
    yield from problem_within(p, record, "printer_seconds")
    look(p, record, "paper_out")
    record["take_offered"] = any(b.action == "take" for b in p.buttons())
    p.app._run_sim_action("printer.ready")
    yield from wait_until(p, lambda: not p.app.strip.problem, 5)
    look(p, record, "paper_back")


@scenario
def camera_absent(p: Any, record: dict[str, Any]) -> Steps:
    """The camera is unplugged on the consent screen of a video call (a lawyer on duty)."""
    yield p.tap("start")
    centre = join_loopback(p, record, lawyers=1)
    p.app.root_screen("home").refresh()
    yield 0.2
    yield p.tap("call:open")
    look(p, record, "consent")
    p.app._run_sim_action("camera.toggle")
    yield from problem_within(p, record, "camera_seconds")
    look(p, record, "camera_unplugged")
    yield p.tap("window_ticket")
    yield 0.3
    look(p, record, "window_ticket")
    ticket = p.app.terminal.flow.visit.ticket
    record["ticket"] = [ticket.number, ticket.service] if ticket else None
    centre.close()


def open_technician(p: Any) -> Steps:
    """The PIN screen, then the technician screen, as a technician does."""
    p.app.act("tech")
    yield 0.2
    for key in p.app.terminal.config.technician.pin:
        yield p.tap(f"pin:{key}")
    yield p.tap("pin:ok")
    yield 0.3


@scenario
def voice_without_model(p: Any, record: dict[str, Any]) -> Steps:
    """Voice mode on a terminal with no speech model: what is said, shown, and reported."""
    yield p.tap("voice")
    yield 1.0
    look(p, record, "home")
    yield p.tap("service:consultation")
    yield 0.5
    p.app.act("help")
    yield 0.3
    look(p, record, "service")
    p.app._on_idle(0)  # the idle question, asked aloud in voice mode
    yield 0.3
    yield p.tap("still_here")
    record["spoken"] = spoken(p)
    yield p.tap("finish")
    yield 0.3
    yield from open_technician(p)
    look(p, record, "technician")


@scenario
def printer_state(p: Any, record: dict[str, Any]) -> Steps:
    """Paper out before anyone prints: the technician screen shows it; a ticket that could
    not be printed outlives its visit and is reprinted by number once paper is back."""
    import time

    yield from open_technician(p)
    look(p, record, "technician")
    for status, word in (("paper_out", "打印机缺纸"), ("cover_open", "打印机纸仓盖未关好"), ("offline", "打印机暂时无法使用")):
        p.app._run_sim_action(f"printer.{status}")
        began = time.monotonic()
        yield from wait_until(p, lambda: word in p.screen_text(), 8)
        record[f"{status}_seconds"] = round(time.monotonic() - began, 2)
        look(p, record, status)
    p.app._run_sim_action("printer.paper_out")
    yield p.tap("tech_exit")
    yield p.tap("start")
    yield p.tap("service:consultation")
    yield p.tap("take")
    yield from wait_until(p, lambda: p.app.receipts.ticket_state_key == "ticket.not_printed", 8)
    number = p.app.terminal.flow.visit.ticket.number
    record["number"] = number
    yield p.tap("finish")
    yield p.tap("finish")
    yield 0.3
    record["after_visit"] = p.app.sm.current
    p.app._run_sim_action("printer.ready")
    yield from open_technician(p)
    from kiosk.ports import DeviceKind

    yield from wait_until(p, lambda: p.app.terminal.devices[DeviceKind.PRINTER].health().state.value == "ready", 8)
    yield 1.2  # the screen's own refresh
    look(p, record, "reprint_offered")
    yield p.tap(f"reprint_ticket:{number}")
    yield from wait_until(p, lambda: bool(p.app.root_screen("technician").reprint_text), 10)
    look(p, record, "reprinted")
    last = Path(record["data_dir"]) / "printer" / "last.bin"
    record["printed"] = last.read_bytes().decode("gb18030", "replace") if last.is_file() else ""
