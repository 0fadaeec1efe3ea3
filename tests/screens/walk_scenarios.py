"""UI scenarios of what a person still met on a walk through the app: a refused card,
elder mode at 1280×800, the rating's confirm, a reprint after a paper fault, the elder
offer over the technician screen, the technician's fault colours, the ticket's window.
One fresh process each:

    python -m tests.support.ui tests.screens.walk_scenarios NAME DATA_DIR OUT.json [WxH] [JSON]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kiosk.ports import DeviceKind
from tests.support.ui import Scenarios, Steps, begin, focus_on, look, spoken, wait_for

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

    yield from begin(p)
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


def whole_in_view(p: Any, action: str) -> bool:
    """True when the whole button that does ``action`` is on screen as it is now: inside
    the window and inside every scrolling area around it, without scrolling."""
    # deferred: Kivy is imported only in the app's process, after prepare_kivy
    from kivy.core.window import Window
    from kivy.uix.scrollview import ScrollView

    button = p.find(action)
    x0, y0 = button.to_window(button.x, button.y)
    x1, y1 = button.to_window(button.right, button.top)
    boxes = [(0.0, 0.0, float(Window.width), float(Window.height))]
    node = button.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            left, bottom = node.to_window(*node.pos)
            boxes.append((left, bottom, left + node.width, bottom + node.height))
        node = node.parent
    return all(x0 >= l - 1 and y0 >= b - 1 and x1 <= r + 1 and y1 <= t + 1 for l, b, r, t in boxes)


@scenario
def rating_keypad(p: Any, record: dict[str, Any]) -> Steps:
    """The rating's keypad as it opens: every key and 确定 in view without scrolling."""
    # deferred: Kivy is imported only in the app's process, after prepare_kivy
    from kivy.metrics import dp

    if record.get("elder"):
        p.app.act("elder")
    yield from begin(p)
    yield 0.3
    yield p.tap("rate:ticket")
    yield from wait_for(p, lambda: p.app.sm.current == "rate_ticket", 4)
    yield 0.5
    look(p, record, "rate_ticket")
    keys = ["numpad:ok", "numpad:read"] + [f"numpad:{k}" for k in "0123456789"] + ["numpad:clear", "numpad:del"]
    record["out_of_view"] = [k for k in keys if not whole_in_view(p, k)]
    record["lowest_key_dp"] = min(p.find(f"numpad:{k}").height for k in "0123456789") / dp(1)
    yield p.tap("numpad:1")
    yield p.tap("numpad:ok")
    yield 0.3
    record["after_ok"] = p.app.sm.current


def button_y(p: Any, action: str) -> float:
    """Where the button that does ``action`` is on the window (even while inactive)."""
    button = next(w for w in p.app.sm.current_screen.walk(restrict=True) if getattr(w, "action", None) == action)
    return float(button.to_window(*button.pos)[1])


@scenario
def reprint_after_paper_out(p: Any, record: dict[str, Any]) -> Steps:
    """The printer is out of paper when the ticket prints; the person presses
    重新打印号票 with no paper yet, then again once paper is back."""
    p.app._run_sim_action("printer.paper_out")
    yield 1.0
    yield from begin(p)
    yield p.tap("service:consultation")
    yield p.tap("take")
    yield from wait_for(p, lambda: p.app.receipts.ticket_state_key == "ticket.not_printed", 8)
    yield 0.3
    look(p, record, "failed")
    record["button_y"] = button_y(p, "reprint")
    settle = p.tap("reprint")
    # Looked at in the same frame as the tap: the simulated printer answers "no paper"
    # within a frame or two, and the answer to the press must not wait for it.
    look(p, record, "pressed")
    yield settle
    record["button_y_pressed"] = button_y(p, "reprint")
    yield from wait_for(p, lambda: p.app.receipts.ticket_failed, 8)
    yield 0.3
    look(p, record, "still_no_paper")
    p.app._run_sim_action("printer.ready")
    yield 1.5
    yield p.tap("reprint")
    yield from wait_for(p, lambda: p.app.receipts.ticket_state_key == "ticket.printed", 8)
    yield 0.3
    look(p, record, "printed")


def band_record(p: Any, record: dict[str, Any], label: str) -> Steps:
    """What the visit band and the card screen say at ``label``, and where and how large
    the band's way-on buttons are (in dp and in parts of the window's width)."""
    # deferred: Kivy is imported only in the app's process, after prepare_kivy
    from kivy.core.window import Window
    from kivy.metrics import dp

    yield 1.2  # two polls of the band, and a layout pass
    look(p, record, label)
    strip = p.app.strip
    buttons = list(strip.ids.way_on.children)
    record[label] = {
        "problem": strip.problem,
        "title": getattr(p.app.sm.current_screen, "title", ""),
        "way_on": [{"text": b.text, "action": b.action, "height_dp": b.height / dp(1),
                    "centre": round(b.to_window(*b.center)[0] / Window.width, 2),
                    "width": round(b.width / Window.width, 2)} for b in buttons],
    }


