"""Receipts as documents: what is printed, never how.

A :class:`Receipt` is a list of blocks (text, columns, QR code, separators, feeds) with no
printer bytes in it. Two renderers in ``devices/printer/`` turn the same document into
ESC/POS bytes and into a PNG preview, so the screen, the docs and the tests show what the
printer will print.

The builders (:func:`ticket_receipt`, :func:`materials_receipt`, :func:`test_receipt`) make
the kiosk's receipts from data. Their fixed wording is the translation catalogue's
``receipt.*`` keys (zh_CN first); ``tr`` may supply another translator. No personal data is printed except a name the caller has already masked.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Callable, Union

from kiosk import tickets
from kiosk.i18n import load_messages
from kiosk.tickets import Priority, Ticket
from kiosk.schedule import next_opening

if TYPE_CHECKING:  # only for annotations: the core's config and catalogue types
    from kiosk.catalog import Service
    from kiosk.config import KioskConfig

# Scales beyond 8 do not exist in ESC/POS (GS ! takes 1–8 per axis).
MAX_SCALE = 8


class Align(str, enum.Enum):
    """Horizontal alignment of a block on the paper."""

    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class Text:
    """A paragraph. Wrapped by the renderer to the paper's width at this scale.

    ``width``/``height`` are character magnifications (1–8), as the printer does them;
    ``bold`` is emphasis.
    """

    text: str
    align: Align = Align.LEFT
    bold: bool = False
    width: int = 1
    height: int = 1

    def __post_init__(self) -> None:
        if not (1 <= self.width <= MAX_SCALE and 1 <= self.height <= MAX_SCALE):
            raise ValueError(f"text scale must be 1..{MAX_SCALE}, got {self.width}x{self.height}")
        if "\n" in self.text or "\r" in self.text:
            # A newline inside a block would escape the renderer's width accounting.
            raise ValueError("one Text is one paragraph: split lines into several blocks")


@dataclass(frozen=True)
class Columns:
    """One row of a table. ``weights`` share the line between cells; each cell wraps in
    its own column, so a long cell makes a hanging indent."""

    cells: tuple[str, ...]
    weights: tuple[int, ...] = ()
    aligns: tuple[Align, ...] = ()
    bold: bool = False

    def __post_init__(self) -> None:
        if not self.cells:
            raise ValueError("a row needs at least one cell")
        if self.weights and len(self.weights) != len(self.cells):
            raise ValueError("one weight per cell")
        if self.aligns and len(self.aligns) != len(self.cells):
            raise ValueError("one alignment per cell")
        if any(w <= 0 for w in self.weights):
            raise ValueError("weights are positive")
        if any("\n" in c for c in self.cells):
            raise ValueError("cells are single paragraphs")

    def cell_weights(self) -> tuple[int, ...]:
        """The weights, equal shares when none were given."""
        return self.weights or (1,) * len(self.cells)

    def cell_aligns(self) -> tuple[Align, ...]:
        """The alignments, all left when none were given."""
        return self.aligns or (Align.LEFT,) * len(self.cells)


@dataclass(frozen=True)
class QrCode:
    """A QR code, centred. ``data`` is a URL: never personal data.

    ``module`` is the size of one QR module in printer dots (3–8 print well at 203 dpi).
    """

    data: str
    module: int = 6

    def __post_init__(self) -> None:
        if not self.data:
            raise ValueError("a QR code needs data")
        if not 1 <= self.module <= 16:
            raise ValueError("QR module size is 1..16 dots")


@dataclass(frozen=True)
class Separator:
    """A full-width rule made of ``char`` (one display column wide, ASCII)."""

    char: str = "-"

    def __post_init__(self) -> None:
        if len(self.char) != 1 or not self.char.isascii() or not self.char.isprintable():
            raise ValueError("a separator is one printable ASCII character")


@dataclass(frozen=True)
class Feed:
    """Blank paper: ``lines`` text lines of it."""

    lines: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.lines <= 20:
            raise ValueError("feed 0..20 lines")


Block = Union[Text, Columns, QrCode, Separator, Feed]


@dataclass(frozen=True)
class Receipt:
    """A printable document. ``title`` names it in logs and file names (no personal
    data); ``cut`` asks for a cut (or a tear-off feed on printers without a cutter)."""

    title: str
    blocks: tuple[Block, ...]
    cut: bool = True

    def text_content(self) -> str:
        """Every text on the receipt, one block per line (for tests, logs never)."""
        parts: list[str] = []
        for block in self.blocks:
            if isinstance(block, Text):
                parts.append(block.text)
            elif isinstance(block, Columns):
                parts.append(" ".join(block.cells))
        return "\n".join(parts)


# --- Wording ----------------------------------------------------------------------------

Translate = Callable[[str], str]


def default_tr(language: str) -> Translate:
    """The translation catalogue's wording for ``language`` (Chinese unless ``en``)."""
    messages = load_messages("en" if language == "en" else "zh_CN")

    def tr(key: str) -> str:
        return messages[key]

    return tr


