"""民事起诉状（离婚纠纷）: the elements of the courts' 要素式 divorce form, filled as a
villager would (card, keypad, choices, dictation), read back from the rendered A4 PDF."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from kiosk.documents.templates import BLANK, build_document, card_values, check_value, load_templates
from kiosk.identity import CardType, Gender, IdentityCard
from pdfdoc.layout import render_pdf

TEMPLATES = load_templates()
DIVORCE = next(t for t in TEMPLATES.templates if t.name == "complaint-divorce")
CARD = IdentityCard(CardType.RESIDENT, "王秀英", Gender.FEMALE, date(1988, 4, 12), "420281198804120048", "湖北省大冶市金湖街道姜桥村三组26号")


def _filled() -> dict[str, str]:
    values = card_values(DIVORCE, CARD)
    typed = {
        "phone": "13912345678", "spouse": "刘大勇", "spouse_gender": "男", "spouse_address": "湖北省大冶市金湖街道姜桥村三组26号",
        "married_on": "20121001", "children": "2", "child_info": "刘小明，2014年5月6日出生；刘小红，2018年3月9日出生",
        "custody": "由原告直接抚养", "support": "1500", "visits": "不直接抚养的一方可以探望，方式由双方协商",
        "property": "村里三层住房一栋", "property_claim": "请求照顾子女、女方和无过错方依法分割",
        "debts": "", "debts_claim": "没有共同债务", "reason": "因感情不和分居满二年", "separated_on": "20230601",
        "earlier_suit": "没有起诉过", "story": "被告外出打工后再未回家，双方分居至今。", "court": "大冶市",
    }
    for key, value in typed.items():
        kept = check_value(DIVORCE.field(key), value)
        if kept:
            values[key] = kept
    return values


def test_the_divorce_form_asks_the_elements_by_keypad_choices_and_dictation() -> None:
    kinds = {f.key: f.kind for f in DIVORCE.fields}
    assert kinds["married_on"] == "date" and kinds["separated_on"] == "date"  # keypad
    assert kinds["children"] == "number" and kinds["support"] == "amount"
    assert {k for k, v in kinds.items() if v == "choice"} >= {"custody", "property_claim", "debts_claim", "reason", "earlier_suit"}
    assert {f.key: f.card for f in DIVORCE.fields if f.card} == {
        "name": "name", "gender": "gender", "birth": "birth_date", "id_number": "id_number", "address": "address"}
    # The grounds the court grants a divorce on, as 民法典 第一千零七十九条 lists them.
    assert "因感情不和分居满二年" in DIVORCE.field("reason").choices
    assert "判决不准离婚后又分居满一年" in DIVORCE.field("reason").choices


def test_the_printed_divorce_complaint_holds_the_filled_elements() -> None:
    doc = build_document(DIVORCE, _filled(), date(2026, 12, 3), TEMPLATES.footer)
    pdf = render_pdf(doc)
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "").replace(" ", "")
    assert "民事起诉状（离婚纠纷）" in text or "民事起诉状(离婚纠纷)" in text
    for element in (
        "王秀英，女，1988年4月12日出生，身份证号420281198804120048",  # parties, from the card with consent
        "刘大勇，男", "13912345678",
        "请求判决原告与被告离婚",
        "双方于2012年10月1日办理结婚登记",  # marriage registration
        "共同生育子女2人：刘小明，2014年5月6日出生；刘小红，2018年3月9日出生",
        "由原告直接抚养",  # custody
        "每月支付抚养费人民币壹仟伍佰元整（¥1,500.00），至子女年满十八周岁止",  # support
        "请求照顾子女、女方和无过错方依法分割：村里三层住房一栋",  # property
        "没有共同债务",  # debts
        "因感情不和分居满二年；分居开始日期：2023年6月1日",  # reason
        "被告外出打工后再未回家",
        "第一千零七十九条", "第一千零八十五条", "第一千零八十七条", "第一千零八十九条",
        "大冶市人民法院", "2026年12月3日",
    ):
        assert element.replace(" ", "") in text, element
    # The debts left empty: a line to write on by hand, not a refusal.
    assert BLANK in doc.text()
