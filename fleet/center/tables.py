"""The centre's tables (SQLAlchemy Core) and the few helpers every store module shares.

The fleet store (``store.py``), the bureau's figures (``figures.py``), the staff
accounts and the web modules' own stores all write into one ``metadata``; they import
the tables from here, so none of them needs another's module.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import overload

from sqlalchemy import Boolean, Column, DateTime, Float, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

metadata = MetaData()

terminals = Table(
    "terminals",
    metadata,
    Column("terminal_id", String(32), primary_key=True),
    Column("site", String(200), nullable=False, default=""),
    Column("pw_hash", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("online", Boolean, nullable=False, default=False),
    Column("session", Integer, nullable=False, default=0),
    Column("last_seen", DateTime(timezone=True)),
    Column("status_at", DateTime(timezone=True)),
    Column("telemetry", Text),  # latest telemetry JSON
    Column("faults", Text, nullable=False, default="[]"),
    Column("reported", Text),  # latest reported configuration JSON
    Column("desired_version", Integer, nullable=False, default=0),
    Column("desired", Text),
)

# Each terminal's retained ``update/reported`` (what it did with the release it was sent),
# kept so the dashboard shows rollouts after the centre restarts.
update_reports = Table(
    "update_reports",
    metadata,
    Column("terminal_id", String(32), primary_key=True),
    Column("version", String(32), nullable=False),
    Column("running", String(32)),
    Column("state", String(16), nullable=False),
    Column("error", Text),
    Column("at", DateTime(timezone=True)),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

telemetry_history = Table(
    "telemetry_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("terminal_id", String(32), nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("disk_free_mb", Float),
    Column("mem_rss_mb", Float),
    Column("tickets_today", Integer),
    Column("waiting", Integer),
    Column("outbox_pending", Integer),
)

events = Table(
    "events",
    metadata,
    Column("event_id", String(64), primary_key=True),
    Column("terminal_id", String(32), nullable=False, index=True),
    Column("kind", String(64), nullable=False),
    Column("payload", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

commands = Table(
    "commands",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("terminal_id", String(32), nullable=False, index=True),
    Column("name", String(32), nullable=False),
    Column("args", Text, nullable=False, default="{}"),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("ok", Boolean),
    Column("error", String(64)),
    Column("result", Text),
)


# ---- figures for the bureau (fleet/center/figures.py) ------------------------------------
# One row per terminal and local day that has counted events: ``ingest`` marks it dirty
# (``gen`` + 1) with the events, ``figures.refresh`` recomputes ``figures`` (a JSON
# document) and clears ``dirty`` unless a newer event raised ``gen`` meanwhile.
figure_days = Table(
    "figure_days",
    metadata,
    Column("terminal_id", String(32), primary_key=True),
    Column("day", String(10), primary_key=True),  # the terminal's local day, YYYY-MM-DD
    Column("site", String(200), nullable=False, default=""),  # when computed (for removed terminals)
    Column("gen", Integer, nullable=False, default=1),
    Column("dirty", Boolean, nullable=False, default=True),
    Column("computed_at", DateTime(timezone=True)),
    Column("figures", Text),
)
Index("ix_figure_days_day", figure_days.c.day)
Index("ix_figure_days_dirty", figure_days.c.dirty)
# A terminal's events by time: the recomputation reads one terminal's day or month.
ix_events_terminal_time = Index("ix_events_terminal_time", events.c.terminal_id, events.c.created_at)


def utcnow() -> datetime:
    """Now, timezone-aware (UTC)."""
    return datetime.now(timezone.utc)


@overload
def aware(dt: datetime) -> datetime: ...
@overload
def aware(dt: None) -> None: ...
def aware(dt: datetime | None) -> datetime | None:
    """``dt`` in UTC: SQLite gives naive datetimes back, and everything stored is UTC."""
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


def dialect_insert(engine_or_conn: Engine | Connection, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT of the connection's dialect, which has ``on_conflict_do_nothing`` /
    ``on_conflict_do_update`` (SQLite and PostgreSQL spell the upsert alike)."""
    if engine_or_conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)
