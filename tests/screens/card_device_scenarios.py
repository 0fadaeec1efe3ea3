"""UI scenarios of the ID card and its reader across visits: a reader fault cleared, a
card left on the reader, a refused card put down at the start, a printer that is down.
One fresh process each:

    python -m tests.support.ui tests.screens.card_device_scenarios NAME DATA_DIR OUT.json [WxH] [JSON]
"""

from __future__ import annotations

from typing import Any

from kiosk.ports import DeviceKind
from tests.support.ui import Scenarios, Steps, look, spoken, wait_for

SCENARIOS = Scenarios(maxfps=20)
scenario = SCENARIOS.add


def reader_state(p: Any) -> str:
    """The card reader's health as the app sees it (ready, fault, absent…)."""
    return str(p.app.terminal.devices[DeviceKind.IDCARD].health().state.value)


def card_step(p: Any, record: dict[str, Any], label: str) -> Steps:
    """What the card screen and the band say at ``label``, and which buttons work."""
    yield 1.2  # two polls of the band, and a layout pass
    look(p, record, label)
    screen = p.app.sm.current_screen
    record[label] = {
        "screen": p.app.sm.current,
        "title": getattr(screen, "title", ""),
        "notice": getattr(screen, "notice", ""),
        "problem": p.app.strip.problem,
        "actions": sorted({b.action for b in p.buttons() if b.action and b.height > 0}),
    }


def open_technician(p: Any) -> Steps:
    """The PIN screen, then the technician screen, as a technician does."""
    p.app.act("tech")
    yield 0.2
    for key in p.app.terminal.config.technician.pin:
        yield p.tap(f"pin:{key}")
    yield p.tap("pin:ok")
    yield 0.6


def end_visit(p: Any) -> Steps:
    """結束办理 until the attract screen shows."""
    while p.app.sm.current != "attract":
        yield p.tap("finish")
    yield 0.3


@scenario
def reader_fault_cleared(p: Any, record: dict[str, Any]) -> Steps:
    """The SAM fails while a visitor is at the card step (in Chinese, then English); the
    technician clears the fault; then visitors ask for services that need the card."""
    yield p.tap("start")
    yield p.tap("service:notary")
    yield p.tap("take")
    yield from wait_for(p, lambda: p.app.sm.current == "card", 4)
    p.app._run_sim_action("idcard.fault_sam_failure")
    yield from wait_for(p, lambda: reader_state(p) == "fault", 8)
    yield from card_step(p, record, "fault_live")
    yield p.tap("lang")
    yield from card_step(p, record, "fault_live_en")
    yield p.tap("lang")
    yield 0.3
    yield from open_technician(p)
    p.app._run_sim_action("idcard.clear_faults")
    yield from wait_for(p, lambda: reader_state(p) == "ready", 8)
    yield 0.6
    yield p.tap("tech_exit")
    yield from card_step(p, record, "same_visit_after_clear")
    yield from end_visit(p)
    yield p.tap("start")
    yield p.tap("service:notary")
    yield p.tap("take")
    yield from card_step(p, record, "next_visit")
    yield from end_visit(p)
    yield p.tap("start")
    yield p.tap("service:legal_aid")
    yield p.tap("take")
    yield from card_step(p, record, "legal_aid")
    # The reader unplugged at the card step, the visitor goes home, it is plugged back.
    p.app._run_sim_action("idcard.unplug")
    yield from wait_for(p, lambda: reader_state(p) == "absent", 8)
    yield from card_step(p, record, "unplugged")
    yield p.tap("home")
    yield 0.6
    p.app._run_sim_action("idcard.plug")
    yield from wait_for(p, lambda: reader_state(p) == "ready", 8)
    yield p.tap("service:notary")
    yield p.tap("take")
    yield from card_step(p, record, "after_replug")
    record["spoken"] = spoken(p)


def decline_offer(p: Any) -> Steps:
    """A 60+ card brings the offer of elder mode: declined."""
    yield 0.3
    offer = getattr(p.app, "_offer", None)
    if offer is not None and offer.parent is not None:
        yield p.tap("elder_offer:no")