@scenario
def refused_card(p: Any, record: dict[str, Any]) -> Steps:
    """An expired card put on the reader at the card step, then (another visit) one put
    on the reader at the start, before the card step; then the reader itself unplugged."""

    if record.get("elder"):
        p.app.act("elder")
    yield from begin(p)
    yield p.tap("service:legal_aid")
    yield p.tap("take")
    yield from wait_for(p, lambda: p.app.sm.current == "card", 4)
    p.app._run_sim_action("idcard.insert_expired")
    yield from wait_for(p, lambda: p.app.terminal.flow.visit.card_refused is not None, 6)
    yield from band_record(p, record, "at_card_step")
    p.app._run_sim_action("idcard.remove")
    yield 0.5
    while p.app.sm.current != "attract":
        yield p.tap("finish")
    yield 0.5
    p.app._run_sim_action("idcard.insert_expired")
    yield from wait_for(p, lambda: p.app.terminal.flow.visit.card_refused is not None, 6)
    if record.get("elder"):
        p.app.act("elder")
    yield from begin(p)
    yield p.tap("service:legal_aid")
    yield p.tap("take")
    yield from wait_for(p, lambda: p.app.sm.current == "card", 4)
    yield from band_record(p, record, "before_card_step")
    p.app._run_sim_action("idcard.unplug")
    yield from wait_for(p, lambda: p.app.terminal.devices[DeviceKind.IDCARD].health().state.value == "absent", 6)
    yield from band_record(p, record, "reader_unplugged")
    yield p.tap("window_ticket")
    yield from wait_for(p, lambda: p.app.sm.current == "ticket", 4)
    record["after_way_on"] = p.app.sm.current


@scenario
def ticket_window(p: Any, record: dict[str, Any]) -> Steps:
    """A ticket for a service whose window the site has named: on screen and on paper."""
    if record.get("elder"):
        p.app.act("elder")
    yield from begin(p)
    yield p.tap(f"service:{record['service']}")
    yield p.tap("take")
    yield from wait_for(p, lambda: p.app.receipts.ticket_state_key == "ticket.printed", 8)
    yield 0.3
    look(p, record, "ticket")
    last = Path(record["data_dir"]) / "printer" / "last.bin"
    record["printed"] = last.read_bytes().decode("gb18030", "replace") if last.is_file() else ""
    # deferred: Kivy is imported only in the app's process, after prepare_kivy
    from kivy.uix.image import Image

    qr = next(w for w in p.app.sm.current_screen.walk(restrict=True) if isinstance(w, Image) and w.texture is not None)
    record["qr_px"] = min(qr.norm_image_size)


@scenario
def service_fits(p: Any, record: dict[str, Any]) -> Steps:
    """The service screen as it opens, in elder mode if asked: what is out of view."""
    if record.get("elder"):
        p.app.act("elder")
    if record.get("lang") == "en":
        p.app.act("lang")
    yield from begin(p)
    yield p.tap(f"service:{record['service']}")
    yield 0.6
    look(p, record, "service")
    actions = ["priority:elderly", "priority:disabled", "priority:military", "materials", "take"]
    record["out_of_view"] = [a for a in actions if not whole_in_view(p, a)]
    texts = [w for w in p.app.sm.current_screen.walk(restrict=True) if getattr(w, "text", "") == p.app.sm.current_screen.wait_text]
    record["wait_in_view"] = bool(texts) and all(label_in_view(w) for w in texts)


def label_in_view(widget: Any) -> bool:
    """True when the whole of ``widget`` shows inside every scrolling area around it."""
    # deferred: Kivy is imported only in the app's process, after prepare_kivy
    from kivy.uix.scrollview import ScrollView

    y0 = widget.to_window(widget.x, widget.y)[1]
    y1 = widget.to_window(widget.right, widget.top)[1]
    node = widget.parent
    while node is not None and node is not node.parent:
        if isinstance(node, ScrollView):
            bottom = node.to_window(*node.pos)[1]
            if y0 < bottom - 1 or y1 > bottom + node.height + 1:
                return False
        node = node.parent
    return True


@scenario
def home_elder(p: Any, record: dict[str, Any]) -> Steps:
    """The home screen in elder mode: rows in view, words whole, and the notes of tiles
    not offered now reached with the keypad's Down key."""
    p.app.act("elder")
    yield from begin(p)
    yield 0.8
    look(p, record, "home")
    tiles = [w for w in p.app.sm.current_screen.walk(restrict=True) if type(w).__name__ == "ServiceTile"]
    window_tiles = [t for t in tiles if t.action.startswith("service:")]
    rows_y = sorted({round(t.to_window(*t.pos)[1]) for t in window_tiles}, reverse=True)
    record["rows_in_view"] = sum(1 for y in rows_y if all(whole_in_view(p, t.action) for t in window_tiles
                                                          if round(t.to_window(*t.pos)[1]) == y))
    # Each tile's text is its lines (name, plain line, wait) with none broken in two.
    record["broken"] = [t.action for t in tiles if len(t._label._cached_lines) > t.text.count("\n") + 1]
    record["notes"] = [w.text for w in p.app.sm.current_screen.walk(restrict=True) if type(w).__name__ == "TileNote"]
    yield from focus_on(p, "home_note", tries=30)
    yield 0.5
    record["note_in_view"] = whole_in_view(p, "home_note")
    record["spoken"] = spoken(p)
