"""Ticket issue latency, durable write included, beside a bare durable SQLite insert.

Both write to a SQLite file in WAL mode with ``synchronous=FULL`` (what a power cut
needs), one transaction per ticket, on the same disk in the same run. Goal: p95 under
20 ms for the queue's ``take``.

    python bench/bench_ticket.py [TICKETS]
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kiosk.bootstrap import build_terminal  # noqa: E402
from kiosk.config import KioskConfig  # noqa: E402
from kiosk.tickets import Priority  # noqa: E402

SERVICES = ("consultation", "legal_aid", "mediation", "notary")


def pct(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)]


def bare(path: Path, n: int) -> list[float]:
    """A plain INSERT in its own durable transaction."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, service TEXT, number TEXT, at TEXT)")
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (service, number, at) VALUES (?, ?, datetime('now'))", (SERVICES[i % 4], f"A{i:03d}"))
        conn.execute("COMMIT")
        out.append((time.perf_counter() - t0) * 1000)
    return out


def kiosk(data_dir: Path, n: int) -> list[float]:
    """``QueueService.take``: next number, durable insert, wait estimate."""
    terminal = build_terminal(KioskConfig(), data_dir, with_devices=False)
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        terminal.queue.take(SERVICES[i % 4], Priority.ELDERLY if i % 5 == 0 else Priority.NORMAL)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def main() -> None:
    """Print p50/p95 for both and the ratio."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    with tempfile.TemporaryDirectory() as tmp:
        b = bare(Path(tmp) / "bare.sqlite3", n)
        k = kiosk(Path(tmp) / "kiosk", n)
    print(f"ticket issue, {n} tickets over 4 services (a busy day at one terminal), ms")
    print(f"  bare durable insert   p50 {statistics.median(b):6.2f}   p95 {pct(b, 95):6.2f}")
    print(f"  kiosk queue take      p50 {statistics.median(k):6.2f}   p95 {pct(k, 95):6.2f}  (goal p95 < 20 ms)")
    print(f"  ratio p95 kiosk/bare  {pct(k, 95) / pct(b, 95):.2f}x")


if __name__ == "__main__":
    main()
