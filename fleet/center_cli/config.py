"""``kiosk-center config push``: desired configuration, rolled out in stages."""

from __future__ import annotations

import argparse
import sys
import tomllib
from pathlib import Path

from fleet.center.rollout import rollout
from fleet.center_cli.common import Subparsers, open_link, open_store, terminal_id


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``config push``."""
    cf = sub.add_parser("config", parents=[common], help="desired configuration")
    cfs = cf.add_subparsers(dest="action", required=True)
    push = cfs.add_parser("push", parents=[common], help="push a TOML file of sections to set")
    push.add_argument("targets", nargs="*", type=terminal_id, help="terminal ids")
    push.add_argument("file")
    push.add_argument("--all", action="store_true")
    push.add_argument("--site")
    push.add_argument("--rollout", default="100", help="percent stages, e.g. 1,10,50,100")
    push.add_argument("--stage-timeout", type=float, default=60.0)
    push.add_argument("--max-failures", type=int, default=0)
    cf.set_defaults(handler=cmd_config)


def cmd_config(args: argparse.Namespace) -> int:
    """Push desired configuration with a staged rollout."""
    try:
        config = tomllib.loads(Path(args.file).read_text(encoding="utf-8-sig"))  # a BOM (Notepad) is no error
        stages = [int(x) for x in args.rollout.split(",")]
    except (OSError, ValueError) as exc:
        print(f"kiosk-center: {exc}", file=sys.stderr)
        return 2
    store = open_store(args)
    if args.all or args.site:
        targets = [r["terminal_id"] for r in store.terminal_rows(site=args.site)]
    else:
        targets = list(args.targets)
    if not targets:
        print("kiosk-center: no target terminals (ID…, --all or --site S)", file=sys.stderr)
        return 2
    link = open_link(args, store)
    try:
        res = rollout(link, targets, config, stages, stage_timeout=args.stage_timeout, max_failures=args.max_failures,
                      progress=lambda s: print(s, flush=True))
    finally:
        link.close()
    for tid, err in res.rejected.items():
        print(f"rejected {tid}: {err}")
    return 1 if res.aborted or res.rejected else 0
