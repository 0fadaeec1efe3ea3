"""写文书's screens: the list of documents, the consent to read the ID card, the form
(one big row per field), one field (big buttons, the keypad, or dictation), the preview
in large type, and the end (printed, or a QR code to take the facts away)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.documents.amounts import AmountError, in_capitals, parse_amount
from kiosk.documents.feature import DocAsked, DocState, DocumentsFeature
from kiosk.ports import DeviceKind
from pdfdoc.layout import Fields, Heading, Paragraph, Signatures
from screens.dictation import Dictation
from screens.flow_screen import FlowScreen
from screens.numpad import NumPad

# Keypad lengths by kind: yuan up to 999,999,999,999.99; a date as YYYYMMDD.
PAD_LENGTH = {"amount": 15, "date": 8, "number": 9, "phone": 12, "id_number": 18}


def documents_of(flow: Any) -> DocumentsFeature:
    """The documents feature registered with the visit flow."""
    feature = flow.features.get(DocumentsFeature.name)
    assert isinstance(feature, DocumentsFeature), "documents is not registered"
    return feature


class DocScreen(FlowScreen):
    """What every document screen shares: the feature."""

    @property
    def dc(self) -> DocumentsFeature:
        """The feature."""
        return documents_of(self.kiosk.terminal.flow)


class DocListScreen(DocScreen):
    """Every document as a big row: its name, what it is for."""

    screen_name = DocState.LIST.value

    def refresh(self) -> None:
        """One row per template."""
        app = self.kiosk
        self.title = app.tr("documents.list_title")
        self.subtitle = app.tr("documents.list_hint")
        self.message = ""
        box = self.body()
        small = int(app.fs(20))
        for t in self.dc.templates:
            mark = f" · {app.tr('documents.short_mark')}" if t.short else ""
            row = self.button(f"[b]{t.title}[/b]\n[size={small}]{t.hint}{mark}[/size]", f"doc:template:{t.name}",
                              markup=True, halign="center", spoken=t.title)
            row.height = app.target() * 1.7
            box.add_widget(row)


class DocConsentScreen(DocScreen):
    """Whether the ID card fills in the person's own details: said plainly, two buttons."""

    screen_name = DocState.CONSENT.value

    def refresh(self) -> None:
        """The question, what is read and kept, yes and no."""
        app = self.kiosk
        self.title = app.tr("documents.consent_title")
        self.subtitle = self.dc.template.title if self.dc.template else ""
        self.message = ""
        box = self.body()
        box.add_widget(Factory.DocText(text=app.tr("documents.consent_body")))
        row = self.grid(1 if app.portrait else 2)
        row.add_widget(self.button(app.tr("documents.consent_yes"), "doc:consent:yes", selected=True))
        row.add_widget(self.button(app.tr("documents.consent_no"), "doc:consent:no"))
        box.add_widget(row)


class DocFormScreen(DocScreen):
    """The fields as big rows (label, the value or "empty"), then 预览."""

    screen_name = DocState.FORM.value
    primary_action = "doc:preview"

    def refresh(self) -> None:
        """One row per field."""
        app, dc = self.kiosk, self.dc
        if dc.template is None:
            return
        self.title = app.tr("documents.form_title", title=dc.template.title)
        self.subtitle = app.tr("documents.form_hint")
        self.message = ""
        box = self.body()
        box.add_widget(self.button(app.tr("documents.preview"), "doc:preview", selected=True))
        small = int(app.fs(22))
        for f in dc.template.fields:
            value = dc.shown(f.key)
            if f.key in dc.from_card:
                value += app.tr("documents.from_card")
            shown = value or app.tr("documents.empty_value")
            row = self.button(f"[b]{f.label}[/b]\n[size={small}]{shown}[/size]", f"doc:field:{f.key}",
                              markup=True, halign="center", spoken=f.label)
            row.height = app.target() * 1.6
            box.add_widget(row)


