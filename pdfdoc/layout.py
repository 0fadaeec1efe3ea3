"""An A4 document (title, paragraphs, labelled fields, signatures, footer) and its PDF.

The model is plain data so a caller builds it without fpdf2; ``render_pdf`` lays it out on
A4 with a CJK font and returns the PDF's bytes. Chinese is wrapped here, not by fpdf2:
fpdf2 breaks only at spaces (or anywhere, when a "word" is too long), so a line could
start with a closing mark (，。》) or end with an opening one (《（“), which Chinese
typesetting does not allow (GB/T 15834 line-breaking rules, 避头尾).
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence, Union

FONT_ENV = "KIOSK_FONT"
# In order of preference (Debian packages in comments). A .ttc is read at its first face,
# which for WenQuanYi Micro Hei is the Simplified Chinese one.
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",  # fonts-wqy-zenhei
    "/usr/share/fonts/opentype/noto/NotoSansSC-Regular.otf",
)

# Marks that never start a line, and marks that never end one.
NO_LINE_START = set("，。、；：！？）》」』】〉”’…—·,.;:!?)]}%")
NO_LINE_END = set("（《「『【〈“‘([{¥$")

A4_WIDTH_MM = 210.0
MARGIN_MM = 25.0  # the courts' forms use about 2.5 cm on every side
BODY_PT = 13.0
TITLE_PT = 22.0
LINE_FACTOR = 1.6  # line height as a multiple of the type size, in mm per pt below
PT_MM = 0.3528  # one typographic point in millimetres


class PdfError(Exception):
    """The document could not be rendered (no CJK font, a broken signature image)."""


@dataclass(frozen=True)
class Paragraph:
    """Running text; ``indent`` starts it two characters in, as Chinese prose does.
    ``align`` is left, center or right (right: a date or a signature line)."""

    text: str
    indent: bool = True
    align: str = "left"
    bold: bool = False


@dataclass(frozen=True)
class Heading:
    """A section heading inside the document (一、诉讼请求)."""

    text: str


@dataclass(frozen=True)
class Field:
    """One labelled value (当事人 · 张三); an empty value leaves a space to write in."""

    label: str
    value: str = ""


@dataclass(frozen=True)
class Fields:
    """Labelled values as a ruled two-column table, the 要素式 forms' layout."""

    rows: tuple[Field, ...]
    label_width_mm: float = 45.0


@dataclass(frozen=True)
class Signature:
    """A place to sign: the label (借款人（签字）), a signature image (PNG bytes) when one
    was drawn, and a caption under it (the date)."""

    label: str
    png: bytes | None = None
    caption: str = ""


@dataclass(frozen=True)
class Signatures:
    """Signature places side by side at the end of the document."""

    items: tuple[Signature, ...]


@dataclass(frozen=True)
class Spacer:
    """Vertical space in millimetres."""

    mm: float = 6.0


Block = Union[Paragraph, Heading, Fields, Signatures, Spacer]


@dataclass(frozen=True)
class Document:
    """An A4 document: a title, the blocks in order, and a footer on every page
    (with the page number)."""

    title: str
    blocks: tuple[Block, ...] = ()
    footer: str = ""
    subtitle: str = ""
    author: str = ""  # the PDF's metadata; never a person's name

    def text(self) -> str:
        """Everything the document says, in reading order (for previews and tests)."""
        out = [self.title] + ([self.subtitle] if self.subtitle else [])
        for block in self.blocks:
            if isinstance(block, (Paragraph, Heading)):
                out.append(block.text)
            elif isinstance(block, Fields):
                out += [f"{row.label}：{row.value}" for row in block.rows]
            elif isinstance(block, Signatures):
                out += [f"{s.label} {s.caption}".strip() for s in block.items]
        return "\n".join(out)


def find_cjk_font() -> Path | None:
    """``$KIOSK_FONT`` if set and present, else the first installed candidate."""
    env = os.environ.get(FONT_ENV)
    if env and Path(env).is_file():
        return Path(env)
    return next((Path(c) for c in FONT_CANDIDATES if Path(c).is_file()), None)


