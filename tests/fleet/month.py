"""A generated month of activity at several sites, and its figures worked out from what
was generated — never from the centre's aggregation (tests of the bureau's figures).

Each terminal runs the real queue (kiosk.queue.QueueService on its own SQLite store)
under a settable clock through a seeded day: tickets with priority classes taken
through the day, two windows calling, serving, skipping no-shows, transferring; and the
events of ratings, legal-aid applications, appointments and video calls written to the
outbox in the payloads the features send (docs/figures.md). ``Truth`` records what
happened as it happened (who was called when, how each visit ended) in plain Python.
"""

from __future__ import annotations

import heapq
import json
import math
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from kiosk.catalog import load_catalog
from kiosk.outbox import Outbox, add_event
from kiosk.queue import QueueService
from kiosk.store import DB_FILENAME, connect, transaction
from kiosk.tickets import Priority
from tests.support import CST, SettableClock

SITES = {
    "团城山街道公共法律服务工作站": ["HS-XL-0001", "HS-XL-0002", "HS-XL-0003"],
    "西塞山区司法所": ["HS-XS-0007", "HS-XS-0008"],
    "铁山区公共法律服务工作室": ["HS-TS-0003", "HS-TS-0004"],
}
FIRST_DAY = date(2026, 10, 1)
DAYS = 31
SERVICES = {"consultation": 0.45, "legal_aid": 0.15, "mediation": 0.2, "notary": 0.1, "forensic": 0.05, "arbitration": 0.05}
SERVICE_MINUTES = {"consultation": 12, "legal_aid": 22, "mediation": 28, "notary": 15, "forensic": 18, "arbitration": 20}
PRIORITY_WEIGHTS = {"normal": 0.72, "elderly": 0.15, "disabled": 0.06, "military": 0.04, "appointment": 0.03}


@dataclass
class Visit:
    """One ticket's life as it happened."""

    service: str  # as issued
    priority: str
    issued: datetime
    first_call: datetime | None = None
    legs: list[tuple[str, str, float]] = field(default_factory=list)  # (service, done|no_show|transfer, seconds at the window)


@dataclass
class Truth:
    """What was generated, per site and day."""

    site_of: dict[str, str] = field(default_factory=dict)
    visits: dict[tuple[str, str, str], Visit] = field(default_factory=dict)  # (terminal, day, number)
    ratings: list[tuple[str, str, str, int]] = field(default_factory=list)  # (terminal, day, service, score)
    other: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)  # (terminal, day, kind, payload)


def _weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), list(weights.values()))[0]


def _minutes(rng: random.Random, mean: float) -> float:
    return max(0.5, rng.lognormvariate(math.log(mean), 0.5))


