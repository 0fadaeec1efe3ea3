"""The centre's real web app (CentreWebApp with every page set) on its own event-loop
thread, and raw HTTP to it: paths go on the wire exactly as written (``%2F`` stays
``%2F``), which is what an attacker sends."""

from __future__ import annotations

import asyncio
import http.client
import json
import threading
from pathlib import Path
from typing import Any

from fleet.center import auth
from fleet.center.webapp import CentreWebApp


class Centre:
    """A running CentreWebApp (stop with ``close``)."""

    def __init__(self, fleet: Any, data_dir: Path) -> None:
        self.data_dir = data_dir
        data_dir.mkdir(parents=True, exist_ok=True)
        self.loop = asyncio.new_event_loop()
        self.dash = CentreWebApp(fleet.center, data_dir)
        self.port = self.loop.run_until_complete(self.dash.start("127.0.0.1", 0))
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.users = self.dash.users

    def cookie(self, name: str, role: str) -> str:
        """A session cookie for a new account ``name`` with ``role``."""
        user = self.users.get(name) or self.users.add(name, role, "correct horse 42")
        return auth.login_cookie(self.data_dir, user)[1]

    def request(self, method: str, path: str, cookie: str | None = None, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        """One request; ``path`` is sent as it is."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        h = dict(headers or {})
        if cookie:
            h["Cookie"] = f"{auth.COOKIE}={cookie}"
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        out = (r.status, r.read())
        conn.close()
        return out

    def json(self, method: str, path: str, cookie: str | None = None, body: bytes | None = None) -> tuple[int, Any]:
        """One request; the body decoded as JSON (None when it is not)."""
        status, data = self.request(method, path, cookie, body)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, None

    def close(self) -> None:
        """Stop the server."""
        asyncio.run_coroutine_threadsafe(self.dash.stop(), self.loop).result(20)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()
