"""The legal-aid receipt (申请回执): a document of kiosk.receipt blocks, printed through
the terminal's print queue and rendered to PNG for the docs.

Number, check code, matter, what to bring, the centre's address and phone, and a QR
code of the public progress page (number + check code: never the ID number). The
applicant's name appears only masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.legal_aid.application import Submitted
from kiosk.legal_aid.data import LegalAidData
from kiosk.receipt import Align, Block, Columns, Feed, QrCode, Receipt, Separator, Text, Translate, default_tr, take_card_blocks

if TYPE_CHECKING:
    from kiosk.config import KioskConfig


def progress_url(config: "KioskConfig", number: str, check_code: str) -> str:
    """The QR's URL: the centre's public progress page for this application ("" when
    the centre's page is not configured)."""
    url = config.legal_aid.progress_url
    return url.format(number=number, code=check_code) if url else ""


def progress_qr(config: "KioskConfig", number: str, check_code: str, t: Translate) -> str:
    """What the receipt's QR holds: the progress page, else the number and check code as
    text (a phone keeps them) — never a link to a page that does not exist."""
    return progress_url(config, number, check_code) or t("legal_aid.ways.qr_text").format(number=number, code=check_code)


def legal_aid_receipt(
    submitted: Submitted,
    data: LegalAidData,
    config: "KioskConfig",
    *,
    language: str = "zh_CN",
    holder_name: str | None = None,
    take_card: bool = False,
    tr: Translate | None = None,
) -> Receipt:
    """The receipt of one submitted application. ``holder_name`` must be masked (``张*``);
    ``take_card`` adds the reminder to take the ID card back from the reader."""
    t = tr or default_tr(language)
    la = config.legal_aid
    en = language == "en"
    site = config.site_name_en if en and config.site_name_en else config.site_name
    centre = la.centre_name_en if en and la.centre_name_en else la.centre_name
    address = (la.centre_address_en if en and la.centre_address_en else la.centre_address) or t("receipt.legal_aid.address_ask")
    if holder_name is not None and ("*" not in holder_name or not holder_name.replace("*", "")):
        raise ValueError("holder_name must be masked like '张*'")
    blocks: list[Block] = [
        Text(centre, align=Align.CENTER, bold=True),
        Text(t("receipt.legal_aid.title"), align=Align.CENTER, bold=True, width=2, height=2),
        Separator("="),
        Text(t("receipt.legal_aid.number"), align=Align.CENTER),
        Text(submitted.number, align=Align.CENTER, bold=True, width=2, height=2),
        Text(f"{t('receipt.legal_aid.check_code')} {submitted.check_code}", align=Align.CENTER, bold=True),
        *take_card_blocks(t, take_card),
        Feed(1),
    ]
    rows = []
    if holder_name:
        rows.append((t("receipt.legal_aid.applicant"), holder_name))
    rows += [
        (t("receipt.legal_aid.matter"), data.matter(submitted.matter).name.get(language)),
        (t("receipt.legal_aid.submitted"), submitted.submitted_at.strftime("%Y-%m-%d %H:%M")),
        (t("receipt.legal_aid.site"), site),
    ]
    blocks += [Columns((k, v), (2, 5), (Align.LEFT, Align.LEFT)) for k, v in rows]
    if submitted.sign_method == "window":
        # Kept unsigned: the slip is what the person shows at the window to sign there.
        blocks += [Feed(1), Text(t("legal_aid.ways.receipt_window"), bold=True)]
    blocks += [Separator("-"), Text(t("receipt.legal_aid.bring"), bold=True)]
    for i, item in enumerate(data.materials(submitted.matter, language), start=1):
        blocks.append(Columns((f"{i}.", item), (3, 45)))
    blocks += [
        Feed(1),
        Text(t("receipt.legal_aid.next"), align=Align.LEFT),
        Separator("-"),
        QrCode(progress_qr(config, submitted.number, submitted.check_code, t)),
        Text(t("receipt.legal_aid.scan" if la.progress_url else "legal_aid.ways.qr_keep"), align=Align.CENTER),
        Separator("-"),
        Text(centre, align=Align.CENTER, bold=True),
        Text(address, align=Align.CENTER),
        Text(t("receipt.legal_aid.phone").format(phone=la.centre_phone), align=Align.CENTER, bold=True),
    ]
    return Receipt(title=f"legal aid {submitted.number}", blocks=tuple(blocks))
