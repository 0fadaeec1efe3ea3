"""``kiosk queue``: take, call and list tickets (safe from many processes at once)."""

from __future__ import annotations

from kiosk.terminal import Terminal

import argparse
import sys

from kiosk.bootstrap import build_terminal
from kiosk.cli.common import config_of, print_json
from kiosk.cli.printing import print_ticket_to
from kiosk.storecheck import resume_day
from kiosk.tickets import Priority, Ticket


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk queue take|call|recall|skip|done|transfer|status``."""
    p = sub.add_parser("queue", parents=[common], help="queue tickets")
    qs = p.add_subparsers(dest="queue_command", metavar="ACTION", required=True)

    take = qs.add_parser("take", parents=[common], help="issue a ticket")
    take.add_argument("service")
    take.add_argument("--priority", choices=[x.value for x in Priority if x.is_priority], default=None)
    take.add_argument("--print", dest="print_url", metavar="URL", help="also print the ticket on this printer")
    take.add_argument("--json", action="store_true")
    take.set_defaults(handler=take_ticket)

    call = qs.add_parser("call", parents=[common], help="call the next ticket to a window")
    call.add_argument("--window", type=int, default=1)
    call.add_argument("--service", action="append", help="only these services (repeatable)")
    call.add_argument("--json", action="store_true")
    call.set_defaults(handler=call_next)

    for name, helptext in (("recall", "call the window's ticket again"), ("skip", "the called person did not come"), ("done", "the window finished its ticket")):
        a = qs.add_parser(name, parents=[common], help=helptext)
        a.add_argument("--window", type=int, default=1)
        a.add_argument("--json", action="store_true")
        a.set_defaults(handler=window_action, action=name)

    tr = qs.add_parser("transfer", parents=[common], help="send the window's ticket to another service, keeping its place")
    tr.add_argument("service")
    tr.add_argument("--window", type=int, default=1)
    tr.add_argument("--json", action="store_true")
    tr.set_defaults(handler=transfer_ticket)

    resume = qs.add_parser(
        "resume", parents=[common], help="after a damaged store: give the last number issued today per prefix, and issue again"
    )
    resume.add_argument("last", nargs="+", metavar="PREFIX=LAST", help="e.g. A=57 B=12 (0: none issued)")
    resume.set_defaults(handler=resume_numbers)

    status = qs.add_parser("status", parents=[common], help="every ticket of the day")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=queue_status)


def ticket_json(t: Ticket) -> dict[str, object]:
    """The JSON shape of a ticket."""
    return {
        "number": t.number,
        "service": t.service,
        "priority": t.priority.value,
        "state": t.state.value,
        "ahead": t.ahead,
        "eta_minutes": t.eta_minutes,
        "issued_at": t.issued_at.isoformat(timespec="seconds"),
        "called_at": t.called_at.isoformat(timespec="seconds") if t.called_at else None,
        "window": t.window,
    }


def _terminal(args: argparse.Namespace) -> Terminal:
    config, data_dir = config_of(args)
    return build_terminal(config, data_dir, with_devices=False)


def take_ticket(args: argparse.Namespace) -> int:
    """Issue a ticket and print it (and, with --print, print it on paper)."""
    terminal = _terminal(args)
    ticket = terminal.queue.take(args.service, Priority(args.priority) if args.priority else Priority.NORMAL)
    if args.json:
        print_json(ticket_json(ticket))
    else:
        name = terminal.catalog.get(ticket.service).name.get(terminal.config.language)
        print(f"{ticket.number}  {name}  ahead {ticket.ahead}  ~{ticket.eta_minutes} min")
    if args.print_url:
        return print_ticket_to(args.print_url, terminal, ticket)
    return 0


def call_next(args: argparse.Namespace) -> int:
    """Call the next ticket; exit 1 when nobody waits."""
    terminal = _terminal(args)
    ticket = terminal.queue.call_next(args.window, args.service or None)
    if ticket is None:
        if args.json:
            print_json(None)
        else:
            print("nobody waiting", file=sys.stderr)
        return 1
    if args.json:
        print_json(ticket_json(ticket))
    else:
        print(f"{ticket.number} → window {ticket.window}")
    return 0


def window_action(args: argparse.Namespace) -> int:
    """recall / skip / done on the window's current ticket."""
    terminal = _terminal(args)
    ticket = getattr(terminal.queue, args.action)(args.window)
    if args.json:
        print_json(ticket_json(ticket))
    else:
        print(f"{ticket.number}: {ticket.state.value} (window {args.window})")
    return 0


def queue_status(args: argparse.Namespace) -> int:
    """Every ticket of the day with its state."""
    terminal = _terminal(args)
    tickets = terminal.queue.tickets()
    if args.json:
        print_json([ticket_json(terminal.queue.get(t.ticket_id) or t) for t in tickets])
        return 0
    for t in tickets:
        print(f"{t.number:6} {t.service:13} {t.priority.value:9} {t.state.value:8} {t.window or ''}")
    return 0


def resume_numbers(args: argparse.Namespace) -> int:
    """Lift the stop on tickets after a damaged store, numbers continuing after LAST."""
    floors: dict[str, int] = {}
    for item in args.last:
        prefix, _, last = item.partition("=")
        if len(prefix) != 1 or not prefix.isalpha() or not last.isdigit():
            print(f"kiosk: {item!r}: expected PREFIX=LAST, e.g. A=57", file=sys.stderr)
            return 2
        floors[prefix.upper()] = int(last)
    terminal = _terminal(args)
    resume_day(terminal.queue.connection, terminal.clock.now().date().isoformat(), floors)
    for prefix, last in sorted(floors.items()):
        print(f"{prefix}: next number {prefix}{last + 1:03d} or later")
    return 0


def transfer_ticket(args: argparse.Namespace) -> int:
    """``kiosk queue transfer SERVICE [--window N]``: send the window's ticket to another
    service, keeping its place."""
    config, data_dir = config_of(args)
    terminal = build_terminal(config, data_dir, with_devices=False)
    ticket = terminal.queue.transfer(args.window, args.service)
    if args.json:
        print_json(ticket_json(terminal.queue.get(ticket.ticket_id) or ticket))
    else:
        print(f"{ticket.number} → {ticket.service} (ahead {ticket.ahead})")
    return 0
