"""Legal-aid UI scenarios, each run in a fresh process (Kivy has one window per process).

    python -m tests.support.ui tests.legal_aid.scenarios NAME DATA_DIR OUT.json [WxH] [RECORD_JSON]

Each drives the real app (simulated devices: the real ID-card driver over a pty, the
simulated printer and speaker) through the Pilot — touches, keys, recognised speech —
and records what a person would see and hear. ``record["config"]`` is the terminal's
TOML; ``record["shots"]`` a directory to photograph each step into;
``record["fleet"]`` joins a centre (the real agent); ``record["vosk_model"]`` and
``record["wav"]`` put a real Vosk voice input on a recording for dictation.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support import ui
from tests.support.ui import KEY_ENTER as ENTER
from tests.support.ui import Scenarios, Steps, focus_on, go, hear, look, speaker, wait_for

# 20 frames a second is plenty for a script that waits in tenths of seconds, and leaves
# the CPU to the decoding and to the other tests on a 2-core machine; the log is the one
# a technician would fetch; the agent sends the outbox within 0.2 s of a change.
SCENARIOS = Scenarios(maxfps=20, app_log=True, outbox_poll_seconds=0.2)
scenario = SCENARIOS.add


def place_card(p: Any, record: dict[str, Any]) -> Steps:
    """The technician's simulator control places the demo card on the simulated reader."""
    return ui.place_card(p, record.get("card_action", "idcard.place"))


def sign(p: Any) -> Steps:
    """A finger writes a short name in the box (real touches on the pad)."""
    yield from wait_for(p, lambda: p.app.sm.current == "la_sign", 10)
    yield 0.3  # the screen is entered (a fresh pad) before the finger comes
    ui.draw_strokes(p.app.sm.current_screen.ids.pad, ([(0.2, 0.5), (0.3, 0.7), (0.4, 0.4), (0.5, 0.6)],
                                                      [(0.55, 0.4), (0.65, 0.65), (0.75, 0.45), (0.85, 0.6)]))
    yield 0.2


def say(p: Any, text: str) -> Steps:
    """Recognised speech at the recogniser's boundary: from a worker, through the bridge;
    returns once the app has acted on it."""
    p.app.guide.heard_text = ""
    hear(p, text)
    yield from wait_for(p, lambda: p.app.guide.heard_text == text, 5)
    yield 0.4


def outbox(p: Any) -> list[dict[str, Any]]:
    conn = p.app.terminal.flow.features.get("legal_aid")._conn
    return [dict(r) for r in conn.execute("SELECT event_id, kind, delivered_at, length(payload) AS size FROM outbox WHERE kind LIKE 'legal_aid%'")]


@scenario
def apply_touch(p: Any, record: dict[str, Any]) -> Steps:
    """A 70-year-old applies for unpaid wages by touch, end to end, and prints a receipt."""
    look(p, record, "attract")
    yield from go(p, "start", "home")
    look(p, record, "home")
    yield from go(p, "la:open", "la_matter")
    look(p, record, "la_matter")
    yield from go(p, "la:matter:wages", "card")
    look(p, record, "card")
    yield from place_card(p, record)
    look(p, record, "la_group")
    choices = p.app.sm.current_screen.ids.choices
    shown = [id(b) for b in choices.children]
    yield p.tap("la:group:migrant_worker")
    look(p, record, "la_group_chosen")
    # The same buttons, the chosen one marked: not a new set of buttons per tap.
    record["group_buttons_kept"] = bool(shown) and [id(b) for b in choices.children] == shown
    record["group_selected"] = sorted(b.action for b in choices.children if b.selected)
    yield from go(p, "la:group:done", "la_phone")
    look(p, record, "after_group")
    if p.app.sm.current == "la_hardship":
        yield p.tap("la:hardship:yes")
    for d in "1381234":
        yield p.tap(f"numpad:{d}")
    yield p.tap("numpad:ok")
    look(p, record, "la_phone_short")
    for d in "5678":
        yield p.tap(f"numpad:{d}")
    # Big type on and off again while typing: the digits stay.
    pad = p.app.sm.current_screen.ids.numpad
    typed = []
    for _ in range(2):
        p.app.act("elder")
        yield 0.3
        typed.append(pad.value)
    record["typed_through_elder"] = typed
    look(p, record, "la_phone")
    yield from go(p, "numpad:ok", "la_story")
    yield 0.6  # the band has looked at the devices (every 0.5 s)
    look(p, record, "la_story")
    # No speech model here: the buttons that would listen are out of the row. As when a
    # microphone and a model come back, they return in their places, and go again.
    screen = p.app.sm.current_screen
    problem = screen.device_problem
    screen.device_problem_changed("")
    yield 0.2
    record["story_actions_back"] = [b.action for b in reversed(screen.ids.actions.children)]
    screen.device_problem_changed(problem)
    yield 0.2
    record["story_actions"] = [b.action for b in reversed(screen.ids.actions.children)]
    yield from go(p, "la:story:skip", "la_letter")
    look(p, record, "la_letter")
    yield from go(p, "la:letter:agree", "la_sign")
    yield p.tap("la:sign:submit")  # nothing signed yet: refused
    record["empty_sign_notice"] = p.app.notice
    look(p, record, "la_sign_empty")
    yield from sign(p)
    look(p, record, "la_sign")
    yield p.tap("la:sign:submit")
    yield from wait_for(p, lambda: p.app.sm.current == "la_done")
    yield from wait_for(p, lambda: "回执已打印" in p.screen_text() or "printed" in p.screen_text(), 10)
    look(p, record, "la_done")
    s = p.app.terminal.flow.features.get("legal_aid").draft.submitted
    record["submitted"] = {"number": s.number, "code": s.check_code} if s else None
    record["outbox"] = outbox(p)
    if record.get("marker"):
        # Tell the test the application is in the outbox (the broker is down); it brings
        # the broker back and the screen says when the centre has it.
        Path(record["marker"]).write_text(json.dumps(record["submitted"]))
        yield from wait_for(p, lambda: all(e["delivered_at"] for e in outbox(p)), 60)
        yield 2.5  # the done screen looks again every 2 s
        look(p, record, "la_done_sent")
        record["outbox_after"] = outbox(p)
    record["printed"] = (Path(record["data_dir"]) / "printer" / "last.png").is_file()
    record["spoken"] = speaker(p).spoken()
    yield p.tap("finish")
    yield from wait_for(p, lambda: p.app.sm.current == "attract", 3)
    if p.app.sm.current != "attract":
        yield p.tap("finish")
    record["draft_after"] = repr(p.app.terminal.flow.features.get("legal_aid").draft)
    record["card_after"] = p.app.terminal.flow.visit.card is not None


