"""``kiosk audit a11y``: render every screen offscreen and check every actionable widget."""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from screens.pilot import Pilot  # annotations only: the screens load after Kivy is configured

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

from kiosk.bootstrap import build_terminal
from kiosk.cli.common import config_of, print_json
from kiosk.cli.run import parse_size
from kiosk.cli.screenshot import seed_demo_queue

SIZE_FIRST = (1280, 800)  # the matrix starts at the common kiosk panel (screens.audit.SIZES)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    """Add ``kiosk audit a11y``."""
    p = sub.add_parser("audit", parents=[common], help="audits of the screens")
    acts = p.add_subparsers(dest="audit_command", metavar="AUDIT", required=True)
    a = acts.add_parser("a11y", parents=[common], help="accessibility of every screen (exit 1 on violations)")
    a.add_argument("--elder", action="store_true", help="in elder mode (长辈版)")
    a.add_argument("--lang", choices=("zh_CN", "en"), default=None)
    a.add_argument("--size", type=parse_size, default=(1280, 800), metavar="WxH")
    a.add_argument("--matrix", action="store_true",
                   help="every screen in every window size, language and mode (1280x800, 1920x1080, 1080x1920; zh_CN, en; standard, elder)")
    a.add_argument("--notice", action="store_true", help="with --matrix: show a notice on each screen (it must cover no action)")
    a.add_argument("--screens", default=None, help="with --matrix: only these screens (comma-separated)")
    a.add_argument("--json", action="store_true")
    a.set_defaults(handler=audit_a11y)


def audit_a11y(args: argparse.Namespace) -> int:
    """Run the audit against a throwaway copy of the terminal; exit 1 on any violation."""
    config, _ = config_of(args)
    if args.lang:
        config = config.model_copy(update={"language": args.lang})
    from screens.env import prepare_kivy  # deferred: Kivy loads only after prepare_kivy has configured it

    prepare_kivy(*(SIZE_FIRST if args.matrix else args.size), offscreen=True)
    from screens.app import KioskApp  # deferred: Kivy loads only after prepare_kivy has configured it
    from screens.audit import SIZES, audit_all, audit_matrix  # deferred: Kivy loads only after prepare_kivy has configured it
    from screens.pilot import run_script  # deferred: Kivy loads only after prepare_kivy has configured it

    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="kiosk-audit-") as tmp:
        terminal = build_terminal(config, Path(tmp), simulate=True)
        seed_demo_queue(terminal)
        app = KioskApp(terminal)
        if args.matrix:
            only = tuple(args.screens.split(",")) if args.screens else None
            audit = audit_matrix(app, result, sizes=SIZES, screens=only, notice=args.notice)
        else:
            audit = audit_all(app, args.elder, result)

        def script(p: Pilot) -> Generator[float, None, None]:
            while not terminal.devices_ready.is_set():
                yield 0.05
            yield from audit(p)

        try:
            run_script(app, script)
        finally:
            terminal.close()
    if args.json:
        print_json(result)
    else:
        for v in result["violations"]:
            print(f"{v['screen']:11} {v['check']:8} {v['widget']}: {v['detail']}")
        print(f"{result['screens']} screens, {result['widgets']} widgets, {len(result['violations'])} violations", file=sys.stderr)
    return 1 if result["violations"] else 0
