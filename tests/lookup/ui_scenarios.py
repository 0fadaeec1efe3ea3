"""查法律 UI scenarios, each in a fresh process (one Kivy window each).

    python -m tests.support.ui tests.lookup.ui_scenarios NAME DATA_DIR OUT.json [WxH] [JSON]

``record["config"]`` names the library (``[lookup] library``) the test built once.
Screenshots go to ``record["shots"]`` when given; every screen looked at is audited for
accessibility (targets, type, contrast, keypad, voice).
"""

from __future__ import annotations

from pathlib import Path
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


def first(p: Any, prefix: str) -> str:
    """The action of the first button on screen whose action starts with ``prefix``."""
    return next(b.action for b in p.buttons() if b.action.startswith(prefix))


def lookup(p: Any) -> Any:
    """The look-up feature of the running terminal."""
    return p.app.terminal.flow.features.get("lookup")


@scenario
def browse(p: Any, record: dict[str, Any]) -> Steps:
    """Home → 查法律 → 劳动工资 → 劳动合同法 → 第四十七条; Back at every step; elder mode
    and English on the article; 朗读 and 打印."""
    yield p.tap("start")
    look(p, record, "home", photograph=False)  # the home screen's own pictures are not ours
    yield from go(p, "law:open", "law_topics")
    look(p, record, "law_topics")
    yield from go(p, "law:topic:劳动工资", "law_texts")
    look(p, record, "law_texts")
    text_id = next(t.id for t in lookup(p).texts_of(lookup(p).topic) if t.short_title == "劳动合同法")
    yield from go(p, f"law:text:{text_id}", "law_articles")
    look(p, record, "law_articles")
    yield p.tap("law:page:next")
    look(p, record, "law_articles_page2")
    yield p.tap("law:page:prev")
    yield from go(p, "law:article:47-0", "law_article")
    look(p, record, "law_article")
    yield p.tap("elder")
    yield 0.3
    look(p, record, "law_article_elder")
    yield p.tap("elder")
    yield p.tap("lang")
    yield 0.3
    look(p, record, "law_article_en")
    yield p.tap("lang")
    yield 0.2
    yield p.tap("law:read")
    yield 0.3
    record["spoken_after_read"] = ui.spoken(p)
    yield p.tap("law:print")
    yield from ui.wait_for(p, lambda: "已打印" in p.app.banner, 10)
    record["banner_after_print"] = p.app.banner
    last = Path(record["data_dir"]) / "printer" / "last.bin"
    record["printed"] = last.read_bytes().decode("gb18030", "replace") if last.is_file() else ""
    # Back, step by step, to the home screen.
    trail = []
    for _ in range(5):
        yield p.tap("back")
        yield 0.2
        trail.append(p.app.sm.current)
        if p.app.sm.current == "home":
            break
    record["back_trail"] = trail


@scenario
def search(p: Any, record: dict[str, Any]) -> Steps:
    """Search by the on-screen keyboard: one character (qian → 钱), pinyin words
    (laodong hetong) and initials (ldht); a result opens its article."""
    yield p.tap("start")
    yield from go(p, "law:open", "law_topics")
    yield from go(p, "law:search", "law_search")
    look(p, record, "law_search")
    for k in "qian":
        yield p.tap(f"law:key:{k}")
    look(p, record, "law_search_qian")
    yield p.tap("law:hanzi:钱")
    yield from go(p, "law:query", "law_results")
    look(p, record, "law_results_qian")
    yield from go(p, "back", "law_search")
    yield p.tap("law:key:clear")
    for k in "laodong":
        yield p.tap(f"law:key:{k}")
    yield p.tap("law:key:space")
    for k in "hetong":
        yield p.tap(f"law:key:{k}")
    yield from go(p, "law:query", "law_results")
    look(p, record, "law_results_laodong")
    yield from go(p, "back", "law_search")
    yield p.tap("law:key:clear")
    for k in "ldht":
        yield p.tap(f"law:key:{k}")
    look(p, record, "law_search_ldht")
    yield from go(p, "law:query", "law_results")
    look(p, record, "law_results_ldht")
    yield from go(p, "law:result:0", "law_article")
    look(p, record, "law_result_article")


