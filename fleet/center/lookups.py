"""Look-ups of people's records (legal-aid progress, appointments): throttled and audited.

Every terminal sits in a public room and its credentials may be in anyone's hands, so
the centre treats each look-up a terminal asks for as something to limit and to keep a
trace of:

- **rate limit** per terminal and per family of look-ups (a token bucket): a kiosk
  serves one person at a time, a script walking through numbers does not;
- **guess lock** per record: a code checked with a wrong proof (the phone's last digits,
  a check code) too often is refused for a while, from every terminal and web client;
- **audit**: who (terminal or web client), when, which kind, what came back — the
  subject only as a keyed hash or an application/booking number, never an ID number.

The limits live in the worker's memory (each centre worker counts its own); the audit
is a table of the centre's store.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

metadata = MetaData()

lookup_audit = Table(
    "lookup_audit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("who", String(80), nullable=False, index=True),  # terminal id, or "web:" + client address
    Column("kind", String(64), nullable=False),
    Column("subject", String(80), nullable=False, default=""),  # a keyed hash or a record number; never an ID number
    Column("outcome", String(16), nullable=False),  # found | none | refused | throttled
    Column("found", Integer, nullable=False, default=0),
)


class Throttled(Exception):
    """Too many look-ups: try again after ``retry_after`` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many look-ups; try again in {retry_after:.0f} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Limit:
    """A token bucket: ``burst`` look-ups at once, then one every ``every_s`` seconds."""

    burst: int
    every_s: float


# A person at a kiosk looks up one or two things; a script walks through thousands.
TERMINAL_LIMIT = Limit(burst=6, every_s=20.0)
WEB_LIMIT = Limit(burst=10, every_s=6.0)
GUESS_LOCK_AFTER = 5  # wrong proofs for one record …
GUESS_LOCK_S = 3600.0  # … lock it for an hour


def subject_hash(key: bytes, value: str) -> str:
    """A keyed hash of a personal identifier for the audit (24 hex digits)."""
    return hmac.new(key, value.strip().upper().encode("utf-8"), hashlib.sha256).hexdigest()[:24]


class LookupGuard:
    """Rate limits, guess locks and the audit of one centre worker (thread-safe)."""

    def __init__(self, engine: Engine, *, terminal_limit: Limit = TERMINAL_LIMIT, web_limit: Limit = WEB_LIMIT,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self.terminal_limit = terminal_limit
        self.web_limit = web_limit
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # (who, family) → (tokens, at)
        self._wrong: dict[tuple[str, str], tuple[int, float]] = {}  # (family, record) → (misses, first miss)
        metadata.create_all(engine)

    # --- limits -------------------------------------------------------------------------

    def admit(self, who: str, family: str, kind: str, subject: str = "") -> None:
        """Take one look-up from ``who``'s bucket for ``family``; ``Throttled`` (and an
        audit line) when it is empty. ``who`` is a terminal id or ``web:ADDRESS``."""
        limit = self.web_limit if who.startswith("web:") else self.terminal_limit
        now = self._clock()
        with self._lock:
            tokens, at = self._buckets.get((who, family), (float(limit.burst), now))
            tokens = min(float(limit.burst), tokens + (now - at) / limit.every_s)
            if tokens < 1.0:
                self._buckets[(who, family)] = (tokens, now)
                retry = (1.0 - tokens) * limit.every_s
            else:
                self._buckets[(who, family)] = (tokens - 1.0, now)
                retry = 0.0
            if len(self._buckets) > 100_000:  # a flood of web addresses must not grow memory for ever
                self._buckets.clear()
        if retry:
            log.warning("look-ups from %s throttled (%s)", who, family)
            self.audit(who, kind, subject, "throttled")
            raise Throttled(retry)

    def check_not_locked(self, family: str, record: str, who: str, kind: str) -> None:
        """``Throttled`` if ``record`` had too many wrong proofs lately."""
        now = self._clock()
        with self._lock:
            misses, first = self._wrong.get((family, record), (0, now))
            if now - first > GUESS_LOCK_S:
                self._wrong.pop((family, record), None)
                return
        if misses >= GUESS_LOCK_AFTER:
            self.audit(who, kind, record, "throttled")
            raise Throttled(GUESS_LOCK_S - (now - first))

    def wrong_proof(self, family: str, record: str) -> None:
        """Count a wrong proof (check code, phone digits) given for ``record``."""
        now = self._clock()
        with self._lock:
            misses, first = self._wrong.get((family, record), (0, now))
            if now - first > GUESS_LOCK_S:
                misses, first = 0, now
            self._wrong[(family, record)] = (misses + 1, first)
            if len(self._wrong) > 100_000:
                self._wrong.clear()

    # --- audit --------------------------------------------------------------------------

    def audit(self, who: str, kind: str, subject: str, outcome: str, found: int = 0) -> None:
        """One line of the audit. ``subject`` must already be a hash or a record number."""
        try:
            with self.engine.begin() as c:
                c.execute(lookup_audit.insert().values(at=datetime.now(timezone.utc), who=who[:80], kind=kind[:64],
                                                       subject=subject[:80], outcome=outcome, found=found))
        except Exception:  # noqa: BLE001 — a failed audit write is logged, the answer still goes
            log.exception("look-up audit: write failed (%s by %s)", kind, who)

    def audit_rows(self, who: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """The newest audit lines (for staff and tests)."""
        q = select(lookup_audit).order_by(lookup_audit.c.id.desc()).limit(limit)
        if who is not None:
            q = q.where(lookup_audit.c.who == who)
        with self.engine.connect() as c:
            return [dict(r._mapping) for r in c.execute(q)]


__all__ = ["LookupGuard", "Throttled", "Limit", "subject_hash", "lookup_audit"]
