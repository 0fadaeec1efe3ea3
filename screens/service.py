"""The service screen: what the service is, the wait now, priority, and the way on."""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.tickets import Priority
from screens.base import KioskScreen

# The priority classes a person can declare on screen (elderly is also read from the card).
DECLARABLE = (Priority.ELDERLY, Priority.DISABLED, Priority.MILITARY)


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
        self.card_text = app.tr("service.needs_card" if service.needs_id_card else "service.no_card")
        est = t.queue.estimate(code, t.flow.priority())
        self.wait_text = (
            app.tr("service.waiting", ahead=est.ahead, eta=est.eta_minutes) if est.ahead else app.tr("service.waiting_none")
        )
        chosen = t.flow.priority()
        for btn in self.ids.priorities.children:
            btn.selected = btn.action == f"priority:{chosen.value}"

    def spoken_intro(self) -> str:
        """The service, what it is, whether a card is needed, the wait now."""
        return f"{self.title}。{self.summary}{self.card_text}。{self.wait_text}。"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
