"""UI scenarios of a visit, each played in a fresh process (Kivy has one window per process):

    python -m tests.support.ui tests.screens.scenarios NAME DATA_DIR OUT.json [WxH] [GIVEN_JSON]

Each scenario drives the real app by touches through the Pilot and records what a
person would see: the screen's name and its texts, at every step.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from tests.support import PYTHON, kiosk_env
from tests.support import ui
from tests.support.ui import KEY_ENTER as ENTER
from tests.support.ui import KEY_ESCAPE, Scenarios, Steps, focus_on, hear, look

SCENARIOS = Scenarios()
scenario = SCENARIOS.add


@scenario
def visit(p: Any, record: dict[str, Any]) -> Steps:
    """A villager takes a consultation ticket, reading the materials first."""
    look(p, record, "attract")
    yield p.tap("start")
    look(p, record, "home")
    yield p.tap("service:consultation")
    look(p, record, "service")
    yield p.tap("materials")
    look(p, record, "materials")
    yield p.tap("take")
    yield 0.3
    look(p, record, "ticket")
    record["queue"] = [t.number for t in p.app.terminal.queue.tickets()]
    yield p.tap("finish")
    look(p, record, "done")
    yield p.tap("finish")
    look(p, record, "end")


@scenario
def back_and_language(p: Any, record: dict[str, Any]) -> Steps:
    """Back steps, English at run time, elder mode's bigger type."""
    yield p.tap("start")
    yield p.tap("service:mediation")
    yield p.tap("back")
    look(p, record, "back")
    size_before = p.find("service:mediation").font_size
    yield p.tap("lang")
    look(p, record, "english")
    yield p.tap("elder")
    record["font_sizes"] = [size_before, p.find("service:mediation").font_size]
    record["columns"] = p.app.sm.current_screen.ids.tiles.cols
    yield p.tap("elder")
    yield p.tap("finish")
    look(p, record, "end")
    record["language_after"] = p.app.lang


@scenario
def elderly_card(p: Any, record: dict[str, Any]) -> Steps:
    """Legal aid needs the ID card; a 70-year-old's card gives an elderly ticket."""
    yield p.tap("start")
    yield p.tap("service:legal_aid")
    yield p.tap("take")
    look(p, record, "card")
    # The technician's simulator control places the demo card on the simulated reader.
    p.app._run_sim_action(record["card_action"])
    # The real driver polls the reader over a pty: wait for what the person sees next,
    # the ticket or why the card was refused (never a fixed time: a loaded board is slow).
    yield from ui.wait_for(p, lambda: p.app.sm.current == "ticket" or p.app.terminal.flow.visit.card_refused, 30)
    yield 0.5
    look(p, record, "ticket")
    ticket = p.app.terminal.flow.visit.ticket
    record["ticket"] = {"number": ticket.number, "priority": ticket.priority.value} if ticket else None
    offer = getattr(p.app, "_offer", None)
    if offer is not None and offer.parent is not None:  # the card says 70: elder mode is offered first
        yield p.tap("elder_offer:no")
    while p.app.sm.current != "attract":
        yield p.tap("finish")
    record["card_after"] = p.app.terminal.flow.visit.card is not None


@scenario
def idle(p: Any, record: dict[str, Any]) -> Steps:
    """The kiosk asks before it ends a visit; unanswered, it wipes the visit."""
    yield p.tap("start")
    yield p.tap("service:consultation")
    p.app._on_idle(0)
    yield 0.2
    look(p, record, "asked")
    yield p.tap("still_here")
    look(p, record, "answered")
    p.app._on_idle(0)
    yield 0.1
    p.app._on_idle(0)
    yield 0.2
    look(p, record, "ended")


@scenario
def technician(p: Any, record: dict[str, Any]) -> Steps:
    """Five taps on the site name, a wrong PIN, the right PIN, a simulator switch."""
    site = p.app.sm.current_screen.ids.site
    x, y = site.to_window(*site.center)
    for _ in range(5):
        yield p.tap_at(x, y)
    look(p, record, "pin")
    for key in "1111":
        yield p.tap(f"pin:{key}")
    yield p.tap("pin:ok")
    look(p, record, "wrong")
    for key in p.app.terminal.config.technician.pin:
        yield p.tap(f"pin:{key}")
    yield p.tap("pin:ok")
    yield 0.3
    look(p, record, "technician")
    yield p.reveal("sim:camera.toggle")
    yield p.tap("sim:camera.toggle")
    yield 1.5
    look(p, record, "camera_unplugged")
    yield p.tap("tech_exit")
    look(p, record, "exit")


