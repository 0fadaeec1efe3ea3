"""The service screen: what the service is, the wait now, priority, and the way on."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Callable

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.catalog import Service
from kiosk.config import OpeningHours
from kiosk.queue import WaitEstimate
from kiosk.schedule import opening_day
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


def resume_when(tr: Callable[..., str], resumes: datetime, now: datetime) -> str:
    """When the windows open next, as people say it: today, tomorrow, or the date."""
    days = (resumes.date() - now.date()).days
    if days == 0:
        return tr("hours.today")
    if days == 1:
        return tr("hours.tomorrow")
    weekday = tr("hours.weekdays").split(",")[resumes.weekday()]
    return tr("hours.date", month=resumes.month, day=resumes.day, weekday=weekday)


def resume_text(tr: Callable[..., str], hours: OpeningHours, resumes: datetime, now: datetime) -> str:
    """Why nobody serves now and when service resumes ("今天已下班，明天 08:30 起办理")."""
    if resumes.date() == now.date():
        key = "hours.before_open"
    elif opening_day(hours, now.date()) and now.time() >= hours.close:
        key = "hours.after_close"
    else:
        key = "hours.closed_today"
    return tr(key, when=resume_when(tr, resumes, now), time=f"{resumes:%H:%M}")


def wait_text(tr: Callable[..., str], est: WaitEstimate, hours: OpeningHours | None = None,
              now: datetime | None = None, after_hours_tickets: bool = True) -> str:
    """The wait now, from the same figure as the home tile: nobody waits; people wait but
    this person goes first (priority); or how many are ahead and for how long. Outside
    opening hours: when service resumes, and where a ticket taken now would stand."""
    if est.resumes is not None and hours is not None and now is not None:
        if not after_hours_tickets:
            then = tr("hours.take_later")
        elif est.ahead:
            then = tr("hours.take_now_ahead", n=est.ahead)
        else:
            then = tr("hours.take_now_first")
        return tr("hours.joined", first=resume_text(tr, hours, est.resumes, now), then=then)
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
    can_take = BooleanProperty(True)  # False outside opening hours where the site issues no tickets then

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
        est = t.queue.estimate(code, t.flow.priority())
        self.wait_text = wait_text(app.tr, est, t.config.hours, t.clock.now(), t.queue.after_hours_tickets)
        self.can_take = est.resumes is None or t.queue.after_hours_tickets
        chosen = t.flow.priority()
        for btn in self.ids.priorities.children:
            btn.selected = btn.action == f"priority:{chosen.value}"

    def spoken_intro(self) -> str:
        """The service, what it is, whether a card is needed, the wait now."""
        return f"{self.title}。{self.summary}{self.card_text}。{self.wait_text}。"


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