def ticket_url(config: "KioskConfig", ticket: Ticket) -> str:
    """The QR's URL for a ticket: the site's configured page, with the terminal, the day
    and the ticket number filled in ("" when the site has no such page). Never personal data."""
    if not config.queue.ticket_url:
        return ""
    return tickets.ticket_url(config.queue.ticket_url, config.terminal_id, ticket)


def ticket_qr(config: "KioskConfig", ticket: Ticket, t: Translate) -> str:
    """What a ticket's QR holds: the configured page; without one, the ticket's own facts
    as text (number, day, site), so a phone can keep the number — never a link to a
    page that does not exist."""
    url = ticket_url(config, ticket)
    if url:
        return url
    return t("visit_info.qr_text").format(number=ticket.number, date=ticket.day.isoformat(), site=config.site_name)


def qr_caption_key(config: "KioskConfig") -> str:
    """The caption under a ticket's QR: follow the queue, or keep the number."""
    return "receipt.ticket.scan" if config.queue.ticket_url else "visit_info.qr_keep"


def waiting_area_line(config: "KioskConfig", service: str, language: str, t: Translate) -> str:
    """Where to wait and at which window the ticket is called ("请到…等候叫号，叫到后到2号窗口
    办理"), as far as the site has said; "" when it has said neither."""
    area = config.queue.waiting_area_for(service, language)
    window = config.queue.window_for(service, language)
    if area and window:
        return t("visit_walk.area_and_window").format(area=area, window=window)
    if window:
        return t("visit_walk.window_only").format(window=window)
    return t("visit_info.waiting_area").format(area=area) if area else ""


def _site(config: "KioskConfig", language: str) -> str:
    return config.site_name_en if language == "en" and config.site_name_en else config.site_name


def _check_masked(name: str) -> str:
    # A receipt leaves the building: only a name already masked (张*, 欧阳**) may go on it.
    if "*" not in name or name.replace("*", "") == "":
        raise ValueError("holder_name must be masked like '张*'")
    return name


_PRIORITY_KEY = {
    Priority.ELDERLY: "receipt.priority.elderly",
    Priority.DISABLED: "receipt.priority.disabled",
    Priority.MILITARY: "receipt.priority.military",
    Priority.APPOINTMENT: "receipt.priority.appointment",
}


def ticket_receipt(
    ticket: Ticket,
    service: "Service",
    config: "KioskConfig",
    *,
    language: str = "zh_CN",
    holder_name: str | None = None,
    take_card: bool = False,
    tr: Translate | None = None,
) -> Receipt:
    """The queue ticket: site, service, the big number, priority, people ahead and the
    wait, time issued, a QR to follow the queue, the hotline.

    ``holder_name`` must already be masked (``张*``); anything else is refused.
    ``take_card``: an ID card was put on the reader in this visit, so the ticket
    reminds the person to take it back.
    """
    t = tr or default_tr(language)
    wait = (
        t("receipt.ticket.wait_value").format(n=ticket.eta_minutes)
        if ticket.eta_minutes > 0
        else t("receipt.ticket.wait_none")
    )
    blocks: list[Block] = [
        Text(_site(config, language), align=Align.CENTER, bold=True),
        Text(t("receipt.ticket.title"), align=Align.CENTER),
        Separator("="),
        Text(service.name.get(language), align=Align.CENTER, bold=True, width=2, height=2),
        Feed(1),
        Text(t("receipt.ticket.your_number"), align=Align.CENTER),
        Text(ticket.number, align=Align.CENTER, bold=True, width=4, height=4),
    ]
    blocks += take_card_blocks(t, take_card)
    if ticket.priority.is_priority:
        blocks.append(
            Text(f"★ {t(_PRIORITY_KEY[ticket.priority])} ★", align=Align.CENTER, bold=True, width=2, height=2)
        )
    blocks.append(Feed(1))
    rows: list[tuple[str, str]] = []
    if holder_name:
        rows.append((t("receipt.ticket.holder"), _check_masked(holder_name)))
    # Taken outside opening hours: when the windows open, never "马上就到您".
    resumes = next_opening(config.hours, ticket.issued_at)
    rows += [
        (t("receipt.ticket.ahead"), t("receipt.ticket.ahead_value").format(n=ticket.ahead)),
        (t("receipt.ticket.wait"), wait) if resumes is None
        else (t("hours.receipt_from"), t("hours.receipt_from_value").format(at=f"{resumes:%Y-%m-%d %H:%M}")),
        (t("receipt.ticket.issued"), ticket.issued_at.strftime("%Y-%m-%d %H:%M")),
    ]
    label_aligns = (Align.LEFT, Align.RIGHT)
    blocks += [Columns((label, value), (1, 2), label_aligns) for label, value in rows]
    area = waiting_area_line(config, ticket.service, language, t)
    if area:
        blocks += [Feed(1), Text(area, align=Align.CENTER, bold=True)]
    blocks += [
        Separator("-"),
        QrCode(ticket_qr(config, ticket, t)),
        Text(t(qr_caption_key(config)), align=Align.CENTER),
        Separator("-"),
        Text(t("receipt.ticket.listen"), align=Align.CENTER, bold=True),
        Text(t("receipt.hotline").format(hotline=config.hotline), align=Align.CENTER),
    ]
    return Receipt(title=f"ticket {ticket.number}", blocks=tuple(blocks))


