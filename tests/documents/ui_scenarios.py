"""写文书 UI scenarios, each in a fresh process (one Kivy window each).

    python -m tests.support.ui tests.documents.ui_scenarios NAME DATA_DIR OUT.json [WxH] [JSON]

``record["a4_url"]``, when given, replaces the simulated A4 printer with that one (a
private CUPS of the test's); ``record["no_a4"]`` leaves the terminal without one.
Screenshots go to ``record["shots"]`` when given; every screen looked at is audited.
"""

from __future__ import annotations

from typing import Any

from tests.support import ui
from tests.support.ui import Scenarios, Steps, go

SCENARIOS = Scenarios(maxfps=30)
scenario = SCENARIOS.add


def look(p: Any, record: dict[str, Any], label: str, photograph: bool = True) -> None:
    """Remember the screen and its texts; photograph it when asked; audit it."""
    ui.look(p, record, label, photograph=photograph)
    # deferred: Kivy widgets load in the app's process only, after prepare_kivy
    from screens.audit import audit_screen

    _, found = audit_screen(p.app, p.app.sm.current, elder=p.app.elder)
    banner = f"label {p.app.banner[:24]!r}"
    record.setdefault("violations", []).extend(f"{label}: {v.widget} {v.check} {v.detail}" for v in found if v.widget != banner)


def feature(p: Any) -> Any:
    """The documents feature of the running terminal."""
    return p.app.terminal.flow.features.get("documents")


def _printers(p: Any, record: dict[str, Any]) -> None:
    # deferred: the app's process only
    from devices.registry import DeviceContext, open_device
    from kiosk.ports import DeviceKind
    from kiosk.terminal import AbsentDevice

    t = p.app.terminal
    if record.get("a4_url"):
        t.devices[DeviceKind.A4PRINTER].close()
        device = open_device(DeviceKind.A4PRINTER, record["a4_url"], DeviceContext(t.data_dir))
        device.open()
        t.devices[DeviceKind.A4PRINTER] = device
    elif record.get("no_a4"):
        t.devices[DeviceKind.A4PRINTER].close()
        t.devices[DeviceKind.A4PRINTER] = AbsentDevice(DeviceKind.A4PRINTER, "", "not configured")


def _type(p: Any, digits: str) -> Steps:
    for d in digits:
        yield p.tap(f"numpad:{d}")


def _fill(p: Any, key: str, *, digits: str = "", choice: str = "") -> Steps:
    yield from go(p, f"doc:field:{key}", "doc_field")
    if choice:
        yield from go(p, f"doc:value:{choice}", "doc_form")
        return
    yield p.tap("numpad:clear")
    yield from _type(p, digits)
    yield from go(p, "numpad:ok", "doc_form")


@scenario
def arbitration(p: Any, record: dict[str, Any]) -> Steps:
    """Home → 写文书 → 劳动仲裁申请书 → agree → card → the form filled from the card;
    the wages by keypad (with 大写 shown), a choice, the story by dictation; preview;
    print on the A4 printer; the end."""
    yield 0.5
    _printers(p, record)
    yield p.tap("start")
    yield from go(p, "doc:open", "doc_list")
    look(p, record, "doc_list")
    yield from go(p, "doc:template:labour-arbitration", "doc_consent")
    look(p, record, "doc_consent")
    yield from go(p, "doc:consent:yes", "card")
    yield from ui.place_card(p, "idcard.insert_adult")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "doc_form", 8)
    yield 0.3
    look(p, record, "doc_form")
    yield from go(p, "doc:field:owed", "doc_field")
    yield p.tap("numpad:clear")
    yield from _type(p, "24000")
    yield 0.2
    look(p, record, "doc_field_amount")
    yield from go(p, "numpad:ok", "doc_form")
    yield from _fill(p, "contract", choice="没有签")
    yield from _fill(p, "start", digits="20250301")
    yield from go(p, "doc:field:story", "doc_field")
    if record.get("vosk_model"):
        # The real microphone path: a recording decoded by Vosk in free mode.
        yield from ui.wait_for(p, lambda: p.app.terminal.voice_input is not None, 30)  # the model loads meanwhile
        yield p.tap("doc:dictate")
        yield from ui.wait_for(p, lambda: "doc:use" in [b.action for b in p.buttons()], 40, settle=0.3)
        look(p, record, "doc_field_heard")
        record["heard"] = p.app.sm.current_screen.heard
        yield from go(p, "doc:use", "doc_form")
    else:
        yield p.tap("doc:dictate")
        yield 0.3
        record["dictation_notice"] = p.app.banner
        yield from go(p, "doc:clear", "doc_form")
    yield from go(p, "doc:preview", "doc_preview")
    look(p, record, "doc_preview")
    yield p.tap("elder")
    yield 0.4
    look(p, record, "doc_preview_elder")
    yield p.tap("elder")
    yield 0.2
    yield p.tap("doc:print:a4")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "doc_done", 90, settle=0.5)
    look(p, record, "doc_done")
    record["paper"] = feature(p).document().text()
    sim = p.app.terminal.devices[__import__("kiosk.ports", fromlist=["DeviceKind"]).DeviceKind.A4PRINTER]
    record["sim_jobs"] = [str(j) for j in getattr(sim, "jobs", [])]
    yield p.tap("finish")
    yield 0.5
    record["after_finish"] = {"screen": p.app.sm.current, "values": dict(feature(p).values)}


