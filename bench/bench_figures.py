"""The bureau's figures at fleet scale (fleet/center/figures.py, docs/figures.md).

A generated month: N terminals (4 per site) × D days × about 100 tickets a day, each
ticket's events in kiosk/queue.py's payloads (issued, called, finished; some
transferred), plus ratings, legal-aid applications, appointments and video calls —
about 300 events per terminal-day. Reports, each beside its baseline in the same run:

- ingest through ``Store.ingest`` in batches of 200 (as agents send them), beside the
  same events under kinds the figures ignore (no terminal-day marked): the cost of
  marking;
- ``refresh`` of the whole month (a first start after an upgrade), per terminal-day,
  and the incremental case: every terminal sends one more batch for today;
- ``report`` of the month for every site and for one site, beside a plain
  ``SELECT COUNT(*)`` over the month's events (what any reading of raw events costs);
- the read path at a fleet of R terminals (default 1,000): the month's documents are
  replicated to R terminals and the report timed again.

    python bench/bench_figures.py [--terminals 100] [--days 30] [--read-terminals 1000] [--db URL]

Times are CPU seconds of this process (``time.process_time``): the store is SQLite in
RAM, so they are the centre's work, steady however busy the machine is with other work.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from fleet import topics  # noqa: E402
from fleet.center import figures  # noqa: E402
from fleet.center.store import Store, events, figure_days  # noqa: E402

CST = timezone(timedelta(hours=8))
SERVICES = ["consultation", "legal_aid", "mediation", "notary", "forensic", "arbitration"]
PRIOS = ["normal"] * 14 + ["elderly"] * 3 + ["disabled", "military"]


def day_events(rng: random.Random, day: date, tickets: int, prefix: str = "") -> list[topics.Event]:
    """One terminal-day of events (payloads as the terminal sends them)."""
    out: list[topics.Event] = []
    d = day.isoformat()
    t0 = datetime.combine(day, datetime.min.time(), CST) + timedelta(hours=8, minutes=30)

    def ev(kind: str, at: datetime, **p: Any) -> None:
        out.append(topics.Event(event_id=uuid.uuid4().hex, kind=prefix + kind, payload={"day": d, **p}, created_at=at))

    for i in range(tickets):
        svc, prio = rng.choice(SERVICES), rng.choice(PRIOS)
        num = f"{'ABCDEF'[SERVICES.index(svc)]}{i + 1:03d}"
        issued = t0 + timedelta(minutes=i * 480 / tickets)
        ev("ticket_issued", issued, service=svc, priority=prio, number=num, issued_at=issued.isoformat())
        wait = rng.randint(30, 2400)
        called = issued + timedelta(seconds=wait)
        ev("ticket_called", called, service=svc, priority=prio, number=num, window=1 + i % 2, wait_seconds=wait)
        took = rng.randint(120, 2400)
        end = called + timedelta(seconds=took)
        r = rng.random()
        if r < 0.07:
            ev("ticket_transferred", end, number=num, priority=prio, from_service=svc, to_service="consultation", window=1, service_seconds=took)
            ev("ticket_called", end + timedelta(seconds=300), service="consultation", priority=prio, number=num, window=2, wait_seconds=wait + took + 300)
            ev("ticket_finished", end + timedelta(seconds=900), service="consultation", number=num, window=2, state="done", service_seconds=600)
        else:
            state = "no_show" if r < 0.15 else "done"
            ev("ticket_finished", end, service=svc, number=num, window=1, state=state, service_seconds=took)
        if r > 0.5:
            ev("rating", end, service=svc, score=rng.choice([5, 5, 5, 4, 4, 3, 2, 1]), reasons=[], source="ticket")
    for _ in range(rng.randint(0, 3)):
        ev("legal_aid_submitted", t0, matter="wages", group=[])
    for _ in range(rng.randint(0, 4)):
        ev(rng.choice(["appointment_booked", "appointment_cancelled", "appointment_checked_in"]), t0, service="consultation", slot_day=d)
    for _ in range(rng.randint(0, 4)):
        ev("video_call", t0, service="video", answered=rng.random() < 0.8, wait_s=rng.uniform(5, 300), duration_s=600.0, recorded=False)
    return out


def ingest(store: Store, tid: str, evs: list[topics.Event]) -> None:
    for i in range(0, len(evs), 200):
        store.ingest([(tid, topics.EVENTS, topics.EventBatch(events=evs[i:i + 200]))])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--terminals", type=int, default=100)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--tickets", type=int, default=100, help="tickets per terminal-day (about 3 events each)")
    ap.add_argument("--read-terminals", type=int, default=1000)
    ap.add_argument("--db", help="store URL (default: a SQLite file in a temporary directory)")
    args = ap.parse_args()
    # In RAM when possible: SQLite's commits would measure this machine's disk.
    tmp = Path(tempfile.mkdtemp(prefix="bench-figures-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None))
    url = args.db or f"sqlite:///{tmp / 'center.sqlite3'}"
    store = Store(url)
    tids = [f"B{i:04d}" for i in range(args.terminals)]
    for i, tid in enumerate(tids):
        store.add_terminal(tid, f"站点{i // 4 + 1:03d}", "x")
    first = date(2026, 10, 1)
    days = [first + timedelta(days=i) for i in range(args.days)]
    rng = random.Random(1)
    res: dict[str, Any] = {"terminals": args.terminals, "days": args.days, "db": url.split(":")[0]}

    # 1. Ingest, and the baseline: the same volume under kinds the figures do not count.
    t_ing = n_ev = 0.0
    for d in days:
        for tid in tids:
            evs = day_events(rng, d, args.tickets)
            n_ev += len(evs)
            t = time.process_time()
            ingest(store, tid, evs)
            t_ing += time.process_time() - t
    base_evs = [(tid, day_events(rng, d, args.tickets, prefix="x_")) for tid in tids[: max(2, args.terminals // 10)] for d in days[:3]]
    n_base = sum(len(e) for _, e in base_evs)
    t = time.process_time()
    for tid, evs in base_evs:
        ingest(store, tid, evs)
    t_base = time.process_time() - t
    res["events"] = int(n_ev)
    res["ingest_events_per_s"] = round(n_ev / t_ing)
    res["ingest_baseline_events_per_s"] = round(n_base / t_base)

    # 2. Refresh: the whole month, then one more batch per terminal for the last day.
    t = time.process_time()
    n_days = figures.refresh(store.engine)
    res["refresh_month_s"] = round(time.process_time() - t, 2)  # CPU s
    res["refresh_month_terminal_days"] = n_days
    res["refresh_ms_per_terminal_day"] = round(1000 * res["refresh_month_s"] / max(1, n_days), 2)
    for tid in tids:
        ingest(store, tid, day_events(rng, days[-1], 5)[:15])
    t = time.process_time()
    n_inc = figures.refresh(store.engine)
    res["refresh_incremental_s"] = round(time.process_time() - t, 2)
    res["refresh_incremental_terminal_days"] = n_inc

    # 3. Reports at this size, beside counting the month's raw events.
    d0, d1 = days[0].isoformat(), days[-1].isoformat()
    t = time.process_time()
    rep = figures.report(store.engine, d0, d1, fresh=False)
    res["report_all_sites_s"] = round(time.process_time() - t, 2)
    t = time.process_time()
    figures.report(store.engine, d0, d1, rep.sites[0], fresh=False)
    res["report_one_site_s"] = round(time.process_time() - t, 2)
    t = time.process_time()
    with store.engine.connect() as c:
        c.execute(select(func.count()).select_from(events)).scalar_one()
    res["baseline_count_events_s"] = round(time.process_time() - t, 2)
    res["tickets_in_report"] = rep.get()["tickets"]

    # 4. The read path at R terminals: replicate the documents.
    if args.read_terminals > args.terminals:
        with store.engine.begin() as c:
            docs = list(c.execute(select(figure_days.c.day, figure_days.c.figures).where(figure_days.c.terminal_id == tids[0])))
            rows = []
            for i in range(args.terminals, args.read_terminals):
                tid = f"R{i:04d}"
                rows += [{"terminal_id": tid, "day": r.day, "site": f"站点{i // 4 + 1:03d}", "gen": 1, "dirty": False, "figures": r.figures} for r in docs]
                if len(rows) > 5000:
                    c.execute(figure_days.insert(), rows)
                    rows = []
            if rows:
                c.execute(figure_days.insert(), rows)
        t = time.process_time()
        big = figures.report(store.engine, d0, d1, fresh=False)
        res[f"report_all_sites_{args.read_terminals}_terminals_s"] = round(time.process_time() - t, 2)
        t = time.process_time()
        figures.report(store.engine, d0, d1, big.sites[-1], fresh=False)
        res[f"report_one_site_{args.read_terminals}_terminals_s"] = round(time.process_time() - t, 2)
        t = time.process_time()
        figures.report(store.engine, days[max(0, len(days) - 7)].isoformat(), d1, fresh=False)
        res[f"report_all_sites_last_week_{args.read_terminals}_terminals_s"] = round(time.process_time() - t, 2)
        res["tickets_in_big_report"] = big.get()["tickets"]
    store.close()
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(res, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
