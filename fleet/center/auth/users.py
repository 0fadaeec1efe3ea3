"""Staff accounts in the centre's store (table ``users``) and signed-out sessions."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Boolean, Column, DateTime, Float, Integer, Row, String, Table, select

from fleet.center.auth.passwords import check_password, dummy_hash, hash_password
from fleet.center.store import Store
from fleet.center.tables import metadata

ROLES = ("admin", "technician", "bureau", "lawyer", "legal_aid", "mediator")

users_table = Table(
    "users",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("display_name", String(200), nullable=False, default=""),
    Column("pw_hash", String(300), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled", Boolean, nullable=False, default=False),
    # Bumped by a password change or disabling: every cookie issued before dies.
    Column("epoch", Integer, nullable=False, default=0),
)

revoked_sessions = Table(
    "auth_revoked_sessions",
    metadata,
    Column("sid", String(64), primary_key=True),
    Column("expires_at", Float, nullable=False),  # unix time; purged after
)


@dataclass(frozen=True)
class User:
    """A member of staff who signs in to the centre's web pages."""

    name: str
    role: str
    display_name: str = ""
    disabled: bool = False
    epoch: int = 0
    created_at: datetime | None = field(default=None, compare=False)


def _row_user(r: Row[Any]) -> User:
    created = r.created_at
    if created is not None and created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return User(name=r.name, role=r.role, display_name=r.display_name or "", disabled=bool(r.disabled),
                epoch=int(r.epoch or 0), created_at=created)


class Users:
    """The staff accounts in the centre's store."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.engine = store.engine
        # The store may have been opened before this module was imported.
        metadata.create_all(self.engine, tables=[users_table, revoked_sessions])

    def add(self, name: str, role: str, password: str, display_name: str = "") -> User:
        """Create an account; ValueError for a bad name or role, an empty password, or a
        name that exists. (The minimum length is the caller's policy: the CLI's is 8.)"""
        name = name.strip()
        if not name or len(name) > 64 or any(c.isspace() for c in name):
            raise ValueError(f"bad user name: {name!r}")
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
        if not password:
            raise ValueError("empty password")
        now = datetime.now(timezone.utc)
        with self.engine.begin() as c:
            if c.execute(select(users_table.c.name).where(users_table.c.name == name)).first():
                raise ValueError(f"user {name!r} exists")
            c.execute(users_table.insert().values(name=name, role=role, display_name=display_name, pw_hash=hash_password(password),
                                                  created_at=now, disabled=False, epoch=0))
        return User(name=name, role=role, display_name=display_name, created_at=now)

    def remove(self, name: str) -> bool:
        """Delete an account; True if it existed. Its sessions end at their next request."""
        with self.engine.begin() as c:
            return c.execute(users_table.delete().where(users_table.c.name == name)).rowcount > 0

    def get(self, name: str) -> User | None:
        """One account, or None."""
        with self.engine.connect() as c:
            r = c.execute(select(users_table).where(users_table.c.name == name)).first()
        return _row_user(r) if r else None

    def verify(self, name: str, password: str) -> User | None:
        """The account if the password is right and the account enabled, else None."""
        with self.engine.connect() as c:
            r = c.execute(select(users_table).where(users_table.c.name == name)).first()
        ok = check_password(password, r.pw_hash if r else dummy_hash())
        if not ok or r is None or r.disabled:
            return None
        return _row_user(r)

    def list(self) -> list[User]:
        """Every account, by name."""
        with self.engine.connect() as c:
            return [_row_user(r) for r in c.execute(select(users_table).order_by(users_table.c.name))]

    def set_password(self, name: str, password: str) -> bool:
        """A new password; every session of the account ends. False if no such user."""
        if not password:
            raise ValueError("empty password")
        with self.engine.begin() as c:
            return c.execute(users_table.update().where(users_table.c.name == name)
                             .values(pw_hash=hash_password(password), epoch=users_table.c.epoch + 1)).rowcount > 0

    def set_disabled(self, name: str, disabled: bool) -> bool:
        """Disable (its sessions end) or enable an account. False if no such user."""
        with self.engine.begin() as c:
            return c.execute(users_table.update().where(users_table.c.name == name)
                             .values(disabled=disabled, epoch=users_table.c.epoch + 1)).rowcount > 0

    def revoke(self, sid: str, expires_at: float) -> None:
        """Record a signed-out session id (until the cookie would have expired)."""
        now = time.time()
        with self.engine.begin() as c:
            c.execute(revoked_sessions.delete().where(revoked_sessions.c.expires_at < now))
            if not c.execute(select(revoked_sessions.c.sid).where(revoked_sessions.c.sid == sid)).first():
                c.execute(revoked_sessions.insert().values(sid=sid, expires_at=expires_at))

    def is_revoked(self, sid: str) -> bool:
        """Whether a session id was signed out."""
        with self.engine.connect() as c:
            return c.execute(select(revoked_sessions.c.sid).where(revoked_sessions.c.sid == sid)).first() is not None
