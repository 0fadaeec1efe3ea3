"""A damaged, emptied or vanished store: noticed at start, kept aside, replaced; no
number of the day issued twice, no event owed to the centre lost when it can still be
read, the fault reported to the centre, and never a Python traceback from a command."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from kiosk.config import KioskConfig
from kiosk.i18n import Translator
from kiosk.store import DB_FILENAME
from tests.support import PYTHON, ROOT, kiosk_env, stop_process, wait_for_screen

COUNTERS_FILENAME = "kiosk.counters.json"  # the day's last numbers, next to the store

DAMAGES = ("empty", "truncated", "garbage")


def damaged_copies(data_dir: Path) -> list[Path]:
    """The damaged stores kept aside."""
    return sorted(p for p in data_dir.glob(DB_FILENAME + ".damaged-*") if not p.name.endswith(("-wal", "-shm")))


def kiosk(data_dir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PYTHON, "-m", "kiosk.cli", *args], env=kiosk_env(data_dir), capture_output=True, text=True, timeout=timeout)


def take(data_dir: Path) -> str:
    proc = kiosk(data_dir, "queue", "take", "consultation", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return str(json.loads(proc.stdout)["number"])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir whose store issued A001–A003 (made once, copied by each test)."""
    d = tmp_path_factory.mktemp("served")
    assert [take(d) for _ in range(3)] == ["A001", "A002", "A003"]
    return d


