"""Rolling a release out in waves (1 %, 10 %, 50 %, 100 % …): each wave gets the
retained ``update/desired``; the next wave starts only while the failure rate of the
terminals sent so far stays under the threshold. Terminals report on their retained
``update/reported``, so the status survives restarts of the centre and of the command.

The rollout's own record (targets, waves, what was sent, halted or not) is
``<data>/updates/rollouts/<VERSION>.json``; ``release halt`` marks it and withdraws the
release from every terminal that has not switched yet.
"""

from __future__ import annotations

import json
import math
import os
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from fleet import topics
from fleet.center.service import CenterLink
from fleet.update.layout import VERSION_RE as VERSION_FILE, check_version

FINAL = ("confirmed", "rolled_back", "refused")
FAILED = ("rolled_back", "refused")
# How the dashboard groups a terminal's state in a rollout's progress bars: switched and
# waiting for its health check (updated), confirmed, rolled back by the gate, refused
# (failed), and everything not final yet or not sent (pending).
CATEGORIES = ("confirmed", "updated", "rolled_back", "failed", "pending")
_CATEGORY = {"confirmed": "confirmed", "switched": "updated", "rolled_back": "rolled_back", "refused": "failed"}


class Reports:
    """The retained ``update/reported`` of every terminal, kept current by the link."""

    def __init__(self, link: CenterLink) -> None:
        self._lock = threading.Lock()
        self.by_terminal: dict[str, topics.UpdateReported] = {}
        link.on_message(topics.UPDATE_REPORTED, self._on)

    def _on(self, terminal_id: str, payload: bytes) -> None:
        if not payload:
            return
        try:
            rep = topics.UpdateReported.from_bytes(payload)
        except ValueError:
            return  # a terminal's word is hostile until validated: ignore what does not parse
        with self._lock:
            self.by_terminal[terminal_id] = rep

    def of(self, version: str) -> dict[str, topics.UpdateReported]:
        """Reports about ``version`` (or from terminals already running it)."""
        with self._lock:
            return {t: r for t, r in self.by_terminal.items() if r.version == version or r.running == version}


def record_path(updates_dir: Path, version: str) -> Path:
    """Where the rollout of ``version`` is recorded."""
    return updates_dir / "rollouts" / f"{check_version(version)}.json"


