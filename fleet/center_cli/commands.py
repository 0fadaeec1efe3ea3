"""``kiosk-center cmd``, ``logs`` and ``screenshot``: run a command on one terminal and
show its reply (a screenshot saved as a PNG file)."""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
from pathlib import Path
from typing import Any

from fleet.center_cli.common import Subparsers, open_link, open_store, terminal_id
from fleet.topics import CommandResult


def register(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``cmd``, ``logs`` and ``screenshot``."""
    c = sub.add_parser("cmd", parents=[common], help="run a command on a terminal")
    c.add_argument("terminal_id", type=terminal_id)
    c.add_argument("name", help="ping self_test print_test restart_app get_logs screenshot set_volume set_config")
    c.add_argument("--args", default="{}", help="JSON object")
    c.add_argument("--timeout", type=float, default=15.0)
    c.add_argument("--json", action="store_true")
    c.add_argument("--out", help="screenshot: the PNG file to write (default screenshot-ID-TIME.png here)")
    c.set_defaults(handler=cmd_cmd)


def register_views(sub: Subparsers, common: argparse.ArgumentParser) -> None:
    """Add ``logs`` and ``screenshot`` (after ``config`` in the help, where they always were)."""
    lg = sub.add_parser("logs", parents=[common], help="a terminal's last log lines (masked)")
    lg.add_argument("terminal_id", type=terminal_id)
    lg.add_argument("--lines", type=int, default=200)
    lg.set_defaults(handler=cmd_logs)
    sc = sub.add_parser("screenshot", parents=[common], help="a terminal's current screen")
    sc.add_argument("terminal_id", type=terminal_id)
    sc.add_argument("--out", help="the PNG file to write (default screenshot-ID-TIME.png here)")
    sc.set_defaults(handler=cmd_screenshot)


def _command(args: argparse.Namespace, name: str, cargs: dict[str, Any], timeout: float) -> CommandResult:
    store = open_store(args)
    link = open_link(args, store)
    try:
        return link.command(args.terminal_id, name, cargs, timeout=timeout)
    finally:
        link.close()
        store.close()


def cmd_cmd(args: argparse.Namespace) -> int:
    """One command, its reply printed."""
    try:
        cargs = json.loads(args.args)
    except ValueError:
        cargs = None
    if not isinstance(cargs, dict):
        print("kiosk-center: --args must be a JSON object", file=sys.stderr)
        return 2
    res = _command(args, args.name, cargs, args.timeout)
    if res.ok and isinstance(res.result.get("png_base64"), str):
        # An image is a file for a person to open, not base64 on the screen.
        saved = _save_png(args, res.result.pop("png_base64"))
        if saved is None:
            return 1
        res.result["file"] = saved
    doc = res.model_dump(mode="json", exclude_none=True)
    if args.json:
        print(json.dumps(doc, ensure_ascii=False))
    elif res.ok and "file" in res.result:
        print(res.result["file"])
    elif res.ok:
        print(json.dumps(res.result, ensure_ascii=False, indent=1))
    else:
        print(f"error: {res.error}: {res.message or ''}", file=sys.stderr)
    return 0 if res.ok else 1


def cmd_logs(args: argparse.Namespace) -> int:
    """The last lines of a terminal's log."""
    res = _command(args, "get_logs", {"lines": args.lines}, 20)
    if not res.ok:
        print(f"error: {res.error}: {res.message or ''}", file=sys.stderr)
        return 1
    print("\n".join(res.result["lines"]))
    return 0


def cmd_screenshot(args: argparse.Namespace) -> int:
    """Save a terminal's screen as PNG."""
    res = _command(args, "screenshot", {}, 20)
    if not res.ok:
        print(f"error: {res.error}: {res.message or ''}", file=sys.stderr)
        return 1
    saved = _save_png(args, res.result.get("png_base64", ""))
    if saved is None:
        return 1
    print(saved)
    return 0


def _save_png(args: argparse.Namespace, data: str) -> str | None:
    """Write a screenshot to ``--out`` (default ``screenshot-ID-YYYYmmdd-HHMMSS.png`` in
    the current directory); its path, or None after saying why it could not."""
    out = Path(args.out or f"screenshot-{args.terminal_id}-{time.strftime('%Y%m%d-%H%M%S')}.png")
    try:
        png = base64.b64decode(data, validate=True)
        if not png.startswith(b"\x89PNG"):
            raise ValueError("the terminal did not send a PNG image")
        out.write_bytes(png)
    except (OSError, ValueError) as exc:
        print(f"kiosk-center: screenshot not saved: {exc}", file=sys.stderr)
        return None
    return str(out)
