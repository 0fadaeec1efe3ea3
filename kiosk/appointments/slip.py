"""The appointment slip (预约凭条): what is printed when a visit is booked or moved.

Service, day and time, where to come, what to bring (the catalogue's materials), the
booking code in large type and a QR code to see or change the booking. No name, no ID
number, no phone: the code and the phone's last four digits are enough to change it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.appointments.desk import Booking
from kiosk.receipt import Align, Block, Columns, Feed, QrCode, Receipt, Separator, Text, Translate, default_tr, take_card_blocks

if TYPE_CHECKING:
    from kiosk.catalog import Service
    from kiosk.config import KioskConfig

WEEKDAYS_ZH = "一二三四五六日"


def when_text(b: Booking, language: str) -> str:
    """``2026年11月30日（星期一）09:00–09:30`` / ``Mon 30 Nov 2026, 09:00–09:30``."""
    if language == "en":
        return f"{b.day:%a %d %b %Y}, {b.start}–{b.end}"
    return f"{b.day.year}年{b.day.month}月{b.day.day}日（星期{WEEKDAYS_ZH[b.day.weekday()]}）{b.start}–{b.end}"


def slip_url(config: "KioskConfig", booking: Booking) -> str:
    """The QR's URL: the booking's page, by code (never the person)."""
    return config.appointments.slip_url.format(code=booking.code)


def appointment_slip(
    booking: Booking,
    service: "Service",
    config: "KioskConfig",
    *,
    language: str = "zh_CN",
    printed_at: datetime | None = None,
    take_card: bool = False,
    tr: Translate | None = None,
) -> Receipt:
    """The slip for ``booking`` (``service`` is its catalogue entry); ``take_card`` adds
    the reminder to take the ID card back from the reader."""
    t = tr or default_tr(language)
    en = language == "en"
    site = config.site_name_en if en and config.site_name_en else config.site_name
    address = (config.appointments.site_address_en if en else "") or config.appointments.site_address
    blocks: list[Block] = [
        Text(site, align=Align.CENTER, bold=True),
        Text(t("appointment.slip_title"), align=Align.CENTER, bold=True, width=2, height=2),
        Separator("="),
        Text(service.name.get(language), align=Align.CENTER, bold=True, width=2, height=2),
        Feed(1),
        Text(when_text(booking, language), align=Align.CENTER, bold=True),
        Feed(1),
        Text(t("appointment.slip_code"), align=Align.CENTER),
        Text(booking.code, align=Align.CENTER, bold=True, width=3, height=3),
        *take_card_blocks(t, take_card),
        Feed(1),
    ]
    rows = [(t("appointment.slip_where"), address or site)]
    if booking.phone_last4:
        rows.append((t("appointment.slip_phone"), f"*******{booking.phone_last4}"))
    blocks += [Columns((label, value), (1, 3), (Align.LEFT, Align.LEFT)) for label, value in rows]
    blocks += [Separator("-"), Text(t("appointment.slip_bring"), bold=True)]
    must, optional = t("receipt.materials.required"), t("receipt.materials.optional")
    for i, m in enumerate(service.materials, start=1):
        blocks.append(Columns((f"{i}.", f"[{must if m.required else optional}]", m.text.get(language)), (3, 7, 38)))
    blocks += [
        Separator("-"),
        Text(t("appointment.slip_checkin").format(minutes=config.appointments.late_minutes)),
        Text(t("appointment.slip_change")),
        QrCode(slip_url(config, booking)),
        Text(t("appointment.slip_scan"), align=Align.CENTER),
        Text(t("receipt.hotline").format(hotline=config.hotline), align=Align.CENTER, bold=True),
    ]
    if printed_at is not None:
        blocks.append(Text(f"{t('receipt.materials.printed')} {printed_at:%Y-%m-%d %H:%M}", align=Align.CENTER))
    return Receipt(title=f"appointment slip {booking.service}", blocks=tuple(blocks))
