"""The A4 layout (pdfdoc): Chinese wrapped as Chinese typesetting does, labelled fields,
signature images, the footer with page numbers on every page, A4, the CJK font embedded."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from pypdf import PdfReader

from pdfdoc.layout import (
    NO_LINE_END, NO_LINE_START, Document, Field, Fields, Heading, Paragraph, PdfError, Signature, Signatures, render_pdf, wrap,
)


def _width(s: str) -> float:
    return float(sum(1 if c.isascii() else 2 for c in s))


def test_chinese_breaks_anywhere_but_never_before_a_closing_mark_or_after_an_opening_one() -> None:
    text = "今借到张三人民币壹万元整，于二〇二七年一月一日前归还。《中华人民共和国民法典》第六百六十七条规定，借款合同是借款人向贷款人借款（到期返还借款）的合同。"
    for width in range(10, 40):
        lines = wrap(text, _width, float(width))
        assert "".join(lines) == text  # nothing lost or added
        for line in lines:
            assert _width(line) <= width or len(line) == 1
        for line in lines[1:]:
            assert line[0] not in NO_LINE_START, (width, lines)
        for line in lines[:-1]:
            assert line[-1] not in NO_LINE_END, (width, lines)


def test_numbers_and_latin_words_stay_whole() -> None:
    lines = wrap("金额¥10,000.00元 and some English words here", _width, 12.0)
    assert any("10,000.00" in line for line in lines)
    assert all(word in " ".join(lines).split() or word in "".join(lines) for word in ("English", "words"))


def _signature_png() -> bytes:
    img = Image.new("RGB", (200, 60), "white")
    for x in range(20, 180):
        img.putpixel((x, 30 + (x % 7)), (0, 0, 0))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_a_long_document_with_fields_and_a_drawn_signature() -> None:
    rows = tuple(Field(f"第{i}项", "湖北省黄石市下陆区团城山街道某某村三组二十六号，" * 2) for i in range(1, 14))
    doc = Document("调解协议书", (Heading("一、当事人"), Fields(rows), Paragraph("双方自愿达成如下协议。" * 20),
                                  Signatures((Signature("甲方（签字）", png=_signature_png(), caption="2026年12月2日"),
                                              Signature("乙方（签字）", caption="2026年12月2日")))),
                   footer="黄石市下陆区人民调解委员会")
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    pages = len(reader.pages)
    assert pages >= 2
    for n, page in enumerate(reader.pages, 1):
        assert abs(float(page.mediabox.width) - 595.28) < 1 and abs(float(page.mediabox.height) - 841.89) < 1
        assert f"第 {n} 页 共 {pages} 页" in page.extract_text()
        assert "黄石市下陆区人民调解委员会" in page.extract_text()
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert "第13项" in text and "甲方（签字）" in text and "乙方（签字）" in text
    assert any(p.images for p in reader.pages)  # the drawn signature
    fonts = str(reader.pages[0]["/Resources"]["/Font"])
    assert "/F" in fonts  # the CJK font is embedded (as a subset)


def test_a_broken_signature_image_or_no_font_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PdfError, match="signature image"):
        render_pdf(Document("x", (Signatures((Signature("签字", png=b"not a picture"),)),)))
    bad = tmp_path / "font.ttf"
    bad.write_bytes(b"nope")
    with pytest.raises(PdfError, match="cannot be used"):
        render_pdf(Document("x"), font=bad)


def test_a_stamp_marks_every_page_and_keeps_what_was_there() -> None:
    from pdfdoc.stamp import stamp_pdf

    doc = Document("调解协议书", (Paragraph("双方自愿达成如下协议。" * 200),
                                  Signatures((Signature("甲方", png=_signature_png()),))), footer="调解编号 M1")
    original = render_pdf(doc)
    before = PdfReader(io.BytesIO(original))
    marked = PdfReader(io.BytesIO(stamp_pdf(original, ["当事人存执 调解编号 M1", "SHA-256：" + "ab" * 32])))
    assert len(marked.pages) == len(before.pages) >= 2
    for was, page in zip(before.pages, marked.pages):
        text = page.extract_text()
        assert "当事人存执" in text and "ab" * 32 in text  # on every page
        assert was.extract_text().replace("\n", "") in text.replace("\n", "")  # nothing of the page lost
    assert sum(len(p.images) for p in marked.pages) == 1  # the signature still there
    with pytest.raises(PdfError, match="cannot be read"):
        stamp_pdf(b"%PDF-1.4 not really", ["x"])
