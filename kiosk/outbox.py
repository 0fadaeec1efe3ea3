"""The durable outbox: events for the centre, written in the same transaction as the
change they report, delivered later (at least once) by the fleet agent.

A terminal offline for days loses nothing: events wait here. Each has a unique id, so a
duplicate delivery is harmless at the centre. Payloads carry counts and codes, never
people (no names, no ID numbers) — except sealed boxes (``SEALED_KINDS``), ciphertext
for the centre's key that nobody on the terminal can read.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any


# Kinds whose payload is a sealed box for the centre (kiosk/legal_aid/sealing.py): sent
# unmasked (ciphertext), and blanked here as soon as the centre acknowledges them, so the
# terminal keeps nothing of them once delivered (as the requirement reads: "deleted once acknowledged").
SEALED_KINDS = frozenset({"legal_aid_application"})


@dataclass(frozen=True)
class OutboxEvent:
    """One event waiting for (or past) delivery."""

    event_id: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int = 0


def add_event(conn: sqlite3.Connection, kind: str, payload: dict[str, Any], at: datetime) -> str:
    """Write an event inside the caller's open transaction; returns its id."""
    event_id = uuid.uuid4().hex
    conn.execute(
        "INSERT INTO outbox (event_id, kind, payload, created_at) VALUES (?, ?, ?, ?)",
        (event_id, kind, json.dumps(payload, ensure_ascii=False, sort_keys=True), at.isoformat()),
    )
    return event_id


class Outbox:
    """Reading and acknowledging the outbox (the delivering side)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def pending(self, limit: int = 100) -> list[OutboxEvent]:
        """The oldest undelivered events."""
        rows = self._conn.execute(
            "SELECT event_id, kind, payload, created_at, attempts FROM outbox"
            " WHERE delivered_at IS NULL ORDER BY seq LIMIT ?",
            (limit,),
        ).fetchall()
        return [
            OutboxEvent(r["event_id"], r["kind"], json.loads(r["payload"]), datetime.fromisoformat(r["created_at"]), r["attempts"])
            for r in rows
        ]

    def count_pending(self) -> int:
        """How many events wait for delivery."""
        return int(self._conn.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()[0])

    def mark_attempted(self, event_ids: list[str]) -> None:
        """Count a delivery attempt (for the technician: events that keep failing)."""
        with self._conn:
            self._conn.executemany("UPDATE outbox SET attempts = attempts + 1 WHERE event_id = ?", [(i,) for i in event_ids])

    def mark_delivered(self, event_ids: list[str], at: datetime) -> None:
        """The centre acknowledged these events."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.executemany(
                "UPDATE outbox SET delivered_at = ? WHERE event_id = ? AND delivered_at IS NULL",
                [(at.isoformat(), i) for i in event_ids],
            )
            self._conn.executemany(
                "UPDATE outbox SET payload = '{}' WHERE event_id = ? AND kind IN (%s) AND delivered_at IS NOT NULL"
                % ",".join("?" * len(SEALED_KINDS)),
                [(i, *sorted(SEALED_KINDS)) for i in event_ids],
            )
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def purge_delivered(self, before: datetime) -> int:
        """Forget delivered events older than ``before``; returns how many."""
        self._conn.execute("BEGIN IMMEDIATE")
        cur = self._conn.execute("DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?", (before.isoformat(),))
        self._conn.execute("COMMIT")
        return cur.rowcount