class DocFieldScreen(Dictation, DocScreen):
    """One field: big buttons for a choice, the keypad for numbers and dates, dictation
    for words (or left empty, to write by hand on the paper)."""

    screen_name = DocState.FIELD.value
    heard = StringProperty("")
    _pad: NumPad | None = None  # the keypad shown, for the extra key (· or X)

    def refresh(self) -> None:
        """The field's editor, by its kind."""
        app, dc = self.kiosk, self.dc
        if dc.template is None or dc.editing is None:
            return
        f = dc.template.field(dc.editing)
        self.title = f.label
        self.subtitle = f.hint or app.tr(f"documents.field_hint_{f.kind}")
        self.message = app.tr(dc.error_key) if dc.error_key else (app.tr("documents.listening") if self.dictating else "")
        self.primary_action = "numpad:ok" if f.kind in PAD_LENGTH else ""
        box = self.body()
        if f.kind == "choice":
            grid = self.grid(1 if app.portrait else 2)
            for choice in f.choices:
                grid.add_widget(self.button(choice, f"doc:value:{choice}", selected=dc.values.get(f.key) == choice))
            box.add_widget(grid)
        elif f.kind in PAD_LENGTH:
            self._keypad(box, f.kind, dc.values.get(f.key, ""))
            return
        else:
            current = self.heard or dc.values.get(f.key, "")
            box.add_widget(Factory.DocValue(text=current or app.tr("documents.empty_value")))
            row = self.grid(1 if app.portrait else 2)
            row.add_widget(self.button(app.tr("documents.dictate"), "doc:dictate", selected=not self.heard))
            if self.heard:
                row.add_widget(self.button(app.tr("documents.use_heard"), "doc:use", selected=True))
            box.add_widget(row)
        box.add_widget(self.button(app.tr("documents.keep_blank"), "doc:clear"))

    def _keypad(self, box: Any, kind: str, value: str) -> None:
        # The extra key (· or X) and 空着 in one row, then the keypad.
        app = self.kiosk
        start = value.replace("-", "") if kind == "date" else value.removesuffix(".00") if kind == "amount" else value
        row = self.grid(2)
        extra = {"amount": ".", "id_number": "X"}.get(kind)
        if extra:
            row.add_widget(self.button("·" if extra == "." else "X", f"doc:key:{extra}",
                                       spoken=app.tr("documents.key_point" if extra == "." else "documents.key_x")))
        row.add_widget(self.button(app.tr("documents.keep_blank"), "doc:clear"))
        box.add_widget(row)
        pad = NumPad(mode="digits", max_length=PAD_LENGTH[kind], min_length=1, wide=not app.portrait)
        pad.size_hint_y = None
        pad.height = app.target() * (5.2 if app.portrait else 4.4)
        pad.value = start
        pad.on_done = self._entered
        box.add_widget(pad)
        self._pad = pad
        if kind == "amount":
            pad.bind(value=self._show_capital)
            self._show_capital(pad, pad.value)

    def _show_capital(self, _pad: object, value: str) -> None:
        # The amount in capitals as it is typed, in the line under the title (always in
        # sight, whatever the keypad's size): the person checks the words, not the zeros.
        dc, app = self.dc, self.kiosk
        if dc.editing is None or dc.template is None:
            return
        f = dc.template.field(dc.editing)
        hint = f.hint or app.tr(f"documents.field_hint_{f.kind}")
        try:
            self.subtitle = app.tr("documents.capital", capital=in_capitals(parse_amount(value))) if value else hint
        except AmountError:
            self.subtitle = hint

    def _entered(self, digits: str) -> None:
        # Straight to the flow, never as an action string: a value may be personal.
        self.kiosk.terminal.flow.handle(DocAsked("value", digits))

    def field_action(self, step: str, value: str) -> None:
        """The screen's own buttons: the extra key, dictation, taking what was heard."""
        pad = self._pad
        if step == "key" and pad is not None:
            if value == "." and "." not in pad.value:
                pad.value = (pad.value or "0") + "."
            elif value == "X" and len(pad.value) == 17:
                pad.value += "X"
        elif step == "dictate":
            self.dictate()
        elif step == "use" and self.heard:
            heard, self.heard = self.heard, ""
            self.kiosk.terminal.flow.handle(DocAsked("value", heard))

    # --- words by dictation, the way legal aid takes the story ---------------------------
    def voice_grammar(self) -> list[str] | None:
        """Free text while dictating (None); digits on the keypad; buttons otherwise."""
        if self.dictating:
            return None
        return super().voice_grammar()

    def dictate(self) -> None:
        """Listen for one utterance in free mode; it is shown to be taken or said again."""
        app = self.kiosk
        voice = app.terminal.voice_input
        if voice is None or app.terminal.devices.get(DeviceKind.MIC) is None:
            app.show_notice("documents.no_voice")
            return
        self.start_dictation()
        self.message = app.tr("documents.listening")
        app.speak(app.tr("documents.listening"))

    def take_speech(self, text: str) -> bool:
        """While dictating, what is heard is the value (shown, taken with 就用这些)."""
        if not self.dictating:
            return super().take_speech(text)
        self.stop_dictation()
        self.heard = text.strip()
        self.refresh()
        self.kiosk.speak(self.kiosk.tr("documents.heard", text=self.heard))
        return True

    def on_leave(self, *args: object) -> None:
        """Stop listening, and forget unsaid words, when the person moves on."""
        super().on_leave(*args)
        self.heard = ""
        self._pad = None


