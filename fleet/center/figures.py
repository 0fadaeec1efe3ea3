"""Figures for the justice bureau: tickets, waits, service times, no-shows, ratings,
legal aid, appointments, video calls and publicity showings, per site and day (docs/figures.md defines each).

Design. A ticket is known only by its events (issued, called, transferred, finished),
identified per terminal by ``(day, number)``, so the unit of computation is one
terminal's day. ``Store.ingest`` marks the terminal-days its events touch in
``figure_days`` (in the same transaction as the events); ``refresh`` recomputes the marked
ones — one indexed read of that terminal's events, a pass in Python — and stores each
terminal-day's figures as a small JSON document: counts, plus the exact waiting and
service times in whole seconds (so medians and 90th percentiles over any range and any
set of sites are exact, not averages of averages). ``report`` reads those documents for
a date range (``figure_days.day`` is indexed), merges them per site × day × service and
works out the figures. Reading never touches the events table, however many there are.

The same SQL runs on SQLite and PostgreSQL (SQLAlchemy Core, no JSON operators):
percentiles are computed in Python, where both behave alike.
"""

from __future__ import annotations

import json
import logging
import math
import statistics
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Iterator, Mapping

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from fleet.center.tables import dialect_insert, events, figure_days, terminals, utcnow
from kiosk.catalog import load_catalog

log = logging.getLogger(__name__)

CHINA = timezone(timedelta(hours=8))
VERSION = 2  # of the stored per-terminal-day document (``rebuild`` recomputes older ones)

# The event kinds counted, and what their payloads carry (besides "day", the terminal's
# local date, YYYY-MM-DD). Queue events come from kiosk/queue.py; the rest are the
# contract for the legal-aid, appointment, rating and video features (docs/figures.md).
TICKET_ISSUED = "ticket_issued"  # service, priority, number
TICKET_CALLED = "ticket_called"  # service, priority, number, window, wait_seconds
TICKET_TRANSFERRED = "ticket_transferred"  # number, priority, from_service, to_service
TICKET_FINISHED = "ticket_finished"  # service, number, state (done | no_show), service_seconds
RATING = "rating"  # score (1–5), service, reasons, source (kiosk/ratings.py)
LEGAL_AID = "legal_aid_submitted"  # matter, group (kiosk/legal_aid/application.py)
APPOINTMENT_BOOKED = "appointment_booked"  # service, slot_day (kiosk/appointments/desk.py)
APPOINTMENT_CANCELLED = "appointment_cancelled"
APPOINTMENT_MOVED = "appointment_moved"
APPOINTMENT_CHECKED_IN = "appointment_checked_in"
VIDEO_CALL = "video_call"  # service, answered (bool), wait_s, duration_s (kiosk/call.py)
PUBLICITY_PLAYED = "publicity_played"  # item, package (kiosk/publicity/feature.py): one showing of a slide
MAX_PLAYED_ITEMS = 200  # distinct items counted per terminal-day (a package holds at most 200)
FOOTFALL = "footfall"  # hour (0–23), what (approached | engaged | served) (kiosk/presence/feature.py)
MEDIATION = "mediation_session"  # agreement (bool): a party at this site took part (kiosk/mediation/feature.py)
KINDS = (TICKET_ISSUED, TICKET_CALLED, TICKET_TRANSFERRED, TICKET_FINISHED, RATING, LEGAL_AID,
         APPOINTMENT_BOOKED, APPOINTMENT_CANCELLED, APPOINTMENT_MOVED, APPOINTMENT_CHECKED_IN, VIDEO_CALL, PUBLICITY_PLAYED,
         FOOTFALL, MEDIATION)
FOOTFALL_WHAT = ("approached", "engaged", "served")
# Priority classes of kiosk.tickets.Priority ("appointment": checked in for a booking).
PRIORITIES = ("normal", "elderly", "disabled", "military", "appointment")
ALL = "*"  # the key of a total (every site, every day or every service)


class Malformed(ValueError):
    """An event whose payload cannot be counted."""


