"""The health gate: a new version must prove itself or the terminal goes back.

After a switch, ``update/pending.json`` names the new version, the one before and a
deadline. The new version confirms itself by writing ``update/confirmed-<VERSION>``
once it reached the attract screen, passed its self-test and reached the centre
(``confirm``). ``python -m fleet.update.gate`` runs at every start, before the app:

- confirmed: the switch is final; versions older than ``previous`` are removed;
- not confirmed and past the deadline, or started ``max_boots`` times without a
  confirmation (a crash loop): ``current`` goes back to ``previous``, the new version is
  removed and an event saying why waits in ``update/events/`` for the agent's outbox;
- otherwise: one more start is counted and the new version runs.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from fleet.update.client import PENDING
from fleet.update.layout import Layout, LayoutError

log = logging.getLogger(__name__)

EVENTS_DIR = "events"
ROLLED_BACK = "update_rolled_back"
CONFIRMED = "update_confirmed"


def marker(layout: Layout, version: str) -> Path:
    """The file whose presence confirms ``version``."""
    return layout.state / f"confirmed-{version}"


def pending(layout: Layout) -> dict[str, Any] | None:
    """The switch awaiting confirmation, or None."""
    return layout.read_json(PENDING)


def confirm(layout: Layout, version: str, checks: dict[str, bool]) -> bool:
    """Write the confirmation of ``version`` when every check passed and it is the
    version waiting for one; True when written (or already there)."""
    p = pending(layout)
    if p is None or p.get("version") != version or not checks or not all(checks.values()):
        return False
    m = marker(layout, version)
    if not m.exists():
        m.write_text(json.dumps({"at": time.time(), "checks": checks}), encoding="utf-8")
        log.info("version %s confirmed healthy: %s", version, ", ".join(checks))
    return True


def add_event(layout: Layout, kind: str, payload: dict[str, Any]) -> Path:
    """Leave an event for the agent to put into its outbox (the gate runs before the app
    and its database; a file survives a power cut just as well)."""
    d = layout.state / EVENTS_DIR
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    event = {"kind": kind, "payload": payload, "created_at": datetime.now(timezone.utc).isoformat()}
    path = d / f"{uuid.uuid4().hex}.json"
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(event, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)
    return path


def take_events(layout: Layout) -> list[tuple[Path, dict[str, Any]]]:
    """The events the gate left, oldest first (delete each file once it is in the outbox)."""
    d = layout.state / EVENTS_DIR
    out = []
    for path in sorted(d.glob("*.json"), key=lambda p: p.stat().st_mtime) if d.is_dir() else []:
        try:
            out.append((path, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            path.unlink(missing_ok=True)
    return out


def run(layout: Layout, *, now: float | None = None) -> str:
    """One pass of the gate; returns what it did: ``none``, ``confirmed``, ``waiting``,
    ``rolled_back`` or ``kept`` (unconfirmed, but there is no version to go back to)."""
    now = time.time() if now is None else now
    p = pending(layout)
    if p is None:
        return "none"
    version, old = str(p.get("version")), p.get("from")
    if marker(layout, version).exists():
        layout.write_json(PENDING, None)
        gone = layout.prune()
        add_event(layout, CONFIRMED, {"version": version, "from": old, "removed": gone})
        return "confirmed"
    boots = int(p.get("boots", 0)) + 1
    why = None
    if now >= float(p.get("deadline", 0)):
        why = f"not confirmed within the deadline ({boots - 1} starts)"
    elif boots > int(p.get("max_boots", 3)):
        why = f"started {boots - 1} times without a confirmation"
    if why is None:
        layout.write_json(PENDING, {**p, "boots": boots})
        return "waiting"
    if not old:
        # Nothing to go back to (the first install): keep running it, say so.
        layout.write_json(PENDING, None)
        add_event(layout, ROLLED_BACK, {"version": version, "to": None, "reason": why + "; no previous version"})
        return "kept"
    try:
        layout.point(layout.current, str(old))
    except LayoutError as exc:
        log.error("cannot go back to %s: %s", old, exc)
        return "waiting"
    layout.write_json(PENDING, None)
    layout.write_json("failed.json", {"version": version, "reason": why, "at": now})
    shutil.rmtree(layout.version_dir(version), ignore_errors=True)
    add_event(layout, ROLLED_BACK, {"version": version, "to": old, "reason": why})
    log.warning("version %s rolled back to %s: %s", version, old, why)
    return "rolled_back"


def main(argv: list[str] | None = None) -> int:
    """``python -m fleet.update.gate [--prefix /]``: run before the app at every start."""
    ap = argparse.ArgumentParser(prog="python -m fleet.update.gate", description="health gate of a new version")
    ap.add_argument("--prefix", default="/", help="root prefix of /opt/legal-kiosk (tests)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        print(run(Layout(Path(args.prefix))))
    except OSError as exc:
        print(f"update gate: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
