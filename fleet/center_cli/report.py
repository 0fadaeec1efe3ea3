"""``kiosk-center report``: the bureau's figures per site and day as a file."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from fleet.center import figures, report
from fleet.center_cli.common import Subparsers, open_store


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``report``."""
    rp = sub.add_parser("report", parents=[common], help="the bureau's figures per site and day (docs/figures.md)")
    rp.add_argument("--from", dest="date_from", required=True, metavar="YYYY-MM-DD")
    rp.add_argument("--to", dest="date_to", required=True, metavar="YYYY-MM-DD")
    rp.add_argument("--site", help="one site (as registered with `terminals add --site`)")
    rp.add_argument("--format", choices=("csv", "xlsx", "html"), default="xlsx")
    rp.add_argument("--out", help="file to write (stdout for csv and html when absent)")
    rp.add_argument("--rebuild", action="store_true", help="recompute every day's figures from the stored events first")
    rp.set_defaults(handler=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    """Write the bureau's report for a date range."""
    try:
        d0, d1 = date.fromisoformat(args.date_from), date.fromisoformat(args.date_to)
    except ValueError as exc:
        print(f"kiosk-center report: {exc} (dates are YYYY-MM-DD)", file=sys.stderr)
        return 2
    if d1 < d0:
        print("kiosk-center report: --to is before --from", file=sys.stderr)
        return 2
    if args.format == "xlsx" and not args.out:
        print("kiosk-center report: an Excel workbook needs --out FILE.xlsx", file=sys.stderr)
        return 2
    store = open_store(args)
    try:
        if args.rebuild:
            figures.rebuild(store.engine)
        rep = figures.report(store.engine, d0, d1, args.site)
    finally:
        store.close()
    data = report.render(rep, args.format)
    if args.out:
        Path(args.out).write_bytes(data)
        print(f"{args.out}: {len(rep.sites)} site(s), {len(rep.days)} day(s), {rep.get()['tickets']} tickets", file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0
