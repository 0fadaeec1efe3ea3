"""The centre's store on a real PostgreSQL (a throwaway cluster on a loopback port, run
with Debian's binaries as the postgres user), plus a terminal's events through it."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest

from fleet import topics
from fleet.broker import free_port
from tests.fleet.conftest import Fleet, until

BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
pytestmark = pytest.mark.skipif(not BIN or os.geteuid() != 0, reason="needs Debian's postgresql and root (to run as postgres)")


@pytest.fixture(scope="module")
def pg_url():
    bin_dir = Path(BIN[-1])
    base = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
    os.chmod(base, 0o755)
    data = base / "data"
    shutil.chown(base, "postgres")
    port = free_port()

    def as_pg(*cmd: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True, capture_output=True, timeout=120)

    as_pg(str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "--no-sync")
    as_pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
          "-o", f"-h 127.0.0.1 -p {port} -k {base} -F", "start")
    try:
        as_pg(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "fleet")
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/fleet"
    finally:
        as_pg(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(base, ignore_errors=True)


def test_store_on_postgres(pg_url, tmp_path):
    from fleet.center.store import Store

    store = Store(pg_url)
    try:
        store.add_terminal("P1", "站点", "hash")
        store.add_terminal("P1", "站点二", "hash2")  # upsert
        assert store.password_hashes() == {"P1": "hash2"}
        now = datetime.now(timezone.utc)
        e = topics.Event(event_id="e1", kind="ticket_issued", payload={"n": 1}, created_at=now)
        for _ in range(2):
            store.ingest([("P1", topics.EVENTS, topics.EventBatch(events=[e]))])
        assert store.event_count("P1") == 1
        store.ingest([("P1", topics.STATUS, topics.Status(state="online", session=3))])
        store.ingest([("P1", topics.STATUS, topics.Status(state="offline", session=2))])
        assert store.terminal("P1")["online"]
        store.command_sent("c1", "P1", "ping", {})
        store.command_sent("c1", "P1", "ping", {})
        store.command_finished("c1", True, None, {"pong": True})
        assert store.recent_commands("P1")[0]["ok"] is True
        assert store.set_desired("P1", {"hotline": "1"}) == 1
    finally:
        store.remove_terminal("P1")
        store.close()


def test_fleet_on_postgres(pg_url, tmp_path):
    f = Fleet(tmp_path, db_url=pg_url)
    try:
        t = f.terminal("PG1", telemetry_seconds=1)
        for _ in range(20):
            t.queue.take("consultation")
        f.agent(t)
        until(lambda: f.store.event_count("PG1") == 20)
        until(lambda: f.store.terminal("PG1")["telemetry"] is not None)
        assert f.center.command("PG1", "ping").ok
        until(lambda: t.outbox.count_pending() == 0)
    finally:
        f.close()