def figure_day(payload: Any) -> str | None:
    """The terminal-local day of an event payload (``YYYY-MM-DD``), or None."""
    day = payload.get("day") if isinstance(payload, dict) else None
    if not isinstance(day, str) or len(day) != 10:
        return None
    try:
        date.fromisoformat(day)
    except ValueError:
        return None
    return day


# ---- one terminal-day: events → document ---------------------------------------------------

def _text(p: dict[str, Any], key: str, required: bool = True) -> str:
    v = p.get(key)
    if v is None and not required:
        return ""
    if not isinstance(v, str) or not v or len(v) > 64:
        raise Malformed(f"{key}={v!r}")
    return v


def _seconds(p: dict[str, Any], key: str) -> int:
    v = p.get(key)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0 or v > 7 * 86400:
        raise Malformed(f"{key}={v!r}")
    return int(round(v))


def _cell() -> dict[str, Any]:
    # Per service: tickets issued by priority class, first calls and their waits, visits
    # done and their service times, no-shows, transfers out and in, ratings by score.
    return {"n": {}, "called": 0, "wait": [], "done": 0, "time": [], "noshow": 0, "tout": 0, "tin": 0, "rate": [0, 0, 0, 0, 0]}


def day_document(rows: Iterable[tuple[str, str, Any, Any]], where: str = "", ordered: bool = False) -> dict[str, Any]:
    """The figures of one terminal-day from its events ``(event_id, kind, payload,
    created_at)``, each event once, in any order (``ordered``: already in time order).
    Malformed events are skipped and logged."""
    rows = list(rows) if ordered else sorted(rows, key=lambda r: (str(r[3]), r[0]))
    cells: dict[str, dict[str, Any]] = defaultdict(_cell)
    first_called: set[str] = set()
    other: dict[str, Any] = {"legal_aid": 0, "booked": 0, "cancelled": 0, "moved": 0, "checked_in": 0, "video": 0, "answered": 0, "vwait": [],
                             "plays": {}, "foot": {w: [0] * 24 for w in FOOTFALL_WHAT}, "mediation": 0, "agreements": 0}

    def priority(p: dict[str, Any]) -> str:
        v = p.get("priority")
        if v not in PRIORITIES:
            raise Malformed(f"priority={v!r}")
        return str(v)

    for event_id, kind, p, _at in rows:
        try:
            if not isinstance(p, dict):
                raise Malformed("payload is not an object")
            if kind == TICKET_ISSUED:
                _text(p, "number")
                pr, n = priority(p), cells[_text(p, "service")]["n"]
                n[pr] = n.get(pr, 0) + 1
            elif kind == TICKET_CALLED:
                num, svc, wait = _text(p, "number"), _text(p, "service"), _seconds(p, "wait_seconds")
                priority(p)
                if num not in first_called:  # a transferred ticket is called again: its wait counts once
                    first_called.add(num)
                    c = cells[svc]
                    c["called"] += 1
                    c["wait"].append(wait)
            elif kind == TICKET_TRANSFERRED:
                _text(p, "number"), priority(p)
                src, dst = _text(p, "from_service"), _text(p, "to_service")
                cells[src]["tout"] += 1
                cells[dst]["tin"] += 1
            elif kind == TICKET_FINISHED:
                state = p.get("state")
                if state not in ("done", "no_show"):
                    raise Malformed(f"state={state!r}")
                _text(p, "number")
                if state == "done":
                    secs = _seconds(p, "service_seconds")
                    c = cells[_text(p, "service")]
                    c["done"] += 1
                    c["time"].append(secs)
                else:
                    cells[_text(p, "service")]["noshow"] += 1
            elif kind == RATING:
                score = p.get("score")
                if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
                    raise Malformed(f"score={score!r}")
                cells[_text(p, "service", required=False)]["rate"][score - 1] += 1
            elif kind == LEGAL_AID:
                other["legal_aid"] += 1
            elif kind == APPOINTMENT_BOOKED:
                other["booked"] += 1
            elif kind == APPOINTMENT_CANCELLED:
                other["cancelled"] += 1
            elif kind == APPOINTMENT_MOVED:
                other["moved"] += 1
            elif kind == APPOINTMENT_CHECKED_IN:
                other["checked_in"] += 1
            elif kind == MEDIATION:
                agreement = p.get("agreement")
                if not isinstance(agreement, bool):
                    raise Malformed(f"agreement={agreement!r}")
                other["mediation"] += 1
                other["agreements"] += int(agreement)
            elif kind == VIDEO_CALL:
                answered = p.get("answered")
                if not isinstance(answered, bool):
                    raise Malformed(f"answered={answered!r}")
                wait = _seconds(p, "wait_s")
                other["video"] += 1
                if answered:
                    other["answered"] += 1
                    other["vwait"].append(wait)
            elif kind == PUBLICITY_PLAYED:
                plays, item = other["plays"], _text(p, "item")
                if item not in plays and len(plays) >= MAX_PLAYED_ITEMS:
                    raise Malformed("more distinct publicity items in one day than a package holds")
                plays[item] = plays.get(item, 0) + 1
            elif kind == FOOTFALL:
                hour, what = p.get("hour"), p.get("what")
                if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23 or what not in FOOTFALL_WHAT:
                    raise Malformed(f"hour={hour!r} what={what!r}")
                other["foot"][what][hour] += 1
        except Malformed as exc:
            log.warning("figures: skipping malformed %s event %s%s: %s", kind, event_id, where, exc)
    for c in cells.values():
        c["wait"].sort()
        c["time"].sort()
    other["vwait"].sort()
    return {"v": VERSION, "cells": dict(cells), "other": other}