@scenario
def outside(p: Any, record: dict[str, Any]) -> Steps:
    """A business dispute is outside legal aid: said plainly; a ticket instead."""
    yield from go(p, "start", "home")
    yield from go(p, "la:open", "la_matter")
    yield p.reveal("la:matter:business_contract")  # scrolled to, as a person would
    yield from go(p, "la:matter:business_contract", "la_outside")
    look(p, record, "la_outside")
    record["buttons"] = sorted(b.action for b in p.app.buttons_on_screen())
    yield from go(p, "take", "ticket")
    look(p, record, "ticket")
    t = p.app.terminal.flow.visit.ticket
    record["ticket"] = {"number": t.number, "service": t.service} if t else None


@scenario
def progress_lookup(p: Any, record: dict[str, Any]) -> Steps:
    """Follow an application at a terminal: by its number on the keypad, then by ID card."""
    la = p.app.terminal.flow.features.get("legal_aid")
    yield from wait_for(p, lambda: p.app.terminal.centre is not None and p.app.terminal.centre.connected(), 20)
    yield from go(p, "voice", "home")  # voice mode: the answer is said aloud too
    yield from go(p, "la:progress_open", "la_progress")
    look(p, record, "la_progress")
    for d in record["number"]:
        yield p.tap(f"numpad:{d}")
    yield p.tap("numpad:ok")
    yield from wait_for(p, lambda: la.progress.get("state") == "answered", 15)
    yield 0.3
    look(p, record, "by_number")
    yield from go(p, "la:progress:card", "card")
    look(p, record, "progress_card")
    yield from place_card(p, record)
    yield from wait_for(p, lambda: la.progress.get("state") == "answered", 15)
    yield 0.3
    look(p, record, "by_card")
    record["spoken"] = speaker(p).spoken()