@scenario
def voice(p: Any, record: dict[str, Any]) -> Steps:
    """Voice mode: each screen says what it is and offers; 查法律, a topic and a text
    said by name; on the article, 朗读 said. Then a spoken question (a recording decoded
    by real Vosk in free mode) becomes a search."""
    yield p.tap("voice")
    yield 0.5
    yield from ui.wait_for(p, lambda: p.app.sm.current == "home", 5)
    ui.hear(p, "查法律")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_topics", 5, settle=0.5)
    look(p, record, "law_voice_topics", photograph=False)
    ui.hear(p, "劳动工资")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_texts", 5, settle=0.5)
    look(p, record, "law_voice_texts", photograph=False)
    ui.hear(p, "劳动合同法")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_articles", 5, settle=0.5)
    look(p, record, "law_voice_articles", photograph=False)
    ui.hear(p, "第四十七条")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_article", 5, settle=0.5)
    look(p, record, "law_voice_article", photograph=False)
    ui.hear(p, "朗读")
    yield 1.0
    record["spoken"] = ui.spoken(p)
    ui.hear(p, "返回")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_articles", 5, settle=0.3)
    for _ in range(2):
        ui.hear(p, "返回")
        yield 0.5
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_topics", 5, settle=0.3)
    ui.hear(p, "搜索")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_search", 5, settle=0.5)
    look(p, record, "law_voice_search", photograph=False)
    record["spoken_search"] = ui.spoken(p)
    # A question said in voice mode: 说出问题 switches the recogniser to free text, and
    # what it writes down (posted at its boundary, as the listener does) is searched.
    yield from ui.wait_for(p, lambda: p.app.terminal.voice_input is not None, 30)  # the model loaded meanwhile
    ui.hear(p, "说出问题")
    yield 0.5
    record["free_mode"] = p.app.guide.grammar() is None
    ui.hear(p, "老板不给工资怎么办")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_results", 10, settle=0.5)
    look(p, record, "law_voice_question")
    # The real microphone path: a recording decoded by Vosk in free mode (the voice
    # mode's guide has heard its one recording already, so this is by touch).
    yield p.tap("voice")
    yield from go(p, "back", "law_search")
    yield p.tap("law:dictate")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_results", 40, settle=0.5)
    look(p, record, "law_voice_results", photograph=False)
    record["searched"] = lookup(p).searched


@scenario
def home_only(p: Any, record: dict[str, Any]) -> Steps:
    """The home screen as it is (with or without a library installed)."""
    yield p.tap("start")
    yield 0.3
    look(p, record, "home", photograph=False)
    record["offered"] = [b.action for b in p.buttons()]


# --- 办事指南 and 法律计算器 ---------------------------------------------------------------
def _printed(record: dict[str, Any]) -> str:
    last = Path(record["data_dir"]) / "printer" / "last.bin"
    return last.read_bytes().decode("gb18030", "replace") if last.is_file() else ""


def _print(p: Any, record: dict[str, Any], key: str) -> Steps:
    """Tap 打印 and wait until the paper is out; its bytes decoded go to ``record[key]``."""
    before = _printed(record)
    yield p.tap("law:print")
    yield from ui.wait_for(p, lambda: "已打印" in p.app.banner and _printed(record) != before, 15)
    record[key] = _printed(record)


def _keypad(p: Any, digits: str) -> Steps:
    """Type ``digits`` on the big numeric keypad and press 确定."""
    yield p.tap("numpad:clear")
    for d in digits:
        yield p.tap(f"numpad:{d}")
    yield p.tap("numpad:ok")
    yield 0.2


