"""Several centre workers behind MQTT v5 shared subscriptions, on a real Mosquitto and one
store: every event stored exactly once, the load split between the workers, commands
answered to whichever worker sent them, a worker killed (SIGKILL) mid-stream with
nothing lost, and a worker started late that learns the fleet's presence by itself.

Each worker is its own process (``python -m tests.fleet.shared_worker …``) so that killing
one is a real crash: no DISCONNECT, whatever it had in flight gone with it.
"""

from __future__ import annotations

import glob
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from fleet.broker import Broker, hash_password, new_password
from fleet.center.store import Store
from fleet.center.tables import terminals as terminals_table
from kiosk.outbox import Outbox
from kiosk.store import DB_FILENAME, connect
from tests.fleet.conftest import until
from tests.fleet.test_postgres import pg_url  # noqa: F401  (the throwaway PostgreSQL fixture)
from tests.support import PYTHON, ROOT, kiosk_env


class Worker:
    """A centre worker process (``CenterLink(ingest=True, share_group=…)``) driven over
    its stdin/stdout with one JSON line each way."""

    def __init__(self, broker: str, password: str, db: str, group: str) -> None:
        self.proc = subprocess.Popen([PYTHON, "-m", "tests.fleet.shared_worker", broker, password, db, group],
                                     cwd=ROOT, env=kiosk_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.name = self._read()["ready"]

    def _read(self) -> dict[str, Any]:
        line = self.proc.stdout.readline()  # type: ignore[union-attr]
        assert line, "the worker died"
        return dict(json.loads(line))

    def ask(self, *words: str) -> dict[str, Any]:
        """One request line, its reply."""
        self.proc.stdin.write(" ".join(words) + "\n")  # type: ignore[union-attr]
        self.proc.stdin.flush()  # type: ignore[union-attr]
        return self._read()

    def counts(self) -> dict[str, int]:
        """Messages this worker ingested, per leaf."""
        return dict(self.ask("counts")["counts"])

    def kill(self) -> None:
        """A crash: SIGKILL."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def close(self) -> None:
        """Stop it (or reap it if killed)."""
        if self.proc.poll() is None:
            try:
                self.ask("quit")
            except (AssertionError, OSError, ValueError):
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


@pytest.fixture(params=["sqlite", "postgresql"])
def rig(request, tmp_path: Path):
    """A broker, one store (SQLite, or PostgreSQL as a multi-worker centre would use),
    four terminals with their agents; workers are added by the test (``rig["workers"]``)."""
    from kiosk.bootstrap import build_terminal
    from kiosk.config import FleetSettings, KioskConfig

    if request.param == "postgresql":
        if not PG_BIN or os.geteuid() != 0:
            pytest.skip("needs Debian's postgresql and root")
        db = request.getfixturevalue("pg_url")
    else:
        db = f"sqlite:///{tmp_path / 'center.sqlite3'}"
    store = Store(db)
    center_pw = new_password()
    tag = "S" if request.param == "sqlite" else "P"
    passwords = {f"SH{tag}-{i:02d}": new_password() for i in range(1, 5)}
    for tid, pw in passwords.items():
        store.add_terminal(tid, "共享测试站", hash_password(pw))
    broker = Broker()
    broker.start({"center": hash_password(center_pw), **store.password_hashes()})
    rig: dict[str, Any] = {"store": store, "broker": broker, "db": db, "pw": center_pw, "workers": [], "terminals": {}, "agents": [],
                           "tids": sorted(passwords)}
    try:
        for tid, pw in passwords.items():
            cfg = KioskConfig(terminal_id=tid, fleet=FleetSettings(broker=broker.url, password=pw, telemetry_seconds=1, will_delay_seconds=5))
            rig["terminals"][tid] = build_terminal(cfg, tmp_path / tid, simulate=True, with_devices=False)
        yield rig
    finally:
        for a in rig["agents"]:
            a.close()
        for t in rig["terminals"].values():
            t.close()
        for w in rig["workers"]:
            w.close()
        broker.stop()
        for tid in passwords:  # a PostgreSQL store outlives the test
            store.remove_terminal(tid)
        store.close()


def _undelivered(terminals: dict[str, Any]) -> int:
    n = 0
    for t in terminals.values():
        conn = connect(t.data_dir / DB_FILENAME)
        try:
            n += len(Outbox(conn).pending(10_000))
        finally:
            conn.close()
    return n


def test_two_shared_workers_split_the_load_and_survive_a_kill(rig):
    from fleet.agent import start_agent

    store, terms, tids = rig["store"], rig["terminals"], rig["tids"]

    def rows() -> list[dict[str, Any]]:
        return [r for r in store.terminal_rows() if r["terminal_id"] in tids]

    def events() -> int:
        return sum(store.event_count(tid) for tid in tids)

    a = Worker(rig["broker"].center_url, rig["pw"], rig["db"], "g")
    b = Worker(rig["broker"].center_url, rig["pw"], rig["db"], "g")
    rig["workers"] += [a, b]
    for t in terms.values():
        rig["agents"].append(start_agent(t, t.config.fleet, outbox_poll_seconds=0.2))
    until(lambda: len(rows()) == 4 and all(r["online"] for r in rows()), timeout=20)

    # 1. Events from four terminals: each stored once, both workers doing some of it.
    for i in range(48):
        terms[tids[i % 4]].queue.take(["consultation", "mediation", "legal_aid"][i % 3])
        time.sleep(0.03)
    until(lambda: events() == 48 and _undelivered(terms) == 0, timeout=30)
    time.sleep(2.5)  # a few rounds of telemetry (every second per terminal)
    def history_rows() -> int:
        return sum(len(store.history(tid, 100_000)) for tid in tids)

    h_before = history_rows()
    ca, cb = a.counts(), b.counts()
    h_after = history_rows()
    assert ca.get("events", 0) > 0 and cb.get("events", 0) > 0, (ca, cb)
    assert ca.get("telemetry", 0) > 0 and cb.get("telemetry", 0) > 0, (ca, cb)
    # Shared means split, not copied: the two together saw each telemetry message about
    # once (none twice), unlike two plain subscribers.
    assert h_before - 4 <= ca["telemetry"] + cb["telemetry"] <= h_after, (ca, cb, h_before, h_after)
    # Presence goes to both (retained and few), so either alone knows who is online.
    assert ca.get("status", 0) >= 4 and cb.get("status", 0) >= 4

    # 2. Commands: each worker's replies come back to that worker.
    for w in (a, b):
        for tid in tids:
            res = w.ask("cmd", tid, "ping")
            assert res["ok"] is True and res["result"]["pong"] is True, res

    # 3. A worker crashes mid-stream: the other takes everything, nothing lost or doubled.
    before_b = b.counts().get("events", 0)
    stop = threading.Event()
    taken = [0]

    def keep_taking() -> None:
        while not stop.is_set() and taken[0] < 60:
            terms[tids[taken[0] % 4]].queue.take("consultation")
            taken[0] += 1
            time.sleep(0.05)

    th = threading.Thread(target=keep_taking)
    th.start()
    time.sleep(1.0)
    a.kill()
    th.join(20)
    stop.set()
    assert taken[0] == 60
    # Batches in flight to the dead worker are never acknowledged: the terminals send
    # them again after their ack time-out (15 s) and the survivor stores them once.
    until(lambda: events() == 48 + 60 and _undelivered(terms) == 0, timeout=45)
    assert b.counts()["events"] > before_b
    for tid in tids:
        assert b.ask("cmd", tid, "ping")["ok"] is True
    assert sorted(r["terminal_id"] for r in rows()) == tids

    # 4. A worker started later learns the fleet's presence from the retained status
    # (shared subscriptions get no retained messages; presence is not shared).
    with store.engine.begin() as c:
        c.execute(terminals_table.update().where(terminals_table.c.terminal_id.in_(tids)).values(online=False, session=0))
    c_worker = Worker(rig["broker"].center_url, rig["pw"], rig["db"], "g")
    rig["workers"].append(c_worker)
    until(lambda: all(r["online"] for r in rows()), timeout=15)

