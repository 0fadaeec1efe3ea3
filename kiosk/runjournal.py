"""Why the kiosk restarted, and how long the terminal was out of service.

A terminal restarts unattended: the watchdog kills a frozen UI, the app crashes, the
attract screen stops changing, the nightly restart, an update, a technician's command.
Each run leaves ``run.json`` in the data directory; whoever ends a run records why
(``end``) — the app itself before a clean exit, or ``kiosk session stopped`` run by
systemd after the unit's process is gone (it knows the watchdog fired, or the exit code).
The next start reads it (no end recorded: the power was cut or the machine reset), keeps
the restart in ``restarts.json`` for the technician and puts a ``restart`` event in the
outbox, which the fleet agent delivers at its next connection.
"""

from __future__ import annotations

import json
import logging
import uuid
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.outbox import add_event
from kiosk.startconfig import write_private
from kiosk.store import DB_FILENAME, connect, transaction

log = logging.getLogger(__name__)

RUN_FILE = "run.json"
RESTARTS_FILE = "restarts.json"
RESTART_KIND = "restart"  # the outbox event
KEEP_RESTARTS = 50

# Why a run ended. "unknown": nothing recorded it (power cut, hard reset, SIGKILL).
REASONS = ("watchdog", "crash", "frozen_screen", "memory", "nightly", "update", "command", "stopped", "unknown")

# systemd's $SERVICE_RESULT (given to ExecStopPost=) → our reason.
_SERVICE_RESULTS = {
    "watchdog": "watchdog",
    "exit-code": "crash",
    "signal": "crash",
    "core-dump": "crash",
    "timeout": "crash",
    "oom-kill": "crash",
    "start-limit-hit": "crash",
    "resources": "crash",
    "protocol": "crash",
    "success": "stopped",
}


@dataclass(frozen=True)
class Restart:
    """One restart as the technician sees it."""

    reason: str
    detail: str
    ended_at: str | None  # when the previous run ended (ISO), if known
    started_at: str  # when this run's attract screen was up again
    lost_s: float | None  # seconds out of service, if known

    def payload(self) -> dict[str, Any]:
        """The outbox event's payload (no personal data: reasons, times, exit codes)."""
        return asdict(self)


def reason_of_service_result(result: str, code: str = "", status: str = "") -> tuple[str, str]:
    """Our reason and a detail for systemd's ``$SERVICE_RESULT``/``$EXIT_CODE``/``$EXIT_STATUS``."""
    reason = _SERVICE_RESULTS.get(result, "crash")
    detail = " ".join(p for p in (result, code, status) if p)
    return reason, detail


class RunJournal:
    """``run.json`` and ``restarts.json`` in ``data_dir``. Every write is atomic (0600)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.run_file = data_dir / RUN_FILE
        self.restarts_file = data_dir / RESTARTS_FILE

    def _read(self, path: Path) -> Any:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # absent, or cut short by a power failure: start afresh

    def _write(self, path: Path, data: Any) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        write_private(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))

    def current(self) -> dict[str, Any] | None:
        """The run record now on disk (None before the first start)."""
        run = self._read(self.run_file)
        return run if isinstance(run, dict) else None

    def begin(self, now: datetime) -> Restart | None:
        """A new run is up (the attract screen shows): record it, and return how the
        previous one ended (None on the very first start). The restart is kept in
        ``restarts.json`` and queued for the centre."""
        prev = self.current()
        self._write(self.run_file, {"run_id": uuid.uuid4().hex, "started_at": now.isoformat(), "alive_at": now.isoformat(), "end": None})
        if prev is None:
            return None
        end = prev.get("end") if isinstance(prev.get("end"), dict) else None
        if end is None:
            reason, detail, ended = "unknown", "no end recorded (power cut, reset or killed)", prev.get("alive_at")
        else:
            reason, detail, ended = str(end.get("reason", "unknown")), str(end.get("detail", "")), end.get("at")
        lost: float | None = None
        try:
            lost = round(max(0.0, (now - datetime.fromisoformat(str(ended))).total_seconds()), 1) if ended else None
        except ValueError:
            ended = None
        restart = Restart(reason if reason in REASONS else "unknown", detail[:200], ended, now.isoformat(), lost)
        history = self.restarts()
        self._write(self.restarts_file, ([asdict(restart)] + history)[:KEEP_RESTARTS])
        try:
            with closing(connect(self.data_dir / DB_FILENAME)) as conn, transaction(conn):
                add_event(conn, RESTART_KIND, restart.payload(), now)
        except Exception:  # noqa: BLE001 — a broken store must not stop the kiosk from starting
            log.exception("cannot queue the restart event")
        log.warning("restarted: %s (%s); out of service %s s", restart.reason, restart.detail, restart.lost_s)
        return restart

    def alive(self, now: datetime) -> None:
        """The run is still healthy now (the time lost is counted from the last of these
        when nothing recorded the end)."""
        run = self.current()
        if run is None or run.get("end") is not None:
            return
        run["alive_at"] = now.isoformat()
        self._write(self.run_file, run)

    def end(self, reason: str, detail: str, now: datetime) -> bool:
        """Record why this run ends, unless something already did (the first reason
        wins: a frozen screen the app noticed stays the reason when the watchdog then
        fires). True when recorded."""
        if reason not in REASONS:
            raise ValueError(f"unknown end reason {reason!r}")
        run = self.current() or {"run_id": uuid.uuid4().hex, "started_at": None, "alive_at": None}
        if run.get("end") is not None:
            return False
        run["end"] = {"reason": reason, "detail": detail[:200], "at": now.isoformat()}
        self._write(self.run_file, run)
        return True

    def restarts(self) -> list[dict[str, Any]]:
        """Recent restarts, newest first."""
        data = self._read(self.restarts_file)
        return [r for r in data if isinstance(r, dict)] if isinstance(data, list) else []
