"""Appointment and rating UI scenarios, each in a fresh process (one Kivy window each).

    python -m tests.support.ui tests.appointments.ui_scenarios NAME DATA_DIR OUT.json [WxH] [JSON]

The terminal joins the test's broker (the real agent) when the record carries a
``config`` with a [fleet] section; the centre runs in the test process. Screenshots go
to ``record["shots"]`` when given. Every screen looked at is also audited for
accessibility (targets, type, contrast, keypad, voice).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from tests.support import ui
from tests.support.ui import KEY_RIGHT as NEXT
from tests.support.ui import KEY_ENTER as ENTER
from tests.support.ui import Scenarios, Steps

SCENARIOS = Scenarios()
scenario = SCENARIOS.add
START = time.monotonic()


def look(p: Any, record: dict[str, Any], label: str) -> None:
    """Remember the screen and its texts (and when); photograph it when asked; audit it."""
    seen = ui.look(p, record, label)
    seen["t"] = round(time.monotonic() - START, 2)
    # deferred: Kivy widgets load in the app's process only, after prepare_kivy
    from screens.audit import audit_screen

    _, found = audit_screen(p.app, p.app.sm.current, elder=p.app.elder)
    # The message line's text is shrunk to fit its strip on purpose; it is not these screens'.
    banner = f"label {p.app.banner[:24]!r}"
    record.setdefault("violations", []).extend(f"{label}: {v.widget} {v.check} {v.detail}" for v in found if v.widget != banner)


def wait_for(p: Any, pred: Callable[[], bool], seconds: float = 25.0) -> Steps:
    """Let the app run until ``pred()`` (25 s at most: a centre answers over MQTT), then
    0.3 s more for the screen to settle."""
    return ui.wait_for(p, pred, seconds, settle=0.3)


def say(p: Any, text: str) -> float:
    """Recognised speech through the bridge; the seconds to let the app act on it."""
    ui.hear(p, text)
    return 0.5


@scenario
def book(p: Any, record: dict[str, Any]) -> Steps:
    """Book by touch: 预约 → service → day/time → ID card (pty simulator) → phone → slip."""
    yield from wait_for(p, lambda: p.app.terminal.centre is not None and p.app.terminal.centre.connected())
    yield p.tap("start")
    look(p, record, "appointment_home")
    yield p.tap("appt:open")
    look(p, record, "appointment_menu")
    yield p.tap("appt:service:consultation")
    yield from wait_for(p, lambda: p.app.terminal.flow.features.get("appointments").asking is None)
    look(p, record, "appointment_slots")
    yield p.tap("elder")  # 长辈版: bigger type and targets, audited too
    look(p, record, "appointment_slots_elder")
    yield p.tap("elder")
    yield p.tap("lang")
    look(p, record, "appointment_slots_en")
    yield p.tap("lang")
    days = [b.action for b in p.buttons() if b.action.startswith("appt:day:")]
    record["days"] = days
    yield p.tap(days[1])
    slot = next(b.action for b in p.buttons() if b.action.startswith("appt:slot:"))
    record["slot_action"] = slot
    yield p.tap(slot)
    look(p, record, "appointment_card")
    p.app._run_sim_action("idcard.insert_adult")
    yield from wait_for(p, lambda: p.app.sm.current == "appt_phone")
    for d in "13800138000":
        p.tap(f"numpad:{d}")  # one finger after another; the screen settles once
    yield 0.4
    look(p, record, "appointment_phone")
    yield p.tap("numpad:ok")
    yield from wait_for(p, lambda: p.app.sm.current == "appt_booked")
    yield from wait_for(p, lambda: p.app.terminal.flow.features.get("appointments").slip_key == "appointment.slip_printed", 20)
    look(p, record, "appointment_booked")
    a = p.app.terminal.flow.features.get("appointments")
    record["code"] = a.booking.code if a.booking else None
    record["slip_png"] = str(Path(record["data_dir"]) / "printer" / "last.png")
    yield p.tap("finish")
    record["after_finish"] = {"screen": p.app.sm.current, "card": p.app.terminal.flow.visit.card is not None,
                              "phone": p.app.terminal.flow.features.get("appointments").phone}


@scenario
def full(p: Any, record: dict[str, Any]) -> Steps:
    """The last place goes to another terminal while this person types: 已约满."""
    yield from wait_for(p, lambda: p.app.terminal.centre is not None and p.app.terminal.centre.connected())
    yield p.tap("start")
    yield p.tap("appt:open")
    yield p.tap("appt:service:consultation")
    yield from wait_for(p, lambda: p.app.terminal.flow.features.get("appointments").asking is None)
    slot = next(b.action for b in p.buttons() if b.action.startswith("appt:slot:"))
    yield p.tap(slot)
    p.app._run_sim_action("idcard.insert_adult")
    yield from wait_for(p, lambda: p.app.sm.current == "appt_phone")
    # Meanwhile another terminal books the last place (the test fills it through the centre).
    Path(record["signal"]).write_text(slot.rsplit(":", 1)[1])
    yield from wait_for(p, lambda: Path(record["signal"] + ".done").exists())
    for d in "13800138000":
        p.tap(f"numpad:{d}")  # one finger after another; the screen settles once
    yield 0.4
    yield p.tap("numpad:ok")
    yield from wait_for(p, lambda: p.app.sm.current == "appt_slots" and p.app.terminal.flow.features.get("appointments").asking is None)
    look(p, record, "appointment_full")
    record["notice"] = p.app.notice


@scenario
def mine(p: Any, record: dict[str, Any]) -> Steps:
    """My appointment by ID card: move it, then cancel it."""
    yield from wait_for(p, lambda: p.app.terminal.centre is not None and p.app.terminal.centre.connected())
    yield p.tap("start")
    yield p.tap("appt:open")
    yield p.tap("appt:mine")
    p.app._run_sim_action("idcard.insert_adult")
    yield from wait_for(p, lambda: p.app.sm.current == "appt_mine" and p.app.terminal.flow.features.get("appointments").asking is None)
    look(p, record, "appointment_mine")
    code = record["code"]
    record["mine_codes"] = [b.code for b in p.app.terminal.flow.features.get("appointments").bookings]
    yield p.tap(f"appt:move:{code}")
    yield from wait_for(p, lambda: p.app.terminal.flow.features.get("appointments").asking is None)
    slots = [b.action for b in p.buttons() if b.action.startswith("appt:slot:")]
    yield p.tap(slots[-1])
    yield from wait_for(p, lambda: p.app.sm.current == "appt_booked")
    look(p, record, "appointment_moved")
    yield p.tap("back")
    yield p.tap("appt:mine")
    yield from wait_for(p, lambda: p.app.terminal.flow.features.get("appointments").asking is None)
    yield p.tap(f"appt:cancel:{code}")
    yield from wait_for(p, lambda: p.app.terminal.flow.features.get("appointments").asking is None)
    look(p, record, "appointment_cancelled")
    record["cancel_notice"] = p.app.notice


@scenario
def checkin(p: Any, record: dict[str, Any]) -> Steps:
    """A card on the attract screen: today's appointment found, checked in, ticket."""
    yield from wait_for(p, lambda: p.app.terminal.centre is not None and p.app.terminal.centre.connected())
    p.app._run_sim_action("idcard.insert_adult")
    yield from wait_for(p, lambda: p.app.sm.current == "appt_checkin")
    look(p, record, "appointment_checkin")
    yield say(p, "好的")  # by voice: "yes" is this screen's answer (签到取号)
    yield 0.5
    look(p, record, "appointment_ticket")
    ticket = p.app.terminal.flow.visit.ticket
    record["ticket"] = {"number": ticket.number, "priority": ticket.priority.value} if ticket else None