def simulate_day(q: QueueService, conn: Any, clock: SettableClock, rng: random.Random, tid: str, day: date, truth: Truth) -> None:
    """One terminal's day through the real queue, recording what happened in ``truth``."""
    d = day.isoformat()
    opening = datetime.combine(day, time(8, 30), CST)
    busy = rng.uniform(0.5, 1.6)
    n = int(rng.randint(8, 30) * busy)
    arrivals = sorted(opening + timedelta(minutes=rng.uniform(0, 480)) for _ in range(n))
    # (time, order, what, data): a heap of things that happen, in time order.
    agenda: list[tuple[datetime, int, str, Any]] = []
    seq = iter(range(10**9))
    for at in arrivals:
        heapq.heappush(agenda, (at, next(seq), "arrive", None))
    windows = (1,) if rng.random() < 0.25 else (1, 2)  # some days one window is unstaffed
    for w in windows:
        heapq.heappush(agenda, (opening + timedelta(minutes=rng.uniform(0, 10)), next(seq), "free", w))
    closing = opening + timedelta(hours=9)
    while agenda:
        at, _, what, data = heapq.heappop(agenda)
        clock._now = at
        if what == "arrive":
            t = q.take(_weighted(rng, SERVICES), Priority(_weighted(rng, PRIORITY_WEIGHTS)))
            truth.visits[(tid, d, t.number)] = Visit(t.service, t.priority.value, t.issued_at)
        elif what == "free":
            if at > closing + timedelta(minutes=30):
                continue  # the windows close; whoever still waits is not called today
            t = q.call_next(data)
            if t is None:
                if at < closing:  # nobody waits: look again in a few minutes
                    heapq.heappush(agenda, (at + timedelta(minutes=rng.uniform(2, 6)), next(seq), "free", data))
                continue
            v = truth.visits[(tid, d, t.number)]
            if v.first_call is None:
                v.first_call = at
            r = rng.random()
            if r < 0.08:
                outcome, took = "no_show", rng.uniform(1, 3)
            elif r < 0.15 and not any(leg[1] == "transfer" for leg in v.legs):
                outcome, took = "transfer", rng.uniform(2, 8)
            else:
                outcome, took = "done", _minutes(rng, SERVICE_MINUTES[t.service])
            heapq.heappush(agenda, (at + timedelta(minutes=took), next(seq), outcome, (data, t.service, at)))
        else:
            window, service, called = data
            if outcome_fn := {"done": q.done, "no_show": q.skip}.get(what):
                t = outcome_fn(window)
            else:
                target = rng.choice([s for s in SERVICES if s != service])
                t = q.transfer(window, target)
            v = truth.visits[(tid, d, t.number)]
            v.legs.append((service, what, round((at - called).total_seconds())))
            if what == "done" and rng.random() < 0.6:
                score = _weighted(rng, {5: 0.55, 4: 0.25, 3: 0.1, 2: 0.06, 1: 0.04})
                _event(conn, "rating", {"day": d, "service": service, "score": score, "reasons": [], "source": "ticket"}, at)
                truth.ratings.append((tid, d, service, score))
            heapq.heappush(agenda, (at + timedelta(seconds=rng.uniform(10, 90)), next(seq), "free", window))
    # The other services of the day, at random times.
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        _other(conn, truth, tid, d, "legal_aid_submitted", {"matter": rng.choice(["wages", "work_injury", "family_support", "traffic"])}, opening, rng)
    for _ in range(rng.randint(0, 3)):
        _other(conn, truth, tid, d, "appointment_booked", {"service": rng.choice(list(SERVICES))}, opening, rng)
    for kind in ("appointment_cancelled", "appointment_moved"):
        for _ in range(rng.choice([0, 0, 1])):
            _other(conn, truth, tid, d, kind, {"service": "consultation", "slot_day": d}, opening, rng)
    for _ in range(rng.randint(0, 2)):
        _other(conn, truth, tid, d, "appointment_checked_in", {"service": rng.choice(list(SERVICES))}, opening, rng)
    for _ in range(rng.randint(0, 3)):
        answered = rng.random() < 0.8
        wait = round(rng.uniform(5, 240) if answered else rng.uniform(60, 600), 1)
        p = {"service": "video", "answered": answered, "wait_s": wait, "duration_s": round(rng.uniform(120, 1500), 1) if answered else 0.0, "recorded": False}
        _other(conn, truth, tid, d, "video_call", p, opening, rng)
        if answered and rng.random() < 0.5:
            score = rng.choice([3, 4, 5, 5])
            _event(conn, "rating", {"day": d, "service": "video", "score": score, "reasons": [], "source": "video"}, opening + timedelta(hours=8))
            truth.ratings.append((tid, d, "video", score))


def _event(conn: Any, kind: str, payload: dict[str, Any], at: datetime) -> None:
    with transaction(conn) as c:
        add_event(c, kind, payload, at)


def _other(conn: Any, truth: Truth, tid: str, d: str, kind: str, payload: dict[str, Any], opening: datetime, rng: random.Random) -> None:
    p = {"day": d, **payload}
    _event(conn, kind, p, opening + timedelta(minutes=rng.uniform(0, 480)))
    truth.other.append((tid, d, kind, p))