def damage(data_dir: Path, how: str) -> None:
    """Damage the store the way a failing card or a careless hand does."""
    db = data_dir / DB_FILENAME
    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file first
    c.close()
    for suffix in ("-wal", "-shm"):
        (data_dir / (DB_FILENAME + suffix)).unlink(missing_ok=True)
    raw = db.read_bytes()
    if how == "empty":
        db.write_bytes(b"")
    elif how == "truncated":
        db.write_bytes(raw[: len(raw) // 2])
    else:
        db.write_bytes(bytes((i * 37 + 11) % 256 for i in range(8192)))


@pytest.fixture
def damaged(served: Path, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    d = tmp_path / "data"
    shutil.copytree(served, d)
    damage(d, request.param)
    return d


@pytest.mark.parametrize("damaged", DAMAGES, indirect=True)
def test_take_after_damage_continues_the_numbers(damaged: Path) -> None:
    proc = kiosk(damaged, "queue", "take", "consultation", "--json")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 0, proc.stderr
    # Never A001 again: the day's numbers continue after the last one issued.
    assert json.loads(proc.stdout)["number"] == "A004"
    assert "store damaged" in proc.stderr and "moved aside" in proc.stderr
    kept = damaged_copies(damaged)
    assert len(kept) == 1 and kept[0].name.startswith("kiosk.sqlite3.damaged-")
    assert stat.S_IMODE(kept[0].stat().st_mode) == 0o600
    # Found once: the next command works on the new store without a word.
    again = kiosk(damaged, "queue", "take", "consultation", "--json")
    assert again.returncode == 0 and json.loads(again.stdout)["number"] == "A005"
    assert "store damaged" not in again.stderr and len(damaged_copies(damaged)) == 1


@pytest.mark.parametrize("damaged", DAMAGES, indirect=True)
@pytest.mark.parametrize(
    ("args", "codes"),
    [
        (("queue", "status"), {0}),
        (("queue", "call", "--window", "2"), {0, 1}),  # 1: nobody waiting (tickets in lost pages)
        (("queue", "done", "--window", "1"), {1}),  # 1: the window serves nobody
        (("queue", "transfer", "mediation", "--window", "1"), {1}),
        (("announce", "--seconds", "0.5"), {0}),
        (("doctor", "--simulate"), {1}),  # the store was replaced: the technician must look
    ],
)
def test_commands_on_a_damaged_store_say_so_plainly(damaged: Path, args: tuple[str, ...], codes: set[int]) -> None:
    proc = kiosk(damaged, *args)
    out = proc.stdout + proc.stderr
    assert "Traceback" not in out
    assert proc.returncode in codes, out
    assert "store damaged" in out
    assert len(damaged_copies(damaged)) == 1


def test_vanished_store_is_noticed(served: Path, tmp_path: Path) -> None:
    d = tmp_path / "data"
    shutil.copytree(served, d)
    for p in d.glob(DB_FILENAME + "*"):
        p.unlink()
    proc = kiosk(d, "queue", "take", "consultation", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["number"] == "A004"
    assert "database file missing" in proc.stderr


def test_without_counters_no_ticket_is_issued_until_the_technician_resumes(served: Path, tmp_path: Path) -> None:
    d = tmp_path / "data"
    shutil.copytree(served, d)
    damage(d, "garbage")
    (d / COUNTERS_FILENAME).unlink()
    proc = kiosk(d, "queue", "take", "consultation")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1
    assert "numbers are unknown" in proc.stderr
    doctor = kiosk(d, "doctor", "--simulate")
    assert doctor.returncode == 1 and "ticket numbers" in doctor.stdout and "kiosk queue resume" in doctor.stdout
    # The person at the kiosk reads why, in Chinese first.
    assert "暂停取号" in Translator("zh_CN").t("store.numbers_unknown")
    bad = kiosk(d, "queue", "resume", "A57")
    assert bad.returncode == 2 and "PREFIX=LAST" in bad.stderr and "Traceback" not in bad.stderr
    assert kiosk(d, "queue", "resume", "A=3").returncode == 0
    assert take(d) == "A004"


def test_readable_rows_of_a_damaged_store_are_kept(served: Path, tmp_path: Path) -> None:
    """Damage confined to the tickets table: the outbox's undelivered events survive
    into the new store (same ids: the centre counts none twice)."""
    d = tmp_path / "data"
    shutil.copytree(served, d)
    db = d / DB_FILENAME
    c = sqlite3.connect(db)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pending = {r[0] for r in c.execute("SELECT event_id FROM outbox WHERE delivered_at IS NULL")}
    page_size = c.execute("PRAGMA page_size").fetchone()[0]
    root = c.execute("SELECT rootpage FROM sqlite_master WHERE name = 'tickets'").fetchone()[0]
    c.close()
    assert len(pending) == 3
    with db.open("r+b") as f:  # scribble over the tickets table's page
        f.seek((root - 1) * page_size)
        f.write(b"\xff" * page_size)
    proc = kiosk(d, "queue", "take", "consultation", "--json")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assert json.loads(proc.stdout)["number"] == "A004"
    c = sqlite3.connect(db)
    kept = dict(c.execute("SELECT event_id, kind FROM outbox WHERE delivered_at IS NULL").fetchall())
    c.close()
    assert pending <= set(kept)
    # Besides the three owed: the fault for the centre and the new ticket.
    assert sorted(kind for eid, kind in kept.items() if eid not in pending) == ["device_fault", "ticket_issued"]


def test_kiosk_run_on_a_garbage_store_starts(served: Path, tmp_path: Path) -> None:
    d = tmp_path / "data"
    shutil.copytree(served, d)
    damage(d, "garbage")
    proc = subprocess.Popen(
        [PYTHON, "-m", "kiosk.cli", "run", "--simulate"], env=kiosk_env(d), cwd=ROOT,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        wait_for_screen(d, proc)
    finally:
        err = stop_process(proc)
    assert "Traceback" not in err
    assert "store damaged" in err
    assert len(damaged_copies(d)) == 1


def center(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "fleet.center_cli", *args, "--data-dir", str(data_dir)],
        env=kiosk_env(), capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("how", ["truncated", "garbage", "empty"])
def test_centre_refuses_a_damaged_database_plainly(tmp_path: Path, how: str) -> None:
    d = tmp_path / "centre"
    add = center(d, "terminals", "add", "T1", "--site", "测试")
    assert add.returncode == 0, add.stderr
    db = d / "center.sqlite3"
    raw = db.read_bytes()
    db.write_bytes({"truncated": raw[: len(raw) // 3], "garbage": os.urandom(4096), "empty": b""}[how])
    before = db.read_bytes()
    for args in (("serve", "--with-broker", "--http", "127.0.0.1:0"), ("terminals",)):
        proc = center(d, *args)
        assert "Traceback" not in proc.stderr
        assert proc.returncode == 2
        assert "database is damaged" in proc.stderr and "backup" in proc.stderr
    assert db.read_bytes() == before  # nothing written into it


def test_store_fault_reaches_the_centre(tmp_path: Path) -> None:
    if shutil.which("mosquitto") is None and not Path("/usr/sbin/mosquitto").exists():
        pytest.skip("mosquitto is not installed")
    from tests.fleet.conftest import Fleet, until

    from kiosk.bootstrap import build_terminal
    from kiosk.config import FleetSettings

    fleet = Fleet(tmp_path)
    try:
        pw = fleet.provision("S1")
        config = KioskConfig(terminal_id="S1", fleet=FleetSettings(broker=fleet.broker.url, password=pw))
        d = tmp_path / "S1"
        for _ in range(2):
            take(d)
        damage(d, "garbage")
        t = build_terminal(config, d, with_devices=False)
        assert t.store_fault is not None and "file is not a database" in t.store_fault.detail
        fleet.agent(t)
        until(lambda: fleet.store.event_count("S1", "device_fault") == 1)
        from sqlalchemy import select

        from fleet.center.tables import events

        with fleet.store.engine.connect() as c:
            payload = json.loads(c.execute(select(events.c.payload).where(events.c.kind == "device_fault")).scalar_one())
        assert payload["device"] == "store" and "moved aside" in payload["detail"]
        # And on the dashboard, as an alert of that terminal, while this run lasts.
        from fleet.dashboard.server import alerts

        until(lambda: "store:fault" in fleet.store.terminal("S1")["faults"], timeout=15)
        assert "store_damaged" in alerts(fleet.store.terminal("S1"), 5, datetime.now(timezone.utc))
    finally:
        fleet.close()


def test_the_person_at_the_kiosk_is_told_in_chinese(served: Path, tmp_path: Path) -> None:
    """Numbers lost with the store: the visit stays on its screen with a plain
    Chinese notice instead of a ticket that could repeat a number."""
    from kiosk import events as ev
    from kiosk.bootstrap import build_terminal

    d = tmp_path / "data"
    shutil.copytree(served, d)
    damage(d, "garbage")
    (d / COUNTERS_FILENAME).unlink()
    t = build_terminal(KioskConfig(), d, with_devices=False)
    flow = t.flow
    flow.handle(ev.Started())
    flow.handle(ev.ServiceChosen("consultation"))
    flow.handle(ev.MaterialsOpened())
    flow.handle(ev.TicketRequested())
    assert flow.visit.ticket is None
    assert flow.visit.notice_key == "store.numbers_unknown"
    assert "请到窗口取号" in t.translator.t(flow.visit.notice_key)
