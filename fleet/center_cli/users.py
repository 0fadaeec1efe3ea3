"""``kiosk-center users``: the staff accounts of the centre's web pages."""

from __future__ import annotations

import argparse
import getpass
import json
import sys

from fleet.center.auth.passwords import MIN_PASSWORD
from fleet.center.auth.users import ROLES, Users
from fleet.center_cli.common import Subparsers, open_store


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``users add|list|remove|passwd``."""
    us = sub.add_parser("users", parents=[common], help="staff accounts of the web pages")
    uss = us.add_subparsers(dest="action", required=True)
    ua = uss.add_parser("add", parents=[common], help="create an account")
    ua.add_argument("name")
    ua.add_argument("--role", required=True, choices=list(ROLES))
    ua.add_argument("--display-name", default="")
    ua.add_argument("--password-stdin", action="store_true", help="read the password from stdin (else asked twice)")
    ul = uss.add_parser("list", parents=[common], help="every account")
    ul.add_argument("--json", action="store_true")
    ur = uss.add_parser("remove", parents=[common], help="delete an account")
    ur.add_argument("name")
    up = uss.add_parser("passwd", parents=[common], help="a new password (ends the account's sessions)")
    up.add_argument("name")
    up.add_argument("--password-stdin", action="store_true")
    us.set_defaults(handler=cmd_users)


def _new_password(args: argparse.Namespace) -> str | None:
    """A new password from stdin or asked twice; None (after saying why) if refused."""
    if args.password_stdin:
        pw = sys.stdin.readline().rstrip("\r\n")
    else:
        pw = getpass.getpass("password: ")
        if getpass.getpass("again: ") != pw:
            print("kiosk-center: the passwords differ", file=sys.stderr)
            return None
    if len(pw) < MIN_PASSWORD:
        print(f"kiosk-center: a password needs at least {MIN_PASSWORD} characters", file=sys.stderr)
        return None
    return pw


def cmd_users(args: argparse.Namespace) -> int:
    """Staff accounts: add, list, remove, passwd."""
    store = open_store(args)
    try:
        users = Users(store)
        if args.action == "list":
            rows = [{"name": u.name, "role": u.role, "display_name": u.display_name, "disabled": u.disabled,
                     "created_at": u.created_at.isoformat() if u.created_at else None} for u in users.list()]
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=1))
            else:
                for r in rows:
                    print(f"{r['name']:<20} {r['role']:<11} {r['display_name']}{'  (disabled)' if r['disabled'] else ''}")
            return 0
        if args.action == "remove":
            ok = users.remove(args.name)
            print(f"{args.name}: {'removed' if ok else 'not found'}")
            return 0 if ok else 1
        if args.action == "add" and users.get(args.name) is not None:
            print(f"kiosk-center: user {args.name!r} exists", file=sys.stderr)
            return 1
        if args.action == "passwd" and users.get(args.name) is None:
            print(f"kiosk-center: no user {args.name!r}", file=sys.stderr)
            return 1
        pw = _new_password(args)
        if pw is None:
            return 2
        if args.action == "add":
            try:
                u = users.add(args.name, args.role, pw, args.display_name)
            except ValueError as exc:
                print(f"kiosk-center: {exc}", file=sys.stderr)
                return 2
            print(f"user {u.name} ({u.role}) added")
        else:
            users.set_password(args.name, pw)
            print(f"{args.name}: password changed; its sessions are signed out")
        return 0
    finally:
        store.close()