# ---- keeping the documents current -----------------------------------------------------------

def _window(days: Iterable[str], dialect: str) -> tuple[datetime, datetime]:
    # Which stored times can hold events of these local days. SQLite keeps the terminal's
    # wall-clock time as given (SQLAlchemy drops the offset there): the days themselves,
    # with a margin. PostgreSQL keeps true instants: any zone from UTC-14 to UTC+14.
    ds = sorted(days)
    lo = datetime.fromisoformat(ds[0])
    hi = datetime.fromisoformat(ds[-1]) + timedelta(days=1)
    if dialect == "sqlite":
        return lo - timedelta(hours=2), hi + timedelta(hours=2)
    return (lo - timedelta(hours=14)).replace(tzinfo=timezone.utc), (hi + timedelta(hours=14)).replace(tzinfo=timezone.utc)


def _recompute(c: Connection, tid: str, marks: list[tuple[str, int]]) -> int:
    """Recompute ``marks`` ``[(day, gen)]`` of terminal ``tid`` in one read of its events."""
    wanted = {d for d, _ in marks}
    lo, hi = _window(wanted, c.dialect.name)
    # In time order (the first call of a ticket is its earliest), read by the
    # (terminal_id, created_at) index; the times themselves are not needed here.
    q = (select(events.c.event_id, events.c.kind, events.c.payload)
         .where(events.c.terminal_id == tid, events.c.created_at >= lo, events.c.created_at < hi, events.c.kind.in_(KINDS))
         .order_by(events.c.created_at, events.c.event_id))
    by_day: dict[str, list[tuple[str, str, Any, Any]]] = {d: [] for d in wanted}
    for i, r in enumerate(c.execute(q)):
        try:
            p = json.loads(r.payload)
        except ValueError:
            log.warning("figures: skipping %s event %s of %s: payload is not JSON", r.kind, r.event_id, tid)
            continue
        d = figure_day(p)
        if d in by_day:
            by_day[d].append((r.event_id, r.kind, p, i))
    site = c.execute(select(terminals.c.site).where(terminals.c.terminal_id == tid)).scalar()
    now = utcnow()
    for d, gen in marks:
        doc = day_document(by_day[d], f" of {tid} on {d}", ordered=True)
        values: dict[str, Any] = {"figures": json.dumps(doc, separators=(",", ":")), "computed_at": now, "dirty": False}
        if site is not None:
            values["site"] = site
        # Only if no event arrived meanwhile (gen unchanged); else it stays marked.
        c.execute(figure_days.update().where(figure_days.c.terminal_id == tid, figure_days.c.day == d, figure_days.c.gen == gen).values(**values))
    return len(marks)


