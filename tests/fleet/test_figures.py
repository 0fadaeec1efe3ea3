"""The bureau's figures (fleet/center/figures.py) from a generated month at three sites,
delivered through the centre's real ingest — one terminal's month by its real agent over
a real Mosquitto, the rest as event batches into ``Store.ingest`` — and checked against
figures worked out independently from what was generated (tests/fleet/month.py)."""

from __future__ import annotations

import atexit
import json
import logging
import os
import random
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from fleet import topics
from fleet.broker import hash_password, new_password
from fleet.center import figures
from fleet.center.store import Store
from fleet.center.tables import figure_days
from tests.fleet.conftest import Fleet, until
from tests.fleet.month import FIRST_DAY, SITES, Truth, dump, expected, generate, outbox_events
from tests.fleet.test_postgres import BIN, pg_url  # noqa: F401 — a throwaway PostgreSQL
from tests.support import CST

MQTT_TERMINAL = "HS-XS-0008"  # its month travels through its real agent and Mosquitto
FROM, TO = FIRST_DAY.isoformat(), "2026-10-31"


class Month:
    """The generated month in a centre store."""

    def __init__(self, base: Path, truth: Truth, url: str, duplicates: int) -> None:
        self.base, self.truth, self.url, self.duplicates = base, truth, url, duplicates


def ingest_month(base: Path, truth: Truth, store: Store, skip: tuple[str, ...] = (), batch: int = 200) -> int:
    """Bulk delivery: each terminal's outbox as EventBatch messages into ``Store.ingest``,
    every seventh batch delivered twice (as after a lost acknowledgement). Returns how
    many batches were delivered twice."""
    twice = 0
    for tid in truth.site_of:
        if tid in skip:
            continue
        evs = outbox_events(base, tid)
        for n, i in enumerate(range(0, len(evs), batch)):
            msg = (tid, topics.EVENTS, topics.EventBatch(events=evs[i:i + batch]))
            store.ingest([msg])
            if n % 7 == 3:
                store.ingest([msg])
                twice += 1
    return twice


def build_month(base: Path, url: str | None = None) -> Month:
    """Generate, provision, deliver; the store is left closed at ``url``."""
    truth = generate(base)
    url = url or f"sqlite:///{base / 'center.sqlite3'}"
    fleet = Fleet(base, db_url=url)
    try:
        for tid, site in truth.site_of.items():
            if tid == MQTT_TERMINAL:
                fleet.provision(tid, site)
            else:
                fleet.store.add_terminal(tid, site, hash_password(new_password()))  # never connects
        want = len(outbox_events(base, MQTT_TERMINAL))
        t = fleet.terminal(MQTT_TERMINAL)
        fleet.agent(t, outbox_poll_seconds=0.1)
        twice = ingest_month(base, truth, fleet.store, skip=(MQTT_TERMINAL,))
        until(lambda: fleet.store.event_count(MQTT_TERMINAL) == want, timeout=120)
        until(lambda: t.outbox.count_pending() == 0, timeout=30)
    finally:
        fleet.close()
    return Month(base, truth, url, twice)


_MONTH: list[Month] = []


@pytest.fixture(scope="session")
def month() -> Month:
    """The month, generated once per test run however many modules import this fixture
    (SQLite store; the terminals' stores in RAM when possible: their fsyncs would
    measure the disk, not the figures)."""
    if not _MONTH:
        shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
        base = Path(tempfile.mkdtemp(prefix="kiosk-month-", dir=shm))
        atexit.register(shutil.rmtree, base, True)
        _MONTH.append(build_month(base))
    return _MONTH[0]


@pytest.fixture
def store(month: Month) -> Iterator[Store]:
    s = Store(month.url)
    try:
        yield s
    finally:
        s.close()


KEYS = ("tickets", "by_priority", "called", "wait_median_s", "wait_p90_s", "done", "service_median_s", "no_shows",
        "transfers_out", "ratings", "satisfaction")
OTHER = ("legal_aid", "appointments_booked", "appointments_cancelled", "appointments_checked_in", "video_calls",
         "video_answered", "video_wait_median_s")


