"""Start-up check of the terminal's store, and what happens when it is damaged.

A terminal's SQLite file can be truncated by a failing SD card, overwritten, or emptied
by hand. Opening such a file blindly either gives a Python traceback (``file is not a
database``) or — for an emptied file — silently makes a fresh store that issues ticket
A001 again and has forgotten the events still owed to the centre. So, at start:

1. ``PRAGMA quick_check`` on the file, and a look for its tables. A file that is
   missing, empty or without tables counts as damaged only when the counters file
   (``kiosk.counters.json``, written next to it once a store exists) says a store was
   there: a new terminal starts empty as before.
2. A damaged file (with its ``-wal``/``-shm``) is moved aside, never deleted:
   ``kiosk.sqlite3.damaged-<UTC timestamp>``, 0600, for the technician.
3. A fresh store is made, and whatever rows of the damaged file can still be read are
   copied into it (tickets, undelivered events, drafts…).
4. The day's ticket numbers continue after the highest ever issued: the counters file
   keeps, per day and prefix, the last number issued (written after each ticket's
   commit). Without a readable counters file no ticket is issued for the rest of that
   day (a clear message at the kiosk and for the technician) — a number is never
   issued twice.
5. The fault is logged and sent to the centre as a ``device_fault`` event of the
   device ``store``, so the technician sees it on the dashboard.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

from kiosk.errors import KioskError
from kiosk.files import private_dir, private_file, write_private
from kiosk.outbox import add_event
from kiosk.store import DB_FILENAME, connect, transaction

log = logging.getLogger(__name__)

COUNTERS_FILENAME = "kiosk.counters.json"
LOCK_FILENAME = "kiosk.counters.lock"
DAMAGED_INFIX = ".damaged-"
BLOCKED_PREFIX = "*"  # ticket_floors row: this day's numbers are unknown
_KEEP_DAYS = 7  # days of counters kept in the file (a store is never older news)
# SQLite's primary result codes that mean "this file is not a sound database".
_DAMAGE_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB


class StoreError(KioskError):
    """The store cannot be opened (locked for too long, unreadable, no space…)."""

    message_key = "store.unavailable"


@dataclass(frozen=True)
class StoreFault:
    """A damaged store found at start and replaced."""

    reason: str  # technician-facing: what was wrong
    moved_to: Path | None  # where the damaged file now is (None: there was no file)
    salvaged: dict[str, int] = field(default_factory=dict)  # table -> rows copied
    numbers_recovered: bool = True  # False: no ticket is issued for the rest of today

    @property
    def detail(self) -> str:
        """One line for the technician (log, ``doctor``, the centre's event)."""
        where = f"moved aside to {self.moved_to.name}" if self.moved_to else "the file was gone"
        rows = ", ".join(f"{t} {n}" for t, n in sorted(self.salvaged.items()) if n) or "nothing"
        numbers = (
            "ticket numbers continue after the last issued"
            if self.numbers_recovered
            else "today's ticket numbers are unknown: no tickets until tomorrow or `kiosk queue resume PREFIX=LAST…`"
        )
        return f"store damaged ({self.reason}); {where}; rows recovered: {rows}; {numbers}"

    @property
    def summary(self) -> str:
        """At most 200 characters for the centre's event (its detail field's limit)."""
        where = f"moved aside to {self.moved_to.name}" if self.moved_to else "file gone"
        numbers = "numbers continue" if self.numbers_recovered else "numbers unknown: tickets stopped today"
        return f"store damaged ({self.reason[:80]}); {where}; {numbers}"[:200]


# ---- the counters file ----------------------------------------------------------------


@contextmanager
def _locked(data_dir: Path) -> Iterator[None]:
    # One process at a time checks/recovers the store or rewrites the counters file.
    private_dir(data_dir)
    fd = os.open(data_dir / LOCK_FILENAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def read_counters(data_dir: Path) -> dict[str, dict[str, int]] | None:
    """``{day: {prefix: last number}}`` from the counters file; None when absent or unreadable."""
    try:
        doc = json.loads((data_dir / COUNTERS_FILENAME).read_text(encoding="utf-8"))
        days = doc["days"]
        return {str(d): {str(p): int(n) for p, n in v.items()} for d, v in days.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _write_counters(data_dir: Path, days: dict[str, dict[str, int]]) -> None:
    keep = sorted(days)[-_KEEP_DAYS:]
    write_private(data_dir / COUNTERS_FILENAME, json.dumps({"version": 1, "days": {d: days[d] for d in keep}}, sort_keys=True))


def _merge(into: dict[str, dict[str, int]], more: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    for day, prefixes in more.items():
        slot = into.setdefault(day, {})
        for prefix, last in prefixes.items():
            slot[prefix] = max(slot.get(prefix, 0), last)
    return into


def _counters_in(conn: sqlite3.Connection, since: str) -> dict[str, dict[str, int]]:
    # The highest number per day and prefix the store has issued (transferred tickets
    # included: their number keeps the prefix it was issued under).
    out: dict[str, dict[str, int]] = {}
    for day, number in conn.execute("SELECT day, number FROM tickets WHERE day >= ?", (since,)):
        try:
            prefix, n = str(number)[:1], int(str(number)[1:])
        except ValueError:
            continue
        _merge(out, {str(day): {prefix: n}})
    return out


def note_issued(conn: sqlite3.Connection, day: str, prefix: str, last: int) -> None:
    """Record in the counters file that ``prefix + last`` was issued on ``day``.

    Called after the ticket's commit, so a crash before it skips no number; the file
    only ever grows (max-merge under a lock), whatever order processes write in.
    """
    row = conn.execute("PRAGMA database_list").fetchone()
    if not row or not row[2]:
        return  # an in-memory store (tests): nothing to survive
    data_dir = Path(row[2]).parent
    try:
        with _locked(data_dir):
            days = read_counters(data_dir) or {}
            if days.get(day, {}).get(prefix, 0) < last:
                _write_counters(data_dir, _merge(days, {day: {prefix: last}}))
    except OSError as exc:
        # The ticket is issued and durable; only the safety net missed one write.
        log.warning("counters file not updated: %s", exc)


# ---- the check ------------------------------------------------------------------------


def _uri(path: Path, query: str) -> str:
    # as_uri() percent-encodes: a data dir with "?" or "#" in its name stays one path.
    return f"{path.absolute().as_uri()}?{query}"


def _damage(path: Path, marker: Path) -> str | None:
    """Why the store at ``path`` is damaged, or None when it is sound (or new)."""
    if not path.exists():
        return "database file missing" if marker.exists() else None
    try:
        conn = sqlite3.connect(_uri(path, "mode=rw"), uri=True, timeout=30.0)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the store: {exc}") from exc
    try:
        conn.execute("PRAGMA busy_timeout=30000")
        rows = conn.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            return "quick_check: " + "; ".join(str(r[0]) for r in rows[:3])[:300]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"tickets", "outbox"} <= tables and marker.exists():
            return "database file empty" if path.stat().st_size == 0 else "store tables missing"
        return None
    except sqlite3.DatabaseError as exc:
        if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF in _DAMAGE_CODES:
            return str(exc)
        raise StoreError(f"{path}: cannot read the store: {exc}") from exc
    finally:
        conn.close()


def _move_aside(path: Path, now: datetime) -> Path | None:
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    dest = path.with_name(f"{path.name}{DAMAGED_INFIX}{stamp}")
    n = 1
    while dest.exists():
        n += 1
        dest = path.with_name(f"{path.name}{DAMAGED_INFIX}{stamp}-{n}")
    moved = None
    for suffix in ("", "-wal", "-shm"):
        src = path.with_name(path.name + suffix)
        if src.exists():
            target = dest.with_name(dest.name + suffix)
            os.replace(src, target)
            private_file(target)
            if not suffix:
                moved = target
    return moved


def _salvage(damaged: Path, conn: sqlite3.Connection) -> dict[str, int]:
    """Copy every row still readable from ``damaged`` into ``conn``'s store."""
    copied: dict[str, int] = {}
    try:
        # immutable: read the damaged copy as it is, never write to it.
        src = sqlite3.connect(_uri(damaged, "immutable=1"), uri=True)
    except sqlite3.Error:
        return copied
    try:
        try:
            tables = src.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND sql IS NOT NULL"
            ).fetchall()
        except sqlite3.Error:
            return copied
        for name, sql in tables:
            copied[name] = _copy_table(src, conn, name, sql)
    finally:
        src.close()
    return copied


def _copy_table(src: sqlite3.Connection, dst: sqlite3.Connection, name: str, sql: str) -> int:
    quoted = '"' + name.replace('"', '""') + '"'
    n = 0
    try:
        exists = dst.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
        if not exists:
            # A feature's table (legal aid, ratings…): made as the damaged store had it;
            # the feature's own "CREATE TABLE IF NOT EXISTS" then finds it.
            dst.execute(sql)
        cur = src.execute(f"SELECT * FROM {quoted}")
        cols = ",".join('"' + d[0].replace('"', '""') + '"' for d in cur.description)
        marks = ",".join("?" * len(cur.description))
        with transaction(dst):
            while True:
                try:
                    rows = cur.fetchmany(500)
                except sqlite3.Error:
                    break  # the rest of this table is in damaged pages
                if not rows:
                    break
                for r in rows:
                    n += dst.execute(f"INSERT OR IGNORE INTO {quoted} ({cols}) VALUES ({marks})", r).rowcount
    except sqlite3.Error as exc:
        log.warning("store recovery: table %s not copied: %s", name, exc)
    return n


def open_store(data_dir: Path, now: datetime) -> tuple[sqlite3.Connection, StoreFault | None]:
    """Open the terminal's store, checked; replace it first if it is damaged.

    Returns the connection and the fault found (None when the store was sound).
    Raises ``StoreError`` when the store cannot be opened at all (no space, no
    permission, locked by a process that never lets go).
    """
    path = data_dir / DB_FILENAME
    marker = data_dir / COUNTERS_FILENAME
    try:
        with _locked(data_dir):
            reason = _damage(path, marker)
            if reason is None:
                conn = connect(path)
                if not marker.exists():
                    # The first start of a store (or of this version): from now on a
                    # vanished store is noticed, and its numbers known.
                    since = (now.date() - timedelta(days=_KEEP_DAYS)).isoformat()
                    _write_counters(data_dir, _counters_in(conn, since))
                return conn, None
            fault = _recover(data_dir, path, marker, reason, now)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot open the store: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"{data_dir}: cannot open the store: {exc}") from exc
    log.error("%s", fault.detail)
    return connect(path), fault


def _recover(data_dir: Path, path: Path, marker: Path, reason: str, now: datetime) -> StoreFault:
    counters = read_counters(data_dir)
    moved = _move_aside(path, now)
    conn = connect(path)
    try:
        salvaged = _salvage(moved, conn) if moved is not None else {}
        today = now.date().isoformat()
        since = (now.date() - timedelta(days=_KEEP_DAYS)).isoformat()
        known = counters is not None
        floors = _merge(_counters_in(conn, since), counters or {})
        with transaction(conn) as c:
            for day, prefixes in floors.items():
                for prefix, last in prefixes.items():
                    c.execute(
                        "INSERT INTO ticket_floors (day, prefix, last) VALUES (?, ?, ?)"
                        " ON CONFLICT (day, prefix) DO UPDATE SET last = MAX(last, excluded.last)",
                        (day, prefix, last),
                    )
            if not known:
                c.execute("INSERT OR REPLACE INTO ticket_floors (day, prefix, last) VALUES (?, ?, 0)", (today, BLOCKED_PREFIX))
            fault = StoreFault(reason, moved, salvaged, known)
            add_event(c, "device_fault", {"device": "store", "state": "fault", "detail": fault.summary}, now)
        _write_counters(data_dir, floors)
    finally:
        conn.close()
    return fault


def resume_day(conn: sqlite3.Connection, day: str, floors: dict[str, int]) -> None:
    """The technician's word after checking: the last number issued on ``day`` per
    prefix. Numbers continue above them (never below what the store knows) and the
    stop on tickets for ``day`` is lifted."""
    with transaction(conn) as c:
        for prefix, last in floors.items():
            c.execute(
                "INSERT INTO ticket_floors (day, prefix, last) VALUES (?, ?, ?)"
                " ON CONFLICT (day, prefix) DO UPDATE SET last = MAX(last, excluded.last)",
                (day, prefix, last),
            )
        c.execute("DELETE FROM ticket_floors WHERE day = ? AND prefix = ?", (day, BLOCKED_PREFIX))
    log.warning("ticket numbers of %s resumed by the technician: %s", day, floors)


def damaged_copies(data_dir: Path) -> list[Path]:
    """The damaged stores kept in ``data_dir`` (oldest first), for the technician."""
    return sorted(p for p in data_dir.glob(f"{DB_FILENAME}{DAMAGED_INFIX}*") if not p.name.endswith(("-wal", "-shm")))


def numbers_blocked(conn: sqlite3.Connection, day: str) -> bool:
    """True when no ticket may be issued on ``day`` (its numbers were lost)."""
    return conn.execute("SELECT 1 FROM ticket_floors WHERE day = ? AND prefix = ?", (day, BLOCKED_PREFIX)).fetchone() is not None
