"""The ``kiosk`` command line. Each command group is a module here with a
``register(subparsers, common)`` function; handlers return the process exit code."""

from __future__ import annotations

import argparse
import importlib
import os
import sqlite3
import sys

# The kiosk uses no pydantic plugin: spare every command (and each start of the app,
# before its first frame) pydantic's scan of all installed packages' entry points.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from kiosk import __version__
from kiosk.errors import DeviceError, KioskError
from kiosk.files import restrict_umask

# Each command, in help order, and the module that registers it (a module may register
# several). ``kiosk run`` imports only its own module: the other commands' imports
# (receipt rendering, the law library, the calculators…) would delay the first frame.
COMMANDS: dict[str, str] = {
    "run": "kiosk.cli.run",
    "screenshot": "kiosk.cli.screenshot",
    "queue": "kiosk.cli.queue",
    "display": "kiosk.cli.calling",
    "console": "kiosk.cli.calling",
    "announce": "kiosk.cli.calling",
    "catalog": "kiosk.cli.catalog",
    "doctor": "kiosk.cli.doctor",
    "idcard": "kiosk.cli.idcard",
    "print": "kiosk.cli.printing",
    "voice": "kiosk.cli.voice",
    "speech": "kiosk.cli.voice",
    "say": "kiosk.cli.voice",
    "models": "kiosk.cli.voice",
    "audit": "kiosk.cli.audit",
    "call": "kiosk.cli.call",  # the video call's self-test
    "law": "kiosk.cli.law",
    "calc": "kiosk.cli.calc",
    "doc": "kiosk.cli.doc",  # fill-in documents and the A4 printer
    "session": "kiosk.cli.session",  # unattended terminals: restarts, RTC alarm
    "presence": "kiosk.cli.presence",  # the presence detector on a camera
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))
_VALUED = ("--config", "--data-dir")  # the common options that take a value


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


def command_of(argv: list[str]) -> str | None:
    """The command ``argv`` names (its first word that is not an option or an option's
    value), or None."""
    words = iter(argv)
    for word in words:
        if word in _VALUED:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser: with every command, or, when ``argv`` names a known one,
    with the module of that command only (the others are not imported)."""
    common = common_parser()
    parser = argparse.ArgumentParser(prog="kiosk", description="Legal Kiosk terminal", parents=[common])
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    named = COMMANDS.get(command_of(argv) or "") if argv is not None else None
    for name in (named,) if named else COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kiosk`` console script."""
    # Everything a command writes (store, logs, screenshots, configuration) is
    # owner-only, whatever umask the service was started with (kiosk/files.py).
    restrict_umask()
    words = sys.argv[1:] if argv is None else argv
    parser = build_parser(words)
    args = parser.parse_args(words)
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