def same(got: dict[str, Any], want: dict[str, Any], where: str) -> None:
    for k, v in want.items():
        g = got[k]
        if isinstance(v, float) and g is not None:
            assert g == pytest.approx(v, abs=1e-9), f"{where}: {k} = {g}, expected {v}"
        else:
            assert g == v, f"{where}: {k} = {g}, expected {v}"


def test_generated_month_is_realistic(month: Month) -> None:
    t = month.truth
    assert len(SITES) >= 3 and all(len(v) >= 2 for v in SITES.values())
    visits = list(t.visits.values())
    assert len(visits) > 2000, dump(t)
    assert {v.priority for v in visits} == {"normal", "elderly", "disabled", "military", "appointment"}
    hows = {leg[1] for v in visits for leg in v.legs}
    assert hows == {"done", "no_show", "transfer"}
    assert any(v.first_call is None for v in visits), "some tickets are never called (windows closed)"
    assert {k for _, _, k, _ in t.other} == {"legal_aid_submitted", "appointment_booked", "appointment_cancelled",
                                             "appointment_moved", "appointment_checked_in", "video_call"}
    assert month.duplicates > 0


def test_every_event_stored_once(month: Month, store: Store) -> None:
    n = sum(len(outbox_events(month.base, tid)) for tid in month.truth.site_of if tid != MQTT_TERMINAL)
    conn_count = store.event_count()
    # The MQTT terminal's outbox is delivered (empty now); the rest were sent, some twice.
    assert conn_count >= n and store.event_count(MQTT_TERMINAL) > 300
    assert store.event_count(kind="ticket_issued") == len(month.truth.visits)


def test_site_summaries_match_independent_figures(month: Month, store: Store) -> None:
    rep = figures.report(store.engine, FROM, TO)
    assert rep.sites == sorted(SITES)
    assert rep.terminals == sum(len(v) for v in SITES.values())
    for site in SITES:
        same(rep.get(site), expected(month.truth, FROM, TO, site=site), site)
    same(rep.get(), expected(month.truth, FROM, TO), "all sites")


def test_every_site_day_and_site_service_matches(month: Month, store: Store) -> None:
    rep = figures.report(store.engine, FROM, TO)
    checked = 0
    for site in SITES:
        for d in rep.days:
            same(rep.get(site, d), expected(month.truth, FROM, TO, site=site, day=d), f"{site} {d}")
            checked += 1
        for svc in rep.services:
            want = expected(month.truth, FROM, TO, site=site, service=svc)
            same(rep.get(site, service=svc), want, f"{site} {svc}")
            # and per day × service, the CSV's rows
            for d in rep.days[:5]:
                same(rep.get(site, d, svc), expected(month.truth, FROM, TO, site=site, day=d, service=svc), f"{site} {d} {svc}")
    assert checked >= 3 * 25
    assert "video" in rep.services  # video calls' ratings


def test_a_range_and_one_site(month: Month, store: Store) -> None:
    site = "西塞山区司法所"
    rep = figures.report(store.engine, "2026-10-08", "2026-10-19", site)
    assert rep.sites == [site] and rep.days[0] >= "2026-10-08" and rep.days[-1] <= "2026-10-19"
    same(rep.get(site), expected(month.truth, "2026-10-08", "2026-10-19", site=site), site)
    same(rep.get(), expected(month.truth, "2026-10-08", "2026-10-19", site=site), "total of one site")


def test_duplicate_delivery_and_recomputation_change_nothing(month: Month, tmp_path: Path) -> None:
    # A copy of the store: deliver a whole terminal's month again, then rebuild.
    src = Path(month.url.removeprefix("sqlite:///"))
    dst = tmp_path / "copy.sqlite3"
    shutil.copy(src, dst)
    s = Store(f"sqlite:///{dst}")
    try:
        before = figures.report(s.engine, FROM, TO).get()
        tid = "HS-XL-0002"
        for e in outbox_events(month.base, tid)[:500]:
            s.ingest([(tid, topics.EVENTS, topics.EventBatch(events=[e]))])
        with s.engine.connect() as c:
            assert c.execute(figure_days.select().where(figure_days.c.dirty.is_(True))).first() is not None
        assert figures.report(s.engine, FROM, TO).get() == before
        assert figures.rebuild(s.engine) > 100
        assert figures.report(s.engine, FROM, TO).get() == before
    finally:
        s.close()


