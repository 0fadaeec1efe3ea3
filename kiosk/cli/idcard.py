"""``kiosk idcard``: read one ID card from a reader, or run the reader simulator.

``kiosk idcard read --device URL [--timeout S] [--json] [--reveal]``
    Waits for one card and prints it (masked unless ``--reveal``). Exit codes: 0 read,
    2 no card within the timeout, 3 device error, 4 card data invalid (expired card,
    unknown card type, undecodable text, or an ID number that fails validation).

``kiosk idcard simulate [--cards F] [--baudrate N] [--tcp [PORT]] [--insert ID]``
    Runs the simulated reader until interrupted and prints, on the first line of
    stdout, the device path (or ``socket://`` URL) to give ``--device``. Commands on
    stdin: ``insert ID``, ``remove``, ``fault NAME``, ``clear``, ``unplug``, ``plug``,
    ``cards``, ``quit``.
"""

from __future__ import annotations

import argparse
import queue
import signal
import sys
import time
from datetime import date
from typing import Any

from kiosk.cli import common_parser
from kiosk.cli.common import config_of, data_dir_of, print_json
from kiosk.errors import KioskError
from kiosk.events import CardRead, CardRejected, DeviceEvent, DeviceFaulted
from kiosk.identity import IdentityCard, mask_address, mask_id_number, mask_name
from kiosk.ports import DeviceKind

EXIT_READ, EXIT_NO_CARD, EXIT_DEVICE, EXIT_INVALID = 0, 2, 3, 4

# Rejections that end the command: the card on the reader cannot be used as it is.
_FINAL_REJECTIONS = {
    "card.expired": "the card has expired",
    "card.unknown_type": "unknown card type",
    "card.unreadable": "the card's data cannot be decoded",
}


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]", common: argparse.ArgumentParser) -> None:
    """Add ``idcard read`` and ``idcard simulate``."""
    group = sub.add_parser("idcard", help="ID card reader: read a card, run the simulator", parents=[common])
    cmds = group.add_subparsers(dest="idcard_command", metavar="ACTION", required=True)

    read = cmds.add_parser("read", help="wait for one card and print it", parents=[common])
    read.add_argument("--device", metavar="URL", help="reader URL (default: the configuration's devices.idcard)")
    read.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS", help="how long to wait for a card (default 30)")
    read.add_argument("--json", action="store_true", help="print JSON")
    read.add_argument("--reveal", action="store_true", help="print name, ID number and address unmasked")
    read.set_defaults(handler=read_command)

    sim = cmds.add_parser("simulate", help="run the simulated reader and print its device path", parents=[common])
    sim.add_argument("--cards", metavar="FILE.json", help="cards to offer (default: the demo cards)")
    sim.add_argument("--baudrate", type=int, default=115200, metavar="N")
    sim.add_argument("--tcp", nargs="?", type=int, const=0, metavar="PORT", help="serve on TCP 127.0.0.1 instead of a pty")
    sim.add_argument("--insert", metavar="ID", help="card placed at start (default: the first card)")
    sim.add_argument("--no-insert", action="store_true", help="start with no card on the reader")
    sim.add_argument("--delays", choices=("realistic", "none"), default="realistic", help="reader processing delays")
    sim.set_defaults(handler=simulate_command)


# --- read --------------------------------------------------------------------------


def card_to_json(card: IdentityCard, *, id_number_valid: bool, today: date, reveal: bool) -> dict[str, Any]:
    """The JSON record of ``card`` (keys as documented in docs/idcard.md)."""
    return {
        "card_type": card.card_type.value,
        "name": card.name if reveal else mask_name(card.name),
        "name_en": (card.name_en if reveal else mask_name(card.name_en)) if card.name_en else None,
        "gender": card.gender.value,
        "nation": card.nation,
        "birth_date": card.birth_date.isoformat(),
        "address": card.address if reveal else mask_address(card.address),
        "id_number": card.id_number if reveal else mask_id_number(card.id_number),
        "authority": card.authority,
        "valid_from": card.valid_from.isoformat() if card.valid_from else None,
        "valid_to": card.valid_to.isoformat() if card.valid_to else None,
        "age": card.age(today),
        "id_number_valid": id_number_valid,
    }


def _print_text(record: dict[str, Any]) -> None:
    width = max(len(k) for k in record)
    for key, value in record.items():
        shown = "null" if value is None else (str(value).lower() if isinstance(value, bool) else value)
        print(f"{key.ljust(width)}  {shown}")


def _device_url(args: argparse.Namespace) -> str:
    if args.device:
        return str(args.device)

    config, _ = config_of(args)
    url = config.devices.idcard
    if not url:
        raise KioskError("no ID card reader configured (devices.idcard is empty); pass --device URL")
    return url


