"""Document templates as data (``kiosk/data/documents.toml``, reviewed by the bureau's
staff): each names its fields and how they are entered, and its text with ``{key}``
places. ``build_document`` fills a template into a ``pdfdoc`` document for the preview,
the A4 printer and the receipt printer.

A field left empty prints as a blank line to write on by hand: a document is never
refused for a missing value, since the person may fill it in with a pen.
"""

from __future__ import annotations

import re
import string
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field as PField, model_validator

from kiosk.datafile import parse_toml, read_text
from kiosk.documents.amounts import AmountError, in_capitals, in_figures, parse_amount
from kiosk.errors import KioskError
from kiosk.identity import IdentityCard
from pdfdoc.layout import Document, Field, Fields, Heading, Paragraph, Signature, Signatures, Spacer

BLANK = "＿＿＿＿＿＿"  # where a value is missing, a line to write on
FieldKind = Literal["text", "amount", "number", "date", "choice", "phone", "id_number"]
CardPart = Literal["name", "id_number", "address", "gender", "birth_date"]


class DocumentError(KioskError):
    """The templates file is wrong, or a value does not fit its field."""

    message_key = "documents.error"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TemplateField(_Model):
    """One value the person gives: how it is entered (``kind``), where it may come
    from the ID card (``card``, only with consent), an example for tests and staff."""

    key: str = PField(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    kind: FieldKind = "text"
    card: CardPart | None = None
    choices: tuple[str, ...] = ()
    hint: str = ""
    sample: str = ""
    max_length: int = 200

    @model_validator(mode="after")
    def _choices(self) -> "TemplateField":
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"{self.key}: choices go with kind = \"choice\" (and only with it)")
        return self


class Section(_Model):
    """A part of the document: a heading, paragraphs, a ruled table of ``[label, text]``
    rows (the 要素式 forms), and/or signature places ``[label, caption]``."""

    heading: str = ""
    text: tuple[str, ...] = ()
    rows: tuple[tuple[str, str], ...] = ()
    signatures: tuple[tuple[str, str], ...] = ()
    align: Literal["left", "right", "center"] = "left"


class Template(_Model):
    """One kind of document."""

    name: str = PField(pattern=r"^[a-z][a-z0-9_-]*$")
    title: str
    hint: str
    short: bool = False  # fits on a receipt (借条, 欠条, 收条)
    fields: tuple[TemplateField, ...]
    sections: tuple[Section, ...]
    footer: str = ""

    @model_validator(mode="after")
    def _places(self) -> "Template":
        keys = {f.key for f in self.fields}
        if len(keys) != len(self.fields):
            raise ValueError(f"{self.name}: a field key is used twice")
        known = keys | {f"{f.key}_capital" for f in self.fields if f.kind == "amount"} | {"today"}
        for section in self.sections:
            texts = [section.heading, *section.text, *(r[1] for r in section.rows), *(part for s in section.signatures for part in s)]
            for text in texts:
                for _, place, _, _ in string.Formatter().parse(text):
                    if place is not None and place not in known:
                        raise ValueError(f"{self.name}: unknown place {{{place}}}")
        return self

    def field(self, key: str) -> TemplateField:
        """The field named ``key``; DocumentError for another."""
        for f in self.fields:
            if f.key == key:
                return f
        raise DocumentError(f"{self.name} has no field {key!r} (fields: {', '.join(f.key for f in self.fields)})")


class TemplateFile(_Model):
    """``documents.toml``."""

    footer: str = ""
    templates: tuple[Template, ...]


def load_templates(path: Path | None = None) -> TemplateFile:
    """The templates (the product's own unless ``path``), validated."""
    text, source = read_text(path, "documents.toml", DocumentError)
    return parse_toml(text, source, TemplateFile, "document templates", DocumentError)


