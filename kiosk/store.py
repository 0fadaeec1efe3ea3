"""The terminal's SQLite store: WAL, one transaction per state change.

A power cut loses nothing that was acknowledged: a ticket is shown or printed only
after its transaction committed (``synchronous=FULL``).
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from kiosk.files import private_dir, private_file, restrict_umask

DB_FILENAME = "kiosk.sqlite3"

_SCHEMA = [
    # v1: tickets. (day, service, seq) is unique: a number can never be issued twice.
    """
    CREATE TABLE IF NOT EXISTS tickets (
        ticket_id   INTEGER PRIMARY KEY AUTOINCREMENT,
        day         TEXT    NOT NULL,
        service     TEXT    NOT NULL,
        seq         INTEGER NOT NULL,
        number      TEXT    NOT NULL,
        priority    TEXT    NOT NULL,
        state       TEXT    NOT NULL,
        issued_at   TEXT    NOT NULL,
        called_at   TEXT,
        finished_at TEXT,
        window      INTEGER,
        recalls     INTEGER NOT NULL DEFAULT 0,
        UNIQUE (day, service, seq)
    );
    CREATE INDEX IF NOT EXISTS tickets_waiting ON tickets (day, state, service);
    """,
    # v2: the outbox of events for the centre (kiosk/outbox.py).
    """
    CREATE TABLE IF NOT EXISTS outbox (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id     TEXT    NOT NULL UNIQUE,
        kind         TEXT    NOT NULL,
        payload      TEXT    NOT NULL,
        created_at   TEXT    NOT NULL,
        delivered_at TEXT,
        attempts     INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (delivered_at, seq);
    """,
    # v3: the lowest number a prefix may issue next on a day, after a damaged store was
    # replaced (kiosk/storecheck.py). ``prefix = '*'`` marks a day whose numbers could
    # not be recovered: no ticket is issued that day rather than one issued twice.
    """
    CREATE TABLE IF NOT EXISTS ticket_floors (
        day    TEXT    NOT NULL,
        prefix TEXT    NOT NULL,
        last   INTEGER NOT NULL,
        PRIMARY KEY (day, prefix)
    );
    """,
    # v4: whether the ticket's paper came out (NULL: not tried; 0: it could not be
    # printed). A ticket that failed outlives the visit: reprinted later by its number,
    # and shown to staff as not printed.
    """
    ALTER TABLE tickets ADD COLUMN printed INTEGER;
    """,
]


def connect(path: Path) -> sqlite3.Connection:
    """Open (and migrate) the store at ``path``; safe from many processes at once.

    The database, its ``-wal`` and ``-shm`` are created owner-only (SQLite creates the
    last two itself, hence the umask). Damage is not checked here: see
    ``kiosk.storecheck.open_store``, which start-up uses.
    """
    restrict_umask()
    private_dir(path.parent)
    # isolation_level=None: we issue BEGIN IMMEDIATE ourselves so that a writer takes
    # the lock before it reads what it will change (no lost updates between processes).
    conn = sqlite3.connect(path, timeout=30.0, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=30000")
    conn.execute("PRAGMA foreign_keys=ON")
    _migrate(conn)
    for suffix in ("", "-wal", "-shm"):
        private_file(path.with_name(path.name + suffix))
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    with transaction(conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for i, script in enumerate(_SCHEMA[version:], start=version + 1):
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={i}")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taken before the first read (BEGIN IMMEDIATE)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")
