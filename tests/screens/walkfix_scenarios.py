"""UI scenarios of a second walk through the app: tickets outside opening hours, elder
layout, the keypad's focus, the idle countdown. One fresh process each:

    python -m tests.support.ui tests.screens.walkfix_scenarios NAME DATA_DIR OUT.json [WxH] [JSON]
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.screens.walk_scenarios import label_in_view, whole_in_view
from tests.support.ui import KEY_DOWN, KEY_ENTER, KEY_ESCAPE, KEY_UP, Scenarios, Steps, begin, look, wait_for

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
    yield from begin(p)
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


@scenario
def elder_priority(p: Any, record: dict[str, Any]) -> Steps:
    """Elder mode (and voice mode when asked), a service, the 60岁以上 priority chosen:
    what of the service screen is out of view, then the materials list and the ticket."""
    # deferred: Kivy is imported only in the app's process, after prepare_kivy
    from kivy.metrics import dp

    p.app.act("elder")
    if record.get("lang") == "en":
        p.app.act("lang")
    if record.get("voice"):
        p.app.act("voice")
    yield from begin(p)
    yield 0.5
    if record.get("card"):
        p.app._run_sim_action("idcard.insert_elderly")
        yield from wait_for(p, lambda: p.app.terminal.flow.visit.card is not None, 8)
        yield 0.5
        offer = getattr(p.app, "_offer", None)
        if offer is not None and offer.parent is not None:
            yield p.tap("elder_offer:no")
    yield p.tap(f"service:{record.get('service', 'notary')}")
    yield 0.5
    record["summary_in_view"] = [label_in_view(w) for w in p.app.sm.current_screen.walk(restrict=True)
                                 if getattr(w, "text", None) == p.app.sm.current_screen.summary]
    if not record.get("card"):
        yield p.tap("priority:elderly")
    yield 0.6
    look(p, record, "service")
    screen = p.app.sm.current_screen
    actions = ["priority:elderly", "priority:disabled", "priority:military", "materials", "take"]
    record["out_of_view"] = [a for a in actions if not whole_in_view(p, a)]
    waits = [w for w in screen.walk(restrict=True) if getattr(w, "text", "") == screen.wait_text]
    record["wait_in_view"] = bool(waits) and all(label_in_view(w) for w in waits)
    record["wait_lines"] = max(len(getattr(w, "_cached_lines", []) or [1]) for w in waits) if waits else 0
    # A label's lines as drawn (not its text box): any closer than 15 dp to the outline?
    record["overflowing"] = [b.text for b in screen.walk(restrict=True) if getattr(b, "action", "").startswith("priority:")
                             and text_width(b) > b.width - dp(30)]
    yield p.tap("materials")
    yield 0.8
    look(p, record, "materials")
    record["materials_items"] = materials_in_view(p)
    record["overflowing"] += [w.text for w in p.app.sm.current_screen.walk(restrict=True)
                              if type(w).__name__ == "SurfaceLabel" and text_width(w) > w.width]
    yield p.tap("back")
    yield 0.5
    yield p.tap("take")
    if p.app.sm.current == "card":  # the service needs a card: the simulator's elderly one
        p.app._run_sim_action("idcard.insert_elderly")
    yield from wait_for(p, lambda: p.app.sm.current == "ticket", 8)
    yield 1.0
    look(p, record, "ticket")
    record["qr_gap"] = qr_gap(p)


def text_width(label: Any) -> float:
    """The width of the widest line ``label`` draws."""
    lines = getattr(label._label, "_cached_lines", None) or []
    return max((line.w for line in lines), default=float(label.texture_size[0]))


def materials_in_view(p: Any) -> int:
    """How many items of the materials list show whole without scrolling."""
    items = [w for w in p.app.sm.current_screen.walk(restrict=True) if type(w).__name__ == "MaterialRow"]
    return sum(1 for w in items if label_in_view(w))


def qr_gap(p: Any) -> float:
    """The space in dp between the top of the ticket's QR panel and the bottom of the
    navy bar above it (negative: the panel runs under the bar)."""
    # deferred: Kivy is imported only in the app's process, after prepare_kivy
    from kivy.metrics import dp
    from kivy.uix.image import Image

    screen = p.app.sm.current_screen
    qr = next(w for w in screen.walk(restrict=True) if isinstance(w, Image) and w.texture is not None)
    panel = qr.parent
    bar = next(w for w in screen.walk(restrict=True) if type(w).__name__ == "TopBar").ids.bar
    return float((bar.to_window(*bar.pos)[1] - panel.to_window(panel.x, panel.top)[1]) / dp(1))


@scenario
def idle_wipe(p: Any, record: dict[str, Any]) -> Steps:
    """Elder and voice mode, a visit left alone on a service screen: the 还在吗 question,
    something long being read aloud as its countdown runs out, and the wipe."""
    p.app.act("elder")
    p.app.act("voice")
    yield from begin(p)
    yield p.tap("service:consultation")
    yield from wait_for(p, lambda: p.app.terminal.flow.visit.idle_warning, 60)
    asked = time.monotonic()
    record["asked"] = p.app.terminal.flow.visit.idle_warning
    yield from wait_for(p, lambda: p.app.overlay.remaining <= 3, 30)
    # A key pressed that answers nothing (the focus moves), and a long text read aloud
    # as the countdown ends.
    yield p.press_key(KEY_DOWN)
    p.app.speak("。".join([p.app.tr("service.waiting_none")] * 12), interrupt=False)
    yield from wait_for(p, lambda: p.app.sm.current == "attract", 60)
    record["wiped_after"] = time.monotonic() - asked
    record["screen"] = p.app.sm.current
    record["warning_seconds"] = p.app.terminal.config.timeouts.elder_warning_seconds


def focused(p: Any) -> str | None:
    """The action of the button with the keypad's ring, if any."""
    button = p.app.keypad.focused
    return button.action if button is not None else None


