"""The party's copy of a signed mediation agreement, printed at the terminal: the
session, the matter, the agreement's SHA-256 and a QR code holding both, so the copy can
be checked against the PDF kept at the centre. The party appears only masked."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kiosk.receipt import Align, Block, Feed, QrCode, Receipt, Separator, Text, Translate, default_tr, take_card_blocks

if TYPE_CHECKING:
    from kiosk.config import KioskConfig


def agreement_qr(session_id: str, sha256: str) -> str:
    """What the QR holds: the session and the agreement's hash (no person)."""
    return f"mediation:{session_id}:sha256:{sha256}"


def agreement_receipt(session: dict[str, Any], doc: dict[str, Any], config: "KioskConfig", *, language: str = "zh_CN",
                      take_card: bool = False, tr: Translate | None = None) -> Receipt:
    """The receipt of a signed agreement (``session``: the invitation the terminal took
    up; ``doc``: the centre's last word with ``agreement`` and ``sha256``)."""
    t = tr or default_tr(language)
    sid, sha = str(session["session_id"]), str(doc["sha256"])
    masked = str(session.get("masked", ""))
    if masked and "*" not in masked:
        raise ValueError("the party's name must be masked like '张*'")
    site = config.site_name_en if language == "en" and config.site_name_en else config.site_name
    blocks: list[Block] = [
        Text(site, align=Align.CENTER, bold=True),
        Text(t("mediation.receipt_title"), align=Align.CENTER, bold=True, width=2, height=2),
        Separator("="),
        Text(f"{t('mediation.receipt_session')} {sid}", bold=True),
        Text(t("mediation.matter").format(m=session.get("matter", ""))),
        Text(t("mediation.invited_as").format(name=masked)),
        *take_card_blocks(t, take_card),
        Separator("-"),
        *[Text(line) for line in str(doc.get("agreement", "")).splitlines() if line.strip()],
        Separator("-"),
        Text(t("mediation.receipt_hash")),
        *[Text(sha[i:i + 32], align=Align.CENTER) for i in range(0, len(sha), 32)],
        Feed(1),
        QrCode(agreement_qr(sid, sha)),
        Text(t("mediation.receipt_kept"), align=Align.CENTER),
    ]
    return Receipt(title=f"mediation {sid}", blocks=tuple(blocks))
