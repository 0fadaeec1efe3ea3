"""写文书's side in the app: what ``doc:<step>:<value>`` does, and printing (A4 on a
worker thread, the short ones on the receipt printer's queue)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from kiosk.documents.feature import DocAsked, DocOpened, DocPrinted, DocumentsFeature
from kiosk.documents.printing import print_on_a4
from kiosk.events import PrintFinished
from kiosk.feature import Feature
from screens.documents.screens import DocFieldScreen
from screens.features import FeatureUiBase

if TYPE_CHECKING:
    from screens.app import KioskApp


class DocumentsUi(FeatureUiBase):
    """``doc:open`` opens the list (``doc:open:NAME`` one template directly); ``doc:print:a4|receipt`` prints; ``doc:dictate``,
    ``doc:use`` and ``doc:key:K`` act on the field screen; any other step goes to the flow."""

    actions = ("doc",)

    def __init__(self, app: "KioskApp", feature: Feature) -> None:
        super().__init__(app, feature)
        assert isinstance(feature, DocumentsFeature)
        self.doc: DocumentsFeature = feature

    def act(self, name: str, arg: str) -> None:
        """Hand the step to the visit flow, or do what the screen shown does."""
        app = self.app
        flow = app.terminal.flow
        step, _, value = arg.partition(":")
        screen = app.sm.current_screen
        if step == "open":
            flow.handle(DocOpened(value))
        elif step == "print":
            self.print_document(value)
        elif step in ("dictate", "use", "key") and isinstance(screen, DocFieldScreen):
            screen.field_action(step, value)
        else:
            before = flow.state
            flow.handle(DocAsked(step, value))
            if flow.state is before:
                screen.refresh()

    def print_document(self, way: str) -> None:
        """The document shown, on the A4 printer (a worker renders and sends it) or, for
        a short one, on the receipt printer."""
        app, doc = self.app, self.doc
        if doc.template is None:
            return
        a4 = app.terminal.a4_printer()
        if way == "a4" and a4 is not None:
            job = doc.next_job("a4")
            document = doc.document()
            post = app.bridge.post

            def work() -> None:
                why = print_on_a4(a4, document)
                post(DocPrinted(job, ok=why is None, way="a4", message_key=why))

            threading.Thread(target=work, name="a4-print", daemon=True).start()
        elif way == "receipt" and doc.template.short and app.receipts.available:
            job = doc.next_job("receipt")
            app.receipts.queue.submit(job, doc.receipt())
        else:
            app.show_notice("documents.no_printer")
            return
        app.sm.current_screen.refresh()

    def print_finished(self, event: PrintFinished) -> bool | None:
        """A receipt job of this feature: its outcome goes to the flow."""
        if not event.job_id.startswith("doc:"):
            return None
        self.app.terminal.flow.handle(DocPrinted(event.job_id, ok=event.ok, way="receipt", message_key=event.message_key))
        return True
