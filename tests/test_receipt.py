"""Receipt documents built from data: what a person finds on the paper."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from kiosk.catalog import load_catalog
from kiosk.config import KioskConfig
from kiosk.receipt import Columns, QrCode, Text, materials_receipt, test_receipt, ticket_receipt
from kiosk.tickets import Priority, Ticket, TicketState

CONFIG = KioskConfig(terminal_id="HS0101")
CATALOG = load_catalog()


def make_ticket(priority: Priority = Priority.NORMAL, ahead: int = 2, eta: int = 30) -> Ticket:
    return Ticket(1, date(2025, 5, 6), "consultation", "A012", priority, TicketState.WAITING,
                  datetime(2025, 5, 6, 14, 5), ahead=ahead, eta_minutes=eta)


def test_ticket_says_where_what_which_number_and_how_long() -> None:
    r = ticket_receipt(make_ticket(), CATALOG.get("consultation"), CONFIG)
    text = r.text_content()
    for expected in (CONFIG.site_name, "法律咨询", "A012", "2 人", "约 30 分钟", "2025-05-06 14:05",
                     "过号请重新取号", "12348"):
        assert expected in text
    number = next(b for b in r.blocks if isinstance(b, Text) and b.text == "A012")
    assert (number.width, number.height, number.bold) == (4, 4, True)
    assert "优先" not in text


def test_ticket_qr_is_the_configured_url_without_personal_data() -> None:
    config = KioskConfig(terminal_id="HS0101", queue={"ticket_url": "https://12348.hs.gov.cn/queue?t={terminal_id}&d={date}&n={number}"})
    r = ticket_receipt(make_ticket(), CATALOG.get("consultation"), config, holder_name="张*")
    (qr,) = [b for b in r.blocks if isinstance(b, QrCode)]
    assert qr.data == "https://12348.hs.gov.cn/queue?t=HS0101&d=2025-05-06&n=A012"
    assert "张" not in qr.data
    assert "手机扫码查看排队进度" in r.text_content()


def test_priority_and_masked_holder_are_printed() -> None:
    r = ticket_receipt(make_ticket(Priority.DISABLED), CATALOG.get("consultation"), CONFIG, holder_name="欧阳**")
    assert "残疾人优先" in r.text_content()
    assert "欧阳**" in r.text_content()


def test_an_unmasked_name_is_refused() -> None:
    with pytest.raises(ValueError):
        ticket_receipt(make_ticket(), CATALOG.get("consultation"), CONFIG, holder_name="张三")


def test_next_in_line_reads_naturally() -> None:
    r = ticket_receipt(make_ticket(ahead=0, eta=0), CATALOG.get("consultation"), CONFIG)
    assert "马上就到您" in r.text_content()


def test_english_ticket() -> None:
    r = ticket_receipt(make_ticket(Priority.ELDERLY), CATALOG.get("consultation"), CONFIG, language="en")
    assert "Legal consultation" in r.text_content() and "Priority: senior" in r.text_content()
    assert CONFIG.site_name_en in r.text_content()


def test_materials_mark_every_item() -> None:
    service = CATALOG.get("legal_aid")
    r = materials_receipt(service, CONFIG)
    rows = [b for b in r.blocks if isinstance(b, Columns)]
    assert len(rows) == len(service.materials)
    assert [row.cells[1] for row in rows] == ["[必带]" if m.required else "[如有]" for m in service.materials]
    assert "12348" in r.text_content() and "一次性告知" in r.text_content()


def test_test_page_has_sizes_table_rare_characters_and_qr() -> None:
    r = test_receipt(CONFIG)
    sizes = {(b.width, b.height) for b in r.blocks if isinstance(b, Text)}
    assert {(1, 1), (1, 2), (2, 1), (2, 2), (3, 3)} <= sizes
    assert any(isinstance(b, Columns) for b in r.blocks)
    assert any(isinstance(b, QrCode) for b in r.blocks)
    assert "䶮" in r.text_content()


def test_blocks_refuse_what_a_printer_cannot_do() -> None:
    with pytest.raises(ValueError):
        Text("x", width=9)
    with pytest.raises(ValueError):
        Text("two\nlines")
    with pytest.raises(ValueError):
        Columns(("a", "b"), weights=(1,))
