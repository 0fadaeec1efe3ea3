"""The desk's tables in the centre's store (same MetaData and engine as
fleet/center/store.py): one row per call, one per recording file.

A call row carries counts and choices, never the person: terminal, site, service,
priority class, consent, times, the lawyer's account name and the lawyer's notes.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Float, Integer, String, Table, Text, select, update

from fleet.center.store import Store, metadata

video_calls = Table(
    "video_calls",
    metadata,
    Column("call_id", String(64), primary_key=True),
    Column("terminal_id", String(32), nullable=False, index=True),
    Column("site", String(200), nullable=False, default=""),
    Column("service", String(64), nullable=False, default="video"),
    Column("priority", String(16), nullable=False, default="normal"),
    Column("record_consent", Boolean, nullable=False, default=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("answered_at", DateTime(timezone=True)),
    Column("ended_at", DateTime(timezone=True)),
    Column("end_reason", String(64)),
    Column("lawyer", String(64)),
    Column("notes", Text, nullable=False, default=""),
)

video_recordings = Table(
    "video_recordings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("call_id", String(64), nullable=False, index=True),
    Column("side", String(16), nullable=False),  # terminal | lawyer
    Column("path", String(500), nullable=False),
    Column("bytes", Integer, nullable=False, default=0),
    Column("sha256", String(64)),
    Column("seconds", Float),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("purge_after", DateTime(timezone=True), nullable=False),
    Column("purged_at", DateTime(timezone=True)),
)


def _now() -> datetime:
    return datetime.now(timezone.utc)


class DeskStore:
    """Calls and recordings (blocking: call from an executor, never the event loop)."""

    def __init__(self, store: Store) -> None:
        self.engine = store.engine
        # The centre's Store created its tables before this module was imported.
        metadata.create_all(self.engine, tables=[video_calls, video_recordings])

    def call_requested(self, call_id: str, terminal_id: str, site: str, service: str, priority: str, record: bool) -> None:
        """A terminal asked for a lawyer."""
        with self.engine.begin() as c:
            c.execute(video_calls.insert().values(call_id=call_id, terminal_id=terminal_id, site=site, service=service,
                                                  priority=priority, record_consent=record, requested_at=_now(), notes=""))

    def call_answered(self, call_id: str, lawyer: str) -> None:
        """A lawyer answered."""
        with self.engine.begin() as c:
            c.execute(update(video_calls).where(video_calls.c.call_id == call_id).values(answered_at=_now(), lawyer=lawyer))

    def call_ended(self, call_id: str, reason: str) -> None:
        """The call ended (or was never answered)."""
        with self.engine.begin() as c:
            c.execute(update(video_calls).where(video_calls.c.call_id == call_id, video_calls.c.ended_at.is_(None))
                      .values(ended_at=_now(), end_reason=reason))

    def save_notes(self, call_id: str, lawyer: str, notes: str) -> bool:
        """The lawyer's notes on their own call; False for a call that is not theirs."""
        with self.engine.begin() as c:
            r = c.execute(update(video_calls).where(video_calls.c.call_id == call_id, video_calls.c.lawyer == lawyer).values(notes=notes))
            return bool(r.rowcount)

    def call(self, call_id: str) -> dict[str, Any] | None:
        """One call row."""
        with self.engine.connect() as c:
            r = c.execute(select(video_calls).where(video_calls.c.call_id == call_id)).mappings().first()
            return dict(r) if r else None

    def recent_calls(self, lawyer: str, limit: int = 20) -> list[dict[str, Any]]:
        """A lawyer's latest calls (for the desk's history list)."""
        with self.engine.connect() as c:
            rows = c.execute(select(video_calls).where(video_calls.c.lawyer == lawyer).order_by(video_calls.c.requested_at.desc()).limit(limit))
            return [dict(r) for r in rows.mappings()]

    def mean_call_seconds(self, default: float = 300.0) -> float:
        """The mean length of the last 50 answered calls (for the queue's estimate)."""
        with self.engine.connect() as c:
            rows = c.execute(select(video_calls.c.answered_at, video_calls.c.ended_at).where(video_calls.c.answered_at.is_not(None),
                             video_calls.c.ended_at.is_not(None)).order_by(video_calls.c.ended_at.desc()).limit(50)).all()
        spans = [(e - a).total_seconds() for a, e in rows if e and a]
        return sum(spans) / len(spans) if spans else default

    def add_recording(self, call_id: str, side: str, path: str, size: int, sha256: str, seconds: float | None, retention_days: int) -> None:
        """A finished recording file, with its hash and when it must be deleted."""
        now = _now()
        with self.engine.begin() as c:
            c.execute(video_recordings.insert().values(call_id=call_id, side=side, path=path, bytes=size, sha256=sha256, seconds=seconds,
                                                       created_at=now, purge_after=now + timedelta(days=retention_days)))

    def has_recording(self, call_id: str, side: str) -> bool:
        """Whether a recording of this call and side was closed (even if purged since)."""
        with self.engine.connect() as c:
            return c.execute(select(video_recordings.c.id).where(video_recordings.c.call_id == call_id,
                                                                 video_recordings.c.side == side).limit(1)).first() is not None

    def recordings(self, call_id: str | None = None) -> list[dict[str, Any]]:
        """Recording rows (of one call, or all)."""
        q = select(video_recordings)
        if call_id is not None:
            q = q.where(video_recordings.c.call_id == call_id)
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(q.order_by(video_recordings.c.id)).mappings()]

    def due_for_purge(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Recordings past their retention, not yet deleted."""
        now = now or _now()
        with self.engine.connect() as c:
            rows = c.execute(select(video_recordings).where(video_recordings.c.purge_after <= now, video_recordings.c.purged_at.is_(None)))
            return [dict(r) for r in rows.mappings()]

    def mark_purged(self, rec_id: int) -> None:
        """The file is gone (the row stays: the hash proves what existed)."""
        with self.engine.begin() as c:
            c.execute(update(video_recordings).where(video_recordings.c.id == rec_id).values(purged_at=_now()))
