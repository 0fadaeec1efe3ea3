"""The app side of 查法律: what ``law:<step>:<value>`` does, reading aloud, printing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.events import PrintFinished
from kiosk.feature import Feature
from kiosk.lookup.feature import LawAsked, LawOpened, LookupFeature, LookupState, article_receipt
from kiosk.receipt import default_tr
from screens.features import FeatureUiBase
from screens.lookup.screens import ArticleScreen, SearchScreen

if TYPE_CHECKING:
    from screens.app import KioskApp


class LookupUi(FeatureUiBase):
    """``law:open`` opens the topics; ``law:read`` and ``law:print`` act on the article
    shown; ``law:dictate`` listens for a question; any other ``law:STEP:VALUE`` is a step."""

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
            flow.handle(LawOpened())
            return
        screen = app.sm.current_screen
        if step == "read" and isinstance(screen, ArticleScreen):
            screen.read_aloud()
            return
        if step == "print" and flow.state is LookupState.ARTICLE:
            self.print_article()
            return
        if step == "dictate" and isinstance(screen, SearchScreen):
            screen.dictate()
            return
        before = flow.state
        flow.handle(LawAsked(step, value))
        if flow.state is before:
            app.sm.current_screen.refresh()
            app.guide.sync()

    def print_article(self) -> None:
        """The article shown, on the receipt printer (title, version date, QR code)."""
        app, hit = self.app, self.lookup.article
        if hit is None:
            return
        if not app.receipts.available:
            app.show_notice("lookup.ui.no_printer")
            return
        self._jobs += 1
        self._job = f"lookup:{self._jobs}"
        receipt = article_receipt(hit, default_tr(app.lang), self.lookup.article_url(hit))
        app.receipts.queue.submit(self._job, receipt)
        app.show_notice("lookup.ui.printing")

    def print_finished(self, event: PrintFinished) -> bool | None:
        """Tell this person their article printed (a failure is told by the app)."""
        if not event.job_id.startswith("lookup:"):
            return None
        if event.job_id != self._job or not isinstance(self.app.terminal.flow.state, LookupState):
            return False  # an earlier person's paper
        if event.ok:
            self.app.show_notice("lookup.ui.printed")
        return True
