"""The document templates: each renders with its sample fields into an A4 PDF whose text
reads back; amounts carry their capitals; empty fields print as blanks; bad values and
bad template files are refused with the key named."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from kiosk.documents.templates import (
    BLANK, DocumentError, build_document, check_value, load_templates, sample_values,
)
from pdfdoc.layout import render_pdf

TEMPLATES = load_templates()
TODAY = date(2026, 12, 2)
REQUIRED = {"借条", "欠条", "收条", "劳动人事争议仲裁申请书", "人民调解申请书"}


def _pdf_text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\n", "")


def test_the_documents_villagers_need_most_are_there() -> None:
    """借条, 欠条, 收条, 劳动仲裁申请书, 调解申请书 and the 要素式 起诉状 for wages."""
    titles = {t.title for t in TEMPLATES.templates}
    assert REQUIRED <= titles
    assert any(t.startswith("民事起诉状") and "劳动" in t for t in titles)
    assert {t.name for t in TEMPLATES.templates if t.short} == {"iou", "owe", "receipt"}


@pytest.mark.parametrize("template", TEMPLATES.templates, ids=lambda t: t.name)
def test_each_template_renders_its_samples(template) -> None:  # type: ignore[no-untyped-def]
    """Every sample value appears in the PDF's text (amounts in figures and capitals,
    dates in Chinese), and no place is left as a blank."""
    values = sample_values(template)
    assert set(values) == {f.key for f in template.fields}, "every field has a sample"
    doc = build_document(template, values, TODAY, TEMPLATES.footer)
    text = _pdf_text(render_pdf(doc))
    assert template.title.replace("（", "(")[:4] in text.replace("（", "(")
    assert BLANK not in doc.text()
    for f in template.fields:
        if f.kind == "amount":
            assert f"{float(values[f.key]):,.2f}" in text
        elif f.kind == "date":
            d = date.fromisoformat(values[f.key])
            assert f"{d.year}年{d.month}月{d.day}日" in text
        elif len(values[f.key]) <= 30:
            assert values[f.key] in text, f.key
    assert "2026年12月2日" in text  # the day it is printed


def test_an_iou_writes_the_amount_in_capitals_and_leaves_blanks_to_write_on() -> None:
    """借条 for ¥10,050.30 says 人民币壹万零伍拾元叁角整; what is not filled in is a line."""
    iou = next(t for t in TEMPLATES.templates if t.name == "iou")
    doc = build_document(iou, {"lender": "李四", "amount": check_value(iou.field("amount"), "10050.3")}, TODAY)
    text = doc.text()
    assert "今借到李四人民币壹万零伍拾元叁角整（¥10,050.30）" in text
    assert f"用于{BLANK}" in text and f"借款人身份证号：{BLANK}" in text
    assert "人民币壹万零伍拾元叁角整" in _pdf_text(render_pdf(doc))


@pytest.mark.parametrize(("key", "value", "kept"), [
    ("amount", "¥12,000", "12000.00"),
    ("due", "20270630", "2027-06-30"),
    ("due", "2027-06-30", "2027-06-30"),
    ("borrower_id", "42010219900101123x", "42010219900101123X"),
    ("borrower_phone", "13800000000", "13800000000"),
    ("purpose", "看病", "看病"),
    ("lender", "  ", ""),
])
def test_values_are_checked_and_kept_plainly(key: str, value: str, kept: str) -> None:
    """What the keypad or the buttons give, as kept."""
    iou = next(t for t in TEMPLATES.templates if t.name == "iou")
    assert check_value(iou.field(key), value) == kept


@pytest.mark.parametrize(("key", "value"), [
    ("amount", "twelve"), ("due", "20271340"), ("due", "2027"), ("borrower_id", "12345"),
    ("borrower_phone", "12"), ("purpose", "赌博"),
])
def test_bad_values_are_refused(key: str, value: str) -> None:
    """A wrong amount, date, ID number, phone or choice: refused, the field named."""
    iou = next(t for t in TEMPLATES.templates if t.name == "iou")
    with pytest.raises(DocumentError, match=key):
        check_value(iou.field(key), value)


def test_a_template_file_with_an_unknown_place_is_refused(tmp_path: Path) -> None:
    """A typo in a {place} of the text is caught when the file is read, naming it."""
    bad = tmp_path / "documents.toml"
    bad.write_text('[[templates]]\nname = "x"\ntitle = "X"\nhint = "h"\n'
                   '[[templates.fields]]\nkey = "a"\nlabel = "A"\n'
                   '[[templates.sections]]\ntext = ["{a} {b}"]\n', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"unknown place \{b\}"):
        load_templates(bad)
