"""``kiosk catalog list``: the services this terminal offers."""

from __future__ import annotations

import argparse

from kiosk.catalog import load_catalog
from kiosk.cli.common import config_of, print_json


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk catalog list``."""
    p = sub.add_parser("catalog", parents=[common], help="the service catalogue")
    cs = p.add_subparsers(dest="catalog_command", metavar="ACTION", required=True)
    ls = cs.add_parser("list", parents=[common], help="list the services")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(handler=list_services)


def list_services(args: argparse.Namespace) -> int:
    """Print each service with its prefix and materials count."""
    config, _ = config_of(args)
    catalog = load_catalog(config.catalog)
    if args.json:
        print_json([s.model_dump(mode="json") for s in catalog.services])
        return 0
    for s in catalog.services:
        card = "ID card" if s.needs_id_card else "-"
        print(f"{s.prefix}  {s.code:13} {s.name.zh_CN}\t{s.name.en}\t{card}\t{len(s.materials)} materials")
    return 0
