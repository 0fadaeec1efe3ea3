"""``kiosk doc list|render|print``: the fill-in documents (docs/documents.md), for
technicians checking an A4 printer and for tests. Errors are one line, exit codes as
``kiosk print``: 0 done, 1 bad input, 3 device error, 5 printer not ready or job failed."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from kiosk.cli.common import config_of, print_json
from kiosk.documents.templates import DocumentError, Template, TemplateFile, build_document, check_value, load_templates, sample_values
from kiosk.errors import PrinterError
from kiosk.i18n import Translator
from kiosk.ports import A4Printer, DeviceKind
from pdfdoc.layout import Document, PdfError, render_pdf


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk doc list``, ``kiosk doc render`` and ``kiosk doc print``."""
    p = sub.add_parser("doc", parents=[common], help="fill-in documents (借条, 仲裁申请书…): list, render to PDF, print on A4")
    ds = p.add_subparsers(dest="doc_command", metavar="COMMAND", required=True)
    ls = ds.add_parser("list", parents=[common], help="the document templates and their fields")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=_list)
    for name, handler, help_text in (("render", _render, "fill a template into an A4 PDF"),
                                     ("print", _print, "fill a template and print it on the A4 printer")):
        c = ds.add_parser(name, parents=[common], help=help_text)
        c.add_argument("name", metavar="NAME", help="template name (see `kiosk doc list`)")
        c.add_argument("--field", action="append", default=[], metavar="KEY=VALUE", help="a field's value (repeatable)")
        c.add_argument("--sample", action="store_true", help="start from the template's sample values")
        c.add_argument("--date", default=None, metavar="YYYY-MM-DD", help="the day printed on it (default: today)")
        if name == "render":
            c.add_argument("-o", "--out", required=True, type=Path, help="PDF file to write")
        else:
            c.add_argument("--device", default=None, metavar="URL", help="A4 printer URL (default: the configured one), e.g. cups://Office")
        c.set_defaults(handler=handler)


def _list(args: argparse.Namespace) -> int:
    templates = load_templates()
    if args.json:
        print_json([{"name": t.name, "title": t.title, "short": t.short,
                     "fields": [{"key": f.key, "label": f.label, "kind": f.kind, "card": f.card, "choices": list(f.choices)}
                                for f in t.fields]} for t in templates.templates])
        return 0
    for t in templates.templates:
        print(f"{t.name:20} {t.title}{'  (receipt)' if t.short else ''}")
        print("    " + " ".join(f.key for f in t.fields))
    return 0


def _document(args: argparse.Namespace) -> tuple[Template, Document] | int:
    """The filled-in document, or the exit code after a one-line error."""
    templates: TemplateFile = load_templates()
    try:
        template = next(t for t in templates.templates if t.name == args.name)
    except StopIteration:
        print(f"kiosk: no document template {args.name!r} (see `kiosk doc list`)", file=sys.stderr)
        return 1
    values = sample_values(template) if args.sample else {}
    try:
        for item in args.field:
            key, sep, value = item.partition("=")
            if not sep:
                raise DocumentError(f"--field wants KEY=VALUE, not {item!r}")
            values[key] = check_value(template.field(key.strip()), value)
        day = date.fromisoformat(args.date) if args.date else date.today()
    except DocumentError as exc:
        print(f"kiosk: {exc.detail}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"kiosk: --date: {exc}", file=sys.stderr)
        return 1
    return template, build_document(template, values, day, templates.footer)


def _render(args: argparse.Namespace) -> int:
    made = _document(args)
    if isinstance(made, int):
        return made
    _, doc = made
    try:
        pdf = render_pdf(doc)
    except PdfError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 3
    try:
        args.out.write_bytes(pdf)
    except OSError as exc:
        print(f"kiosk: cannot write {args.out}: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"{args.out} ({len(pdf)} bytes)")
    return 0


def _print(args: argparse.Namespace) -> int:
    made = _document(args)
    if isinstance(made, int):
        return made
    _, doc = made
    config, data_dir = config_of(args)
    url = args.device or config.devices.a4printer
    if not url:
        print("kiosk: no A4 printer configured ([devices] a4printer, or --device cups://QUEUE)", file=sys.stderr)
        return 3
    from devices.registry import DeviceContext, open_device  # deferred: drivers load only when this command runs

    printer = open_device(DeviceKind.A4PRINTER, url, DeviceContext(data_dir=data_dir))
    if not isinstance(printer, A4Printer):
        print(f"kiosk: {url} is not an A4 printer", file=sys.stderr)
        return 3
    printer.open()
    try:
        pdf = render_pdf(doc)
        printer.print_pdf(pdf, doc.title)
    except PdfError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 3
    except PrinterError as exc:
        tr = Translator("zh_CN")
        reason = tr.t(exc.message_key) if tr.has(exc.message_key) else exc.message_key
        print(f"kiosk: {reason} / {exc.detail}", file=sys.stderr)
        return 5
    finally:
        printer.close()
    print(f"printed {doc.title} on {url}")
    return 0
