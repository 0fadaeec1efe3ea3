"""Printing a document on the A4 printer: render, send, and say how it went (run on a
worker, never the UI thread: rendering takes a few tenths of a second and CUPS seconds)."""

from __future__ import annotations

import logging

from kiosk.errors import PrinterError
from kiosk.ports import A4Printer
from pdfdoc.layout import Document, PdfError, render_pdf

log = logging.getLogger(__name__)


def print_on_a4(printer: A4Printer, doc: Document) -> str | None:
    """Print ``doc``; None when printed, else the message key saying why not."""
    try:
        pdf = render_pdf(doc)
    except PdfError as exc:
        log.error("document not rendered: %s", exc)
        return "documents.error"
    try:
        printer.print_pdf(pdf, doc.title)
    except PrinterError as exc:
        log.warning("document not printed: %s", exc.detail)
        return exc.message_key
    return None
