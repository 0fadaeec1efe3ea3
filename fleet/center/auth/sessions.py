"""Signed session cookies: ``base64url(JSON) . HMAC-SHA256`` with a secret made once in
the centre's data dir (``web-secret``, 0600), shared by the workers that share the dir."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import time
from pathlib import Path
from typing import Any

from fleet.center.auth.users import User

COOKIE = "kc_session"
SESSION_SECONDS = 12 * 3600
SECRET_FILE = "web-secret"


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
