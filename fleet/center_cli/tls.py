"""``kiosk-center tls init``: a CA and the broker's certificate."""

from __future__ import annotations

import argparse

from fleet.center.tls import init_tls
from fleet.center_cli.common import Subparsers, paths_of


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``tls init``."""
    tl = sub.add_parser("tls", parents=[common], help="certificates")
    tls_sub = tl.add_subparsers(dest="action", required=True)
    ti = tls_sub.add_parser("init", parents=[common], help="make a CA and a broker certificate")
    ti.add_argument("--host", action="append", default=None, help="broker host name or IP (repeatable)")
    tl.set_defaults(handler=cmd_tls)


def cmd_tls(args: argparse.Namespace) -> int:
    """Make a CA and a broker certificate in DATA_DIR/tls."""
    files = init_tls(paths_of(args).data_dir / "tls", args.host or ["localhost", "127.0.0.1"])
    for k, v in files.items():
        print(f"{k}: {v}")
    print("copy ca.crt to each terminal ([fleet] ca_file) and use mqtts://HOST:8883")
    return 0