@scenario
def card_left_across_visits(p: Any, record: dict[str, Any]) -> Steps:
    """A person puts a card on the reader at the start, takes a ticket and leaves it
    there; the next person comes to a card step and leaves; then a third person puts
    their own card on the reader and walks off (the visit times out)."""
    p.app._run_sim_action("idcard.insert_adult")
    yield from wait_for(p, lambda: p.app.sm.current == "home", 8)
    yield 1.0
    look(p, record, "home_with_card")
    yield p.tap("service:notary")
    yield p.tap("take")
    yield from wait_for(p, lambda: p.app.sm.current == "ticket", 4)
    yield 1.0
    look(p, record, "ticket")
    yield p.tap("finish")
    yield 0.5
    yield p.tap("finish")
    yield 1.0
    look(p, record, "attract_end")
    yield 21.0  # longer than a passing glance: the card is still there
    look(p, record, "attract_later")
    yield p.tap("start")
    if record.get("elder"):
        p.app.act("elder")
        yield 0.8  # the home screen lays itself out anew in elder type
    yield p.tap("service:notary")
    yield p.tap("take")
    yield from card_step(p, record, "next_card_step")
    record["next_card_step"]["others_card"] = getattr(p.app.sm.current_screen, "others_card", "")
    yield p.tap("window_ticket")
    yield from wait_for(p, lambda: p.app.sm.current == "ticket", 4)
    yield from end_visit(p)
    yield 1.0
    look(p, record, "attract_after_next")
    # A third person's card enters the field: the one left before has gone.
    p.app._run_sim_action("idcard.remove")
    p.app._run_sim_action("idcard.insert_elderly")
    yield from wait_for(p, lambda: p.app.sm.current == "home", 8)
    yield from decline_offer(p)
    record["left_after_new_card"] = p.app.terminal.flow.card_may_be_left
    said = len(spoken(p))
    p.app._on_idle(0)
    yield 0.1
    p.app._on_idle(0)
    yield 1.0
    look(p, record, "after_idle")
    yield from wait_for(p, lambda: any("请取回身份证" in x for x in spoken(p)[said:]), 5)
    record["spoken_end"] = spoken(p)[said:]


@scenario
def refused_at_start(p: Any, record: dict[str, Any]) -> Steps:
    """An expired card put on the reader at the start screen, then a card whose number
    fails its check; then the reader dies before anyone starts a legal-aid application."""
    p.app._run_sim_action("idcard.insert_expired")
    yield from wait_for(p, lambda: p.app.terminal.flow.visit.card_refused is not None, 8)
    yield 1.0
    look(p, record, "attract_expired")
    yield from wait_for(p, lambda: any("身份证已过有效期" in x for x in spoken(p)), 5)
    record["spoken_expired"] = spoken(p)
    yield p.tap("start")
    yield 1.0
    look(p, record, "home_expired")
    yield from end_visit(p)
    p.app._run_sim_action("idcard.remove")
    yield from wait_for(p, lambda: p.app.terminal.flow.visit.card_refused is None, 8)
    p.app._run_sim_action("idcard.insert_invalid_number")
    yield from wait_for(p, lambda: p.app.terminal.flow.visit.card_refused is not None, 8)
    yield 1.0
    look(p, record, "attract_invalid")
    yield p.tap("start")
    yield 1.0
    look(p, record, "home_invalid")
    record["home_actions_with_reader"] = sorted({b.action for b in p.buttons() if b.action})
    yield from end_visit(p)
    p.app._run_sim_action("idcard.unplug")
    yield from wait_for(p, lambda: reader_state(p) == "absent", 8)
    yield 1.0
    look(p, record, "attract_no_reader")
    yield p.tap("start")
    yield 1.0
    look(p, record, "home_no_reader")
    record["home_actions"] = sorted({b.action for b in p.buttons() if b.action})


def printer_state(p: Any) -> str:
    """The printer's health as the app sees it."""
    return str(p.app.terminal.devices[DeviceKind.PRINTER].health().state.value)


@scenario
def printer_down(p: Any, record: dict[str, Any]) -> Steps:
    """The printer goes offline; the start screen, the materials list's print, and a
    list whose paper failed after the person went back a step."""
    # deferred: Kivy is imported only in the app's process, after prepare_kivy
    from kiosk.events import PrintFinished

    p.app._run_sim_action("printer.offline")
    yield from wait_for(p, lambda: printer_state(p) in ("fault", "absent"), 8)
    yield 1.2
    look(p, record, "attract")
    yield p.tap("start")
    yield p.tap("service:consultation")
    yield p.tap("materials")
    yield 1.2
    yield p.tap("print_materials")
    yield 1.5
    look(p, record, "materials_print")
    record["materials_banner"] = p.app.banner
    record["materials_problem"] = p.app.strip.problem
    yield p.tap("back")
    yield 1.0
    # The paper of a list sent while the printer still looked ready fails now: told on
    # the service screen, which has no band line for the printer.
    p.app.on_device_event(PrintFinished("materials:consultation", False, "printer.offline", "offline"))
    yield 0.5
    look(p, record, "service_failed")
    record["service_banner"] = p.app.banner
