"""The browser-facing security headers of every web app in fleet/ (the centre's pages and
the window console): a strict Content-Security-Policy, ``nosniff``, and no referrer to other sites.

What a terminal or a person typed is shown as text, never as HTML (the pages build their
DOM with ``textContent``/``createElement``); the policy is the second wall behind that:
even if some markup slipped into a page, the browser runs no script that did not come
from the server's own files (no inline ``<script>``, no ``on…=`` attribute, no
``eval``), loads nothing from elsewhere, and lets no other site frame the page.

The headers go on in ``on_response_prepare`` rather than in a middleware: a middleware
sees neither the responses a handler prepares itself (the dashboard's event stream, the
desk's WebSocket) nor the errors aiohttp makes after the middleware chain (an unknown
path, a wrong method, an exception); the signal sees every response the app sends.
A handler that sets its own ``Content-Security-Policy`` (the printable report, whose one
inline ``<style>`` is allowed by its hash) keeps it.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Iterable

from aiohttp import web

CSP = "Content-Security-Policy"

# Directive → sources. 'self' in connect-src covers the same host's ws:/wss: in current
# browsers; the page's own host is named as well for those that do not (see ``policy``).
_BASE: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "media-src": "'self' blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}

# A Host header that can be put into the policy as it is: a name or address and a port.
# Anything else (a client sending odd bytes) gets the policy without it.
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")

HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": a browser would then send "Origin: null" with the sign-in form's
    # POST, which the centre refuses as cross-site (fleet/center/auth.py).
    "Referrer-Policy": "same-origin",
    # Old browsers that do not read frame-ancestors.
    "X-Frame-Options": "DENY",
}


def style_hash(css: str) -> str:
    """The CSP source that allows exactly one inline ``<style>`` element with ``css``."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii") + "'"


def policy(host: str | None = None, style_sources: Iterable[str] = ()) -> str:
    """The Content-Security-Policy value; ``host`` adds its ws:/wss: to connect-src,
    ``style_sources`` adds sources (e.g. a ``style_hash``) to style-src."""
    d = dict(_BASE)
    if host and _HOST.match(host):
        d["connect-src"] += f" ws://{host} wss://{host}"
    extra = " ".join(style_sources)
    if extra:
        d["style-src"] += " " + extra
    return "; ".join(f"{k} {v}" for k, v in d.items())


async def _on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    if CSP not in response.headers:
        response.headers[CSP] = policy(request.host)
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)


def install(app: web.Application) -> web.Application:
    """Send the headers on every response of ``app`` (idempotent); returns ``app``."""
    if _on_prepare not in app.on_response_prepare:
        app.on_response_prepare.append(_on_prepare)
    return app
