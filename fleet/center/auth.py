"""The centre's web sign-in: staff accounts, signed session cookies, roles.

Who may open which page of the centre (technician dashboard, lawyer desk, legal-aid
intake, the bureau's figures) is decided here, once, for every web module.

* **Accounts** live in the centre's store (table ``users``, SQLite or PostgreSQL), with
  the password as ``scrypt`` (per-user random salt) compared in constant time.
* **Sessions** are stateless signed cookies: ``base64url(JSON) . HMAC-SHA256`` with a
  secret created once in the centre's data dir (``web-secret``, mode 0600), valid 12 h,
  ``HttpOnly; SameSite=Strict; Path=/`` (``Secure`` over HTTPS, see below). Several
  centre workers accept each other's cookies when they share that file. A cookie names
  the user, a random session id and the user's *session epoch*: changing a password or
  disabling the account bumps the epoch and every cookie issued before is dead; the
  account and its role are read from the store (cached for a few seconds), so a role
  change or removal takes effect without signing out. Signing out records the session
  id as revoked (in the store, so every worker sees it) until the cookie would expire.
* **Throttling** (kept in memory per worker), by the *real client address* (see
  proxies below) and by account:

  - one name from one address: 5 failures free, then locked 60 s, doubling with each
    further failure up to 15 min;
  - one account from any addresses: 10 failures in 15 min lock the account the same
    way (a slow guess spread over many addresses);
  - one address: 30 failures in 15 min lock the address (a spray over many names).

  The account and address locks never stop a name at an address it has signed in from
  in the last 30 days: someone else's guessing locks out neither a colleague behind the
  same office NAT nor the account's owner at their usual desk. A locked attempt is not
  even checked (HTTP 429 with ``Retry-After``).
* **Proxies**: the address of a request is the connecting peer, unless that peer is one
  of the configured *trusted proxies* (``kiosk-center serve --trusted-proxy``). Only
  then are ``X-Forwarded-For`` (the right-most address that is not itself a trusted
  proxy), ``X-Forwarded-Proto`` and ``X-Forwarded-Host`` believed; from anyone else
  they are ignored, because any client can send them.
* **Cookies over HTTPS** carry ``Secure`` (HTTPS seen directly, or
  ``X-Forwarded-Proto: https`` from a trusted proxy).
* **CSRF**: the cookie is ``SameSite=Strict``, so a browser never sends it with a request
  started by another site; and every state-changing request (not GET/HEAD/OPTIONS) and
  every WebSocket upgrade whose ``Origin`` names another host is refused (403). Clients
  that send no ``Origin`` (curl, scripts) are not browsers and cannot be driven
  cross-site.
* **Redirects** after sign-in go only to a path on this site (``safe_next``): the
  value is judged the way a browser will read it, so ``/%09/evil.example`` (a browser
  drops the tab and reads ``//evil.example``) is refused like ``//evil.example``.

Usage in a web module::

    from fleet.center.auth import require
    async def handler(request):
        user = await require(request, "lawyer")   # admin always passes
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import functools
import hashlib
import hmac
import ipaddress
import json
import logging
import os
import secrets
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

from aiohttp import web
from aiohttp.web_exceptions import NotAppKeyWarning
from sqlalchemy import Boolean, Column, DateTime, Float, Integer, String, Table, select

from fleet.center.store import Store, metadata

log = logging.getLogger(__name__)

ROLES = ("admin", "technician", "bureau", "lawyer", "legal_aid")
COOKIE = "kc_session"
SESSION_SECONDS = 12 * 3600
SECRET_FILE = "web-secret"
MIN_PASSWORD = 8  # the CLI's policy for new passwords
STATIC = Path(__file__).resolve().parents[1] / "dashboard" / "static"

# scrypt cost: n=2**14, r=8 → 16 MiB and ~50 ms here; slow enough to make guessing
# dear, fast enough for a sign-in.
_N, _R, _P = 2**14, 8, 1

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


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) with a fresh random salt."""
    salt = os.urandom(16)
    dk = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=64 * 2**20, dklen=32)
    return f"scrypt${_N}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(dk).decode()}"


