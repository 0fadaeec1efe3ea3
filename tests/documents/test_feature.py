"""写文书 as a feature of the visit, without the screens: the ID card fills in the
person's details only after they agree; refused, the fields stay empty; the screen masks
what the paper prints in full; where the paper goes; everything forgotten at the end."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from kiosk import events as ev
from kiosk.bootstrap import build_terminal
from kiosk.config import KioskConfig
from kiosk.documents.feature import DocAsked, DocOpened, DocPrinted, DocState, DocumentsFeature
from kiosk.identity import CardType, Gender, IdentityCard
from kiosk.ports import DeviceKind
from kiosk.states import VisitState
from kiosk.terminal import Terminal
from tests.support import SettableClock

CARD = IdentityCard(CardType.RESIDENT, "李建国", Gender.MALE, date(1991, 6, 8), "420281199106080036", "湖北省大冶市金湖街道姜桥村三组26号")


def _terminal(tmp_path: Path) -> tuple[Terminal, DocumentsFeature]:
    t = build_terminal(KioskConfig(), tmp_path / "kiosk", with_devices=False, clock=SettableClock())
    feature = t.flow.features.get("documents")
    assert isinstance(feature, DocumentsFeature)
    return t, feature


def _open(t: Terminal, name: str) -> None:
    t.flow.handle(ev.Started())
    t.flow.handle(DocOpened())
    assert t.flow.state is DocState.LIST
    t.flow.handle(DocAsked("template", name))


def test_with_consent_the_card_fills_the_persons_own_details(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Agree → the card step → the form with name, gender, birth, ID number, address;
    the screen shows them masked, the paper in full; none of it in the log."""
    caplog.set_level(logging.DEBUG)
    t, doc = _terminal(tmp_path)
    _open(t, "labour-arbitration")
    assert t.flow.state is DocState.CONSENT
    t.flow.handle(DocAsked("consent", "yes"))
    assert t.flow.state is VisitState.CARD
    t.flow.handle(ev.CardRead(kind=DeviceKind.IDCARD, card=CARD))
    assert t.flow.state is DocState.FORM
    assert doc.values["name"] == "李建国" and doc.values["id_number"] == "420281199106080036"
    assert doc.values["gender"] == "男" and doc.values["birth"] == "1991-06-08"
    assert doc.shown("name") == "李**" and doc.shown("id_number") == "4202**********0036"
    assert "姜桥村" not in doc.shown("address")
    preview = doc.preview_document().text()
    assert "420281199106080036" not in preview and "李建国" not in preview and "4202**********0036" in preview
    paper = doc.document().text()
    assert "420281199106080036" in paper and "李建国" in paper
    t.flow.handle(DocAsked("field", "phone"))
    t.flow.handle(DocAsked("value", "13912345678"))
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "doc_form" in logged  # the steps are logged…
    for personal in ("李建国", "420281199106080036", "姜桥村", "13912345678"):
        assert personal not in logged  # …never what the person gave


def test_refused_consent_leaves_the_fields_empty_even_with_a_card_on_the_reader(tmp_path: Path) -> None:
    """A card read earlier in the visit is not used when the person says no."""
    t, doc = _terminal(tmp_path)
    t.flow.handle(ev.Started())
    t.flow.handle(ev.CardRead(kind=DeviceKind.IDCARD, card=CARD))
    t.flow.handle(DocOpened())
    t.flow.handle(DocAsked("template", "iou"))
    t.flow.handle(DocAsked("consent", "no"))
    assert t.flow.state is DocState.FORM
    assert doc.values == {} and "李建国" not in doc.document().text()


def test_fields_by_keypad_and_buttons_then_preview(tmp_path: Path) -> None:
    """A bad amount says why and keeps the form; good values are kept; Back steps back."""
    t, doc = _terminal(tmp_path)
    _open(t, "iou")
    t.flow.handle(DocAsked("consent", "no"))
    t.flow.handle(DocAsked("field", "amount"))
    assert t.flow.state is DocState.FIELD
    t.flow.handle(DocAsked("value", "12..5"))
    assert t.flow.state is DocState.FIELD and doc.error_key == "documents.bad_amount"
    t.flow.handle(DocAsked("value", "12000"))
    assert t.flow.state is DocState.FORM and doc.values["amount"] == "12000.00"
    t.flow.handle(DocAsked("field", "purpose"))
    t.flow.handle(DocAsked("value", "看病"))
    t.flow.handle(DocAsked("preview"))
    assert t.flow.state is DocState.PREVIEW
    assert "人民币壹万贰仟元整（¥12,000.00），用于看病" in doc.preview_document().text()
    t.flow.handle(ev.BackPressed())
    assert t.flow.state is DocState.FORM


def test_where_the_paper_goes(tmp_path: Path) -> None:
    """A4 when there is one; the short documents on the receipt printer; else a QR."""
    _, doc = _terminal(tmp_path)
    doc.template = doc.template_named("iou")
    assert doc.print_way(True, True) == "a4"
    assert doc.print_way(False, True) == "receipt"
    assert doc.print_way(False, False) == "qr"
    doc.template = doc.template_named("labour-arbitration")
    assert doc.print_way(False, True) == "qr"


def test_the_qr_holds_the_facts_with_the_id_number_masked_and_stays_small(tmp_path: Path) -> None:
    """What a phone can take from the screen: the title and the filled-in facts, within
    the size a screen QR scans well at, the ID number masked."""
    from kiosk.documents.templates import sample_values

    _, doc = _terminal(tmp_path)
    doc.template = doc.template_named("labour-arbitration")
    doc.values = sample_values(doc.template)
    text = doc.qr_text()
    assert text.startswith("劳动人事争议仲裁申请书\n申请人（您）姓名：张三")
    assert "420102199001011237" not in text and "4201**********1237" in text
    assert len(text.encode()) <= 600


def test_short_documents_fit_a_receipt(tmp_path: Path) -> None:
    """借条 on the receipt printer: title, text with capitals, the place to sign."""
    _, doc = _terminal(tmp_path)
    doc.template = doc.template_named("receipt")
    doc.values = {"payer": "赵六", "amount": "5000.00"}
    text = doc.receipt().text_content()
    assert "收条" in text and "今收到赵六交来人民币伍仟元整（￥5,000.00）" in text and "收款人（签字并按手印）" in text


def test_a_print_result_moves_on_only_for_this_persons_job_and_the_end_forgets(tmp_path: Path) -> None:
    """The paper came out → done; a late answer for an earlier job changes nothing; at
    the end of the visit nothing of the document is left."""
    t, doc = _terminal(tmp_path)
    _open(t, "iou")
    t.flow.handle(DocAsked("consent", "no"))
    t.flow.handle(DocAsked("field", "lender"))
    t.flow.handle(DocAsked("value", "李四"))
    t.flow.handle(DocAsked("preview"))
    job = doc.next_job("a4")
    t.flow.handle(DocPrinted("doc:999", ok=True, way="a4"))
    assert t.flow.state is DocState.PREVIEW
    t.flow.handle(DocPrinted(job, ok=False, way="a4", message_key="a4printer.stopped"))
    assert t.flow.state is DocState.PREVIEW and doc.result is not None and not doc.result.ok
    t.flow.handle(DocPrinted(job, ok=True, way="a4"))
    assert t.flow.state is DocState.DONE
    t.flow.handle(ev.Finished())
    assert t.flow.state is VisitState.ATTRACT
    assert doc.values == {} and doc.template is None and doc.from_card == set()
