"""写文书 as a feature of the visit: choose a document, agree (or not) that the ID card
fills in the person's own details, fill in the fields (keypad, big buttons, dictation),
check the preview, print it.

doc_list → (doc_consent → card) → doc_form ⇄ doc_field → doc_preview → doc_done

Another feature's screen may open one template directly (a 办事指南 naming its document:
``document_action``): the list is skipped, and Back from the consent or the form returns
to the screen the person came from.

Where it goes: the A4 printer when the terminal has one; else the short ones (借条, 欠条,
收条) on the receipt printer; else a QR code holding the filled-in facts (the person's
ID number masked), to copy on a phone and bring to the window, where staff print the
form. Everything the person gave lives in ``values`` and is dropped by ``wipe`` when the
visit ends; nothing of it is logged or stored.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass, field
from typing import Literal

from kiosk import events as ev
from kiosk.availability import AVAILABLE, Availability, HomeTile, Unavailable
from kiosk.documents.templates import (
    DocumentError, Template, TemplateFile, build_document, card_values, check_value, load_templates, shown_value,
)
from kiosk.events import Event
from kiosk.feature import FeatureBase, FeatureContext, State
from kiosk.identity import IdentityCard, mask_address, mask_id_number, mask_name
from kiosk.ports import Clock
from kiosk.receipt import Align, Block, Feed, Receipt, Separator, Text
from kiosk.states import VisitState
from kiosk.visit import VisitFlow
from pdfdoc.layout import Document, Fields, Heading, Paragraph, Signatures

log = logging.getLogger(__name__)

CARD_PURPOSE = "documents.card_why"
QR_MAX_BYTES = 600  # a QR shown on a screen stays easy to scan from a phone up to about this
PrintWay = Literal["a4", "receipt", "qr"]


class DocState(enum.StrEnum):
    """Where the person is in writing a document (each value is a screen's name)."""

    LIST = "doc_list"
    CONSENT = "doc_consent"
    FORM = "doc_form"
    FIELD = "doc_field"
    PREVIEW = "doc_preview"
    DONE = "doc_done"


@dataclass(frozen=True)
class DocOpened(Event):
    """The person tapped 写文书 on the home screen (``template`` empty), or a button of
    another feature that opens one template directly (``template`` its name)."""

    template: str = ""


@dataclass(frozen=True)
class DocAsked(Event):
    """One step: ``step`` (template, consent, field, value, clear, preview, edit, print,
    qr) with its ``value``; a value may be personal, so it is never in a log line."""

    step: str
    value: str = field(default="", repr=False)


@dataclass(frozen=True)
class DocPrinted(Event):
    """A print job of this feature finished (posted from the worker that printed it)."""

    job_id: str
    ok: bool
    way: str
    message_key: str | None = None


class DocumentsFeature(FeatureBase):
    """The document steps of a visit (UI thread only, like VisitFlow)."""

    name = "documents"
    states = tuple(DocState)
    transitions = {
        (VisitState.HOME, DocOpened): DocState.LIST,
        **{(s, ev.HomePressed): VisitState.HOME for s in DocState},
        **{(s, ev.Finished): VisitState.ATTRACT for s in DocState},
    }
    events = (DocOpened, DocAsked, DocPrinted)
    multi_step = frozenset(set(DocState) - {DocState.DONE})
    final = frozenset({DocState.DONE})
    screens = {s.value: f"screens.documents.screens:{cls}" for s, cls in (
        (DocState.LIST, "DocListScreen"), (DocState.CONSENT, "DocConsentScreen"), (DocState.FORM, "DocFormScreen"),
        (DocState.FIELD, "DocFieldScreen"), (DocState.PREVIEW, "DocPreviewScreen"), (DocState.DONE, "DocDoneScreen"),
    )}

    def __init__(self, templates: TemplateFile, clock: Clock) -> None:
        self.file = templates
        self.templates: tuple[Template, ...] = templates.templates
        self._clock = clock
        self._jobs = 0
        self.wipe()

    # --- the home tile ---------------------------------------------------------------
    def availability(self) -> Availability:
        """Offered whenever there are templates (paper or QR is decided at the end)."""
        return AVAILABLE if self.templates else Unavailable("documents.unavailable")

    def tiles(self) -> list[HomeTile]:
        """写文书, among the things done here at the terminal."""
        return [HomeTile("documents.tile", "documents.tile_hint", "apply", "doc:open", kind="here", order=40,
                         spoken_key="documents.tile_spoken", availability=self.availability)]

    # --- what the person has given ---------------------------------------------------
    def wipe(self) -> None:
        """Forget the last person's document entirely."""
        self.template: Template | None = None
        self.values: dict[str, str] = {}
        self.from_card: set[str] = set()  # keys filled from the ID card (masked on screen)
        self.consent: bool | None = None
        self.editing: str | None = None
        self.error_key: str | None = None
        self.job: str | None = None  # the print job out now
        self.result: DocPrinted | None = None
        self.way: PrintWay | None = None
        # The other feature's screen a template was opened from (Back returns there).
        self.came_from: State | None = None

    # --- offered to other features (kiosk.lookup.feature.DocumentOffer) ----------------
    def document_action(self, document: str) -> str | None:
        """``doc:open:NAME`` when ``document`` names one of the templates, else None."""
        return f"doc:open:{document}" if any(t.name == document for t in self.templates) else None

    def document_title(self, document: str) -> str | None:
        """The title of the template ``document`` names (for the button), else None."""
        return next((t.title for t in self.templates if t.name == document), None)

    def template_named(self, name: str) -> Template:
        """The template called ``name``; DocumentError for another."""
        for t in self.templates:
            if t.name == name:
                return t
        raise DocumentError(f"no document template {name!r} (templates: {', '.join(t.name for t in self.templates)})")

    def document(self) -> Document:
        """The document as it stands (what the preview shows and the printer prints)."""
        assert self.template is not None
        return build_document(self.template, self.values, self._clock.now().date(), self.file.footer)

    def shown(self, key: str) -> str:
        """A field's value as the screen shows it: what came from the card and any ID
        number masked (the paper carries them in full)."""
        assert self.template is not None
        f = self.template.field(key)
        value = self.values.get(key, "")
        if not value:
            return ""
        if f.kind == "id_number":
            return mask_id_number(value)
        if key in self.from_card:
            if f.card == "name":
                return mask_name(value)
            if f.card == "address":
                return mask_address(value)
        return shown_value(f, value)

    def preview_document(self) -> Document:
        """The document with the screen's masking, for the on-screen preview (ID numbers,
        and the name and address from the card, are the only values masked, and they
        are text: the masked form fills their places as it is)."""
        assert self.template is not None
        masked = dict(self.values)
        for key in masked:
            f = self.template.field(key)
            if f.kind == "id_number" or (key in self.from_card and f.card in ("name", "address")):
                masked[key] = self.shown(key)
        return build_document(self.template, masked, self._clock.now().date(), self.file.footer)

    def print_way(self, has_a4: bool, has_receipt: bool) -> PrintWay:
        """A4 when there is an A4 printer; the short ones on the receipt printer; else a QR."""
        if has_a4:
            return "a4"
        if has_receipt and self.template is not None and self.template.short:
            return "receipt"
        return "qr"

    def qr_text(self) -> str:
        """The QR code's text: the document's name and the facts filled in (ID numbers
        masked: a screen in a public room can be photographed), within QR_MAX_BYTES."""
        assert self.template is not None
        lines = [self.template.title]
        for f in self.template.fields:
            value = self.values.get(f.key, "")
            if value:
                shown = mask_id_number(value) if f.kind == "id_number" else shown_value(f, value)
                lines.append(f"{f.label}：{shown}")
        out = ""
        for line in lines:
            if len((out + line + "\n").encode()) > QR_MAX_BYTES - 6:
                return out + "……"
            out += line + "\n"
        return out.rstrip("\n")

    def receipt(self) -> Receipt:
        """The document on the receipt printer (the short ones)."""
        return document_receipt(self.document())

    def next_job(self, way: PrintWay) -> str:
        """A new job id for this visit's print, remembered so a late answer for an
        earlier person's paper is told apart."""
        self._jobs += 1
        self.job = f"doc:{self._jobs}"
        self.way = way
        self.result = None
        return self.job

    # --- steps -----------------------------------------------------------------------
    def back(self, flow: VisitFlow, state: State) -> State | None:
        """One screen back; the list leads home. Opened from another feature's screen,
        the consent and the form lead back there (the list was never seen)."""
        if self.came_from is not None and state in (DocState.CONSENT, DocState.FORM):
            return self.came_from
        return {
            DocState.LIST: VisitState.HOME,
            DocState.CONSENT: DocState.LIST,
            DocState.FORM: DocState.LIST,
            DocState.FIELD: DocState.FORM,
            DocState.PREVIEW: DocState.FORM,
            DocState.DONE: DocState.PREVIEW,
        }.get(state, VisitState.HOME)  # type: ignore[call-overload]

    def on_event(self, flow: VisitFlow, event: Event, target: State | None) -> State | None:
        """Open at the list; take a step; take a print job's outcome."""
        if isinstance(event, DocOpened):
            if event.template:
                return self._open_directly(flow, event.template)
            if target is None:
                return None
            self.wipe()
            return target
        if isinstance(event, DocPrinted):
            if event.job_id != self.job or flow.state not in self.states:
                return None  # an earlier person's paper
            self.result = event
            return DocState.DONE if event.ok else None
        if isinstance(event, DocAsked) and flow.state in self.states:
            return self.asked(flow, event.step, event.value)
        return None

    def _open_directly(self, flow: VisitFlow, name: str) -> State | None:
        # Only from another feature's screen (not mid-way through a document of this one,
        # nor from the attract screen where no visit runs).
        if flow.state in self.states or flow.state is VisitState.ATTRACT:
            return None
        if self.document_action(name) is None:
            log.warning("document %r asked for is not a template", name)
            return None
        came_from = flow.state
        new = self.asked(flow, "template", name)
        self.came_from = came_from
        return new

    def asked(self, flow: VisitFlow, step: str, value: str) -> State | None:
        """One step: the state to go to, None to stay (the screen refreshes)."""
        self.error_key = None
        if step == "template":
            self.wipe()
            try:
                self.template = self.template_named(value)
            except DocumentError:
                return None
            if any(f.card for f in self.template.fields):
                return DocState.CONSENT
            return DocState.FORM
        if self.template is None:
            return None
        if step == "consent":
            self.consent = value == "yes"
            if not self.consent:
                return DocState.FORM
            return flow.ask_for_card(CARD_PURPOSE, self._card_read, back_to=DocState.CONSENT)
        if step == "field":
            self.editing = value if any(f.key == value for f in self.template.fields) else None
            return DocState.FIELD if self.editing else None
        if step == "value" and self.editing is not None:
            try:
                self.values[self.editing] = check_value(self.template.field(self.editing), value)
            except DocumentError:
                self.error_key = f"documents.bad_{self.template.field(self.editing).kind}"
                return None
            self.from_card.discard(self.editing)
            if not self.values[self.editing]:
                del self.values[self.editing]
            return DocState.FORM
        if step == "clear" and self.editing is not None:
            self.values.pop(self.editing, None)
            self.from_card.discard(self.editing)
            return DocState.FORM
        if step == "preview":
            return DocState.PREVIEW
        if step == "edit":
            return DocState.FORM
        if step == "qr":
            self.way = "qr"
            self.result = None
            return DocState.DONE
        return None

    def _card_read(self, flow: VisitFlow, card: IdentityCard) -> State:
        # Only after the person agreed on screen: their own details from the card.
        if self.template is not None and self.consent:
            filled = card_values(self.template, card)
            self.values.update(filled)
            self.from_card = set(filled)
        return DocState.FORM


def document_receipt(doc: Document) -> Receipt:
    """A short document on the receipt printer: title, text, fields, places to sign.
    The yen sign is printed full width (￥): GBK, the printers' Chinese font, has no ¥,
    and a line with a character it lacks would go out as a picture."""
    blocks: list[Block] = [Text(doc.title, align=Align.CENTER, bold=True, width=2, height=2), Feed(1)]
    for b in doc.blocks:
        if isinstance(b, Paragraph):
            blocks.append(Text(b.text.replace("¥", "￥"), align={"right": Align.RIGHT, "center": Align.CENTER}.get(b.align, Align.LEFT)))
        elif isinstance(b, Heading):
            blocks.append(Text(b.text, bold=True))
        elif isinstance(b, Fields):
            blocks += [Text(f"{r.label}：{r.value}") for r in b.rows]
        elif isinstance(b, Signatures):
            for s in b.items:
                blocks += [Feed(1), Text(s.label), Feed(2), Text(s.caption, align=Align.RIGHT)]
    if doc.footer:
        blocks += [Separator("-"), Text(doc.footer)]
    return Receipt(title=f"document {doc.title}", blocks=tuple(blocks))


def setup(ctx: FeatureContext) -> DocumentsFeature:
    """The feature, on the product's templates."""
    return DocumentsFeature(load_templates(), ctx.clock)


