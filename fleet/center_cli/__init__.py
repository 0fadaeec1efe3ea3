"""The ``kiosk-center`` command: the centre's fleet service and the technicians' CLI.

Each command group is a module here with a ``register(subparsers, common)`` function
that adds its sub-commands and sets their ``handler``; a handler returns the process
exit code. Failures a technician can act on are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys

from sqlalchemy.exc import DatabaseError as SQLDatabaseError

from fleet.center.store import StoreDamaged
from fleet.center_cli import (
    appointments,
    commands,
    config,
    content,
    intake,
    release,
    report,
    serve,
    simulate,
    terminals,
    tls,
    users,
)
from fleet.center_cli.common import common_parser
from kiosk import __version__
from kiosk.files import restrict_umask

# Command groups, in help order.
REGISTER = (
    serve.register,
    terminals.register,
    commands.register,
    config.register,
    commands.register_views,
    simulate.register,
    users.register,
    appointments.register,
    report.register,
    tls.register,
    intake.register,
    release.register,
    content.register,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    p = argparse.ArgumentParser(prog="kiosk-center", description="公共法律服务终端 · 运维中心 (fleet centre)")
    p.add_argument("--version", action="version", version=f"kiosk-center {__version__}")
    common = common_parser()
    sub = p.add_subparsers(dest="command", required=True)
    for register in REGISTER:
        register(sub, common)
    return p


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``kiosk-center``."""
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING if args.command != "serve" else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Everything the centre writes (database, recordings, keys, screenshots) is
    # owner-only, whatever umask it was started with.
    restrict_umask()
    try:
        return int(args.handler(args))
    except StoreDamaged as exc:
        print(f"kiosk-center: the centre's database is damaged ({exc}). Nothing was changed in it: restore it from a"
              " backup, or move it aside (it is kept for recovery) to start with an empty store.", file=sys.stderr)
        return 2
    except SQLDatabaseError as exc:
        print(f"kiosk-center: the centre's database could not be used: {exc.orig or exc}", file=sys.stderr)
        return 2