@scenario
def keypad_voice(p: Any, record: dict[str, Any]) -> Steps:
    """Keypad first (arrows, Enter, digit keys), dictation decoded by real Vosk, then
    voice mode (recognised speech through the real matcher); finally a matter outside
    legal aid, by voice, ends with a consultation ticket."""
    la = p.app.terminal.flow.features.get("legal_aid")
    yield p.press_key(ENTER)  # the first Enter presses the start screen's main action
    yield 0.3
    yield from focus_on(p, "la:open")
    yield p.press_key(ENTER)
    look(p, record, "k_matter")
    yield from focus_on(p, "la:matter:wages")
    yield p.press_key(ENTER)
    yield from place_card(p, record)
    look(p, record, "k_group")
    yield from focus_on(p, "la:group:none")
    yield p.press_key(ENTER)
    look(p, record, "k_hardship")
    yield from focus_on(p, "la:hardship:yes")
    yield p.press_key(ENTER)
    for d in "13912345678":
        yield p.press_key(48 + int(d))  # the digit keys of a USB keypad
    look(p, record, "k_phone")
    yield from focus_on(p, "numpad:ok")
    yield p.press_key(ENTER)
    look(p, record, "k_story")
    # Dictation: the real microphone path (a recording), endpointing, Vosk in free mode.
    yield from wait_for(p, lambda: p.app.terminal.voice_input is not None, 30)  # the model loaded meanwhile
    yield p.tap("la:story:dictate")
    yield from wait_for(p, lambda: bool(la.draft.story), 40)
    yield 0.3
    look(p, record, "k_story_dictated")
    record["story"] = la.draft.story
    # Voice mode from here: what is said goes through the matcher, as the recogniser's text.
    yield from focus_on(p, "voice")
    yield p.press_key(ENTER)
    yield from say(p, "说好了")
    look(p, record, "v_letter")
    yield from say(p, "我已了解，去签名")
    look(p, record, "v_sign")
    yield from sign(p)
    yield from say(p, "确认提交申请")
    yield from wait_for(p, lambda: p.app.sm.current == "la_done")
    look(p, record, "v_done")
    record["submitted"] = la.draft.submitted.number if la.draft.submitted else None
    # A second application in the same visit, by voice: groups named, digits said.
    yield from say(p, "首页")
    yield from say(p, "法律援助申请")
    yield from say(p, "工伤赔偿")  # the card read earlier is used: no second card step
    look(p, record, "v_group_again")
    yield from say(p, "我是农民工")
    look(p, record, "v_group")
    yield from say(p, "选好了，下一步")
    look(p, record, "v_after_group")
    yield from say(p, "幺三八 一二三四")
    yield from say(p, "五六七八")
    look(p, record, "v_phone")
    yield from say(p, "确定")
    look(p, record, "v_story")
    record["phone"] = la.draft.phone
    yield from say(p, "首页")
    yield from say(p, "法律援助申请")
    look(p, record, "v_matter")
    yield from say(p, "生意、公司之间的合同纠纷")
    look(p, record, "v_outside")
    yield from say(p, "帮我取个号")
    yield 0.3
    look(p, record, "v_ticket")
    t = p.app.terminal.flow.visit.ticket
    record["ticket"] = {"number": t.number, "service": t.service} if t else None
    record["spoken"] = speaker(p).spoken()


LA_SCREENS = ("la_matter", "la_outside", "la_group", "la_hardship", "la_phone", "la_story", "la_letter", "la_sign", "la_done", "la_progress")


@scenario
def audit(p: Any, record: dict[str, Any]) -> Steps:
    """The accessibility audit on every legal-aid screen: standard, elder, English."""
    from kiosk import events as ev
    from kiosk.visit import VisitState
    from screens.audit import audit_screen

    flow = p.app.terminal.flow
    found: list[Any] = []
    seen: list[str] = []

    def check(mode: str) -> None:
        screen = p.app.sm.current
        seen.append(f"{mode}:{screen}")
        if record.get("shots"):
            p.screenshot(Path(record["shots"]) / f"legal_aid_{screen[3:] if screen.startswith('la_') else screen}-{mode}.png")
        _, v = audit_screen(p.app, screen, elder="elder" in mode)
        found.extend(f"{mode} {x.screen} {x.check} {x.widget}: {x.detail}" for x in v)

    # Two passes keep the test short: Chinese at standard size, and English in elder
    # mode (the largest type with the longest labels).
    for mode in ("standard", "elder-en"):
        while flow.state is not VisitState.ATTRACT:
            flow.handle(ev.Finished())
        p.app._run_sim_action("idcard.remove")
        yield 0.3
        yield from go(p, "start", "home")
        if "elder" in mode:
            yield p.tap("elder")
        if mode.endswith("en"):
            yield p.tap("lang")
        yield from go(p, "la:open", "la_matter")
        check(mode)
        yield p.reveal("la:matter:business_contract")
        yield from go(p, "la:matter:business_contract", "la_outside")
        check(mode)
        yield from go(p, "back", "la_matter")
        yield p.reveal("la:matter:injury")
        yield from go(p, "la:matter:injury", "card")
        yield from place_card(p, record)
        check(mode)
        yield from go(p, "la:group:none", "la_hardship")
        check(mode)
        yield from go(p, "la:hardship:yes", "la_phone")
        check(mode)
        for d in "13812345678":
            yield p.tap(f"numpad:{d}")
        yield from go(p, "numpad:ok", "la_story")
        check(mode)
        yield from go(p, "la:story:skip", "la_letter")
        check(mode)
        yield from go(p, "la:letter:agree", "la_sign")
        check(mode)
        yield from sign(p)
        yield p.tap("la:sign:submit")
        yield from wait_for(p, lambda: p.app.sm.current == "la_done")
        yield 0.5
        check(mode)
        yield from go(p, "home", "home")
        # Its home tile needs the centre (none here); the screen is audited all the same.
        p.app.act("la:progress_open")
        yield from wait_for(p, lambda: p.app.sm.current == "la_progress")
        yield 0.5  # the layout of a screen just shown settles
        check(mode)
    record["seen"] = seen
    record["violations"] = found
