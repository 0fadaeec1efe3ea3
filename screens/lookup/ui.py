"""The app side of 查法律: what ``law:<step>:<value>`` does, reading aloud, printing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.events import HomePressed, PrintFinished, ServiceChosen, TicketRequested
from kiosk.feature import Feature
from kiosk.lookup.feature import (LawAsked, LawOpened, LookupFeature, LookupState, article_receipt, calc_receipt,
                                  guide_receipt, guide_url)
from kiosk.receipt import default_tr
from screens.features import FeatureUiBase
from screens.lookup.calc_screens import CalcResultScreen
from screens.lookup.guide_screens import NEXT_TILES, GuideScreen, next_tile
from screens.lookup.screens import ArticleScreen, SearchScreen

# The screens whose content 打印 puts on the receipt printer.
PRINTED = (LookupState.ARTICLE, LookupState.GUIDE, LookupState.CALC_RESULT)

if TYPE_CHECKING:
    from screens.app import KioskApp


class LookupUi(FeatureUiBase):
    """``law:open`` opens the topics (``law:open:guides`` the guides); ``law:read`` and
    ``law:print`` act on the article, guide or result shown; ``law:next:ticket|video|aid``
    takes the service a guide names; ``law:dictate`` listens for a question; any other
    ``law:STEP:VALUE`` is a step."""

    actions = ("law",)

    def __init__(self, app: "KioskApp", feature: Feature) -> None:
        super().__init__(app, feature)
        assert isinstance(feature, LookupFeature)
        self.lookup: LookupFeature = feature
        self._job: str | None = None  # this visit's print job, if one is out
        self._jobs = 0

    def act(self, name: str, arg: str) -> None:
        """Hand the step to the visit flow, or do what the screen shown does."""
        app = self.app
        flow = app.terminal.flow
        step, _, value = arg.partition(":")
        if step == "open":
            self._job = None
            flow.handle(LawOpened(start=value or "topics"))
            return
        screen = app.sm.current_screen
        if step == "read" and isinstance(screen, ArticleScreen | GuideScreen | CalcResultScreen):
            screen.read_aloud()
            return
        if step == "print" and isinstance(flow.state, LookupState) and flow.state in PRINTED:
            self.print_shown(flow.state)
            return
        if step == "next":
            self.take_next(value)
            return
        if step == "dictate" and isinstance(screen, SearchScreen):
            screen.dictate()
            return
        before = flow.state
        flow.handle(LawAsked(step, value))
        if flow.state is before:
            app.sm.current_screen.refresh()
            app.guide.sync()

    def take_next(self, what: str) -> None:
        """From a guide to the service it names, by the same events as the home screen:
        a ticket for the guide's service (or the card step it needs first), a video call,
        legal aid. Each starts from home, so Back from it leads home as usual."""
        app, flow, guide = self.app, self.app.terminal.flow, self.lookup.guide
        if guide is None or flow.state is not LookupState.GUIDE:
            return
        if what == "ticket":
            flow.handle(HomePressed())
            flow.handle(ServiceChosen(guide.service))
            flow.handle(TicketRequested())
            return
        if what not in NEXT_TILES:
            return
        tile = next_tile(app, what)
        can = tile.availability() if tile is not None else None
        if tile is None or not can:
            # Not offered on this screen when it cannot work; the state may have changed since.
            app.show_notice(getattr(can, "reason_key", "") or "call.unavailable")
            return
        flow.handle(HomePressed())
        action = tile.action
        if what == "video":
            action = f"{action}:{guide.service}"  # the call is about the guide's service
        app.act(action)

    def print_shown(self, state: LookupState) -> None:
        """The article, guide or result shown, on the receipt printer."""
        app, lk = self.app, self.lookup
        tr = default_tr(app.lang)
        if state is LookupState.ARTICLE and lk.article is not None:
            receipt, notice = article_receipt(lk.article, tr, lk.article_url(lk.article)), "lookup.ui.printing"
        elif state is LookupState.GUIDE and lk.guide is not None:
            receipt = guide_receipt(lk.guide, tr, guide_url(lk.guide_url_template, lk.guide))
            notice = "lookup.guide_ui.printing"
        elif state is LookupState.CALC_RESULT and lk.calc_result is not None:
            receipt, notice = calc_receipt(lk.calc_result, tr), "lookup.calc_ui.printing"
        else:
            return
        if not app.receipts.available:
            app.show_notice("lookup.ui.no_printer")
            return
        self._jobs += 1
        self._job = f"lookup:{self._jobs}"
        app.receipts.queue.submit(self._job, receipt)
        app.show_notice(notice)

    def print_finished(self, event: PrintFinished) -> bool | None:
        """Tell this person their article printed (a failure is told by the app)."""
        if not event.job_id.startswith("lookup:"):
            return None
        if event.job_id != self._job or not isinstance(self.app.terminal.flow.state, LookupState):
            return False  # an earlier person's paper
        if event.ok:
            self.app.show_notice("lookup.ui.printed")
        return True