@scenario
def rate_touch(p: Any, record: dict[str, Any]) -> Steps:
    """服务评价 on the home screen: the ticket's digits, a face, a reason, 提交."""
    yield p.tap("start")
    yield p.tap("rate:ticket")
    look(p, record, "rating_ticket")
    for d in record["digits"]:
        yield p.tap(f"numpad:{d}")
    yield p.tap("numpad:ok")
    yield 0.3
    look(p, record, "rating")
    yield p.tap("rating:score:2")
    yield p.tap("rating:reason:long_wait")
    look(p, record, "rating_reasons")
    yield p.tap("elder")
    look(p, record, "rating_elder")
    yield p.tap("elder")
    yield p.tap("lang")
    look(p, record, "rating_en")
    yield p.tap("lang")
    yield p.tap("rating:submit")
    yield 0.3
    look(p, record, "rating_thanks")


@scenario
def rate_keypad(p: Any, record: dict[str, Any]) -> Steps:
    """The video call's rating (rate:video) with the keypad only."""
    yield p.tap("start")
    p.app.act("rate:video")  # what the video call's end screen does
    yield 0.3
    yield p.press_key(ENTER)
    for _ in range(30):
        f = p.app.keypad.focused
        if f is not None and f.action == "rating:score:4":
            break
        yield p.press_key(NEXT)
    yield p.press_key(ENTER)
    for _ in range(40):
        f = p.app.keypad.focused
        if f is not None and f.action == "rating:submit":
            break
        yield p.press_key(NEXT)
    yield p.press_key(ENTER)
    yield 0.3
    look(p, record, "rating_keypad_done")


@scenario
def rate_voice(p: Any, record: dict[str, Any]) -> Steps:
    """Voice mode: the faces said by name and by number."""
    yield p.tap("voice")
    p.app.act("rate:video")
    yield 0.5
    yield say(p, "三分")
    record["after_number"] = p.app.terminal.flow.features.get("ratings").score
    yield say(p, "非常满意")
    record["after_name"] = p.app.terminal.flow.features.get("ratings").score
    yield say(p, "提交评价")
    yield 0.3
    look(p, record, "rating_voice_done")
    record["spoken"] = ui.speaker(p).spoken()


def to_attract(p: Any) -> Steps:
    """End the visit (as the person would: 结束办理) and take the card off the reader."""
    yield 0.3  # the screen just changed: let its layout settle before a finger lands
    while p.app.sm.current != "attract":
        yield p.tap("finish")
    p.app._run_sim_action("idcard.remove")
    yield 0.3


@scenario
def appointments(p: Any, record: dict[str, Any]) -> Steps:
    """One person's appointments, in one app run: check in on arrival for today's
    mediation; book a consultation; move it; cancel it; book again while another
    terminal takes the last place (已约满)."""
    yield from checkin(p, record)
    yield from to_attract(p)
    yield from book(p, record)
    yield from to_attract(p)
    yield from mine(p, record)
    yield from to_attract(p)
    yield from full(p, record)


@scenario
def ratings(p: Any, record: dict[str, Any]) -> Steps:
    """Ratings by touch (a served ticket, found by its digits), by keypad (after a video
    call) and by voice (names and numbers)."""
    yield from rate_touch(p, record)
    yield from to_attract(p)
    yield from rate_keypad(p, record)
    yield from to_attract(p)
    yield from rate_voice(p, record)