def generate(base: Path, seed: int = 20261001, days: int = DAYS) -> Truth:
    """A month for every terminal of ``SITES``; each terminal's store in ``base/<id>/``."""
    catalog = load_catalog()
    truth = Truth()
    for site, tids in SITES.items():
        for tid in tids:
            truth.site_of[tid] = site
            rng = random.Random(f"{seed}-{tid}")
            clock = SettableClock(datetime.combine(FIRST_DAY, time(8, 0), CST))
            conn = connect(base / tid / DB_FILENAME)
            conn.execute("PRAGMA synchronous=OFF")  # test data: no need to survive a power cut
            q = QueueService(conn, catalog, clock)
            for i in range(days):
                day = FIRST_DAY + timedelta(days=i)
                if day.weekday() == 6 or rng.random() < 0.05:
                    continue  # Sundays closed; now and then a terminal has a day off
                simulate_day(q, conn, clock, rng, tid, day, truth)
            conn.close()
    return truth


def outbox_events(base: Path, tid: str) -> list[Any]:
    """Every undelivered event of a terminal, as the fleet message models."""
    from fleet import topics

    conn = connect(base / tid / DB_FILENAME)
    try:
        evs = Outbox(conn).pending(10**7)
    finally:
        conn.close()
    return [topics.Event(event_id=e.event_id, kind=e.kind, payload=e.payload, created_at=e.created_at) for e in evs]


# ---- the figures, from the truth -------------------------------------------------------------

def _median(xs: list[float]) -> float | None:
    return float(statistics.median(xs)) if xs else None


def _p90(xs: list[float]) -> float | None:
    if not xs:
        return None
    s = sorted(xs)
    k = math.ceil(len(s) * 9 / 10)  # nearest rank
    return float(s[k - 1])


def expected(truth: Truth, date_from: str, date_to: str, site: str | None = None, day: str | None = None,
             service: str | None = None) -> dict[str, Any]:
    """The figures of one group, from the generated truth (definitions of docs/figures.md)."""
    def keep(tid: str, d: str) -> bool:
        return date_from <= d <= date_to and (site is None or truth.site_of[tid] == site) and (day is None or d == day)

    tickets: dict[str, int] = defaultdict(int)
    waits, times = [], []
    called = done = noshow = tout = 0
    for (tid, d, _num), v in truth.visits.items():
        if not keep(tid, d):
            continue
        if service is None or v.service == service:
            tickets[v.priority] += 1
            if v.first_call is not None:
                called += 1
                waits.append(round((v.first_call - v.issued).total_seconds()))
        for leg_service, how, secs in v.legs:
            if service is not None and leg_service != service:
                continue
            if how == "done":
                done += 1
                times.append(secs)
            elif how == "no_show":
                noshow += 1
            else:
                tout += 1
    scores = [s for tid, d, svc, s in truth.ratings if keep(tid, d) and (service is None or svc == service)]
    other: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for tid, d, kind, p in truth.other:
        if keep(tid, d):
            other[kind].append(p)
    calls = other["video_call"]
    answered_waits = [round(c["wait_s"]) for c in calls if c["answered"]]  # whole seconds, as documented
    out = {
        "tickets": sum(tickets.values()),
        "by_priority": {p: tickets.get(p, 0) for p in PRIORITY_WEIGHTS},
        "called": called,
        "wait_median_s": _median(waits),
        "wait_p90_s": _p90(waits),
        "done": done,
        "service_median_s": _median(times),
        "no_shows": noshow,
        "transfers_out": tout,
        "ratings": len(scores),
        "satisfaction": (sum(1 for s in scores if s >= 4) / len(scores)) if scores else None,
    }
    if service is None:
        out.update({
            "legal_aid": len(other["legal_aid_submitted"]),
            "appointments_booked": len(other["appointment_booked"]),
            "appointments_cancelled": len(other["appointment_cancelled"]),
            "appointments_moved": len(other["appointment_moved"]),
            "appointments_checked_in": len(other["appointment_checked_in"]),
            "video_calls": len(calls),
            "video_answered": len(answered_waits),
            "video_wait_median_s": _median(answered_waits),
        })
    return out


def dump(truth: Truth) -> str:
    """A short description (for a failing test's message)."""
    return json.dumps({"visits": len(truth.visits), "ratings": len(truth.ratings), "other": len(truth.other)})