@scenario
def refuse_consent(p: Any, record: dict[str, Any]) -> Steps:
    """A card on the reader, but the person says no: the form stays empty."""
    yield 0.5
    yield p.tap("start")
    yield from ui.place_card(p, "idcard.insert_adult", leaves="home_never")
    yield from go(p, "doc:open", "doc_list")
    yield from go(p, "doc:template:iou", "doc_consent")
    yield from go(p, "doc:consent:no", "doc_form")
    look(p, record, "doc_form_refused")
    record["values"] = dict(feature(p).values)


@scenario
def short_on_receipt_and_qr(p: Any, record: dict[str, Any]) -> Steps:
    """No A4 printer: a 借条 goes to the receipt printer; a 调解申请书 offers the QR."""
    yield 0.5
    _printers(p, record)
    yield p.tap("start")
    yield from go(p, "doc:open", "doc_list")
    yield from go(p, "doc:template:iou", "doc_consent")
    yield from go(p, "doc:consent:no", "doc_form")
    yield from _fill(p, "amount", digits="10000")
    yield from _fill(p, "purpose", choice="看病")
    yield from go(p, "doc:preview", "doc_preview")
    look(p, record, "doc_preview_iou")
    yield p.tap("doc:print:receipt")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "doc_done", 20, settle=0.5)
    look(p, record, "doc_done_receipt", photograph=False)
    from pathlib import Path

    last = Path(record["data_dir"]) / "printer" / "last.bin"
    record["receipt"] = last.read_bytes().decode("gb18030", "replace") if last.is_file() else ""
    yield from go(p, "finish", "attract")
    yield p.tap("start")
    yield 0.3
    yield from go(p, "doc:open", "doc_list")
    yield from go(p, "doc:template:mediation", "doc_consent")
    yield from go(p, "doc:consent:no", "doc_form")
    yield from _fill(p, "kind", choice="邻里纠纷")
    yield from go(p, "doc:preview", "doc_preview")
    look(p, record, "doc_preview_mediation", photograph=False)
    yield from go(p, "doc:qr", "doc_done")
    look(p, record, "doc_done_qr")
    record["qr_text"] = feature(p).qr_text()


@scenario
def a4_stopped(p: Any, record: dict[str, Any]) -> Steps:
    """The A4 printer paused (the simulator's control): the preview says so, a print
    says why it did not come out, the receipt stays offered; resumed, it prints."""
    yield 0.5
    p.app._run_sim_action("a4printer.stopped")
    yield p.tap("start")
    yield from go(p, "doc:open", "doc_list")
    yield from go(p, "doc:template:owe", "doc_consent")
    yield from go(p, "doc:consent:no", "doc_form")
    yield from go(p, "doc:preview", "doc_preview")
    yield from ui.wait_for(p, lambda: "暂停" in "".join(p.texts()), 5, settle=0.3)
    look(p, record, "doc_preview_stopped", photograph=False)
    yield p.tap("doc:print:a4")
    yield from ui.wait_for(p, lambda: "没有打印出来" in "".join(p.texts()), 30, settle=0.3)
    look(p, record, "doc_preview_not_printed", photograph=False)
    p.app._run_sim_action("a4printer.ready")
    yield 2.5  # the next check of the queue (every second for the simulator)
    yield p.tap("doc:print:a4")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "doc_done", 30, settle=0.3)
    look(p, record, "doc_done_after_resume", photograph=False)