def test_malformed_events_are_skipped_with_a_log_line(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    s = Store(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    try:
        s.add_terminal("T1", "测试站", "x")
        at = datetime(2026, 10, 9, 2, 0, tzinfo=timezone.utc)
        d = "2026-10-09"
        good = [
            {"kind": "ticket_issued", "payload": {"day": d, "service": "consultation", "priority": "normal", "number": "A001"}},
            {"kind": "ticket_called", "payload": {"day": d, "service": "consultation", "priority": "normal", "number": "A001", "window": 1, "wait_seconds": 300}},
            {"kind": "ticket_finished", "payload": {"day": d, "service": "consultation", "number": "A001", "window": 1, "state": "done", "service_seconds": 600}},
        ]
        bad = [
            {"kind": "ticket_issued", "payload": {"day": d, "service": "consultation", "priority": "vip", "number": "A002"}},
            {"kind": "ticket_called", "payload": {"day": d, "service": "consultation", "priority": "normal", "number": "A003", "wait_seconds": "soon"}},
            {"kind": "ticket_finished", "payload": {"day": d, "service": "consultation", "number": "A001", "state": "lost"}},
            {"kind": "ticket_finished", "payload": {"day": d, "service": "consultation", "number": "A004", "state": "done", "service_seconds": -5}},
            {"kind": "rating", "payload": {"day": d, "service": "consultation", "score": 9}},
            {"kind": "rating", "payload": {"day": d, "service": "consultation", "score": True}},
            {"kind": "video_call", "payload": {"day": d, "answered": "yes", "wait_s": 3}},
            {"kind": "video_call", "payload": {"day": d, "answered": True, "wait_s": float("nan")}},
            {"kind": "ticket_issued", "payload": {"day": "2026-13-45", "service": "consultation", "priority": "normal", "number": "A005"}},
            {"kind": "ticket_issued", "payload": {"service": "consultation", "priority": "normal", "number": "A006"}},
            {"kind": "ticket_transferred", "payload": {"day": d, "number": ["A001"], "priority": "normal", "from_service": "x", "to_service": "y"}},
        ]
        evs = [topics.Event(event_id=f"e{i}", kind=x["kind"], payload=x["payload"], created_at=at) for i, x in enumerate(good + bad)]
        with caplog.at_level(logging.WARNING):
            s.ingest([("T1", topics.EVENTS, topics.EventBatch(events=evs))])
            rep = figures.report(s.engine, d, d)
        f = rep.get()
        assert (f["tickets"], f["called"], f["done"], f["wait_median_s"], f["service_median_s"], f["ratings"], f["video_calls"]) == (1, 1, 1, 300, 600, 0, 0)
        skipped = [r for r in caplog.records if "malformed" in r.getMessage() or "no valid day" in r.getMessage()]
        assert len(skipped) == len(bad), [r.getMessage() for r in caplog.records]
    finally:
        s.close()


def test_definitions_on_a_small_day() -> None:
    """The definitions of docs/figures.md on a hand-made day: a transfer counts once in
    tickets, its wait is the first call's; no-shows are in waits but not service times."""
    d = "2026-10-09"
    rows = [
        ("1", "ticket_issued", {"day": d, "service": "consultation", "priority": "elderly", "number": "A001"}, "09:00"),
        ("2", "ticket_issued", {"day": d, "service": "consultation", "priority": "normal", "number": "A002"}, "09:01"),
        ("3", "ticket_called", {"day": d, "service": "consultation", "priority": "elderly", "number": "A001", "window": 1, "wait_seconds": 60}, "09:01"),
        ("4", "ticket_transferred", {"day": d, "number": "A001", "priority": "elderly", "from_service": "consultation", "to_service": "mediation", "window": 1, "service_seconds": 120}, "09:03"),
        ("5", "ticket_called", {"day": d, "service": "consultation", "priority": "normal", "number": "A002", "window": 1, "wait_seconds": 180}, "09:04"),
        ("6", "ticket_called", {"day": d, "service": "mediation", "priority": "elderly", "number": "A001", "window": 2, "wait_seconds": 400}, "09:07"),
        ("7", "ticket_finished", {"day": d, "service": "consultation", "number": "A002", "window": 1, "state": "no_show", "service_seconds": 90}, "09:05"),
        ("8", "ticket_finished", {"day": d, "service": "mediation", "number": "A001", "window": 2, "state": "done", "service_seconds": 900}, "09:22"),
    ]
    random.Random(1).shuffle(rows)  # arrival order does not matter
    doc = figures.day_document([(i, k, p, f"{d}T{t}:00+08:00") for i, k, p, t in rows])
    cons, med = doc["cells"]["consultation"], doc["cells"]["mediation"]
    # Two tickets taken for consultation; A001's wait is its first call's (60 s, not 400).
    assert (cons["n"], cons["called"], cons["wait"], cons["tout"]) == ({"elderly": 1, "normal": 1}, 2, [60, 180], 1)
    # A002 was a no-show: in the waits, not in the service times; A001 was done in mediation.
    assert (cons["noshow"], cons["done"], cons["time"]) == (1, 0, [])
    assert (med["n"], med["called"], med["wait"], med["tin"], med["done"], med["time"]) == ({}, 0, [], 1, 1, [900])


def test_percentiles() -> None:
    assert figures.median([]) is None and figures.p90([]) is None
    assert figures.median([1, 2, 3, 10]) == 2.5
    assert figures.p90(list(range(1, 11))) == 9 and figures.p90(list(range(1, 12))) == 10 and figures.p90([7]) == 7


@pytest.mark.skipif(not BIN or os.geteuid() != 0, reason="needs Debian's postgresql and root (to run as postgres)")
def test_figures_on_postgres(month: Month, pg_url: str) -> None:  # noqa: F811
    """The same month on PostgreSQL: every event of the SQLite store re-ingested, the
    figures identical to SQLite's and to the independent ones."""
    from sqlalchemy import select

    from fleet.center.tables import events

    src, dst = Store(month.url), Store(pg_url)
    try:
        for tid, site in month.truth.site_of.items():
            dst.add_terminal(tid, site, "x")
        with src.engine.connect() as c:
            rows = list(c.execute(select(events).order_by(events.c.terminal_id, events.c.created_at)))
        by_tid: dict[str, list[topics.Event]] = {}
        for r in rows:
            at = r.created_at.replace(tzinfo=CST)  # SQLite kept the terminals' wall-clock time
            by_tid.setdefault(r.terminal_id, []).append(topics.Event(event_id=r.event_id, kind=r.kind, payload=json.loads(r.payload), created_at=at))
        for tid, evs in by_tid.items():
            for i in range(0, len(evs), 500):
                dst.ingest([(tid, topics.EVENTS, topics.EventBatch(events=evs[i:i + 500]))])
        pg = figures.report(dst.engine, FROM, TO)
        lite = figures.report(src.engine, FROM, TO)
        assert pg.rows == lite.rows
        same(pg.get(), expected(month.truth, FROM, TO), "all sites on PostgreSQL")
        assert figures.rebuild(dst.engine) > 100 and figures.report(dst.engine, FROM, TO).rows == lite.rows
    finally:
        src.close()
        dst.close()


def test_a_day_is_the_terminals_local_day_from_midnight_to_midnight(tmp_path: Path) -> None:
    """Events just after midnight and just before the next, China time, count on their
    day; the days either side stay apart (the store keeps SQLite's wall-clock times)."""
    s = Store(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    try:
        s.add_terminal("T1", "测试站", "x")
        evs = []
        for i, (d, hh, mm) in enumerate([("2026-10-08", 23, 59), ("2026-10-09", 0, 1), ("2026-10-09", 23, 58), ("2026-10-10", 0, 0)]):
            at = datetime.fromisoformat(f"{d}T{hh:02d}:{mm:02d}:00+08:00")
            p = {"day": d, "service": "consultation", "priority": "normal", "number": f"A{i + 1:03d}"}
            evs.append(topics.Event(event_id=f"e{i}", kind="ticket_issued", payload=p, created_at=at))
        s.ingest([("T1", topics.EVENTS, topics.EventBatch(events=evs))])
        rep = figures.report(s.engine, "2026-10-08", "2026-10-10")
        assert [rep.get(day=d)["tickets"] for d in ("2026-10-08", "2026-10-09", "2026-10-10")] == [1, 2, 1]
    finally:
        s.close()