_refreshing = threading.Lock()


def refresh(engine: Engine, batch: int = 2000) -> int:
    """Recompute every terminal-day marked since the last refresh; returns how many.
    One at a time per process: a request arriving during the background refresh waits
    for it instead of doing the same work beside it."""
    with _refreshing:
        return _refresh(engine, batch)


def _refresh(engine: Engine, batch: int) -> int:
    total = 0
    while True:
        with engine.connect() as c:
            rows = list(c.execute(select(figure_days.c.terminal_id, figure_days.c.day, figure_days.c.gen)
                                  .where(figure_days.c.dirty.is_(True)).order_by(figure_days.c.terminal_id, figure_days.c.day).limit(batch)))
        if not rows:
            return total
        per_tid: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for r in rows:
            per_tid[r.terminal_id].append((r.day, r.gen))
        for tid, marks in per_tid.items():
            # A terminal back after weeks offline: read its events a month at a time.
            marks.sort()
            for i in range(0, len(marks), 31):
                with engine.begin() as c:
                    total += _recompute(c, tid, marks[i:i + 31])
        if len(rows) < batch:
            return total


def rebuild(engine: Engine) -> int:
    """Mark every terminal-day that has events (after an upgrade, or to recompute all),
    then refresh; returns how many terminal-days were computed."""
    marks: set[tuple[str, str]] = set()
    with engine.connect() as c:
        for r in c.execution_options(yield_per=5000).execute(select(events.c.terminal_id, events.c.payload).where(events.c.kind.in_(KINDS))):
            try:
                d = figure_day(json.loads(r.payload))
            except ValueError:
                continue
            if d:
                marks.add((r.terminal_id, d))
    mark(engine, marks)
    return refresh(engine)


def mark(engine_or_conn: Engine | Connection, marks: Iterable[tuple[str, str]]) -> None:
    """Mark terminal-days for recomputation (what ``Store.ingest`` does for new events)."""
    rows = [{"terminal_id": t, "day": d, "site": "", "gen": 1, "dirty": True} for t, d in sorted(set(marks))]
    if not rows:
        return
    if isinstance(engine_or_conn, Engine):
        with engine_or_conn.begin() as c:
            _mark(c, rows)
    else:
        _mark(engine_or_conn, rows)


def _mark(c: Connection, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), 500):
        ins = dialect_insert(c, figure_days).values(rows[i:i + 500])
        c.execute(ins.on_conflict_do_update(index_elements=["terminal_id", "day"], set_={"gen": figure_days.c.gen + 1, "dirty": True}))


# ---- reading: documents → figures ----------------------------------------------------------

def median(values: list[int]) -> float | None:
    """The median of sorted ``values`` (the mean of the middle two when even), or None."""
    return float(statistics.median(values)) if values else None


def p90(values: list[int]) -> float | None:
    """The 90th percentile of sorted ``values``, nearest rank: the smallest value that at
    least 90 % of the values do not exceed."""
    return float(values[math.ceil(0.9 * len(values)) - 1]) if values else None


def _at_ranks(values: list[int], ranks: list[int]) -> list[int]:
    """The values at 0-based ``ranks`` (ascending) of the sorted ``values``. Large groups
    (a fleet's month) are counted, not sorted: whole seconds repeat a lot."""
    if len(values) < 20000:
        s = sorted(values)
        return [s[r] for r in ranks]
    counts = Counter(values)  # counted in C
    out, seen, i = [], 0, 0
    for v in sorted(counts):
        seen += counts[v]
        while i < len(ranks) and ranks[i] < seen:
            out.append(v)
            i += 1
        if i == len(ranks):
            break
    return out


