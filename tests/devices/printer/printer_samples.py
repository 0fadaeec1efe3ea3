"""Fixed sample data for the printer tests (no clock, no randomness)."""

from __future__ import annotations

from datetime import date, datetime

from kiosk.catalog import load_catalog
from kiosk.config import KioskConfig
from kiosk.receipt import Receipt, materials_receipt, test_receipt, ticket_receipt
from kiosk.tickets import Priority, Ticket, TicketState

CONFIG = KioskConfig(terminal_id="HS0101", site_name="下陆区团城山街道公共法律服务工作站")
CATALOG = load_catalog()
ISSUED = datetime(2025, 5, 6, 9, 12)
TICKET = Ticket(ticket_id=7, day=date(2025, 5, 6), service="legal_aid", number="B007", priority=Priority.ELDERLY,
                state=TicketState.WAITING, issued_at=ISSUED, ahead=3, eta_minutes=75)


def ticket() -> Receipt:
    """The sample ticket receipt (elderly priority, masked holder)."""
    return ticket_receipt(TICKET, CATALOG.get("legal_aid"), CONFIG, holder_name="张*")


def materials() -> Receipt:
    """The sample materials list."""
    return materials_receipt(CATALOG.get("legal_aid"), CONFIG, printed_at=ISSUED)


def test_page() -> Receipt:
    """The sample test page."""
    return test_receipt(CONFIG, printed_at=ISSUED)


test_page.__test__ = False  # type: ignore[attr-defined]

DOCUMENTS = {"ticket": ticket, "materials": materials, "test": test_page}
