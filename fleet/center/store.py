"""The centre's store (SQLAlchemy Core): SQLite by default, PostgreSQL by URL.

Events are keyed by their id: a second delivery of the same event inserts nothing, so
the centre counts nothing twice whatever the network does.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

import sqlite3

from sqlalchemy import bindparam, create_engine, event, func, select
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError

from fleet import topics
from fleet.center import figures
from fleet.center.tables import (
    aware,
    commands,
    dialect_insert,
    events,
    figure_days,
    ix_events_terminal_time,
    metadata,
    telemetry_history,
    terminals,
    update_reports,
    utcnow,
)
from kiosk.terminal_id import check_terminal_id
from kiosk.files import restrict_umask

log = logging.getLogger(__name__)

# The tables live in tables.py; they stay readable from here for the tests and benches
# that import them by this name.
__all__ = ["Store", "StoreDamaged", "check_sqlite_file", "commands", "events", "faults_of", "figure_days", "metadata",
           "open_engine", "sqlite_marker", "telemetry_history", "terminals", "utcnow"]


def _figure_marks(tid: str, evs: Iterable[Any]) -> set[tuple[str, str]]:
    """The (terminal, day) pairs whose figures these events change."""
    out = set()
    for e in evs:
        if e.kind in figures.KINDS:
            day = figures.figure_day(e.payload)
            if day is None:
                log.warning("figures: %s event %s of %s has no valid day; not counted", e.kind, e.event_id, tid)
            else:
                out.add((tid, day))
    return out


# Why a terminal restarted (kiosk/runjournal.py REASONS); anything else shows as unknown.
RESTART_REASONS = frozenset({"watchdog", "crash", "frozen_screen", "memory", "nightly", "update", "command", "stopped", "unknown"})


class StoreDamaged(Exception):
    """The centre's SQLite file is not a sound database: nothing was changed in it."""


def check_sqlite_file(url: str) -> None:
    """Raise ``StoreDamaged`` when the SQLite file behind ``url`` exists and is damaged.

    Unlike a terminal's store, the centre's holds what cannot be rebuilt (credentials,
    accounts, lawyers' notes): it is never replaced by itself; the operator restores
    a backup or moves the file aside.
    """
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    marker = sqlite_marker(database)
    if not os.path.exists(database):
        if os.path.exists(marker):
            raise StoreDamaged(f"{database}: the file is gone ({os.path.basename(marker)} says it existed;"
                               " remove that marker too to start afresh on purpose)")
        return
    try:
        conn = sqlite3.connect(Path(database).absolute().as_uri() + "?mode=ro", uri=True, timeout=30)
    except sqlite3.Error as exc:
        raise StoreDamaged(f"{database}: cannot open: {exc}") from exc
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return  # another process holds it; the engine will wait its turn
        raise StoreDamaged(f"{database}: {exc}") from exc
    finally:
        conn.close()
    if rows != [("ok",)]:
        raise StoreDamaged(f"{database}: integrity check failed: " + "; ".join(str(r[0]) for r in rows[:3])[:300])
    if "terminals" not in tables and os.path.exists(marker):
        # Emptied: opening it would silently start a centre that knows no terminal.
        raise StoreDamaged(f"{database}: the file is empty or has lost its tables ({os.path.basename(marker)} says it"
                           " held a store; remove that marker too to start afresh on purpose)")


def sqlite_marker(database: str) -> str:
    """The file that says a centre SQLite store existed at ``database``."""
    return database + ".created"