def _median_p90(values: list[int]) -> tuple[float | None, float | None]:
    n = len(values)
    if not n:
        return None, None
    lo, hi, r90 = _at_ranks(values, [(n - 1) // 2, n // 2, math.ceil(0.9 * n) - 1])
    return (lo + hi) / 2, float(r90)


@dataclass
class Acc:
    """Figures being added up for one group (a site-day-service, a site, …)."""

    tickets: dict[str, int] = field(default_factory=dict)  # by priority class
    called: int = 0
    waits: list[int] = field(default_factory=list)
    done: int = 0
    times: list[int] = field(default_factory=list)
    noshow: int = 0
    tout: int = 0
    tin: int = 0
    rate: list[int] = field(default_factory=lambda: [0] * 5)
    legal_aid: int = 0
    booked: int = 0
    cancelled: int = 0
    moved: int = 0
    checked_in: int = 0
    video: int = 0
    answered: int = 0
    vwaits: list[int] = field(default_factory=list)
    plays: dict[str, int] = field(default_factory=dict)  # publicity showings by item id
    # People in front of the terminals, per hour of the day (0–23): approached, engaged, served.
    foot: dict[str, list[int]] = field(default_factory=lambda: {w: [0] * 24 for w in FOOTFALL_WHAT})
    mediation: int = 0
    agreements: int = 0

    def add_cell(self, c: dict[str, Any]) -> None:
        """Add one service's cell of a terminal-day document."""
        t = self.tickets
        for prio, n in c["n"].items():
            t[prio] = t.get(prio, 0) + n
        self.called += c["called"]
        self.waits += c["wait"]
        self.done += c["done"]
        self.times += c["time"]
        self.noshow += c["noshow"]
        self.tout += c["tout"]
        self.tin += c["tin"]
        for i, n in enumerate(c["rate"]):
            self.rate[i] += n

    def add_other(self, o: dict[str, Any]) -> None:
        """Add a terminal-day's figures that belong to no service."""
        self.legal_aid += o["legal_aid"]
        self.booked += o["booked"]
        self.cancelled += o["cancelled"]
        self.moved += o["moved"]
        self.checked_in += o["checked_in"]
        self.video += o["video"]
        self.answered += o["answered"]
        self.vwaits += o["vwait"]
        for item, n in o.get("plays", {}).items():  # documents made before publicity have none
            self.plays[item] = self.plays.get(item, 0) + n
        for what, hours in o.get("foot", {}).items():  # documents stored before footfall have none
            mine = self.foot[what]
            for h, n in enumerate(hours):
                mine[h] += n
        # Documents stored before mediation was counted have no such keys.
        self.mediation += o.get("mediation", 0)
        self.agreements += o.get("agreements", 0)

    def add(self, o: "Acc") -> None:
        """Add another group's figures (spelt out: this runs for every group merged)."""
        t = self.tickets
        for prio, n in o.tickets.items():
            t[prio] = t.get(prio, 0) + n
        self.called += o.called
        self.waits += o.waits
        self.done += o.done
        self.times += o.times
        self.noshow += o.noshow
        self.tout += o.tout
        self.tin += o.tin
        r, q = self.rate, o.rate
        r[0] += q[0]; r[1] += q[1]; r[2] += q[2]; r[3] += q[3]; r[4] += q[4]  # noqa: E702
        self.legal_aid += o.legal_aid
        self.booked += o.booked
        self.cancelled += o.cancelled
        self.moved += o.moved
        self.checked_in += o.checked_in
        self.video += o.video
        self.answered += o.answered
        self.vwaits += o.vwaits
        for item, n in o.plays.items():
            self.plays[item] = self.plays.get(item, 0) + n
        for what, hours in o.foot.items():
            mine = self.foot[what]
            for h, n in enumerate(hours):
                mine[h] += n
        self.mediation += o.mediation
        self.agreements += o.agreements

    def result(self) -> dict[str, Any]:
        """The figures (times in seconds, rates as fractions; None where undefined)."""
        wait_median, wait_p90 = _median_p90(self.waits)
        service_median, service_p90 = _median_p90(self.times)
        tickets = sum(self.tickets.values())
        ratings = sum(self.rate)
        return {
            "tickets": tickets,
            "by_priority": {p: self.tickets.get(p, 0) for p in PRIORITIES},
            "priority_tickets": tickets - self.tickets.get("normal", 0),
            "called": self.called,
            "wait_median_s": wait_median,
            "wait_p90_s": wait_p90,
            "done": self.done,
            "service_median_s": service_median,
            "service_p90_s": service_p90,
            "no_shows": self.noshow,
            "no_show_rate": self.noshow / self.called if self.called else None,
            "transfers_out": self.tout,
            "transfers_in": self.tin,
            "ratings": ratings,
            "ratings_by_score": list(self.rate),
            "rating_mean": sum((i + 1) * n for i, n in enumerate(self.rate)) / ratings if ratings else None,
            "satisfaction": (self.rate[3] + self.rate[4]) / ratings if ratings else None,
            "legal_aid": self.legal_aid,
            "appointments_booked": self.booked,
            "appointments_cancelled": self.cancelled,
            "appointments_moved": self.moved,
            "appointments_checked_in": self.checked_in,
            "video_calls": self.video,
            "video_answered": self.answered,
            "video_unanswered": self.video - self.answered,
            "video_wait_median_s": _median_p90(self.vwaits)[0],
            "publicity_plays": dict(sorted(self.plays.items())),
            "publicity_plays_total": sum(self.plays.values()),
            "footfall_approached": sum(self.foot["approached"]),
            "footfall_engaged": sum(self.foot["engaged"]),
            "footfall_served": sum(self.foot["served"]),
            "footfall_by_hour": {w: list(self.foot[w]) for w in FOOTFALL_WHAT},
            "mediation_sessions": self.mediation,
            "mediation_agreements": self.agreements,
        }


class Groups(Mapping[tuple[str, str, str], dict[str, Any]]):
    """``(site, day, service)`` → figures, each worked out when first read: a page that
    shows per-site and per-day totals never pays for the site × day × service detail."""

    def __init__(self, accs: dict[tuple[str, str, str], Acc]) -> None:
        self._accs = accs
        self._done: dict[tuple[str, str, str], dict[str, Any]] = {}

    def __getitem__(self, key: tuple[str, str, str]) -> dict[str, Any]:
        f = self._done.get(key)
        if f is None:
            f = self._done[key] = self._accs[key].result()
        return f

    def __iter__(self) -> Iterator[tuple[str, str, str]]:
        return iter(self._accs)

    def __len__(self) -> int:
        return len(self._accs)

    def __contains__(self, key: object) -> bool:
        return key in self._accs


@dataclass
class Report:
    """Figures for ``date_from``..``date_to`` (inclusive), per site, day and service.

    ``rows[(site, day, service)]`` holds a figures dict; ``ALL`` in a position is the total
    over it: ``(site, ALL, ALL)`` a site's summary, ``(site, day, ALL)`` a site's day,
    ``(site, ALL, service)`` a site's service over the range, ``(ALL, …)`` every site.
    A service's figures hold the tickets and ratings of that service; legal aid,
    appointments and video calls belong to no service and appear where service is ALL.
    """

    date_from: str
    date_to: str
    site: str | None
    sites: list[str]
    days: list[str]
    services: list[str]
    rows: Mapping[tuple[str, str, str], dict[str, Any]]
    terminals: int = 0  # terminals that sent anything counted in the range

    def get(self, site: str = ALL, day: str = ALL, service: str = ALL) -> dict[str, Any]:
        """One group's figures (an empty group's if nothing happened there)."""
        return self.rows.get((site, day, service)) or _EMPTY

    def to_json(self, keep: Callable[[tuple[str, str, str]], bool] = lambda key: True) -> dict[str, Any]:
        """A JSON-ready form (the dashboard's API), with the groups ``keep`` selects."""
        return {
            "from": self.date_from, "to": self.date_to, "site": self.site, "sites": self.sites, "days": self.days,
            "services": self.services, "terminals": self.terminals,
            "rows": [{"site": k[0], "day": k[1], "service": k[2], **self.rows[k]} for k in self.rows if keep(k)],
        }


_EMPTY = Acc().result()


def _iter_docs(engine: Engine, date_from: str, date_to: str, site: str | None) -> Iterator[tuple[str, str, str, dict[str, Any]]]:
    # The terminal's current site; the one recorded with the figures if it was removed.
    fd, t = figure_days, terminals
    site_col = t.c.site
    q = (select(fd.c.terminal_id, fd.c.day, fd.c.site, site_col.label("now_site"), fd.c.figures)
         .select_from(fd.outerjoin(t, t.c.terminal_id == fd.c.terminal_id))
         .where(fd.c.day >= date_from, fd.c.day <= date_to, fd.c.figures.is_not(None)))
    if site is not None:  # in SQL: the other sites' documents are never read
        q = q.where(func.coalesce(t.c.site, fd.c.site) == site)
    with engine.connect() as c:
        for r in c.execution_options(yield_per=2000).execute(q):
            s = r.now_site if r.now_site is not None else r.site
            doc = json.loads(r.figures)
            if doc.get("v") != VERSION:
                continue  # an older document: ``refresh`` after ``mark`` recomputes it
            yield r.terminal_id, s or "", r.day, doc


def report(engine: Engine, date_from: str | date, date_to: str | date, site: str | None = None, *, fresh: bool = True) -> Report:
    """The bureau's figures for a date range (inclusive), for one site or all.

    ``fresh`` first recomputes terminal-days with new events (cheap when little changed).
    """
    date_from, date_to = str(date_from), str(date_to)
    if fresh:
        refresh(engine)
    # 1. Terminal-day documents into (site, day, service) groups.
    leaf: dict[tuple[str, str, str], Acc] = defaultdict(Acc)
    others: dict[tuple[str, str], Acc] = defaultdict(Acc)
    tids: set[str] = set()
    for tid, s, d, doc in _iter_docs(engine, date_from, date_to, site):
        tids.add(tid)
        for svc, cell in doc["cells"].items():
            leaf[(s, d, svc)].add_cell(cell)
        others[(s, d)].add_other(doc["other"])
    # 2. Totals over each position, from the groups below them (never from documents again).
    groups: dict[tuple[str, str, str], Acc] = dict(leaf)
    site_day: dict[tuple[str, str, str], Acc] = defaultdict(Acc)
    for (s, d, v), a in leaf.items():
        site_day[(s, d, ALL)].add(a)
    for (s, d), o in others.items():
        site_day[(s, d, ALL)].add(o)
    groups.update(site_day)
    derived: dict[tuple[str, str, str], Acc] = defaultdict(Acc)
    for (s, d, v), a in leaf.items():
        derived[(s, ALL, v)].add(a)
        derived[(ALL, ALL, v)].add(a)
    for (s, d, _), a in site_day.items():
        derived[(s, ALL, ALL)].add(a)
        derived[(ALL, d, ALL)].add(a)
    total = Acc()
    for (s, d, v), a in site_day.items():
        total.add(a)
    derived[(ALL, ALL, ALL)] = total
    groups.update(derived)
    rows = Groups(groups)
    sites = sorted({k[0] for k in leaf} | {k[0] for k in others})
    days = sorted({k[1] for k in leaf} | {k[1] for k in others})
    services = sorted({k[2] for k in leaf})
    return Report(date_from, date_to, site, sites, days, services, rows, len(tids))


def default_range(today: date | None = None, days: int = 30) -> tuple[str, str]:
    """The last ``days`` days up to today, China time."""
    today = today or datetime.now(CHINA).date()
    return (today - timedelta(days=days - 1)).isoformat(), today.isoformat()


def service_names(language: str = "zh_CN") -> Callable[[str], str]:
    """A service code's name from the default catalogue (the code itself if unknown)."""
    try:
        names = {s.code: s.name.get(language) for s in load_catalog().services}
    except Exception:  # noqa: BLE001 — a name is a nicety; the code still says it
        names = {}
    unknown = "（未注明服务）" if language.startswith("zh") else "(no service given)"
    return lambda code: names.get(code, code) if code else unknown
