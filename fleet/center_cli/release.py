"""``kiosk-center release …``: keys and metadata, adding a bundle, rolling it out in
waves, its status, halting it (docs/update.md)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Callable

from fleet.center import update_rollout as ur
from fleet.center.releases import ReleaseError, ReleaseRepo
from fleet.center.service import CenterLink
from fleet.center_cli.common import Subparsers, open_link, open_store, paths_of
from fleet.update.bundle import BundleError, app_target
from fleet.update.layout import check_version


def _waves(text: str) -> list[int]:
    try:
        waves = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"waves are percentages like 1,10,50,100, not {text!r}") from None
    if not waves or any(not 0 < w <= 100 for w in waves) or waves != sorted(waves) or waves[-1] != 100:
        raise argparse.ArgumentTypeError(f"waves must rise from above 0 to 100, e.g. 1,10,50,100 (got {text!r})")
    return waves


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``release`` and its actions to ``kiosk-center``."""
    r = sub.add_parser("release", parents=[common], help="signed software updates (docs/update.md)")
    rs = r.add_subparsers(dest="action", required=True)
    keys_help = "directory of the offline root and targets keys (removable media); default DATA_DIR/updates/offline-keys"
    ri = rs.add_parser("init", parents=[common], help="make the keys and the repository metadata")
    ri.add_argument("--keys", help=keys_help)
    ra = rs.add_parser("add", parents=[common], help="add a bundle as a signed target (needs the targets key)")
    ra.add_argument("bundle")
    ra.add_argument("--keys", help=keys_help)
    ro = rs.add_parser("rollout", parents=[common], help="send a release to terminals in waves")
    ro.add_argument("version")
    who = ro.add_mutually_exclusive_group(required=True)
    who.add_argument("--all", action="store_true", help="every registered terminal")
    who.add_argument("--site", help="the terminals of one site")
    who.add_argument("terminal_ids", nargs="*", default=[], metavar="ID")
    ro.add_argument("--waves", type=_waves, default=[1, 10, 50, 100], help="percentages, e.g. 1,10,50,100")
    ro.add_argument("--halt-on-failures", type=float, default=10.0, metavar="PCT", help="halt when this %% of sent terminals failed")
    ro.add_argument("--wave-timeout", type=float, default=3600.0, metavar="S", help="how long to wait for a wave's reports")
    st = rs.add_parser("status", parents=[common], help="where a release stands on each terminal")
    st.add_argument("version")
    st.add_argument("--json", action="store_true")
    h = rs.add_parser("halt", parents=[common], help="stop a rollout; withdraw it from terminals that have not switched")
    h.add_argument("version")
    rs.add_parser("list", parents=[common], help="the signed releases")
    r.set_defaults(handler=cmd_release)


def cmd_release(args: argparse.Namespace) -> int:
    """``release init|add|rollout|status|halt|list`` in the data dir's repository."""
    return run(args, paths_of(args).data_dir, lambda: open_link(args, open_store(args)))


def run(args: argparse.Namespace, data_dir: Path, link_factory: Callable[[], CenterLink]) -> int:
    """Run one ``release`` action; errors are one line on stderr, never a traceback.
    ``link_factory`` joins the centre's broker, for the actions that need the fleet."""
    repo = ReleaseRepo(data_dir / "updates")
    offline = Path(args.keys) if getattr(args, "keys", None) else repo.base / "offline-keys"
    try:
        if args.action == "init":
            repo.init(offline)
            print(f"release repository in {repo.base}\noffline keys (root, targets) in {offline}: move them to removable media;"
                  f"\nthe terminals' trusted root: {repo.metadata_dir / '1.root.json'}")
            return 0
        if not repo.exists():
            raise ReleaseError(f"no release repository in {repo.base}; run `kiosk-center release init` first")
        if args.action == "add":
            name = repo.add(Path(args.bundle), offline)
            print(f"added {name}")
            return 0
        if args.action == "list":
            for name, info in sorted(repo.releases().items()):
                print(f"{name}\t{info['version']}\t{info['length']} bytes")
            return 0
        version = check_version(args.version)
        return _fleet_action(args, repo.base, version, link_factory)
    except (ReleaseError, BundleError, ValueError, OSError) as exc:
        print(f"kiosk-center release {args.action}: {exc}", file=sys.stderr)
        return 1


def _fleet_action(args: argparse.Namespace, updates_dir: Path, version: str, link_factory: Callable[[], CenterLink]) -> int:
    if args.action == "rollout" and app_target(version) not in ReleaseRepo(updates_dir).releases():
        raise ReleaseError(f"version {version} is not a signed release here; `release add` its bundle first")
    link = link_factory()
    try:
        reports = ur.Reports(link)
        time.sleep(1.0)  # the retained reports arrive right after subscribing
        if args.action == "rollout":
            if args.all or args.site:
                targets = [r["terminal_id"] for r in link.store.terminal_rows(site=args.site)]
            else:
                targets = list(args.terminal_ids)
            if not targets:
                raise ReleaseError("no terminals to send it to")
            doc = ur.rollout(link, updates_dir, version, targets, args.waves, halt_pct=args.halt_on_failures,
                             wave_timeout=args.wave_timeout, reports=reports)
            return 0 if doc["state"] == "done" else 3
        record = ur.read_record(updates_dir, version)
        if record is None:
            raise ReleaseError(f"no rollout of version {version}")
        doc = record
        if args.action == "halt":
            doc["state"] = "halted"
            doc["halt_reason"] = "halted by hand"
            doc["halt"] = {"why": "by_hand"}
            ur.write_record(updates_dir, doc)
            gone = ur.withdraw(link, version, doc["sent"], reports)
            print(f"rollout of {version} halted; withdrawn from {len(gone)} terminal(s)")
            return 0
        s = ur.summary(version, doc["targets"], reports.of(version))
        out = {"version": version, "state": doc["state"], "halt_reason": doc.get("halt_reason"), "sent": len(doc["sent"]),
               "targets": len(doc["targets"]), **s}
        if args.json:
            print(json.dumps(out, ensure_ascii=False, indent=1))
        else:
            print(f"{version}: {out['state']}" + (f" ({out['halt_reason']})" if out["halt_reason"] else "")
                  + f" · {out['sent']}/{out['targets']} sent · " + " · ".join(f"{n} {st}" for st, n in sorted(s["counts"].items())))
            for tid, v in s["terminals"].items():
                print(f"  {tid}\t{v['state']}" + (f"\t{v['error']}" if v["error"] else ""))
        return 0
    finally:
        link.close()
