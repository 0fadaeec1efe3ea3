"""The service screen: what the service is, the wait now, priority, and the way on."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.catalog import Service
from kiosk.queue import WaitEstimate
from kiosk.tickets import Priority
from screens.base import KioskScreen

# The priority classes a person can declare on screen (elderly is also read from the card).
DECLARABLE = (Priority.ELDERLY, Priority.DISABLED, Priority.MILITARY)


def card_key(service: Service, card_read: bool) -> str:
    """What to say about the ID card, agreeing with the materials list (catalogue data):
    read already, needed to take the ticket, needed at the window only, or not at all."""
    if card_read:
        return "visit_info.card_read"
    if service.needs_id_card:
        return "service.needs_card"
    return "visit_info.card_at_window" if service.brings_id_card else "service.no_card"


def wait_text(tr: Callable[..., str], est: WaitEstimate) -> str:
    """The wait now, from the same figure as the home tile: nobody waits; people wait but
    this person goes first (priority); or how many are ahead and for how long."""
    if not est.waiting:
        return tr("service.waiting_none")
    if not est.ahead:
        return tr("visit_info.waiting_priority", n=est.waiting)
    return tr("service.waiting", ahead=est.ahead, eta=est.eta_minutes)


class ServiceScreen(KioskScreen):
    """Details of the chosen service."""

    primary_action = "take"  # what "好的" / "yes" does here

    title = StringProperty("")
    summary = StringProperty("")
    card_text = StringProperty("")
    wait_text = StringProperty("")

    def refresh(self) -> None:
        """Show the chosen service in the current language, with the wait now."""
        app = self.kiosk
        t = app.terminal
        code = t.flow.visit.service
        if code is None:
            return
        service = t.catalog.get(code)
        self.title = service.name.get(app.lang)
        self.summary = service.summary.get(app.lang)
        self.card_text = app.tr(card_key(service, t.flow.visit.has_card))
        self.wait_text = wait_text(app.tr, t.queue.estimate(code, t.flow.priority()))
        chosen = t.flow.priority()
        for btn in self.ids.priorities.children:
            btn.selected = btn.action == f"priority:{chosen.value}"

    def spoken_intro(self) -> str:
        """The service, what it is, whether a card is needed, the wait now."""
        return f"{self.title}。{self.summary}{self.card_text}。{self.wait_text}。"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