def _mark_sqlite(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not os.path.exists(sqlite_marker(database)):
        with open(sqlite_marker(database), "w", encoding="utf-8") as f:
            f.write(utcnow().isoformat() + "\n")


def open_engine(url: str) -> Engine:
    """An engine for ``url`` with the tables created (idempotent)."""
    if url.startswith("sqlite"):
        check_sqlite_file(url)
        # Created owner-only, with its -wal and -shm (password hashes, phone numbers).
        restrict_umask()
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
    else:
        engine = create_engine(url, pool_size=5, max_overflow=5)
    metadata.create_all(engine)
    ix_events_terminal_time.create(engine, checkfirst=True)  # a store made before it existed
    if url.startswith("sqlite"):
        _mark_sqlite(url)
    return engine


def faults_of(t: topics.Telemetry) -> list[str]:
    """Fault codes from one telemetry message (``printer:paper_out``, ``idcard:absent``)."""
    faults = []
    for d in t.devices:
        if d.state in ("absent", "fault") and d.kind in ("idcard", "printer", "store", "speech") and d.detail != "not configured":
            faults.append(f"{d.kind}:{d.state}")
        if d.paper in ("paper_out", "cover_open", "offline"):
            faults.append(f"{d.kind}:{d.paper}")
    if getattr(t, "config_fallback", ""):
        faults.append("config:fallback")  # its kiosk.toml failed; it runs on the last good one
    return faults


class Store:
    """The fleet's data, read and written in short transactions."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = open_engine(url)

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    # ---- credentials ------------------------------------------------------------
    def add_terminal(self, terminal_id: str, site: str, pw_hash: str) -> None:
        """Register a terminal (replacing its credentials if it exists); ``ValueError``
        if ``terminal_id`` is not a terminal id: it becomes a broker user name and a line
        of the broker's password file."""
        check_terminal_id(terminal_id)
        with self.engine.begin() as c:
            ins = dialect_insert(c, terminals).values(terminal_id=terminal_id, site=site, pw_hash=pw_hash, created_at=utcnow(), faults="[]")
            c.execute(ins.on_conflict_do_update(index_elements=["terminal_id"], set_={"site": site, "pw_hash": pw_hash}))

    def remove_terminal(self, terminal_id: str) -> bool:
        """Forget a terminal's credentials and state; True if it existed."""
        with self.engine.begin() as c:
            c.execute(update_reports.delete().where(update_reports.c.terminal_id == terminal_id))
            return c.execute(terminals.delete().where(terminals.c.terminal_id == terminal_id)).rowcount > 0

    def password_hashes(self) -> dict[str, str]:
        """``{terminal_id: hash}`` for the broker's password file."""
        with self.engine.connect() as c:
            return {r.terminal_id: r.pw_hash for r in c.execute(select(terminals.c.terminal_id, terminals.c.pw_hash))}

    # ---- ingest (one transaction per batch of messages) ------------------------------
    def ingest(self, batch: Iterable[tuple[str, str, Any]]) -> tuple[dict[str, list[str]], set[str]]:
        """Apply a batch of ``(terminal_id, leaf, parsed payload)``; returns the event
        ids stored per terminal (to acknowledge) and the terminals that changed.

        Several centre workers write the same terminal rows (each takes every presence
        message): rows are visited in terminal order, and a transaction PostgreSQL
        aborts as a deadlock or serialisation failure is run again, so a batch is
        never dropped for it (a lost presence is not sent again).
        """
        # A stable sort keeps each terminal's own messages in arrival order.
        items = sorted(batch, key=lambda m: m[0])
        for attempt in range(5):
            try:
                return self._ingest(items)
            except DBAPIError as exc:
                if getattr(exc.orig, "sqlstate", None) not in ("40P01", "40001") or attempt == 4:
                    raise
                log.warning("ingest: %s; trying the batch again", type(exc.orig).__name__)
                time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))
        raise AssertionError("unreachable")

    def _ingest(self, batch: list[tuple[str, str, Any]]) -> tuple[dict[str, list[str]], set[str]]:
        acks: dict[str, list[str]] = {}
        changed: set[str] = set()
        now = utcnow()
        latest_tel: dict[str, Any] = {}  # terminal → its newest telemetry in this batch
        history: list[dict[str, Any]] = []
        seen: set[str] = set()
        marks: set[tuple[str, str]] = set()  # terminal-days whose figures change
        with self.engine.begin() as c:
            known = {r[0] for r in c.execute(select(terminals.c.terminal_id))}
            for tid, leaf, p in batch:
                if tid not in known:
                    continue  # a removed terminal's leftovers
                changed.add(tid)
                if leaf == topics.STATUS:
                    self._status(c, tid, p, now)
                elif leaf == topics.TELEMETRY:
                    latest_tel[tid] = p
                    history.append({"terminal_id": tid, "at": now, "disk_free_mb": p.disk_free_mb, "mem_rss_mb": p.mem_rss_mb,
                                    "tickets_today": p.tickets_today, "waiting": p.waiting, "outbox_pending": p.outbox_pending})
                elif leaf == topics.EVENTS:
                    rows = [
                        {"event_id": e.event_id, "terminal_id": tid, "kind": e.kind, "payload": json.dumps(e.payload, ensure_ascii=False), "created_at": e.created_at, "received_at": now}
                        for e in p.events
                    ]
                    if rows:
                        c.execute(dialect_insert(c, events).values(rows).on_conflict_do_nothing(index_elements=["event_id"]))
                    acks.setdefault(tid, []).extend(e.event_id for e in p.events)
                    marks |= _figure_marks(tid, p.events)
                    seen.add(tid)
                elif leaf == topics.REPORTED:
                    c.execute(terminals.update().where(terminals.c.terminal_id == tid).values(reported=p.model_dump_json(exclude_none=True), last_seen=now))
                elif leaf == topics.UPDATE_REPORTED:
                    row = {"version": p.version, "running": p.running, "state": p.state, "error": p.error, "at": p.at, "received_at": now}
                    c.execute(dialect_insert(c, update_reports).values(terminal_id=tid, **row)
                              .on_conflict_do_update(index_elements=["terminal_id"], set_=row))
            # Telemetry in two statements per batch, however many terminals sent it.
            if history:
                c.execute(telemetry_history.insert(), history)
            if latest_tel:
                c.execute(
                    terminals.update().where(terminals.c.terminal_id == bindparam("tid")).values(
                        telemetry=bindparam("telemetry"), faults=bindparam("faults"), last_seen=bindparam("seen")),
                    [{"tid": tid, "telemetry": t.model_dump_json(exclude_none=True), "faults": json.dumps(faults_of(t)), "seen": now}
                     for tid, t in latest_tel.items()],
                )
            if latest_tel:
                # Telemetry is sent only over a live connection: telemetry of a newer
                # session than the stored one proves the terminal online even when its
                # "online" status was lost (a burst of reconnects overflowing the
                # centre's queue at the broker). Never the same session: that
                # session's last will is the later truth.
                c.execute(
                    terminals.update().where(terminals.c.terminal_id == bindparam("tid"), terminals.c.session < bindparam("s")).values(
                        online=True, session=bindparam("s"), status_at=bindparam("seen")),
                    [{"tid": tid, "s": t.session, "seen": now} for tid, t in latest_tel.items()],
                )
            if marks:
                figures.mark(c, marks)
            seen -= set(latest_tel)
            if seen:
                c.execute(terminals.update().where(terminals.c.terminal_id.in_(sorted(seen))).values(last_seen=now))
        return acks, changed

    @staticmethod
    def _status(c: Connection, tid: str, p: topics.Status, now: datetime) -> None:
        row = c.execute(select(terminals.c.session, terminals.c.online).where(terminals.c.terminal_id == tid)).first()
        session = row.session if row else 0
        # Sparkplug-style: only a message of this connection or a newer one counts; a
        # late last will (older session) never marks a live terminal offline.
        if p.session < session or (p.session == session and p.state == "online" and row is not None and row.online):
            return
        values: dict[str, Any] = {"online": p.state == "online", "session": p.session, "status_at": now}
        if p.state == "online":
            values["last_seen"] = now
        c.execute(terminals.update().where(terminals.c.terminal_id == tid).values(**values))

    # ---- reading ------------------------------------------------------------------
    def terminal_rows(self, site: str | None = None) -> list[dict[str, Any]]:
        """Every terminal as the technician sees it (JSON-ready)."""
        q = select(terminals).order_by(terminals.c.terminal_id)
        if site is not None:
            q = q.where(terminals.c.site == site)
        with self.engine.connect() as c:
            return [self._row(r) for r in c.execute(q)]

    def terminal(self, terminal_id: str) -> dict[str, Any] | None:
        """One terminal, or None."""
        with self.engine.connect() as c:
            r = c.execute(select(terminals).where(terminals.c.terminal_id == terminal_id)).first()
        return self._row(r) if r else None

    @staticmethod
    def _row(r: Any) -> dict[str, Any]:
        tel = json.loads(r.telemetry) if r.telemetry else None
        last_seen = aware(r.last_seen)
        return {
            "terminal_id": r.terminal_id,
            "site": r.site,
            "online": bool(r.online),
            "session": r.session,
            "last_seen": last_seen.isoformat() if last_seen else None,
            "faults": json.loads(r.faults or "[]"),
            "versions": (tel or {}).get("versions", {}),
            "telemetry": tel,
            "reported": json.loads(r.reported) if r.reported else None,
            "desired_version": r.desired_version,
        }

    def history(self, terminal_id: str, limit: int = 500) -> list[dict[str, Any]]:
        """The terminal's recent telemetry figures, oldest first (for the charts)."""
        h = telemetry_history
        q = select(h).where(h.c.terminal_id == terminal_id).order_by(h.c.id.desc()).limit(limit)
        with self.engine.connect() as c:
            rows = list(c.execute(q))
        return [
            {"at": aware(r.at).isoformat(), "disk_free_mb": r.disk_free_mb, "mem_rss_mb": r.mem_rss_mb, "tickets_today": r.tickets_today, "waiting": r.waiting, "outbox_pending": r.outbox_pending}
            for r in reversed(rows)
        ]

    def restarts(self, terminal_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The terminal's recent restarts (``restart`` events), newest first, each field
        checked: what a terminal sends is not trusted (DESIGN.md "Trust")."""
        q = (select(events.c.payload, events.c.created_at).where(events.c.terminal_id == terminal_id, events.c.kind == "restart")
             .order_by(events.c.created_at.desc()).limit(limit))
        with self.engine.connect() as c:
            rows = list(c.execute(q))
        out = []
        for r in rows:
            try:
                p = json.loads(r.payload)
            except ValueError:
                continue
            if not isinstance(p, dict):
                continue
            lost = p.get("lost_s")
            out.append({
                "at": aware(r.created_at).isoformat(),
                "reason": p.get("reason") if p.get("reason") in RESTART_REASONS else "unknown",
                "detail": str(p.get("detail", ""))[:200],
                "lost_s": float(lost) if isinstance(lost, (int, float)) and not isinstance(lost, bool) and 0 <= lost < 1e9 else None,
            })
        return out

    def update_reports(self) -> dict[str, topics.UpdateReported]:
        """Every registered terminal's last word on the release it was sent."""
        q = select(update_reports).join(terminals, terminals.c.terminal_id == update_reports.c.terminal_id)
        with self.engine.connect() as c:
            rows = list(c.execute(q))
        out = {}
        for r in rows:
            try:
                out[r.terminal_id] = topics.UpdateReported(version=r.version, running=r.running, state=r.state, error=r.error, at=aware(r.at))
            except ValueError:
                continue  # stored by an older centre with other states: not shown
        return out

    def event_count(self, terminal_id: str | None = None, kind: str | None = None) -> int:
        """How many distinct events were stored."""
        q = select(func.count()).select_from(events)
        if terminal_id:
            q = q.where(events.c.terminal_id == terminal_id)
        if kind:
            q = q.where(events.c.kind == kind)
        with self.engine.connect() as c:
            return int(c.execute(q).scalar_one())

    # ---- desired configuration and commands ----------------------------------------------
    def set_desired(self, terminal_id: str, config: dict[str, Any]) -> int:
        """Store a new desired document for a terminal; returns its version."""
        with self.engine.begin() as c:
            v = c.execute(select(terminals.c.desired_version).where(terminals.c.terminal_id == terminal_id)).scalar_one() + 1
            c.execute(terminals.update().where(terminals.c.terminal_id == terminal_id).values(desired_version=v, desired=json.dumps(config, ensure_ascii=False)))
        return int(v)

    # The command journal sits on every command's path: its two statements are built
    # once with bind parameters (a third of the time of building them per call).
    _journal_sql: tuple[Any, Any] | None = None

    def _journal_statements(self) -> tuple[Any, Any]:
        if self._journal_sql is None:
            # A retry of the same id (the technician resends) is one command.
            ins = dialect_insert(self.engine, commands).values(
                id=bindparam("j_id"), terminal_id=bindparam("j_tid"), name=bindparam("j_name"), args=bindparam("j_args"),
                sent_at=bindparam("j_at")).on_conflict_do_nothing(index_elements=["id"])
            upd = commands.update().where(commands.c.id == bindparam("j_id")).values(
                finished_at=bindparam("j_at"), ok=bindparam("j_ok"), error=bindparam("j_error"), result=bindparam("j_result"))
            self._journal_sql = (ins, upd)
        return self._journal_sql

    def command_sent(self, cmd_id: str, terminal_id: str, name: str, args: dict[str, Any], at: datetime | None = None) -> None:
        """Journal a command request (sent ``at``, default now)."""
        ins, _ = self._journal_statements()
        with self.engine.begin() as c:
            c.execute(ins, {"j_id": cmd_id, "j_tid": terminal_id, "j_name": name, "j_args": json.dumps(args, ensure_ascii=False), "j_at": at or utcnow()})

    def command_finished(self, cmd_id: str, ok: bool | None, error: str | None, result: dict[str, Any] | None) -> None:
        """Journal a command's reply (or its time-out: ``ok`` None)."""
        slim = {k: v for k, v in (result or {}).items() if k != "png_base64"}
        _, upd = self._journal_statements()
        with self.engine.begin() as c:
            c.execute(upd, {"j_id": cmd_id, "j_at": utcnow(), "j_ok": ok, "j_error": error, "j_result": json.dumps(slim, ensure_ascii=False)})

    def recent_commands(self, terminal_id: str, limit: int = 20) -> list[dict[str, Any]]:
        """The terminal's latest commands and their outcome."""
        q = select(commands).where(commands.c.terminal_id == terminal_id).order_by(commands.c.sent_at.desc()).limit(limit)
        with self.engine.connect() as c:
            return [
                {"id": r.id, "name": r.name, "sent_at": aware(r.sent_at).isoformat(), "ok": r.ok, "error": r.error}
                for r in c.execute(q)
            ]
