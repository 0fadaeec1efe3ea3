"""``kiosk-center content …``: content packages (the law library, the bureau's
publicity) as signed targets of their own kind, fetched by every terminal and swapped in
without a software update (docs/update.md "Content packages", docs/publicity.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fleet.center.releases import DELEGATED, ReleaseError, ReleaseRepo
from fleet.center_cli.common import Subparsers, paths_of
from fleet.update.content import CONTENT_KINDS


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``content add|list|remove|delegate`` to ``kiosk-center``."""
    c = sub.add_parser("content", parents=[common], help="signed content packages: the law library, publicity (docs/update.md)")
    cs = c.add_subparsers(dest="action", required=True)
    ca = cs.add_parser("add", parents=[common], help="sign a content package as the next one of its kind")
    ca.add_argument("content", choices=sorted(CONTENT_KINDS), help="what the package is")
    ca.add_argument("file", help="the package, e.g. library.sqlite3 from python -m kiosk.lookup.build, or a publicity .zip")
    ca.add_argument("--keys", help="directory of the offline targets key; default DATA_DIR/updates/offline-keys "
                                   "(not needed for publicity once delegated)")
    cs.add_parser("list", parents=[common], help="the signed content packages")
    cr = cs.add_parser("remove", parents=[common], help="withdraw a content package (terminals running it keep it)")
    cr.add_argument("name", help="its target name, as `content list` prints it (content/publicity-3.zip)")
    cr.add_argument("--keys", help="directory of the offline targets key (for packages signed with it)")
    cd = cs.add_parser("delegate", parents=[common], help="let the centre sign publicity by itself (needs the targets key once)")
    cd.add_argument("content", choices=sorted(DELEGATED))
    cd.add_argument("--keys", help="directory of the offline targets key; default DATA_DIR/updates/offline-keys")
    c.set_defaults(handler=cmd_content)


def cmd_content(args: argparse.Namespace) -> int:
    """``content add|list|remove|delegate`` in the data dir's release repository."""
    return run(args, paths_of(args).data_dir)


def run(args: argparse.Namespace, data_dir: Path) -> int:
    """Run one ``content`` action; errors are one line on stderr, never a traceback."""
    repo = ReleaseRepo(data_dir / "updates")
    try:
        if not repo.exists():
            raise ReleaseError(f"no release repository in {repo.base}; run `kiosk-center release init` first")
        offline = Path(args.keys) if getattr(args, "keys", None) else repo.base / "offline-keys"
        if args.action == "add":
            package = Path(args.file)
            if not package.is_file():
                raise ReleaseError(f"no such file: {package}")
            name = repo.add_content(args.content, package, offline)
            info = repo.releases()[name]
            print(f"added {name} (serial {info['serial']}, version {info['version']})")
            return 0
        if args.action == "remove":
            repo.remove_content(args.name, offline)
            print(f"removed {args.name}")
            return 0
        if args.action == "delegate":
            repo.delegate(args.content, offline)
            print(f"the centre now signs {args.content} packages with its own key ({repo.online_keys / args.content}.pem)")
            return 0
        for name, info in sorted(repo.releases().items(), key=lambda kv: (str(kv[1].get("content")), int(kv[1].get("serial") or 0))):
            if info["kind"] == "content":
                print(f"{name}\t{info['content']}\t{info['serial']}\t{info['version']}\t{info['length']} bytes")
        return 0
    except (ReleaseError, ValueError, OSError) as exc:
        print(f"kiosk-center content {args.action}: {exc}", file=sys.stderr)
        return 1
