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

The package by job: ``passwords`` (hashing), ``users`` (accounts), ``sessions`` (the
signed cookie), ``throttle``, ``proxies`` (the real client address), ``redirects``
(``safe_next``) and ``web`` (the aiohttp routes, middleware and ``require``). The names
below are its public face; the centre's own modules import from the part they need.

Usage in a web module::

    from fleet.center.auth.web import require
    async def handler(request):
        user = await require(request, "lawyer")   # admin always passes
"""

from __future__ import annotations

from fleet.center.auth.passwords import MIN_PASSWORD, check_password, hash_password
from fleet.center.auth.proxies import client_address, parse_proxies
from fleet.center.auth.redirects import safe_next
from fleet.center.auth.sessions import COOKIE, SECRET_FILE, SESSION_SECONDS, load_secret, login_cookie, read_session, sign_session
from fleet.center.auth.throttle import Throttle
from fleet.center.auth.users import ROLES, User, Users, revoked_sessions, users_table
from fleet.center.auth.web import AUTH, Auth, is_https, request_client, request_host, require, set_home, setup

__all__ = [
    "AUTH", "COOKIE", "MIN_PASSWORD", "ROLES", "SECRET_FILE", "SESSION_SECONDS", "Auth", "Throttle", "User", "Users",
    "check_password", "client_address", "hash_password", "is_https", "load_secret", "login_cookie", "parse_proxies",
    "read_session", "request_client", "request_host", "require", "revoked_sessions", "safe_next", "set_home", "setup",
    "sign_session", "users_table",
]