class DocPreviewScreen(DocScreen):
    """The document in large type, to check; printing, or the QR, from here."""

    screen_name = DocState.PREVIEW.value

    def refresh(self) -> None:
        """The print buttons the terminal can offer, then the document."""
        app, dc = self.kiosk, self.dc
        if dc.template is None:
            return
        self.title = app.tr("documents.preview_title", title=dc.template.title)
        self.subtitle = app.tr("documents.preview_hint")
        self.message = self._paper_state()
        box = self.body()
        a4 = app.terminal.a4_printer()
        way = dc.print_way(a4 is not None, app.receipts.available)
        row = self.grid(1 if app.portrait else 3)
        busy = dc.job is not None and dc.result is None
        if way == "a4":
            row.add_widget(self.button(app.tr("documents.print_a4"), "" if busy else "doc:print:a4", selected=True))
        if dc.template.short and app.receipts.available:
            row.add_widget(self.button(app.tr("documents.print_receipt"), "" if busy else "doc:print:receipt", selected=way == "receipt"))
        row.add_widget(self.button(app.tr("documents.show_qr"), "doc:qr", selected=way == "qr"))
        row.add_widget(self.button(app.tr("documents.edit"), "doc:edit"))
        box.add_widget(row)
        doc = dc.preview_document()
        box.add_widget(Factory.DocTitle(text=doc.title))
        for block in doc.blocks:
            if isinstance(block, Paragraph):
                box.add_widget(Factory.DocText(text=("\u3000\u3000" if block.indent else "") + block.text,
                                               halign={"right": "right", "center": "center"}.get(block.align, "left")))
            elif isinstance(block, Heading):
                box.add_widget(Factory.DocText(text=block.text, bold=True))
            elif isinstance(block, Fields):
                for r in block.rows:
                    box.add_widget(Factory.DocText(text=f"[b]{r.label}[/b]：{r.value}", markup=True))
            elif isinstance(block, Signatures):
                for s in block.items:
                    box.add_widget(Factory.DocText(text=s.label, halign="right"))
                    if s.caption:
                        box.add_widget(Factory.DocText(text=s.caption, halign="right"))

    def _paper_state(self) -> str:
        app, dc = self.kiosk, self.dc
        if dc.job is not None and dc.result is None:
            return app.tr("documents.printing")
        if dc.result is not None and not dc.result.ok:
            return app.tr("documents.not_printed", why=app.tr(dc.result.message_key or "a4printer.job_failed"))
        a4 = app.terminal.a4_printer()
        if a4 is not None and a4.health().message_key:
            return app.tr(a4.health().message_key or "")
        return ""


class DocDoneScreen(DocScreen):
    """Printed (take it, sign it), or the QR code to take the facts away."""

    screen_name = DocState.DONE.value

    def refresh(self) -> None:
        """What came out, or the QR."""
        app, dc = self.kiosk, self.dc
        if dc.template is None:
            return
        self.title = app.tr("documents.done_title", title=dc.template.title)
        box = self.body()
        if dc.way == "qr":
            self.subtitle = app.tr("documents.qr_title")
            self.message = ""
            # deferred: qrcode and PIL are paid only when a QR is shown
            from screens.qr import qr_texture

            qr = Factory.DocQr()
            qr.ids.image.texture = qr_texture(dc.qr_text(), box_size=6)
            qr.ids.caption.text = app.tr("documents.qr_caption")
            box.add_widget(qr)
            box.add_widget(Factory.DocText(text=app.tr("documents.window_hint")))
        else:
            self.subtitle = app.tr("documents.printed_a4" if dc.way == "a4" else "documents.printed_receipt")
            self.message = ""
            box.add_widget(Factory.DocText(text=app.tr("documents.sign_note")))


Builder.load_file(str(Path(__file__).with_suffix(".kv")))
