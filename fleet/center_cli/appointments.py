"""``kiosk-center slots …`` and ``kiosk-center appointments``: staff publish slots and
see the bookings (masked names; phone numbers only on request)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date, time

from fleet.appointments.store import AppointmentBook, SlotSpec, load_key
from fleet.center.store import Store
from fleet.center_cli.common import Subparsers, open_store, paths_of
from kiosk.catalog import load_catalog


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``slots add|list`` and ``appointments``."""
    s = sub.add_parser("slots", parents=[common], help="appointment slots per site and service")
    ss = s.add_subparsers(dest="action", required=True)
    a = ss.add_parser("add", parents=[common], help="publish slots: every N minutes between two times, on each working day")
    a.add_argument("--site", required=True, help="the site as registered for its terminals (terminals add --site)")
    a.add_argument("--service", required=True, help="a service code of the catalogue (consultation, notary, …)")
    a.add_argument("--from", dest="first", required=True, help="first day, YYYY-MM-DD")
    a.add_argument("--to", dest="last", help="last day (default: the first)")
    a.add_argument("--start", default="09:00", help="first slot begins, HH:MM")
    a.add_argument("--end", default="17:00", help="last slot ends, HH:MM")
    a.add_argument("--every", default="30m", help="slot length: 30m, 1h")
    a.add_argument("--capacity", type=int, default=1, help="people per slot")
    a.add_argument("--weekdays", default="1-5", help="ISO weekdays: 1-5, or 1,3,5")
    ls = ss.add_parser("list", parents=[common], help="published slots with their bookings")
    ls.add_argument("--site")
    ls.add_argument("--from", dest="first", default="")
    ls.add_argument("--json", action="store_true")
    b = sub.add_parser("appointments", parents=[common], help="bookings of a site and day")
    b.add_argument("--site")
    b.add_argument("--day")
    b.add_argument("--json", action="store_true")
    s.set_defaults(handler=cmd_slots)
    b.set_defaults(handler=cmd_appointments)


def parse_every(text: str) -> int:
    """``30m`` / ``1h`` / ``45`` → minutes."""
    m = re.fullmatch(r"\s*(\d+)\s*([mh]?)\s*", text)
    if not m:
        raise ValueError(f"not a slot length: {text!r} (e.g. 30m or 1h)")
    return int(m.group(1)) * (60 if m.group(2) == "h" else 1)


def parse_weekdays(text: str) -> tuple[int, ...]:
    """``1-5`` / ``1,3,5`` → ISO weekdays."""
    out: set[int] = set()
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    if not out or not all(1 <= d <= 7 for d in out):
        raise ValueError("weekdays are 1 (Monday) to 7 (Sunday)")
    return tuple(sorted(out))


def _book(args: argparse.Namespace) -> tuple[Store, AppointmentBook]:
    store = open_store(args)
    return store, AppointmentBook(store.engine, load_key(paths_of(args).data_dir))


def cmd_slots(args: argparse.Namespace) -> int:
    """Publish or list slots."""
    store, book = _book(args)
    try:
        if args.action == "list":
            rows = book.all_slots(args.site, args.first)
            if args.json:
                print(json.dumps(rows, ensure_ascii=False, indent=1))
            for r in [] if args.json else rows:
                print(f"{r['site']}  {r['day']} {r['start']}-{r['end']}  {r['service']:<12} {r['booked']}/{r['capacity']}")
            return 0
        if args.service not in load_catalog(None).codes():
            print(f"kiosk-center: unknown service {args.service!r}", file=sys.stderr)
            return 2
        try:
            spec = SlotSpec(args.site, args.service, date.fromisoformat(args.first), date.fromisoformat(args.last or args.first),
                            time.fromisoformat(args.start), time.fromisoformat(args.end), parse_every(args.every), args.capacity,
                            parse_weekdays(args.weekdays))
            n = book.publish(spec)
        except ValueError as exc:
            print(f"kiosk-center: {exc}", file=sys.stderr)
            return 2
        print(f"{n} slots published for {args.site} · {args.service}")
        return 0
    finally:
        store.close()


def cmd_appointments(args: argparse.Namespace) -> int:
    """List bookings (masked names, last four digits of the phone)."""
    store, book = _book(args)
    try:
        rows = [{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items() if k not in ("id_hash", "site_hash")}
                for r in book.bookings_of(args.site, args.day)]
        for r in rows:
            r["phone"] = "*******" + str(r["phone"])[-4:]  # the CLI's output ends up in terminals' scrollback
        if args.json:
            print(json.dumps(rows, ensure_ascii=False, indent=1))
        else:
            for r in rows:
                print(f"{r['day']} {r['start']}  {r['code']}  {r['service']:<12} {r['masked_name']:<6} {r['phone']}  {r['state']}")
        return 0
    finally:
        store.close()