def take_card_blocks(t: Translate, take_card: bool) -> list[Block]:
    """The "请取回身份证" line of a slip, ticket or receipt, when a card was on the reader."""
    if not take_card:
        return []
    return [Text(t("reminder.take_card_paper"), align=Align.CENTER, bold=True)]


def materials_receipt(
    service: "Service",
    config: "KioskConfig",
    *,
    language: str = "zh_CN",
    printed_at: datetime | None = None,
    tr: Translate | None = None,
) -> Receipt:
    """The materials list (一次性告知) for one service: what to bring, each item marked
    必带 (must) or 如有 (if any), with the site and the hotline."""
    t = tr or default_tr(language)
    must, optional = t("receipt.materials.required"), t("receipt.materials.optional")
    blocks: list[Block] = [
        Text(_site(config, language), align=Align.CENTER, bold=True),
        Text(t("receipt.materials.title"), align=Align.CENTER, bold=True, width=2, height=2),
        Text(f"（{t('receipt.materials.subtitle')}）" if language != "en" else t("receipt.materials.subtitle"),
             align=Align.CENTER),
        Separator("="),
        Text(service.name.get(language), align=Align.LEFT, bold=True, width=2, height=2),
        Feed(1),
    ]
    for i, material in enumerate(service.materials, start=1):
        mark = must if material.required else optional
        # Three cells: number, mark, text. The text wraps in its own column so the marks
        # stay in a clean left edge a person can tick off.
        blocks.append(
            Columns((f"{i}.", f"[{mark}]", material.text.get(language)), (3, 7, 38), bold=False)
        )
    blocks += [
        Feed(1),
        Text(t("receipt.materials.note")),
        Separator("-"),
        Text(_site(config, language), align=Align.CENTER),
        Text(t("receipt.hotline").format(hotline=config.hotline), align=Align.CENTER, bold=True),
    ]
    if printed_at is not None:
        blocks.append(
            Text(f"{t('receipt.materials.printed')} {printed_at.strftime('%Y-%m-%d %H:%M')}", align=Align.CENTER)
        )
    return Receipt(title=f"materials {service.code}", blocks=tuple(blocks))


def test_receipt(
    config: "KioskConfig",
    *,
    printed_at: datetime | None = None,
    language: str = "zh_CN",
    tr: Translate | None = None,
) -> Receipt:
    """The technician's test page: every size, a column table with mixed Chinese and
    ASCII, the character sets (GBK, punctuation, a rare character), a QR code."""
    t = tr or default_tr(language)
    blocks: list[Block] = [
        Text(t("receipt.test.title"), align=Align.CENTER, bold=True, width=2, height=2),
        Text(f"{config.terminal_id} · {_site(config, language)}", align=Align.CENTER),
    ]
    if printed_at is not None:
        blocks.append(Text(printed_at.strftime("%Y-%m-%d %H:%M:%S"), align=Align.CENTER))
    blocks += [Separator("="), Text(t("receipt.test.sizes"), bold=True)]
    for w, h in ((1, 1), (1, 2), (2, 1), (2, 2), (3, 3)):
        blocks.append(Text(f"{w}x{h} 法律AB", width=w, height=h))
    blocks.append(Text("粗体 Bold", bold=True))
    blocks += [
        Text("左 left", align=Align.LEFT),
        Text("中 center", align=Align.CENTER),
        Text("右 right", align=Align.RIGHT),
        Separator("-"),
        Text(t("receipt.test.table"), bold=True),
        Columns(("服务", "号", "等候"), (2, 1, 1), (Align.LEFT, Align.CENTER, Align.RIGHT), bold=True),
        Columns(("法律咨询", "A001", "15分"), (2, 1, 1), (Align.LEFT, Align.CENTER, Align.RIGHT)),
        Columns(("法律援助", "B012", "1h"), (2, 1, 1), (Align.LEFT, Align.CENTER, Align.RIGHT)),
        Columns(("Mediation", "C3", "5"), (2, 1, 1), (Align.LEFT, Align.CENTER, Align.RIGHT)),
        Separator("-"),
        Text(t("receipt.test.charset"), bold=True),
        Text("ABCabc 0123456789 !@#$%&*()"),
        Text("中文：，。；“引号”《书名》——……"),
        # U+4DAE and U+20BB7 are not in GBK: they come out as a raster image (or as
        # GB18030 on printers whose profile has a GB18030 font).
        Text("生僻字：䶮 𠮷"),
        Separator("-"),
        Text(t("receipt.test.qr"), bold=True),
        QrCode(config.queue.ticket_url.format(terminal_id=config.terminal_id, date=date(2000, 1, 1).isoformat(),
                                              number="TEST") or f"TEST {config.terminal_id}"),
        Separator("="),
        Text(t("receipt.test.end"), align=Align.CENTER),
    ]
    return Receipt(title="test page", blocks=tuple(blocks))


# Keep pytest from collecting the builder as a test when a test module imports it.
test_receipt.__test__ = False  # type: ignore[attr-defined]