def read_command(args: argparse.Namespace) -> int:
    """Wait for one card; print it; return the exit code."""
    from devices.registry import DeviceContext, open_device  # deferred: drivers load only when this command runs

    url = _device_url(args)
    try:
        reader = open_device(DeviceKind.IDCARD, url, DeviceContext(data_dir=data_dir_of(args)))
    except KioskError as exc:
        print(f"kiosk: ID card reader {url}: {exc.detail}", file=sys.stderr)
        return EXIT_DEVICE
    events: "queue.Queue[DeviceEvent]" = queue.Queue()
    reader.subscribe(events.put)  # type: ignore[attr-defined]
    deadline = time.monotonic() + max(0.0, args.timeout)
    reader.open()
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                print(f"kiosk: no card on the ID card reader {url} within {args.timeout:g} s", file=sys.stderr)
                return EXIT_NO_CARD
            try:
                event = events.get(timeout=remaining)
            except queue.Empty:
                continue
            if isinstance(event, DeviceFaulted):
                print(f"kiosk: ID card reader {event.detail} [{event.message_key}]", file=sys.stderr)
                return EXIT_DEVICE
            if isinstance(event, CardRejected):
                if event.message_key in _FINAL_REJECTIONS:
                    reason = _FINAL_REJECTIONS[event.message_key]
                    print(f"kiosk: card rejected: {reason} ({event.detail}) [{event.message_key}]", file=sys.stderr)
                    return EXIT_INVALID
                # A failed read is usually a card moved too early: keep waiting.
                print(f"kiosk: card could not be read ({event.detail}); keep it still on the reader", file=sys.stderr)
                continue
            if isinstance(event, CardRead):
                record = card_to_json(event.card, id_number_valid=event.id_number_valid, today=date.today(), reveal=args.reveal)
                if args.json:
                    print_json(record)
                else:
                    _print_text(record)
                sys.stdout.flush()
                if not event.id_number_valid:
                    print("kiosk: the card's ID number failed validation [card.invalid_number]", file=sys.stderr)
                    return EXIT_INVALID
                return EXIT_READ
    finally:
        reader.close()


# --- simulate ----------------------------------------------------------------------


def _sigterm(_signo: int, _frame: object) -> None:
    raise KeyboardInterrupt


def simulate_command(args: argparse.Namespace) -> int:
    """Run the simulator until interrupted (or ``quit`` on stdin)."""
    from devices.idcard.simulator import Fault, ResponseDelays, SamModel, SamSimulator, load_cards  # deferred: drivers load only when this command runs

    try:
        cards = load_cards(args.cards)
    except (OSError, ValueError, KeyError) as exc:
        print(f"kiosk: cannot load cards from {args.cards or 'the demo set'}: {exc}", file=sys.stderr)
        return 1
    model = SamModel(cards)
    simulator = SamSimulator(
        model,
        baudrate=args.baudrate,
        delays=ResponseDelays.none() if args.delays == "none" else ResponseDelays(),
        transport="tcp" if args.tcp is not None else "pty",
        tcp_port=args.tcp or 0,
    )
    signal.signal(signal.SIGTERM, _sigterm)
    device = simulator.start()
    try:
        print(device, flush=True)
        first = None if args.no_insert else (args.insert or cards[0].card_id)
        if first:
            model.insert(first)
        ids = ", ".join(model.cards)
        faults = ", ".join(f.value for f in Fault)
        print(
            f"simulated ID card reader at {device} ({args.baudrate} baud)"
            + (f"; card '{first}' is on the reader" if first else "")
            + f"\n  read it: kiosk idcard read --device {device}"
            + "\n  commands: insert ID | remove | fault NAME | clear | unplug | plug | cards | quit"
            + f"\n  cards: {ids}\n  faults: {faults}",
            file=sys.stderr,
            flush=True,
        )
        for line in sys.stdin:
            if not _control(line.split(), model, simulator):
                return 0
        while True:  # stdin closed: serve until interrupted
            time.sleep(3600)
    except KeyboardInterrupt:
        return 0
    finally:
        simulator.stop()


def _control(words: list[str], model: Any, simulator: Any) -> bool:
    """Apply one stdin command; False means quit."""
    if not words:
        return True
    cmd, rest = words[0].lower(), words[1:]
    try:
        if cmd in ("quit", "exit"):
            return False
        if cmd == "insert" and rest:
            model.insert(rest[0])
        elif cmd == "remove":
            model.remove()
        elif cmd == "fault" and rest:
            model.inject(rest[0])
        elif cmd == "clear":
            model.clear_faults()
        elif cmd == "unplug":
            simulator.unplug()
        elif cmd == "plug":
            simulator.plug()
        elif cmd == "cards":
            print(", ".join(model.cards), file=sys.stderr)
        else:
            print(f"unknown command: {' '.join(words)}", file=sys.stderr)
            return True
        print(f"ok: {' '.join(words)}", file=sys.stderr, flush=True)
    except (KeyError, ValueError):
        print(f"no such card or fault: {' '.join(rest)}", file=sys.stderr, flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    """Run only the ``idcard`` commands (``python -m kiosk.cli.idcard read …``), for use
    where the full ``kiosk`` command line is not installed."""

    common = common_parser()
    parser = argparse.ArgumentParser(prog="kiosk", parents=[common])
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub, common)
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KioskError as exc:
        print(f"kiosk: {exc.detail}", file=sys.stderr)
        return EXIT_DEVICE if exc.message_key.startswith(("error.device", "idcard")) else 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
