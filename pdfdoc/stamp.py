"""A mark on every page of an existing PDF: a few lines of small type in the top margin
(a party's copy of an agreement marked with its session and hash).

The PDF given is left as it is on the page; the mark is drawn on an overlay page of the
same size (fpdf2, the CJK font) and merged onto each page (pypdf). Both libraries are
imported only when a PDF is stamped.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence

from pdfdoc.layout import MARGIN_MM, PT_MM, PdfError, find_cjk_font

STAMP_PT = 8.0
TOP_MM = 9.0  # the first line's top, inside the 25 mm margin above the text


def stamp_pdf(pdf: bytes, lines: Sequence[str], font: Path | None = None) -> bytes:
    """``pdf`` with ``lines`` in the top margin of every page; PdfError when the PDF
    cannot be read or no CJK font is installed."""
    font = font or find_cjk_font()
    if font is None:
        raise PdfError("no CJK font installed (fonts-wqy-microhei)")
    # deferred: pypdf and fpdf2 are loaded only when a copy is stamped
    from fpdf import FPDF
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    except (PyPdfError, ValueError, OSError) as exc:
        raise PdfError(f"the PDF cannot be read: {exc}") from exc
    overlays: dict[tuple[float, float], object] = {}
    for page in writer.pages:
        size = (float(page.mediabox.width), float(page.mediabox.height))
        if size not in overlays:
            over = FPDF(unit="mm", format=(size[0] * PT_MM, size[1] * PT_MM))
            over.set_auto_page_break(False)
            try:
                over.add_font("cjk", "", str(font))
            except Exception as exc:  # noqa: BLE001 — fontTools raises many kinds on a bad file
                raise PdfError(f"font {font} cannot be used: {exc}") from exc
            over.add_page()
            over.set_font("cjk", size=STAMP_PT)
            line_h = STAMP_PT * PT_MM * 1.5
            for i, line in enumerate(lines):
                over.set_xy(MARGIN_MM, TOP_MM + i * line_h)
                over.cell(size[0] * PT_MM - 2 * MARGIN_MM, line_h, line)
            overlays[size] = PdfReader(io.BytesIO(bytes(over.output()))).pages[0]
        page.merge_page(overlays[size])  # type: ignore[arg-type]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


__all__ = ["stamp_pdf"]
