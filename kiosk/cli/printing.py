"""``kiosk print``: test pages, previews and the printer's status.

Exit codes: 0 printed (or written); 3 device error (bad URL, driver missing); 5 printer
not ready (paper out, cover open, offline), with the reason in Chinese and English on
stderr.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast

from kiosk.catalog import load_catalog
from kiosk.cli.common import config_of, print_json
from kiosk.config import KioskConfig
from kiosk.errors import DeviceError, KioskError, PrinterError
from kiosk.ports import DeviceKind, PrinterStatus, ReceiptPrinter
from kiosk.receipt import Receipt, materials_receipt, test_receipt, ticket_receipt
from kiosk.tickets import Priority, Ticket, TicketState

if TYPE_CHECKING:
    from kiosk.terminal import Terminal

EXIT_OK = 0
EXIT_DEVICE = 3
EXIT_NOT_READY = 5


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``print test``, ``print preview`` and ``print status``."""
    group = sub.add_parser("print", parents=[common], help="print a test page, preview receipts, ask the printer")
    actions = group.add_subparsers(dest="print_command", metavar="ACTION")

    test = actions.add_parser("test", parents=[common], help="print a test page (sizes, a table, a QR code)")
    test.add_argument("--device", metavar="URL", help="printer URL (default: devices.printer in the configuration)")
    test.set_defaults(handler=_print_test)

    status = actions.add_parser("status", parents=[common], help="ask the printer for its status (JSON)")
    status.add_argument("--device", metavar="URL", help="printer URL (default: devices.printer in the configuration)")
    status.set_defaults(handler=_print_status)

    preview = actions.add_parser("preview", parents=[common], help="write a receipt as the printer would print it, as PNG")
    preview.add_argument("what", choices=("ticket", "materials", "test"), help="which receipt")
    preview.add_argument("service", nargs="?", help="service code (materials: required; ticket: optional)")
    preview.add_argument("--out", required=True, metavar="F.png", help="PNG file to write")
    preview.add_argument("--width", type=int, choices=(58, 80), default=80, help="paper width in mm (default 80)")
    preview.add_argument("--priority", choices=[p.value for p in Priority], default="normal",
                         help="priority class of the sample ticket")
    preview.add_argument("--language", choices=("zh_CN", "en"), help="receipt language (default: the configuration's)")
    preview.add_argument("--bin", metavar="F.bin", help="also write the ESC/POS bytes for this paper width")
    preview.set_defaults(handler=_print_preview)

    group.set_defaults(handler=lambda args: (group.print_help(), 2)[1])


def sample_ticket(service_code: str, prefix: str, avg_minutes: int, *, priority: Priority = Priority.NORMAL,
                  now: datetime | None = None) -> Ticket:
    """A plausible ticket for previews: number 007, three people ahead."""
    now = now or datetime.now().replace(second=0, microsecond=0)
    return Ticket(ticket_id=0, day=now.date(), service=service_code, number=f"{prefix}007", priority=priority,
                  state=TicketState.WAITING, issued_at=now, ahead=3, eta_minutes=3 * avg_minutes)


def _receipt_for(args: argparse.Namespace, config: KioskConfig) -> Receipt:
    language = args.language or config.language
    catalog = load_catalog(config.catalog)
    now = datetime.now().replace(second=0, microsecond=0)
    if args.what == "test":
        return test_receipt(config, printed_at=now, language=language)
    if args.what == "materials":
        if not args.service:
            raise KioskError("print preview materials: name a service, e.g. legal_aid")
        return materials_receipt(catalog.get(args.service), config, language=language, printed_at=now)
    service = catalog.get(args.service) if args.service else catalog.services[0]
    ticket = sample_ticket(service.code, service.prefix, service.avg_service_minutes,
                           priority=Priority(args.priority), now=now)
    return ticket_receipt(ticket, service, config, language=language)


def _print_preview(args: argparse.Namespace) -> int:
    from devices.printer.escpos_render import render_escpos  # deferred: drivers load only when this command runs
    from devices.printer.png_render import write_png  # deferred: drivers load only when this command runs
    from devices.printer.profiles import profile_for_width  # deferred: drivers load only when this command runs

    config, _ = config_of(args)
    receipt = _receipt_for(args, config)
    profile = profile_for_width(args.width)
    out = write_png(receipt, profile, Path(args.out))
    if args.bin:
        Path(args.bin).write_bytes(render_escpos(receipt, profile))
    print(out)
    return EXIT_OK


def _open_printer(args: argparse.Namespace) -> tuple[ReceiptPrinter, KioskConfig]:
    from devices.registry import DeviceContext, open_device  # deferred: drivers load only when this command runs

    config, data_dir = config_of(args)
    url = args.device or config.devices.printer
    if not url:
        raise DeviceError("no printer configured (devices.printer is empty); pass --device URL")
    printer = open_device(DeviceKind.PRINTER, url, DeviceContext(data_dir=data_dir))
    if not isinstance(printer, ReceiptPrinter):
        raise DeviceError(f"{url} is not a receipt printer")
    return printer, config


def _not_ready(exc: PrinterError) -> int:
    from devices.printer.status import NOT_READY, REASONS  # deferred: drivers load only when this command runs

    status = exc.status if isinstance(exc.status, PrinterStatus) else PrinterStatus.UNKNOWN
    if status in NOT_READY:
        print(f"kiosk: {REASONS[status]}", file=sys.stderr)
        return EXIT_NOT_READY
    raise exc


def _print_test(args: argparse.Namespace) -> int:
    printer, config = _open_printer(args)
    printer.open()
    try:
        printer.print_receipt(test_receipt(config, printed_at=datetime.now().replace(microsecond=0)))
    except PrinterError as exc:
        return _not_ready(exc)
    finally:
        printer.close()
    print(f"printed test page on {printer.url} (status {printer.last_status.value})")
    return EXIT_OK


def _print_status(args: argparse.Namespace) -> int:
    from devices.printer.status import NOT_READY, REASONS  # deferred: drivers load only when this command runs

    printer, _ = _open_printer(args)
    printer.open()
    try:
        status = printer.status()
        health = printer.health()
    finally:
        printer.close()
    print_json({"url": printer.url, "status": status.value, "state": health.state.value, "detail": health.detail})
    if status in NOT_READY:
        print(f"kiosk: {REASONS[status]}", file=sys.stderr)
        return EXIT_NOT_READY
    return EXIT_OK


def print_ticket_to(url: str, terminal: "Terminal", ticket: Ticket) -> int:
    """``kiosk queue take --print URL``: print the issued ticket. The ticket stays
    issued whatever the printer does; the exit code says what happened to the paper."""
    from devices.registry import DeviceContext, open_device  # deferred: drivers load only when this command runs

    # The registry makes a receipt printer for the printer kind.
    printer = cast(ReceiptPrinter, open_device(DeviceKind.PRINTER, url, DeviceContext(data_dir=terminal.data_dir)))
    service = terminal.catalog.get(ticket.service)
    printer.open()
    try:
        printer.print_receipt(ticket_receipt(ticket, service, terminal.config, language=terminal.config.language))
    except PrinterError as exc:
        print(f"kiosk: ticket {ticket.number} is issued but not printed", file=sys.stderr)
        return _not_ready(exc)
    finally:
        printer.close()
    return EXIT_OK