def check_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (constant-time compare)."""
    try:
        algo, n, r, p, salt, dk = stored.split("$")
        if algo != "scrypt":
            return False
        want = base64.b64decode(dk)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             maxmem=64 * 2**20, dklen=len(want))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the name is unknown, so a wrong name costs as long as a
    # wrong password and timing does not tell which names exist. Made on first use
    # (~50 ms), not at import.
    return hash_password(secrets.token_hex(8))


def _row_user(r: Any) -> User:
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
        ok = check_password(password, r.pw_hash if r else _dummy_hash())
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


# ---- the secret and the cookie ---------------------------------------------------------
def load_secret(data_dir: Path) -> bytes:
    """The centre's cookie-signing secret, created once (0600) in ``data_dir``."""
    p = Path(data_dir) / SECRET_FILE
    if not p.is_file():
        p.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker made it first: use theirs
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    for _ in range(50):  # the other worker may still be writing it
        text = p.read_text().strip()
        if len(text) >= 64:
            return bytes.fromhex(text)
        time.sleep(0.01)
    raise RuntimeError(f"{p}: no usable secret")


def _b64(b: bytes) -> str:
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def _unb64(s: str) -> bytes:
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def _secret_of(data_dir_or_secret: Path | str | bytes) -> bytes:
    if isinstance(data_dir_or_secret, bytes):
        return data_dir_or_secret
    return load_secret(Path(data_dir_or_secret))


def sign_session(secret: bytes, user: User, now: float | None = None, seconds: int = SESSION_SECONDS) -> tuple[str, dict[str, Any]]:
    """A new cookie value for ``user`` and its claims."""
    now = time.time() if now is None else now
    claims = {"u": user.name, "e": user.epoch, "s": secrets.token_urlsafe(12), "x": int(now + seconds)}
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    mac = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest())
    return f"{body}.{mac}", claims


