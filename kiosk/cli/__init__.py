"""The ``kiosk`` command line. Each command group is a module here with a
``register(subparsers, common)`` function; handlers return the process exit code."""

from __future__ import annotations

import argparse
import importlib
import sqlite3
import sys

from kiosk import __version__
from kiosk.errors import DeviceError, KioskError
from kiosk.files import restrict_umask

# Command modules, in help order. Each registers its own sub-commands.
COMMAND_MODULES = (
    "kiosk.cli.run",
    "kiosk.cli.screenshot",
    "kiosk.cli.queue",
    "kiosk.cli.calling",
    "kiosk.cli.catalog",
    "kiosk.cli.doctor",
    "kiosk.cli.idcard",
    "kiosk.cli.printing",
    "kiosk.cli.voice",
    "kiosk.cli.audit",
    "kiosk.cli.call",  # the video call's self-test
    "kiosk.cli.law",
    "kiosk.cli.calc",
    "kiosk.cli.doc",  # fill-in documents and the A4 printer
    "kiosk.cli.session",  # unattended terminals: restarts, RTC alarm
    "kiosk.cli.presence",  # the presence detector on a camera
)


def common_parser() -> argparse.ArgumentParser:
    """Options every command takes."""
    common = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a sub-command's parser must not overwrite a value given before it
    # (``kiosk --data-dir D queue take …``) with its own default.
    common.add_argument("--config", metavar="F", default=argparse.SUPPRESS, help="configuration file (default: DATA_DIR/kiosk.toml)")
    common.add_argument(
        "--data-dir", metavar="D", default=argparse.SUPPRESS, help="data directory (default: $KIOSK_DATA_DIR or the user data dir)"
    )
    return common


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    common = common_parser()
    parser = argparse.ArgumentParser(prog="kiosk", description="Legal Kiosk terminal", parents=[common])
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kiosk`` console script."""
    # Everything a command writes (store, logs, screenshots, configuration) is
    # owner-only, whatever umask the service was started with (kiosk/files.py).
    restrict_umask()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return int(args.handler(args) or 0)
    except DeviceError as exc:
        print(f"kiosk: {exc.detail}", file=sys.stderr)
        return 3
    except KioskError as exc:
        print(f"kiosk: {exc.detail}", file=sys.stderr)
        return 1
    except sqlite3.Error as exc:
        # The start-up check replaces a damaged store; this is what remains (a disk
        # that fails while the command runs): a plain message, never a traceback.
        print(f"kiosk: the store could not be read or written: {exc} (see `kiosk doctor`)", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


