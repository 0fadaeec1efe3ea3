"""Killing ``kiosk queue take`` at random moments never duplicates, reuses or skips a
number, and never loses a ticket whose number was printed."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import time

from tests.support import PYTHON, kiosk_env

ROUNDS = 8
PER_ROUND = 6


def test_sigkill_never_duplicates_or_skips_numbers(data_dir) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(20261127)
    env = kiosk_env(data_dir)
    acknowledged: list[str] = []
    killed = 0
    for _ in range(ROUNDS):
        procs = [
            subprocess.Popen(
                [PYTHON, "-m", "kiosk.cli", "queue", "take", "consultation", "--json"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(PER_ROUND)
        ]
        # Kill some of them somewhere between start-up and the durable write.
        time.sleep(rng.uniform(0.2, 0.9))
        for p in procs:
            if rng.random() < 0.5 and p.poll() is None:
                p.send_signal(signal.SIGKILL)
                killed += 1
        for p in procs:
            out, _ = p.communicate(timeout=60)
            if p.returncode == 0:
                acknowledged.append(json.loads(out)["number"])
    conn = sqlite3.connect(data_dir / "kiosk.sqlite3")
    rows = conn.execute("SELECT seq, number FROM tickets WHERE service = 'consultation' ORDER BY seq").fetchall()
    seqs = [r[0] for r in rows]
    numbers = [r[1] for r in rows]
    assert killed > 0, "the test killed nothing: it proves nothing"
    assert len(set(numbers)) == len(numbers), "a number was issued twice"
    assert seqs == list(range(1, len(seqs) + 1)), "a number was skipped"
    assert len(set(acknowledged)) == len(acknowledged)
    assert set(acknowledged) <= set(numbers), "a printed ticket was lost"
    # The queue keeps working after the crashes.
    out = subprocess.run(
        [PYTHON, "-m", "kiosk.cli", "queue", "take", "consultation", "--json"], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out)["number"] == f"A{len(seqs) + 1:03d}"


LOOP = """
import sys
from pathlib import Path
from kiosk.bootstrap import build_terminal
from kiosk.config import KioskConfig
t = build_terminal(KioskConfig(), Path(sys.argv[1]), with_devices=False)
while True:
    print(t.queue.take("mediation").number, flush=True)
"""


def _issued(data_dir) -> int:  # type: ignore[no-untyped-def]
    """Tickets committed so far (0 before the schema exists)."""
    c = sqlite3.connect(data_dir / "kiosk.sqlite3", timeout=10)
    try:
        return int(c.execute("SELECT COUNT(*) FROM tickets WHERE service = 'mediation'").fetchone()[0])
    except sqlite3.OperationalError:
        return 0
    finally:
        c.close()


def test_sigkill_inside_the_write_loses_nothing_acknowledged(data_dir) -> None:  # type: ignore[no-untyped-def]
    # Processes that do nothing but issue tickets spend most of their life inside the
    # write transaction, so a kill lands mid-write far more often than not.
    rng = random.Random(7)
    env = kiosk_env(data_dir)
    acknowledged: list[str] = []
    for _ in range(6):
        before = _issued(data_dir)
        procs = [subprocess.Popen([PYTHON, "-c", LOOP, str(data_dir)], env=env, stdout=subprocess.PIPE) for _ in range(3)]
        # Kill once they are well into their loops, however slowly a loaded machine
        # starts them (a fixed sleep could kill them before their first ticket).
        deadline = time.monotonic() + 60
        while _issued(data_dir) < before + 15 and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(rng.uniform(0, 0.3))
        for p in procs:
            time.sleep(rng.uniform(0, 0.05))
            p.send_signal(signal.SIGKILL)
        for p in procs:
            out, _ = p.communicate(timeout=30)
            acknowledged += out.decode().split()
    rows = sqlite3.connect(data_dir / "kiosk.sqlite3").execute(
        "SELECT seq, number FROM tickets WHERE service = 'mediation' ORDER BY seq"
    ).fetchall()
    assert len(acknowledged) > 50
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert len(set(acknowledged)) == len(acknowledged)
    assert set(acknowledged) <= {r[1] for r in rows}
