"""``kiosk-center intake key``: the public key terminals seal legal-aid applications to."""

from __future__ import annotations

import argparse
import sys

from fleet.center_cli.common import Subparsers, paths_of
from fleet.intake.keys import IntakeKeys


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``intake key``."""
    ik = sub.add_parser("intake", parents=[common], help="legal-aid intake: the key terminals seal applications to")
    iks = ik.add_subparsers(dest="action", required=True)
    iks.add_parser("key", parents=[common], help="print the public key (made once) for the terminals' [legal_aid] public_key")
    ik.set_defaults(handler=cmd_intake)


def cmd_intake(args: argparse.Namespace) -> int:
    """Print the intake's public key (creating the key pair on first use)."""
    keys = IntakeKeys(paths_of(args).data_dir)
    print(keys.public_text)
    print(f"# key id {keys.key_id}; push it: [legal_aid] public_key = \"{keys.public_text}\"", file=sys.stderr)
    return 0
