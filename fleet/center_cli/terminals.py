"""``kiosk-center terminals``: list the fleet; add or remove a terminal's credentials."""

from __future__ import annotations

import argparse
import json
import sys

from fleet.broker import hash_password, new_password
from fleet.center_cli.common import Subparsers, columns, open_store, paths_of, terminal_id


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``terminals [add|remove]``."""
    t = sub.add_parser("terminals", parents=[common], help="list terminals; add or remove one")
    t.add_argument("--json", action="store_true")
    ts = t.add_subparsers(dest="action")
    ta = ts.add_parser("add", parents=[common], help="create a terminal's credentials (printed once)")
    ta.add_argument("terminal_id", type=terminal_id)
    ta.add_argument("--site", required=True)
    ta.add_argument("--json", action="store_true")
    tr = ts.add_parser("remove", parents=[common], help="revoke a terminal's credentials")
    tr.add_argument("terminal_id", type=terminal_id)
    t.set_defaults(handler=cmd_terminals)


def cmd_terminals(args: argparse.Namespace) -> int:
    """List, add, remove."""
    store = open_store(args)
    paths = paths_of(args)
    if args.action == "add":
        pw = new_password()
        store.add_terminal(args.terminal_id, args.site, hash_password(pw))
        reloaded = paths.reload_broker(store.password_hashes())
        doc = {"terminal_id": args.terminal_id, "username": args.terminal_id, "password": pw}
        if args.json:
            print(json.dumps(doc, ensure_ascii=False))
        else:
            print(f"terminal {args.terminal_id} ({args.site})\nusername: {args.terminal_id}\npassword: {pw}\n(shown once: put it in the terminal's [fleet] settings)")
        if not reloaded:
            print("note: no embedded broker running here; the credentials apply at the next `serve --with-broker`", file=sys.stderr)
        return 0
    if args.action == "remove":
        ok = store.remove_terminal(args.terminal_id)
        paths.reload_broker(store.password_hashes())
        print(f"{args.terminal_id}: {'removed' if ok else 'not found'}")
        return 0 if ok else 1
    rows = store.terminal_rows()
    for r in rows:
        r.pop("telemetry", None)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        widths = (16, 8, 24, 26)
        print(columns(("terminal", "state", "site", "last seen", "faults"), widths))
        for r in rows:
            print(columns((r["terminal_id"], "online" if r["online"] else "offline", r["site"], str(r["last_seen"] or "-"),
                           ",".join(r["faults"])), widths))
    return 0
