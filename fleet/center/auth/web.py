"""The sign-in on the centre's aiohttp app: ``/login``, ``/logout``, ``/api/me``, the
middleware that puts the signed-in user on each request, and ``require`` for handlers."""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import json
import logging
import time
import warnings
from pathlib import Path
from typing import Any, Awaitable, Callable, Iterable, TypeVar
from urllib.parse import quote, urlsplit

from aiohttp import web
from aiohttp.web_exceptions import NotAppKeyWarning

from fleet.center.auth.proxies import client_address, is_trusted, parse_proxies
from fleet.center.auth.redirects import safe_next
from fleet.center.auth.sessions import COOKIE, SESSION_SECONDS, load_secret, read_session, sign_session
from fleet.center.auth.throttle import Throttle
from fleet.center.auth.users import User, Users

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parents[2] / "dashboard" / "static"
T = TypeVar("T")


def _from_trusted(request: web.Request) -> bool:
    return is_trusted(request.remote, request.config_dict[AUTH].trusted_proxies)


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

    async def run(self, fn: Callable[..., T], *a: Any) -> T:
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
