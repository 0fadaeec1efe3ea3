"""Configuration rollout in stages (1 %, 10 %, 50 %, 100 % …), aborting on failures —
the AWS IoT jobs pattern on desired/reported documents."""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

from fleet.center.service import CenterLink


@dataclass
class RolloutResult:
    """What happened to each terminal."""

    applied: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    waiting: list[str] = field(default_factory=list)  # offline: applies on reconnect
    not_sent: list[str] = field(default_factory=list)
    aborted: bool = False


def rollout(
    link: CenterLink,
    targets: list[str],
    config: dict[str, Any],
    stages: list[int],
    *,
    stage_timeout: float = 60.0,
    max_failures: int = 0,
    progress: Callable[[str], None] = print,
) -> RolloutResult:
    """Push ``config`` to ``targets`` stage by stage; stop when more than ``max_failures``
    terminals reject it. Offline terminals keep the retained desired document and apply
    it when they come back (counted as waiting, not as failures)."""
    res = RolloutResult()
    done = 0
    for pct in stages:
        upto = min(len(targets), max(done + 1, math.ceil(len(targets) * pct / 100)))
        batch = targets[done:upto]
        if not batch:
            continue
        versions = {tid: link.push_desired(tid, config) for tid in batch}
        deadline = time.monotonic() + stage_timeout
        pending = set(batch)
        while pending and time.monotonic() < deadline:
            for tid in list(pending):
                row = link.store.terminal(tid) or {}
                rep = row.get("reported") or {}
                if rep.get("desired_version", rep.get("version")) == versions[tid] and rep.get("state") in ("applied", "rejected"):
                    pending.discard(tid)
                    if rep["state"] == "applied":
                        res.applied.append(tid)
                    else:
                        res.rejected[tid] = rep.get("error") or "rejected"
                elif not row.get("online"):
                    pending.discard(tid)
                    res.waiting.append(tid)
            time.sleep(0.1)
        res.waiting.extend(sorted(pending))
        done = upto
        progress(f"{pct:>3}%  {done}/{len(targets)} sent · {len(res.applied)} applied · {len(res.rejected)} rejected · {len(res.waiting)} waiting")
        if len(res.rejected) > max_failures:
            res.aborted = True
            res.not_sent = targets[done:]
            progress(f"aborted: {len(res.rejected)} rejected; {len(res.not_sent)} not sent")
            break
    return res