def read_record(updates_dir: Path, version: str) -> dict[str, Any] | None:
    """The rollout record of ``version``, or None."""
    try:
        return dict(json.loads(record_path(updates_dir, version).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return None


def write_record(updates_dir: Path, doc: dict[str, Any]) -> None:
    """Replace the rollout record atomically."""
    path = record_path(updates_dir, doc["version"])
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, path)


def summary(version: str, targets: list[str], reports: dict[str, topics.UpdateReported]) -> dict[str, Any]:
    """Counts per state for ``targets`` and each terminal's last word."""
    per: dict[str, dict[str, Any]] = {}
    counts: dict[str, int] = {}
    for tid in targets:
        r = reports.get(tid)
        state = "confirmed" if r is not None and r.running == version and r.state != "rolled_back" else (r.state if r else "no_report")
        counts[state] = counts.get(state, 0) + 1
        per[tid] = {"state": state, "error": r.error if r else None}
    return {"counts": counts, "terminals": per}


def rollout(
    link: CenterLink,
    updates_dir: Path,
    version: str,
    targets: list[str],
    waves: list[int],
    *,
    halt_pct: float,
    wave_timeout: float,
    progress: Callable[[str], None] = print,
    reports: Reports | None = None,
) -> dict[str, Any]:
    """Run the rollout wave by wave; returns its final record."""
    reports = reports or Reports(link)
    doc = read_record(updates_dir, version) or {}
    doc.update(version=version, targets=targets, waves=waves, halt_pct=halt_pct, state="running",
               rollout=doc.get("rollout") or uuid.uuid4().hex[:12], sent=list(doc.get("sent", [])))
    write_record(updates_dir, doc)
    for pct in waves:
        current = read_record(updates_dir, version) or doc
        if current.get("state") == "halted":
            progress("halted from elsewhere; no more waves")
            return current
        upto = min(len(targets), max(len(doc["sent"]) + 1, math.ceil(len(targets) * pct / 100)))
        batch = [t for t in targets[:upto] if t not in doc["sent"]]
        desired = topics.UpdateDesired(version=version, rollout=doc["rollout"], at=datetime.now(timezone.utc)).to_bytes()
        for tid in batch:
            link.send(tid, topics.UPDATE_DESIRED, desired, retain=True)
        doc["sent"] += batch
        write_record(updates_dir, doc)
        deadline = time.monotonic() + wave_timeout
        while time.monotonic() < deadline:
            s = summary(version, doc["sent"], reports.of(version))
            if all(v["state"] in FINAL for v in s["terminals"].values()):
                break
            time.sleep(0.1)
        s = summary(version, doc["sent"], reports.of(version))
        failed = sum(n for st, n in s["counts"].items() if st in FAILED)
        rate = 100.0 * failed / max(1, len(doc["sent"]))
        progress(f"{pct:>3}%  {len(doc['sent'])}/{len(targets)} sent · " + " · ".join(f"{n} {st}" for st, n in sorted(s["counts"].items())))
        if failed and rate >= halt_pct:
            doc["state"] = "halted"
            doc["halt_reason"] = f"{failed} of {len(doc['sent'])} failed ({rate:.0f} % ≥ {halt_pct:g} %)"
            # The same, as figures: the dashboard says it in the technician's language.
            doc["halt"] = {"why": "failures", "failed": failed, "sent": len(doc["sent"]), "rate": round(rate, 1), "threshold": halt_pct}
            write_record(updates_dir, doc)
            withdraw(link, version, doc["sent"], reports)
            progress(f"halted: {doc['halt_reason']}; {len(targets) - len(doc['sent'])} not sent")
            return doc
    doc["state"] = "done"
    write_record(updates_dir, doc)
    return doc


def withdraw(link: CenterLink, version: str, sent: list[str], reports: Reports) -> list[str]:
    """Clear the retained desired release of terminals that have not switched to it."""
    have = reports.of(version)
    gone = []
    for tid in sent:
        r = have.get(tid)
        if r is None or r.state not in ("switched", "confirmed"):
            link.send(tid, topics.UPDATE_DESIRED, b"", retain=True)
            gone.append(tid)
    return gone


def wave_bounds(n: int, waves: list[int]) -> list[int]:
    """Where each wave of a rollout to ``n`` terminals ends (as ``rollout`` cuts them
    when every wave goes out: at least one terminal per wave)."""
    out, done = [], 0
    for pct in waves:
        done = min(n, max(done + 1, math.ceil(n * pct / 100)))
        out.append(done)
    return out


def records(updates_dir: Path) -> list[dict[str, Any]]:
    """Every rollout record, the newest first."""
    folder = updates_dir / "rollouts"
    paths = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.is_dir() else []
    out = []
    for path in paths:
        doc = read_record(updates_dir, path.stem) if VERSION_FILE.fullmatch(path.stem) else None
        if doc is not None:
            doc["updated_at"] = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).isoformat()
            out.append(doc)
    return out


def progress(record: dict[str, Any], reports: dict[str, topics.UpdateReported]) -> dict[str, Any]:
    """One rollout as the dashboard draws it: totals and each wave's counts per
    category, halted or not and why, and the terminals that failed with their reason."""
    version = str(record["version"])
    targets = [str(t) for t in record.get("targets", [])]
    sent = set(record.get("sent", []))
    about = {t: r for t, r in reports.items() if r.version == version or r.running == version}
    per = summary(version, targets, about)["terminals"]

    def category(tid: str) -> str:
        return _CATEGORY.get(per[tid]["state"], "pending") if tid in sent else "pending"

    def counts(tids: list[str]) -> dict[str, int]:
        c = dict.fromkeys(CATEGORIES, 0)
        for tid in tids:
            c[category(tid)] += 1
        return c

    waves, start = [], 0
    for pct, end in zip(record.get("waves", [100]), wave_bounds(len(targets), list(record.get("waves", [100])))):
        batch = targets[start:end]
        start = end
        if not batch:
            continue  # a wave that a small fleet leaves empty (1 % of 3) is not drawn
        waves.append({"pct": pct, "size": len(batch), "sent": bool(batch) and all(t in sent for t in batch), "counts": counts(batch)})
    failed = [{"terminal_id": t, "state": per[t]["state"], "error": per[t]["error"]} for t in targets
              if t in sent and category(t) in ("failed", "rolled_back")]
    return {"version": version, "state": record.get("state", "running"), "halt_reason": record.get("halt_reason"), "halt": record.get("halt"),
            "halt_pct": record.get("halt_pct"), "targets": len(targets), "sent": len(sent & set(targets)),
            "counts": counts(targets), "waves": waves, "failed": failed[:200], "updated_at": record.get("updated_at")}