@scenario
def keypad_walk(p: Any, record: dict[str, Any]) -> Steps:
    """A person with a USB keypad only: Enter on the start screen, Escape on home, a
    service, Up from 取号排队, then the idle question answered with Enter."""
    yield p.press_key(KEY_ENTER)
    yield 0.6
    record["after_first_enter"] = p.app.sm.current
    record["home_focus"] = focused(p)
    yield p.press_key(KEY_ESCAPE)
    yield 0.4
    record["after_escape"] = p.app.sm.current
    record["escape_focus"] = focused(p)
    p.app.act("service:consultation")
    yield 0.8
    record["service_focus"] = focused(p)
    yield p.press_key(KEY_UP)
    yield 0.2
    record["up_from_take"] = focused(p)
    yield p.press_key(KEY_DOWN)
    yield 0.2
    record["down_back"] = focused(p)
    yield from wait_for(p, lambda: p.app.terminal.flow.visit.idle_warning, 30)
    record["asked"] = p.app.terminal.flow.visit.idle_warning
    yield p.press_key(KEY_ENTER)
    yield 0.4
    record["after_idle_enter"] = {"asked": p.app.terminal.flow.visit.idle_warning, "screen": p.app.sm.current}


@scenario
def ticket_without_card_or_paper(p: Any, record: dict[str, Any]) -> Steps:
    """The printer out of paper; a ticket for the window without a card (legal aid's
    way on when no card is at hand, or a service that wants it at the window)."""
    if record.get("lang") == "en":
        p.app.act("lang")
    p.app._run_sim_action("printer.paper_out")
    yield 1.0
    yield from begin(p)
    yield p.tap(f"service:{record['service']}")
    yield p.tap("take")
    yield 0.5
    if p.app.sm.current == "card":
        p.app.act("window_ticket")
    yield from wait_for(p, lambda: p.app.receipts.ticket_failed, 8)
    yield 0.4
    look(p, record, "ticket")
    record["finish_label"] = next(w.text for w in p.app.sm.current_screen.walk(restrict=True)
                                  if getattr(w, "action", None) == "finish")