@scenario
def guide_journey(p: Any, record: dict[str, Any]) -> Steps:
    """Home → 遇到问题怎么办 → 被拖欠工资怎么办: each part, 朗读, a cited article and back,
    elder mode, 打印; 经济补偿金 by the keypad (a 0 refused first), its result read,
    printed and its article opened; then a ticket for arbitration from the guide."""
    t = p.app.terminal
    if t.centre is None and t.video is not None:
        t.centre = t.video.demo_centre()  # the loopback duty lawyer: a video call can work
    yield p.tap("start")
    yield 0.3
    record["home_offers"] = [b.action for b in p.buttons()]
    look(p, record, "home", photograph=False)
    yield from go(p, "law:open:guides", "law_guides")
    look(p, record, "law_guides")
    yield from go(p, "law:guide:unpaid-wages", "law_guide")
    look(p, record, "law_guide")
    yield p.tap("law:read")
    yield 0.3
    record["spoken_law"] = ui.spoken(p)
    yield from go(p, "law:cite:劳动法|50|0", "law_article")
    look(p, record, "guide_cited_article", photograph=False)
    yield from go(p, "back", "law_guide")
    look(p, record, "guide_after_article", photograph=False)
    parts = []
    for _ in range(6):
        parts.append(p.app.sm.current_screen.subtitle)
        look(p, record, f"guide_part_{len(parts)}", photograph=False)
        if "law:part:next" not in [b.action for b in p.buttons()]:
            break
        yield p.tap("law:part:next")
        yield 0.2
    record["parts"] = parts
    yield p.tap("law:read")
    yield 0.3
    record["spoken_next"] = ui.spoken(p)
    look(p, record, "law_guide_next")
    yield p.tap("law:part:prev")
    yield 0.2
    yield p.tap("elder")
    yield 0.4
    look(p, record, "law_guide_elder")
    yield p.tap("elder")
    yield 0.3
    yield from _print(p, record, "printed_guide")
    yield p.tap("law:part:last")
    yield 0.2
    yield from go(p, "law:calc:severance", "law_calc")
    look(p, record, "law_calc")
    yield from _keypad(p, "0")
    look(p, record, "calc_zero", photograph=False)
    yield from _keypad(p, "6500")
    look(p, record, "calc_years", photograph=False)
    yield from _keypad(p, "3")
    yield from _keypad(p, "7")
    yield p.tap("law:skip")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_calc_result", 4, settle=0.3)
    look(p, record, "law_calc_result")
    yield p.tap("law:read")
    yield 0.3
    record["spoken_result"] = ui.spoken(p)
    yield from _print(p, record, "printed_result")
    yield from go(p, "law:cite:劳动合同法|47|0", "law_article")
    look(p, record, "result_article", photograph=False)
    yield from go(p, "back", "law_calc_result")
    # Back through the calculator to the guide, then the ticket it names.
    for _ in range(3):
        if p.app.sm.current == "law_guide":
            break
        yield p.tap("back")
        yield 0.3
    record["back_to"] = p.app.sm.current
    if "law:part:last" in [b.action for b in p.buttons()]:
        yield p.tap("law:part:last")
        yield 0.2
    record["next_offers"] = [b.action for b in p.buttons()]
    yield from go(p, "law:next:ticket", "ticket")
    look(p, record, "guide_ticket", photograph=False)
    visit = t.flow.visit
    record["ticket"] = {"service": visit.service, "number": visit.ticket.number if visit.ticket else None}


@scenario
def guide_calls(p: Any, record: dict[str, Any]) -> Steps:
    """From the wage guide: a video call with the duty lawyer, then legal aid."""
    t = p.app.terminal
    if t.centre is None and t.video is not None:
        t.centre = t.video.demo_centre()
    yield p.tap("start")
    for what, screen in (("video", "call_consent"), ("aid", "la_matter")):
        yield from go(p, "law:open:guides", "law_guides")
        yield from go(p, "law:guide:unpaid-wages", "law_guide")
        yield p.tap("law:part:last")
        yield 0.2
        look(p, record, f"next_{what}", photograph=False)
        if f"law:next:{what}" in [b.action for b in p.buttons()]:
            yield from go(p, f"law:next:{what}", screen)
        look(p, record, f"after_{what}", photograph=False)
        yield from go(p, "home", "home")


@scenario
def guide_by_pinyin(p: Any, record: dict[str, Any]) -> Steps:
    """Touch 查法律 → 搜索, type gongzi, choose 工资, search: the wage guide comes first."""
    yield p.tap("start")
    yield from go(p, "law:open", "law_topics")
    yield from go(p, "law:search", "law_search")
    for k in "gongzi":
        yield p.tap(f"law:key:{k}")
    yield p.tap("law:hanzi:工资")
    yield from go(p, "law:query", "law_results")
    look(p, record, "pinyin_results", photograph=False)
    record["first"] = first(p, "law:")
    yield from go(p, "law:guide:unpaid-wages", "law_guide")
    look(p, record, "pinyin_guide", photograph=False)


@scenario
def guide_by_voice(p: Any, record: dict[str, Any]) -> Steps:
    """Voice mode: 办事指南 said on the home screen, the guide said by name, 朗读这部分;
    then a question said in free mode finds the wage guide first."""
    yield p.tap("voice")
    yield 0.5
    yield from ui.wait_for(p, lambda: p.app.sm.current == "home", 5)
    ui.hear(p, "办事指南")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_guides", 5, settle=0.5)
    look(p, record, "voice_guides", photograph=False)
    ui.hear(p, "被拖欠工资怎么办")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_guide", 5, settle=0.5)
    look(p, record, "voice_guide", photograph=False)
    ui.hear(p, "朗读这部分")
    yield 1.0
    ui.hear(p, "下一部分")
    yield 0.8
    record["part_after_next"] = lookup(p).part
    record["spoken"] = ui.spoken(p)
    # The calculator by voice: its button said, the wage said digit by digit, 确定 said.
    ui.hear(p, "去办理")
    yield 0.8
    ui.hear(p, "算一算：经济补偿金")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_calc", 5, settle=0.5)
    look(p, record, "voice_calc", photograph=False)
    ui.hear(p, "六五零零")
    yield 0.5
    ui.hear(p, "确定")
    yield from ui.wait_for(p, lambda: lookup(p).field == 1, 5, settle=0.8)
    record["voice_answers"] = dict(lookup(p).answers)
    look(p, record, "voice_calc_years", photograph=False)
    for _ in range(2):
        ui.hear(p, "返回")
        yield 0.8
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_guides", 5, settle=0.3)
    ui.hear(p, "说出问题或搜索")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_search", 5, settle=0.5)
    yield from ui.wait_for(p, lambda: p.app.terminal.voice_input is not None, 30)
    ui.hear(p, "说出问题")
    yield 0.5
    ui.hear(p, "老板不给工资怎么办")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "law_results", 10, settle=0.5)
    look(p, record, "law_voice_guide_results")
    record["first"] = first(p, "law:")


