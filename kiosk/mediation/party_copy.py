"""The party's A4 copy of a signed agreement: fetched from the centre (``mediation.agreement``),
checked against the hash the terminal was told, marked with the session and the hash, and
printed on the A4 printer. Each step that fails says why with a message key; the caller
prints the receipt with the QR instead.

Runs on workers (the ask on the centre asker's, the print on a thread of its own): a
printer may take a minute.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
from typing import Callable

from kiosk.errors import PrinterError
from kiosk.ports import A4Printer, CentreError, CentreUnavailable
from pdfdoc.layout import PdfError
from pdfdoc.stamp import stamp_pdf

log = logging.getLogger(__name__)

Ask = Callable[..., dict[str, object]]


class CopyError(Exception):
    """No copy to print: ``message_key`` says why, for the person; the text, for the log."""

    def __init__(self, detail: str, message_key: str) -> None:
        super().__init__(detail)
        self.message_key = message_key


def fetch_agreement(ask: Ask, session_id: str) -> bytes:
    """The agreement's PDF as the centre keeps it (``ask`` is the asker's ``ask``)."""
    try:
        got = ask("mediation.agreement", {"session_id": session_id}, timeout=20.0)
    except CentreUnavailable as exc:
        raise CopyError(f"centre not reached: {exc}", "mediation_a4.offline") from exc
    except CentreError as exc:
        raise CopyError(f"centre refused: {exc}", "mediation_a4.refused") from exc
    try:
        return base64.b64decode(str(got.get("pdf", "")), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CopyError("the centre's answer holds no PDF", "mediation_a4.mismatch") from exc


def checked(pdf: bytes, sha256: str) -> bytes:
    """``pdf`` when its SHA-256 is ``sha256`` (the hash shown since the agreement was
    confirmed); a copy that differs from what was signed is never printed."""
    got = hashlib.sha256(pdf).hexdigest()
    if not pdf.startswith(b"%PDF-") or not hmac.compare_digest(got, sha256.lower()):
        raise CopyError(f"agreement hash {got} is not the confirmed {sha256}", "mediation_a4.mismatch")
    return pdf


def marked(pdf: bytes, lines: list[str]) -> bytes:
    """The party's copy: every page marked with ``lines`` (the session and the hash)."""
    try:
        return stamp_pdf(pdf, lines)
    except PdfError as exc:
        raise CopyError(f"copy not marked: {exc}", "mediation_a4.failed") from exc


def print_copy(printer: A4Printer, pdf: bytes, session_id: str) -> None:
    """Print the copy (blocks until the printer is done); CopyError with the printer's
    reason when it is not printed."""
    try:
        printer.print_pdf(pdf, f"mediation {session_id}")
    except PrinterError as exc:
        log.warning("mediation %s: agreement not printed on A4: %s", session_id, exc.detail)
        raise CopyError(exc.detail, exc.message_key or "a4printer.job_failed") from exc
    log.info("mediation %s: agreement printed on A4", session_id)
