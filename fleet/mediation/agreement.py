"""The signed mediation agreement (调解协议书) as an A4 PDF, hashed and kept write-once.

A minimal renderer of its own (fpdf2 with a CJK font): the session, the matter, the
agreed text, each party's name and finger signature, the date. The PDF's SHA-256 is
what every party's printed copy carries, so a copy can be checked against the one kept
at the centre.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from kiosk.files import private_dir

CJK_FONTS = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",  # fonts-wqy-microhei
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
PARTY_TITLES = {"party-a": "甲方", "party-b": "乙方"}


@dataclass(frozen=True)
class AgreementPdf:
    """A kept agreement: where it is and its SHA-256."""

    path: Path
    sha256: str


def cjk_font() -> str:
    """The first CJK font installed (a PDF without one would print boxes)."""
    for f in CJK_FONTS:
        if Path(f).is_file():
            return f
    raise RuntimeError("no CJK font is installed (Debian: apt-get install fonts-wqy-microhei)")


def agreement_bytes(session: dict[str, Any], text: str) -> bytes:
    """The PDF of ``session`` (a SessionStore row with ``parties``) with ``text``."""
    from fpdf import FPDF  # deferred: fpdf2 is only needed when an agreement is signed

    pdf = FPDF(format="A4")
    pdf.set_creation_date(datetime.now(timezone.utc))
    pdf.add_font("cjk", "", cjk_font())
    pdf.set_auto_page_break(True, 20)
    pdf.add_page()
    pdf.set_font("cjk", size=20)
    pdf.cell(0, 14, "人民调解协议书", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=10)
    pdf.cell(0, 7, f"编号 {session['session_id']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("cjk", size=12)
    pdf.multi_cell(0, 7, f"纠纷事项：{session['matter']}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    for label, title in PARTY_TITLES.items():
        p = session["parties"][label]
        pdf.cell(0, 8, f"{title}：{p['name']}    签名：", new_x="LMARGIN", new_y="NEXT")
        if p.get("signature"):
            pdf.image(io.BytesIO(p["signature"]), w=60)
        signed = p.get("signed_at")
        pdf.cell(0, 7, f"签署时间：{signed:%Y-%m-%d %H:%M}" if signed else "", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.cell(0, 8, f"人民调解员：{session['mediator']}    {datetime.now(timezone.utc):%Y年%m月%d日}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def render_agreement(directory: Path, session: dict[str, Any], text: str) -> AgreementPdf:
    """Write the agreement's PDF once (``<dir>/<session>.pdf``, 0600 in a 0700 dir);
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


__all__ = ["AgreementPdf", "agreement_bytes", "render_agreement"]