def wrap(text: str, width: Callable[[str], float], max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (by ``width``), between any
    two characters of Chinese, between words of Latin text, never putting a closing
    mark first on a line or an opening mark last. Newlines in ``text`` are kept."""
    lines: list[str] = []
    for para in text.split("\n"):
        lines += _wrap_one(para, width, max_width)
    return lines


def _tokens(text: str) -> list[str]:
    # Latin words and numbers stay whole (10,000.00 is never split); every other
    # character is a token of its own.
    out: list[str] = []
    for ch in text:
        if out and ch.isascii() and not ch.isspace() and out[-1][-1].isascii() and not out[-1][-1].isspace():
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _wrap_one(text: str, width: Callable[[str], float], max_width: float) -> list[str]:
    if not text:
        return [""]
    lines: list[str] = []
    line: list[str] = []
    for tok in _tokens(text):
        if line and width("".join(line) + tok) > max_width:
            # Move a line-ending opening mark, or the character before a closing mark
            # that would start the next line, down to the next line.
            carry: list[str] = []
            if tok[0] in NO_LINE_START and len(line) > 1:
                carry = [line.pop()]
            while len(line) > 1 and line[-1][-1] in NO_LINE_END:
                carry.insert(0, line.pop())
            lines.append("".join(line).rstrip())
            line = carry
            if tok.isspace() and not line:
                continue  # a space at a break is dropped
        line.append(tok)
    lines.append("".join(line).rstrip())
    return lines


def render_pdf(doc: Document, font: Path | None = None) -> bytes:
    """The document as an A4 PDF (fonts embedded, subset); PdfError without a CJK font."""
    font = font or find_cjk_font()
    if font is None:
        raise PdfError("no CJK font installed (fonts-wqy-microhei)")
    # deferred: fpdf2 (and Pillow, fontTools under it) is loaded only when a document is rendered
    from fpdf import FPDF

    footer = doc.footer

    class _Pdf(FPDF):  # fpdf2 ships no type information: FPDF is Any here
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("cjk", size=9)
            page = f"第 {self.page_no()} 页 共 {{nb}} 页"
            self.cell(0, 5, f"{footer}    {page}" if footer else page, align="C")

    pdf = _Pdf(format="A4", unit="mm")
    pdf.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
    pdf.set_auto_page_break(True, margin=22)
    pdf.set_title(doc.title)
    pdf.set_creator("legal-kiosk")
    if doc.author:
        pdf.set_author(doc.author)
    try:
        pdf.add_font("cjk", "", str(font))
    except Exception as exc:  # noqa: BLE001 — fontTools raises many kinds on a bad file
        raise PdfError(f"font {font} cannot be used: {exc}") from exc
    pdf.add_page()
    _Layout(pdf).draw(doc)
    return bytes(pdf.output())


@dataclass
class _Layout:
    """Draws the blocks on an fpdf2 document (``pdf`` is an FPDF)."""

    pdf: Any  # an fpdf2 FPDF (fpdf2 ships no type information)
    width: float = field(default=A4_WIDTH_MM - 2 * MARGIN_MM)

    def _lines(self, text: str, size: float, max_width: float) -> list[str]:
        pdf = self.pdf
        pdf.set_font("cjk", size=size)
        return wrap(text, pdf.get_string_width, max_width)

    def _line_h(self, size: float) -> float:
        return size * PT_MM * LINE_FACTOR

    def draw(self, doc: Document) -> None:
        """Title, subtitle, then each block in turn."""
        p = self.pdf
        for line in self._lines(doc.title, TITLE_PT, self.width):
            p.cell(self.width, self._line_h(TITLE_PT), line, align="C", new_x="LMARGIN", new_y="NEXT")
        if doc.subtitle:
            for line in self._lines(doc.subtitle, BODY_PT - 1, self.width):
                p.cell(self.width, self._line_h(BODY_PT - 1), line, align="C", new_x="LMARGIN", new_y="NEXT")
        p.ln(4)
        for block in doc.blocks:
            if isinstance(block, Paragraph):
                self.paragraph(block)
            elif isinstance(block, Heading):
                p.ln(2)
                self.paragraph(Paragraph(block.text, indent=False, bold=True))
            elif isinstance(block, Fields):
                self.fields(block)
            elif isinstance(block, Signatures):
                self.signatures(block)
            elif isinstance(block, Spacer):
                p.ln(block.mm)

    def paragraph(self, para: Paragraph) -> None:
        """Running text, wrapped as Chinese is; bold is drawn as a heavier stroke."""
        p = self.pdf
        size = BODY_PT + (1 if para.bold else 0)
        text = ("\u3000\u3000" + para.text) if para.indent and para.align == "left" else para.text
        for line in self._lines(text, size, self.width):
            p.cell(self.width, self._line_h(size), line, align={"center": "C", "right": "R"}.get(para.align, "L"),
                   new_x="LMARGIN", new_y="NEXT")

    def fields(self, table: Fields) -> None:
        """A ruled table: label on the left, value on the right, rows as tall as needed."""
        p = self.pdf
        lw = table.label_width_mm
        vw = self.width - lw
        lh = self._line_h(BODY_PT)
        pad = 2.0
        for row in table.rows:
            labels = self._lines(row.label, BODY_PT, lw - 2 * pad)
            values = self._lines(row.value, BODY_PT, vw - 2 * pad) if row.value else [""]
            height = max(len(labels), len(values)) * lh + pad
            if p.will_page_break(height):
                p.add_page()
            x, y = p.get_x(), p.get_y()
            p.rect(x, y, lw, height)
            p.rect(x + lw, y, vw, height)
            p.set_font("cjk", size=BODY_PT)
            for i, line in enumerate(labels):
                p.text(x + pad, y + pad / 2 + lh * (i + 0.7), line)
            for i, line in enumerate(values):
                p.text(x + lw + pad, y + pad / 2 + lh * (i + 0.7), line)
            p.set_xy(x, y + height)
        p.ln(3)

    def signatures(self, sigs: Signatures) -> None:
        """Signature places side by side: label, the drawn signature (or a line to sign
        on), the caption."""
        p = self.pdf
        n = max(1, len(sigs.items))
        col = self.width / n
        # One signature sits in the right half, where Chinese documents are signed.
        offset = self.width / 2 if n == 1 else 0.0
        img_h = 18.0
        lh = self._line_h(BODY_PT)
        need = lh * 2 + img_h + 4
        if p.will_page_break(need):
            p.add_page()
        p.ln(4)
        x0, y0 = p.get_x(), p.get_y()
        p.set_font("cjk", size=BODY_PT)
        for i, sig in enumerate(sigs.items):
            x = x0 + offset + i * (col - offset)
            p.text(x, y0 + lh * 0.7, sig.label)
            if sig.png:
                try:
                    p.image(io.BytesIO(sig.png), x=x, y=y0 + lh, h=img_h)
                except Exception as exc:  # noqa: BLE001 — Pillow raises many kinds on bad data
                    raise PdfError(f"signature image cannot be read: {exc}") from exc
            else:
                p.line(x, y0 + lh + img_h, x + col - 8, y0 + lh + img_h)
            if sig.caption:
                p.text(x, y0 + lh + img_h + lh * 0.9, sig.caption)
        p.set_xy(x0, y0 + need)


def document_lines(doc: Document, chars: int) -> list[str]:
    """The document as lines of at most ``chars`` characters (counting a Chinese
    character as one), for a preview or a receipt printer."""
    return wrap(doc.text(), lambda s: float(len(s)), float(chars))


__all__: Sequence[str] = (
    "Document", "Paragraph", "Heading", "Field", "Fields", "Signature", "Signatures", "Spacer",
    "PdfError", "render_pdf", "wrap", "find_cjk_font", "document_lines",
)