@scenario
def paper_out(p: Any, record: dict[str, Any]) -> Steps:
    """The printer runs out of paper: the ticket stays on screen, the person is told,
    and the ticket is printed again once paper is back."""
    p.app._run_sim_action("printer.paper_out")  # the technician's simulator switch
    yield 0.2
    yield p.tap("start")
    yield p.tap("service:consultation")
    yield p.tap("take")
    for _ in range(40):
        yield 0.1
        if p.app.receipts.ticket_state_key == "ticket.not_printed":
            break
    yield 0.3
    look(p, record, "failed")
    record["notice"] = p.app.notice
    p.app._run_sim_action("printer.ready")
    yield 0.2
    yield p.tap("reprint")
    for _ in range(40):
        yield 0.1
        if p.app.receipts.ticket_state_key == "ticket.printed":
            break
    yield 0.2
    look(p, record, "reprinted")
    record["printed"] = (Path(record["data_dir"]) / "printer" / "last.png").is_file()


@scenario
def keypad(p: Any, record: dict[str, Any]) -> Steps:
    """A whole visit with the keypad only: arrows, Enter; every step is spoken."""
    speaker = ui.speaker(p)
    yield p.press_key(ENTER)  # the first Enter presses the start screen's main action
    yield 0.3
    look(p, record, "home")
    yield from focus_on(p, "service:consultation")
    yield p.press_key(ENTER)
    look(p, record, "service")
    yield from focus_on(p, "materials")
    yield p.press_key(ENTER)
    look(p, record, "materials")
    yield from focus_on(p, "take")
    yield p.press_key(ENTER)
    yield 0.3
    look(p, record, "ticket")
    yield p.press_key(KEY_ESCAPE)  # back to home, the ticket stays issued
    look(p, record, "escaped")
    yield from focus_on(p, "finish")
    yield p.press_key(ENTER)
    look(p, record, "end")
    record["queue"] = [t.number for t in p.app.terminal.queue.tickets()]
    record["spoken"] = speaker.spoken()


@scenario
def audit_catches(p: Any, record: dict[str, Any]) -> Steps:
    """The audit finds a button that is too small, too pale, unlabelled and unnamed by voice."""
    from screens.audit import audit_screen
    from screens.widgets import KButton

    yield p.tap("start")
    bad = KButton(text="", action="", bg=(0.95, 0.95, 0.95, 1), fg=(0.85, 0.85, 0.85, 1), size_hint=(None, None), size=(30, 30))
    bad.font_size = 10  # after the kv rule, which sizes type from the window
    p.app.sm.current_screen.add_widget(bad)
    yield 0.3
    _, found = audit_screen(p.app, "home", elder=False)
    record["checks"] = sorted({v.check for v in found if v.widget == "button ''"})


@scenario
def voice_visit(p: Any, record: dict[str, Any]) -> Steps:
    """A whole visit in voice mode, driven only by recognised text at the recogniser's
    boundary (the bridge event the listener posts from its worker)."""
    speaker = ui.speaker(p)

    def say(text: str) -> float:
        hear(p, text)  # as the recogniser does: from a worker thread, through the one bridge
        return 0.4

    yield p.tap("voice")  # the 语音服务 button on the attract screen
    look(p, record, "home")
    yield say("嗯我想问问离婚的事")
    look(p, record, "service")
    yield say("那个要带什么材料")
    look(p, record, "materials")
    yield say("帮我取个号")
    yield 0.3
    look(p, record, "ticket")
    yield say("重复一遍")
    yield say("好的")
    look(p, record, "done")
    yield say("阿巴阿巴")
    record["spoken"] = speaker.spoken()
    record["queue"] = [t.number for t in p.app.terminal.queue.tickets()]


@scenario
def announce_in_app(p: Any, record: dict[str, Any]) -> Steps:
    """A window calls a ticket (another process); the kiosk says it, twice."""
    speaker = ui.speaker(p)
    yield p.tap("start")
    yield p.tap("service:consultation")
    yield p.tap("take")
    env = kiosk_env(Path(record["data_dir"]))
    subprocess.run([PYTHON, "-m", "kiosk.cli", "queue", "call", "--window", "2"], env=env, check=True, capture_output=True)
    for _ in range(50):
        yield 0.1
        if sum("到2号窗口办理" in s for s in speaker.spoken()) >= 2:
            break
    record["spoken"] = speaker.spoken()