def _doc_fill(p: Any, key: str, *, digits: str = "", choice: str = "") -> Steps:
    """One field of the document's form: its buttons' choice, or digits on the keypad."""
    yield from go(p, f"doc:field:{key}", "doc_field")
    if choice:
        yield from go(p, f"doc:value:{choice}", "doc_form")
        return
    yield p.tap("numpad:clear")
    for d in digits:
        yield p.tap(f"numpad:{d}")
    yield from go(p, "numpad:ok", "doc_form")


@scenario
def guide_document(p: Any, record: dict[str, Any]) -> Steps:
    """被拖欠工资怎么办 → 去办理 → 写文书：劳动人事争议仲裁申请书 → Back (the guide) → again →
    agree → the card → wages, months and the contract by keypad and buttons → preview →
    the A4 printer; then 离婚和孩子抚养 → its 起诉状 with the card, a few elements by
    keypad and buttons, the preview."""
    from kiosk.ports import DeviceKind  # deferred: the app's process only

    yield p.tap("start")
    yield 0.3
    yield from go(p, "law:open:guides", "law_guides")
    yield from go(p, "law:guide:unpaid-wages", "law_guide")
    yield p.tap("law:part:last")
    yield 0.3
    record["document_offers"] = [b.action for b in p.buttons() if b.action.startswith("doc:")]
    look(p, record, "law_guide_document")
    yield p.tap("law:read")
    yield 0.3
    record["spoken_next"] = ui.spoken(p)
    yield from go(p, "doc:open:labour-arbitration", "doc_consent")
    look(p, record, "guide_doc_consent", photograph=False)
    yield from go(p, "back", "law_guide")
    look(p, record, "guide_doc_back", photograph=False)
    yield from go(p, "doc:open:labour-arbitration", "doc_consent")
    yield from go(p, "doc:consent:yes", "card")
    yield from ui.place_card(p, "idcard.insert_adult")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "doc_form", 8)
    yield 0.3
    look(p, record, "guide_doc_form", photograph=False)
    yield from _doc_fill(p, "owed", digits="18500")
    yield from _doc_fill(p, "owed_months", digits="4")
    yield from _doc_fill(p, "contract", choice="没有签")
    yield from go(p, "doc:preview", "doc_preview")
    look(p, record, "guide_doc_preview", photograph=False)
    sim = p.app.terminal.devices[DeviceKind.A4PRINTER]
    yield p.tap("doc:print:a4")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "doc_done", 90, settle=0.5)
    look(p, record, "guide_doc_done", photograph=False)
    record["sim_jobs"] = [str(j) for j in getattr(sim, "jobs", [])]
    yield from go(p, "finish", "attract")
    # The divorce guide's complaint: the card again (a new visit remembers nothing).
    yield p.tap("start")
    yield 0.3
    yield from go(p, "law:open:guides", "law_guides")
    yield from go(p, "law:guide:divorce-children", "law_guide")
    yield p.tap("law:part:last")
    yield 0.3
    yield from go(p, "doc:open:complaint-divorce", "doc_consent")
    yield from go(p, "doc:consent:yes", "card")
    yield from ui.place_card(p, "idcard.insert_adult")
    yield from ui.wait_for(p, lambda: p.app.sm.current == "doc_form", 8)
    yield 0.3
    yield from _doc_fill(p, "married_on", digits="20121001")
    yield from _doc_fill(p, "children", digits="1")
    yield from _doc_fill(p, "custody", choice="由原告直接抚养")
    yield from _doc_fill(p, "support", digits="1500")
    yield from _doc_fill(p, "reason", choice="因感情不和分居满二年")
    look(p, record, "doc_form_divorce")
    yield from go(p, "doc:preview", "doc_preview")
    look(p, record, "doc_preview_divorce")
    yield p.tap("elder")
    yield 0.4
    look(p, record, "doc_preview_divorce_elder")
    yield p.tap("elder")
    yield 0.2
    yield from go(p, "back", "doc_form")
    yield from go(p, "back", "law_guide")
    record["divorce_back"] = p.app.sm.current
