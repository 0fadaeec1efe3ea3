"""The signed mediation agreement (调解协议书) as an A4 PDF, hashed and kept write-once.

The layout is the project's A4 document (``pdfdoc``: page, CJK font, Chinese line
breaking, signature places): the session, the matter, the agreed text, each party's name
and finger signature, the mediator and the date. The PDF's SHA-256 is what every party's
printed copy carries, so a copy can be checked against the one kept at the centre.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.files import private_dir
from pdfdoc.layout import Document, Paragraph, Signature, Signatures, Spacer, render_pdf

PARTY_TITLES = {"party-a": "甲方", "party-b": "乙方"}


@dataclass(frozen=True)
class AgreementPdf:
    """A kept agreement: where it is and its SHA-256."""

    path: Path
    sha256: str


def agreement_document(session: dict[str, Any], text: str, today: datetime | None = None) -> Document:
    """The agreement of ``session`` (a SessionStore row with ``parties``) with ``text``,
    as an A4 document; the session number is on every page (the footer)."""
    sid = str(session["session_id"])
    day = today or datetime.now(timezone.utc)
    body = tuple(Paragraph(line, indent=False) for line in text.splitlines() if line.strip())
    signatures = []
    for label, title in PARTY_TITLES.items():
        p = session["parties"][label]
        signed = p.get("signed_at")
        signatures.append(Signature(f"{title}：{p['name']}", png=p.get("signature") or None,
                                    caption=f"签署时间：{signed:%Y-%m-%d %H:%M}" if signed else ""))
    return Document(
        title="人民调解协议书",
        subtitle=f"编号 {sid}",
        footer=f"调解编号 {sid}",
        blocks=(
            Paragraph(f"纠纷事项：{session['matter']}", indent=False),
            Spacer(3),
            *body,
            Spacer(4),
            Signatures(tuple(signatures)),
            Spacer(4),
            Paragraph(f"人民调解员：{session['mediator']}    {day:%Y年%m月%d日}", indent=False, align="right"),
        ),
    )


def agreement_bytes(session: dict[str, Any], text: str) -> bytes:
    """The PDF of ``session`` (a SessionStore row with ``parties``) with ``text``."""
    return render_pdf(agreement_document(session, text))


def render_agreement(directory: Path, session: dict[str, Any], text: str) -> AgreementPdf:
    """Write the agreement's PDF once (``<dir>/<session>.pdf``, 0400 in a 0700 dir);
    a second confirmation of the same session keeps the first file."""
    private_dir(directory)
    path = directory / f"{session['session_id']}.pdf"
    if path.exists():
        return AgreementPdf(path, hashlib.sha256(path.read_bytes()).hexdigest())
    data = agreement_bytes(session, text)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o400)  # write-once: nobody rewrites a signed agreement
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    return AgreementPdf(path, hashlib.sha256(data).hexdigest())


__all__ = ["AgreementPdf", "agreement_document", "agreement_bytes", "render_agreement"]