def check_value(field: TemplateField, value: str) -> str:
    """The value as kept, or DocumentError with why (for the technician; the screen
    keeps its own message). Empty is always accepted: it prints as a blank."""
    value = value.strip()
    if not value:
        return ""
    if len(value) > field.max_length:
        raise DocumentError(f"{field.key}: at most {field.max_length} characters")
    if field.kind == "amount":
        try:
            return format(parse_amount(value), "f")
        except AmountError as exc:
            raise DocumentError(f"{field.key}: {exc}") from exc
    if field.kind == "date":
        digits = re.sub(r"\D", "", value)
        try:
            if len(digits) != 8:
                raise ValueError("eight digits wanted")
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8])).isoformat()
        except ValueError as exc:
            raise DocumentError(f"{field.key}: not a date: {value!r} (YYYY-MM-DD)") from exc
    if field.kind == "number" and not re.fullmatch(r"\d{1,9}", value):
        raise DocumentError(f"{field.key}: not a whole number: {value!r}")
    if field.kind == "phone" and not re.fullmatch(r"\d{7,12}", value):
        raise DocumentError(f"{field.key}: not a phone number: {value!r}")
    if field.kind == "id_number" and not re.fullmatch(r"\d{17}[\dXx]", value):
        raise DocumentError(f"{field.key}: not an ID number: {value!r}")
    if field.kind == "choice" and value not in field.choices:
        raise DocumentError(f"{field.key}: one of {', '.join(field.choices)}")
    return value.upper() if field.kind == "id_number" else value


def chinese_date(iso: str) -> str:
    """``2026-12-02`` → ``2026年12月2日`` (as documents write dates)."""
    d = date.fromisoformat(iso)
    return f"{d.year}年{d.month}月{d.day}日"


def shown_value(field: TemplateField, value: str) -> str:
    """A kept value as the document writes it (amounts in figures, dates in Chinese)."""
    if not value:
        return ""
    if field.kind == "amount":
        return in_figures(Decimal(value))
    if field.kind == "date":
        return chinese_date(value)
    return value


def card_values(template: Template, card: IdentityCard) -> dict[str, str]:
    """What the ID card fills in of ``template`` (its ``card`` fields)."""
    parts = {
        "name": card.name,
        "id_number": card.id_number,
        "address": card.address,
        "gender": {"male": "男", "female": "女"}.get(card.gender.value, ""),
        "birth_date": card.birth_date.isoformat(),
    }
    return {f.key: parts[f.card] for f in template.fields if f.card is not None and parts.get(f.card)}


def places(template: Template, values: dict[str, str], today: date) -> dict[str, str]:
    """Every ``{place}`` of the template: the values as written, blanks for the missing,
    amounts in capitals beside them."""
    out: dict[str, str] = {"today": chinese_date(today.isoformat())}
    for f in template.fields:
        value = values.get(f.key, "")
        out[f.key] = shown_value(f, value) or BLANK
        if f.kind == "amount":
            out[f"{f.key}_capital"] = in_capitals(Decimal(value)) if value else BLANK
    return out


def build_document(template: Template, values: dict[str, str], today: date, footer: str = "") -> Document:
    """The filled-in document, ready to preview or render."""
    fill = places(template, values, today)
    blocks: list[Paragraph | Heading | Fields | Signatures | Spacer] = []
    for section in template.sections:
        if section.heading:
            blocks.append(Heading(section.heading.format(**fill)))
        for line in section.text:
            blocks.append(Paragraph(line.format(**fill), indent=section.align == "left", align=section.align))
        if section.rows:
            blocks.append(Fields(tuple(Field(label, text.format(**fill)) for label, text in section.rows)))
        if section.signatures:
            blocks.append(Spacer(4))
            blocks.append(Signatures(tuple(Signature(label.format(**fill), caption=caption.format(**fill)) for label, caption in section.signatures)))
    return Document(template.title, tuple(blocks), footer=template.footer or footer, author="legal-kiosk")


def sample_values(template: Template) -> dict[str, str]:
    """Each field's example, checked (for tests and ``kiosk doc render --sample``)."""
    return {f.key: check_value(f, f.sample) for f in template.fields if f.sample}
