"""The agent's own durable state (``DATA_DIR/fleet/agent.sqlite3``): the connection
sequence, commands already run (at most once per id), configuration versions, volume."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS commands (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, received_at TEXT NOT NULL, result TEXT
);
"""


class AgentState:
    """Small key-value store plus the command journal; thread-safe (one lock)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # NORMAL: a crash of the app loses nothing; a power cut may lose the last
        # journal entries — and the broker has PUBACKed those commands already, so
        # it never delivers them again (at most once still holds).
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        """A stored JSON value."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def put(self, key: str, value: Any) -> None:
        """Store a JSON value (durably)."""
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def next_session(self) -> int:
        """The next connection's sequence number (grows forever, survives restarts)."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            row = self._conn.execute("SELECT value FROM kv WHERE key = 'session'").fetchone()
            n = (json.loads(row[0]) if row else 0) + 1
            self._conn.execute("INSERT OR REPLACE INTO kv (key, value) VALUES ('session', ?)", (json.dumps(n),))
            self._conn.execute("COMMIT")
        return n

    def claim_command(self, command_id: str, name: str, at: str) -> dict[str, Any] | None:
        """Record a command id before it runs. Returns None if it is new (run it), else
        its stored result (``{}`` if it is still running or never finished)."""
        with self._lock:
            try:
                self._conn.execute("INSERT INTO commands (id, name, received_at) VALUES (?, ?, ?)", (command_id, name, at))
                return None
            except sqlite3.IntegrityError:
                row = self._conn.execute("SELECT result FROM commands WHERE id = ?", (command_id,)).fetchone()
                return json.loads(row[0]) if row and row[0] else {}

    def finish_command(self, command_id: str, result: dict[str, Any]) -> None:
        """Keep a command's reply, for a duplicate request."""
        with self._lock:
            self._conn.execute("UPDATE commands SET result = ? WHERE id = ?", (json.dumps(result, default=str), command_id))

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._conn.close()