def read_session(secret: bytes, value: str, now: float | None = None) -> dict[str, Any] | None:
    """The claims of a cookie value if its signature is right and it has not expired."""
    try:
        body, mac = value.split(".", 1)
        want = hmac.new(secret, body.encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(_unb64(mac), want):
            return None
        claims = json.loads(_unb64(body))
        if not isinstance(claims, dict) or not isinstance(claims.get("u"), str):
            return None
        if float(claims["x"]) <= (time.time() if now is None else now):
            return None
        return claims
    except (ValueError, KeyError, TypeError):
        return None


def login_cookie(data_dir_or_secret: Path | str | bytes, user: User, *, now: float | None = None) -> tuple[str, str]:
    """``(cookie name, value)`` of a session for ``user`` — for tests and tools that sign
    in without the form. The account must exist in the store (its epoch matches)."""
    value, _ = sign_session(_secret_of(data_dir_or_secret), user, now=now)
    return COOKIE, value


# ---- throttling --------------------------------------------------------------------------
class Throttle:
    """Failed sign-ins per (name, address), per account and per address; see the module
    docstring. ``addr`` is the real client address (``client_address``)."""

    PAIR_FREE = 5  # failures of one name from one address allowed before a lock
    ACCOUNT_FREE = 10  # failures of one account from anywhere allowed before a lock
    LOCK = 60.0
    MAX_LOCK = 900.0
    ADDR_FAILURES = 30
    WINDOW = 900.0
    KNOWN_SECONDS = 30 * 86400.0  # how long a (name, address) that signed in stays trusted
    MAX_ENTRIES = 100_000  # bounded memory under a flood

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._pair: dict[tuple[str, str], tuple[int, float, float]] = {}  # → (failures, last failure, locked until)
        self._account: dict[str, tuple[int, float, float]] = {}
        self._addr: dict[str, list[float]] = {}
        self._known: dict[tuple[str, str], float] = {}  # → last success

    def _streak(self, entry: tuple[int, float, float] | None, free: int, now: float) -> tuple[int, float, float]:
        fails, last, until = entry or (0, 0.0, 0.0)
        if now - last > self.WINDOW:
            fails = 0  # an old streak is forgotten
        fails += 1
        if fails >= free:
            until = now + min(self.MAX_LOCK, self.LOCK * 2 ** (fails - free))
        return fails, now, until

    def _is_known(self, name: str, addr: str, now: float) -> bool:
        seen = self._known.get((name, addr))
        return seen is not None and now - seen < self.KNOWN_SECONDS

    def locked_for(self, name: str, addr: str) -> float:
        """Seconds this attempt must still wait (0: may try)."""
        now = self.clock()
        name = name[:64]
        wait = max(0.0, self._pair.get((name, addr), (0, 0.0, 0.0))[2] - now)
        recent = [t for t in self._addr.get(addr, []) if now - t < self.WINDOW]
        if recent:
            self._addr[addr] = recent
        else:
            self._addr.pop(addr, None)
        if self._is_known(name, addr, now):
            # Someone else's guessing (at this address or at this account) does not
            # lock out a name where it has signed in before; its own pair lock still holds.
            return wait
        wait = max(wait, self._account.get(name, (0, 0.0, 0.0))[2] - now)
        if len(recent) >= self.ADDR_FAILURES:
            wait = max(wait, recent[-self.ADDR_FAILURES] + self.WINDOW - now)
        return wait

    def failed(self, name: str, addr: str) -> None:
        """Count a failure."""
        now = self.clock()
        name = name[:64]
        for table in (self._pair, self._account, self._addr):
            if len(table) > self.MAX_ENTRIES:
                table.clear()
        self._pair[(name, addr)] = self._streak(self._pair.get((name, addr)), self.PAIR_FREE, now)
        if name:
            self._account[name] = self._streak(self._account.get(name), self.ACCOUNT_FREE, now)
        self._addr.setdefault(addr, []).append(now)

    def succeeded(self, name: str, addr: str) -> None:
        """Forget the pair's and the account's failures; remember the pair as known."""
        name = name[:64]
        self._pair.pop((name, addr), None)
        self._account.pop(name, None)
        if len(self._known) > self.MAX_ENTRIES:
            self._known.clear()
        self._known[(name, addr)] = self.clock()


# ---- proxies -------------------------------------------------------------------------------
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(values: Iterable[str]) -> tuple[Network, ...]:
    """``["127.0.0.1", "10.0.0.0/8"]`` → networks; ValueError naming a bad entry."""
    out = []
    for v in values:
        try:
            out.append(ipaddress.ip_network(v.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or network: {v!r}") from None
    return tuple(out)


def _ip(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        ip = ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None
    # A dual-stack socket reports an IPv4 peer as ::ffff:a.b.c.d; it is the IPv4 address.
    return ip.ipv4_mapped or ip if isinstance(ip, ipaddress.IPv6Address) else ip


def _trusted(addr: str | None, proxies: tuple[Network, ...]) -> bool:
    ip = _ip(addr or "")
    return ip is not None and any(ip in net for net in proxies)


def client_address(peer: str | None, forwarded_for: Iterable[str], proxies: tuple[Network, ...]) -> str:
    """The real client of a request: the connecting ``peer``, or — only when that peer is
    a trusted proxy — the right-most address of ``X-Forwarded-For`` that is not itself a
    trusted proxy. Entries left of it were written by the client and prove nothing."""
    addr = peer or "?"
    if not _trusted(peer, proxies):
        return addr
    hops = [h.strip() for header in forwarded_for for h in header.split(",") if h.strip()]
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            return addr  # garbage where a proxy should have written an address: keep the last good hop
        addr = str(ip)
        if not _trusted(addr, proxies):
            return addr
    return addr


def _from_trusted(request: web.Request) -> bool:
    return _trusted(request.remote, request.config_dict[AUTH].trusted_proxies)


def _last_value(request: web.Request, header: str) -> str:
    # The value the nearest proxy set (a proxy that appends rather than replaces puts its
    # own last; whatever the client sent is further left).
    return request.headers.get(header, "").split(",")[-1].strip()


def is_https(request: web.Request) -> bool:
    """Whether the browser reached us over HTTPS (directly, or through a trusted proxy
    that says so in ``X-Forwarded-Proto``)."""
    if request.secure:
        return True
    return _from_trusted(request) and _last_value(request, "X-Forwarded-Proto").lower() == "https"


def request_host(request: web.Request) -> str:
    """The host the browser asked for (``X-Forwarded-Host`` only from a trusted proxy)."""
    if _from_trusted(request):
        forwarded = _last_value(request, "X-Forwarded-Host")
        if forwarded:
            return forwarded
    return request.host


def request_client(request: web.Request) -> str:
    """The real client address of a request (see ``client_address``)."""
    return client_address(request.remote, request.headers.getall("X-Forwarded-For", []), request.config_dict[AUTH].trusted_proxies)


# ---- aiohttp -------------------------------------------------------------------------------
class Auth:
    """The sign-in state of one web app (``app[AUTH]``)."""

    CACHE_SECONDS = 3.0  # how stale an account may be (role change, removal, sign-out elsewhere)

    def __init__(self, users: Users, data_dir: Path, trusted_proxies: Iterable[str] = ()) -> None:
        self.users = users
        self.secret = load_secret(data_dir)
        self.throttle = Throttle()
        # Peers whose X-Forwarded-* headers are believed (the centre's reverse proxies).
        self.trusted_proxies = parse_proxies(trusted_proxies)
        self.homes: dict[str, str] = {}
        # Store look-ups get their own threads: the default executor is busy with
        # commands that wait seconds for a terminal.
        self.pool = concurrent.futures.ThreadPoolExecutor(2, thread_name_prefix="auth")
        self._cache: dict[tuple[str, str], tuple[float, User | None]] = {}

    def home(self, user: User) -> str:
        """Where a role lands after signing in with no ``next``."""
        return self.homes.get(user.role, "/")

    async def run(self, fn: Callable[..., Any], *a: Any) -> Any:
        """Blocking store work off the event loop."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *a)

    async def user_of(self, request: web.Request) -> User | None:
        """The signed-in user of a request, or None."""
        value = request.cookies.get(COOKIE)
        if not value:
            return None
        claims = read_session(self.secret, value)
        if claims is None:
            return None
        key = (claims["u"], str(claims.get("s")))
        now = time.monotonic()
        hit = self._cache.get(key)
        if hit and now - hit[0] < self.CACHE_SECONDS:
            user = hit[1]
        else:
            def look() -> User | None:
                u = self.users.get(claims["u"])
                if u is None or u.disabled or self.users.is_revoked(str(claims.get("s"))):
                    return None
                return u
            user = await self.run(look)
            if len(self._cache) > 10_000:
                self._cache.clear()
            self._cache[key] = (now, user)
        if user is None or user.epoch != claims.get("e"):
            return None
        return user

    def forget(self, name: str, sid: str) -> None:
        """Drop a cached session (signed out here)."""
        self._cache.pop((name, sid), None)


AUTH = web.AppKey("auth", Auth)


def _is_ws(request: web.Request) -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


def _cross_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin:
        return False
    if origin == "null":
        return True
    return urlsplit(origin).netloc.lower() != request_host(request).lower()


# A browser removes tab and newline anywhere in a URL and strips leading and trailing
# controls and spaces, and reads a backslash as "/": so "/\t/evil.example" becomes
# "//evil.example", another site. Nothing outside printable ASCII is let through.
_PRINTABLE = frozenset(chr(c) for c in range(0x21, 0x7F)) - {"\\"}
_PROBE = "http://centre.invalid/"  # any origin: only whether the result stays on it matters


def safe_next(value: str | None) -> str:
    """``value`` if a browser sent there stays on this site at a path, else "".

    Accepted: a path starting with a single "/" (with a query and a fragment), made only
    of printable ASCII other than a backslash, with no empty segment ("//") in its
    path, no scheme and no host. It is rebuilt from its parts, so what is returned is
    what was checked."""
    if not value or len(value) > 2000 or not set(value) <= _PRINTABLE:
        return ""
    # Judged on the raw string too: urlsplit reads "///evil.example" as the path
    # "/evil.example", a browser as the host evil.example.
    raw_path = value.split("?", 1)[0].split("#", 1)[0]
    if not raw_path.startswith("/") or "//" in raw_path:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or "//" in parts.path:
        return ""
    rebuilt = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    if not rebuilt.startswith("/") or rebuilt.startswith("//"):
        return ""
    landed = urlsplit(urljoin(_PROBE, rebuilt))
    if f"{landed.scheme}://{landed.netloc}/" != _PROBE:
        return ""
    return rebuilt


@web.middleware
async def _middleware(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    auth = request.config_dict[AUTH]
    if (request.method not in ("GET", "HEAD", "OPTIONS") or _is_ws(request)) and _cross_origin(request):
        log.warning("refused a cross-origin %s %s", request.method, request.path)
        return web.json_response({"error": "cross_origin"}, status=403)
    user = await auth.user_of(request)
    # A plain "user" key, which every web module of the centre reads; aiohttp would
    # rather have a RequestKey and warns once about it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotAppKeyWarning)
        request["user"] = user
    return await handler(request)


async def require(request: web.Request, *roles: str) -> User:
    """The signed-in user if their role is one of ``roles`` (admin always passes).
    Not signed in: 401 JSON for ``/api/…`` and WebSockets, else a redirect to the sign-in
    page; signed in with another role: 403."""
    user: User | None = request.get("user")
    if user is None:
        if request.path.startswith("/api/") or "/api/" in request.path or _is_ws(request):
            raise web.HTTPUnauthorized(text=json.dumps({"error": "unauthorized"}), content_type="application/json")
        raise web.HTTPFound(f"/login?next={quote(request.path_qs, safe='/')}")
    if user.role != "admin" and user.role not in roles:
        if request.path.startswith("/api/") or "/api/" in request.path or _is_ws(request):
            raise web.HTTPForbidden(text=json.dumps({"error": "forbidden", "role": user.role}), content_type="application/json")
        raise web.HTTPForbidden(text=_forbidden_html(), content_type="text/html")
    return user


@functools.cache
def _forbidden_html() -> str:
    # The page's texts come from i18n.js (Chinese first); the title is a fallback.
    return (STATIC / "forbidden.html").read_text(encoding="utf-8")


def _see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


async def _login_page(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(STATIC / "login.html", headers={"Cache-Control": "no-store"})


async def _login(request: web.Request) -> web.StreamResponse:
    auth = request.config_dict[AUTH]
    as_json = request.content_type == "application/json"
    try:
        if as_json:
            doc = await request.json()
        else:
            doc = dict(await request.post())
        name, password = str(doc.get("name", "")).strip(), str(doc.get("password", ""))
        nxt = safe_next(str(doc.get("next", "")) or request.query.get("next"))
    except (ValueError, TypeError, AttributeError):
        return web.json_response({"error": "bad_request"}, status=400)

    def fail(code: str, status: int, retry: float = 0) -> web.StreamResponse:
        if as_json:
            headers = {"Retry-After": str(int(retry) + 1)} if retry else None
            return web.json_response({"ok": False, "error": code}, status=status, headers=headers)
        q = f"/login?error={code}" + (f"&retry={int(retry) + 1}" if retry else "") + (f"&next={quote(nxt, safe='/')}" if nxt else "")
        return _see_other(q)

    addr = request_client(request)
    wait = auth.throttle.locked_for(name, addr)
    if wait > 0:
        log.warning("sign-in throttled from %s (%.0f s)", addr, wait)
        return fail("throttled", 429, wait)
    user = await auth.run(auth.users.verify, name, password) if name and password else None
    if user is None:
        auth.throttle.failed(name, addr)
        log.info("sign-in refused from %s", addr)
        return fail("wrong", 401)
    auth.throttle.succeeded(name, addr)
    value, _ = sign_session(auth.secret, user)
    target = nxt or auth.home(user)
    resp: web.StreamResponse
    if as_json:
        resp = web.json_response({"ok": True, "user": {"name": user.name, "role": user.role, "display_name": user.display_name}, "next": target})
    else:
        resp = _see_other(target)
    resp.set_cookie(COOKIE, value, max_age=SESSION_SECONDS, path="/", httponly=True, samesite="Strict",
                    secure=is_https(request) or None)
    log.info("signed in: %s (%s)", user.name, user.role)
    return resp


async def _logout(request: web.Request) -> web.StreamResponse:
    auth = request.config_dict[AUTH]
    claims = read_session(auth.secret, request.cookies.get(COOKIE, ""))
    if claims is not None:
        await auth.run(auth.users.revoke, str(claims.get("s")), float(claims["x"]))
        auth.forget(claims["u"], str(claims.get("s")))
    resp: web.StreamResponse
    if request.method == "POST" and request.content_type == "application/json":
        resp = web.json_response({"ok": True})
    else:
        resp = _see_other("/login")
    resp.del_cookie(COOKIE, path="/")
    return resp


async def _me(request: web.Request) -> web.Response:
    user: User | None = request.get("user")
    if user is None:
        return web.json_response({"error": "unauthorized"}, status=401)
    return web.json_response({"name": user.name, "role": user.role, "display_name": user.display_name})


def setup(app: web.Application, users: Users, data_dir: Path, trusted_proxies: Iterable[str] = ()) -> Auth:
    """Add ``/login`` (GET page, POST form or JSON), ``/logout`` (GET or POST),
    ``/api/me`` and the middleware that sets ``request["user"]``; returns the state.
    ``trusted_proxies``: addresses or networks of the reverse proxies whose
    ``X-Forwarded-*`` headers are believed (ValueError for a bad entry)."""
    if AUTH in app:
        return app[AUTH]
    auth = Auth(users, Path(data_dir), trusted_proxies)
    app[AUTH] = auth
    app.middlewares.append(_middleware)
    app.router.add_get("/login", _login_page)
    app.router.add_post("/login", _login)
    app.router.add_get("/logout", _logout)
    app.router.add_post("/logout", _logout)
    app.router.add_get("/api/me", _me)

    async def _close(app: web.Application) -> None:
        auth.pool.shutdown(wait=False)

    app.on_cleanup.append(_close)
    return auth


def set_home(app: web.Application, role: str, path: str) -> None:
    """Where ``role`` lands after signing in (default ``/``): e.g. the lawyer desk."""
    app[AUTH].homes[role] = path
