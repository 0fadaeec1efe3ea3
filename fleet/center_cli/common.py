"""What every ``kiosk-center`` command group shares: the common options, and how a
command finds the centre's data dir, store and running broker from them."""

from __future__ import annotations

import argparse
from pathlib import Path

from wcwidth import wcswidth, wcwidth

from fleet.center.runtime import CenterPaths, resolve_data_dir
from fleet.center.service import CenterLink
from fleet.center.store import Store
from kiosk.files import private_dir
from kiosk.terminal_id import check_terminal_id

# The type of ``ArgumentParser.add_subparsers()``, which argparse does not export.
Subparsers = argparse._SubParsersAction


def common_parser() -> argparse.ArgumentParser:
    """Options every command takes (where the centre's data, store and broker are)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="the centre's data dir (else $KIOSK_CENTER_DATA_DIR, else the platform's)")
    common.add_argument("--db", help="store URL: sqlite:///F or postgresql+psycopg://user@host/db")
    common.add_argument("--broker", help="join this broker: mqtt://127.0.0.1:1883 or mqtts://host:8883")
    common.add_argument("--ca-file", help="CA for mqtts:// (else the system's)")
    return common


def terminal_id(value: str) -> str:
    """argparse type: a terminal id (kiosk.terminal_id), else a usage error naming it."""
    try:
        return check_terminal_id(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def paths_of(args: argparse.Namespace) -> CenterPaths:
    """The centre's files for ``--data-dir`` (else the environment's or the platform's)."""
    return CenterPaths(resolve_data_dir(args.data_dir))


def open_store(args: argparse.Namespace) -> Store:
    """The store of ``--db``, else the running centre's, else the data dir's SQLite file."""
    paths = paths_of(args)
    private_dir(paths.data_dir)
    return Store(args.db or paths.read_runtime().get("db") or paths.default_db())


def open_link(args: argparse.Namespace, store: Store) -> CenterLink:
    """A connection to the running centre's broker as the centre (SystemExit with a
    plain message when no centre runs in this data dir and no ``--broker`` was given)."""
    paths = paths_of(args)
    rt = paths.read_runtime()
    # The centre's own listener (the terminals' one would not know the centre's user).
    broker = args.broker or rt.get("center_broker") or rt.get("broker")
    if not broker:
        raise SystemExit("kiosk-center: no running centre in this data dir; start `kiosk-center serve` or pass --broker")
    ca = args.ca_file or rt.get("ca_file")
    return CenterLink(broker, paths.center_password(), store, ca_file=Path(ca) if ca else None).start()


def columns(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    """One table line: each cell cut and padded to its width in terminal columns, so
    Chinese (two columns a character) lines up with Latin; the last cell as it is."""
    out = []
    for text, width in zip(cells, widths):
        text = "".join(ch if ch.isprintable() else " " for ch in text)
        cut, used = "", 0
        for ch in text:
            w = max(wcwidth(ch), 0)
            if used + w > width:
                break
            cut, used = cut + ch, used + w
        out.append(cut + " " * (width - max(wcswidth(cut), 0)))
    return " ".join(out + list(cells[len(widths):]))
