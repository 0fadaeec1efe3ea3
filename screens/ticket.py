"""The ticket screen: the number, the wait, and a QR code to keep it.

The ticket stays on screen with its QR code whatever the printer does, so a person
can always photograph or scan their number.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from kiosk.receipt import ticket_qr, waiting_area_line
from screens.base import KioskScreen
from screens.qr import qr_texture
from screens.service import resume_text


class TicketScreen(KioskScreen):
    """The issued ticket."""

    primary_action = "finish"  # what "好的" / "yes" does here

    number = StringProperty("")
    service_name = StringProperty("")
    ahead_text = StringProperty("")
    eta_text = StringProperty("")
    holder = StringProperty("")
    priority_text = StringProperty("")
    print_text = StringProperty("")
    finish_text = StringProperty("")  # 我拿好了, or 我记下号码了 when nothing printed
    area_text = StringProperty("")  # where to wait
    qr_caption = StringProperty("")
    print_failed = BooleanProperty(False)
    reprinting = BooleanProperty(False)  # printing again after a failure: the button stays, inactive
    qr = ObjectProperty(None, allownone=True)
    spoken_number = StringProperty("")

    def refresh(self) -> None:
        """Show the visit's ticket in the current language."""
        app = self.kiosk
        t = app.terminal
        visit = t.flow.visit
        ticket = visit.ticket
        if ticket is None:
            return
        self.number = ticket.number
        self.service_name = t.catalog.get(ticket.service).name.get(app.lang)
        resumes = t.queue.resumes()
        if resumes is not None:
            # Taken outside opening hours: when service resumes, and the place then.
            self.ahead_text = resume_text(app.tr, t.config.hours, resumes, t.clock.now())
            self.eta_text = app.tr("hours.ticket_ahead", n=ticket.ahead) if ticket.ahead else app.tr("hours.ticket_first")
        else:
            self.ahead_text = app.tr("ticket.ahead", ahead=ticket.ahead) if ticket.ahead else app.tr("ticket.ahead_none")
            self.eta_text = app.tr("ticket.eta", eta=ticket.eta_minutes) if ticket.ahead else ""
        service = t.catalog.get(ticket.service)
        if visit.card:
            self.holder = app.tr("ticket.holder", name=visit.card.masked_name)
        else:  # no card read here: the window will ask for it
            self.holder = app.tr("ticket_walk.bring_card") if service.brings_id_card or service.needs_id_card else ""
        self.priority_text = (
            f"{app.tr('priority.badge')} · {app.tr('priority.' + ticket.priority.value)}" if ticket.priority.is_priority else ""
        )
        self.print_text = app.receipts.ticket_state_text()
        self.print_failed = app.receipts.ticket_failed
        # Nothing in hand to take when the paper did not come out: "I have my number".
        self.finish_text = app.tr("ticket.finish" if app.receipts.ticket_state_key in ("ticket.printed", "ticket.printing")
                                  else "ticket_walk.finish_unprinted")
        self.reprinting = app.receipts.ticket_retrying
        self.spoken_number = self.kiosk.guide.number(ticket.number)
        self.area_text = waiting_area_line(t.config, ticket.service, app.lang, app.tr)
        # With the site's queue page: follow the queue; without: keep the number.
        self.qr_caption = app.tr("ticket.qr" if t.config.queue.ticket_url else "visit_info.qr_keep")
        url = ticket_qr(t.config, ticket, app.tr)
        if getattr(self, "_qr_for", None) != url:
            self._qr_for = url
            self.qr = qr_texture(url)

    def spoken_intro(self) -> str:
        """The number (as people say it), the wait, and whether it was printed."""
        parts = [self.kiosk.tr("ticket.title"), self.service_name, self.kiosk.tr("ticket.your_number") + self.spoken_number,
                 self.ahead_text, self.eta_text, self.area_text, self.print_text]
        return "。".join(p for p in parts if p) + "。"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
