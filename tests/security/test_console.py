"""``kiosk console``: no PIN only when asked for, and no cross-site POSTs of any content
type — a real console process over real HTTP, and a real cross-site form in headless
chromium."""

from __future__ import annotations

import http.client
import http.server
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.calling.support import console, request
from tests.calling.test_console_http import seed
from tests.support.cdp import CHROMIUM, Browser
from tests.support import PYTHON, ROOT, kiosk_env


def post(base: str, path: str, body: bytes, content_type: str, **headers: str) -> int:
    """A raw POST (the content type and headers as a browser of another site sends them)."""
    conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=20)
    conn.request("POST", path, body=body, headers={"Content-Type": content_type, **headers})
    status = conn.getresponse().status
    conn.close()
    return status


def serving(base: str, pin: str | None = None) -> Any:
    """The ticket window 1 is serving (None: nobody)."""
    status, doc = request(base, "GET", "/api/state?window=1&services=", pin=pin)
    assert status == 200
    return doc["serving"]


def test_console_refuses_to_start_without_a_pin(data_dir: Path) -> None:
    env = kiosk_env(data_dir)
    env.pop("KIOSK_CONSOLE_PIN", None)
    r = subprocess.run([PYTHON, "-m", "kiosk.cli", "console", "--http", "127.0.0.1:0"], env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert "--no-pin" in r.stderr and "KIOSK_CONSOLE_PIN" in r.stderr and "Traceback" not in r.stderr
    # An empty variable is no PIN either.
    env["KIOSK_CONSOLE_PIN"] = ""
    r = subprocess.run([PYTHON, "-m", "kiosk.cli", "console", "--http", "127.0.0.1:0"], env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--no-pin" in r.stderr


def test_console_with_no_pin_serves_when_told(data_dir: Path) -> None:
    seed(data_dir, 1)
    with console(data_dir) as base:  # started with --no-pin
        assert request(base, "GET", "/api/setup")[1]["pin_required"] is False
        status, doc = request(base, "POST", "/api/call", {"window": 1})
        assert status == 200 and doc["ticket"]["number"] == "A001"


@pytest.mark.parametrize("pin", [None, "4321"])
def test_cross_site_posts_are_refused_whatever_their_content_type(data_dir: Path, pin: str | None) -> None:
    seed(data_dir, 2)
    # What a form of another site can send: text/plain shaped into JSON, or a plain form.
    body = b'{"window": 1, "services": [], "pin": "4321", "x": "="}'
    with console(data_dir, pin=pin) as base:
        here = base
        assert post(base, "/api/call", body, "text/plain", Origin="http://evil.example") == 403
        assert post(base, "/api/call", body, "text/plain", Origin="null") == 403
        assert post(base, "/api/call", body, "text/plain", **{"Sec-Fetch-Site": "cross-site"}) == 403
        assert post(base, "/api/call", body, "text/plain", **{"Sec-Fetch-Site": "same-site"}) == 403  # another port or subdomain
        assert post(base, "/api/call", b"window=1&pin=4321", "application/x-www-form-urlencoded", Origin="http://evil.example") == 403
        assert post(base, "/api/call", body, "multipart/form-data; boundary=x", Origin="http://evil.example") == 403
        assert post(base, "/api/call", body, "application/json", Origin="http://evil.example") == 403
        assert post(base, "/api/done", body, "text/plain") == 415  # not JSON: never acted on
        assert post(base, "/api/rate", b'{"window": 1, "number": "A001", "score": 1, "pin": "4321"}', "text/plain",
                    Origin="http://evil.example") == 403
        assert serving(base, pin) is None  # nothing was called
        # The console's own page (same origin, JSON) still works.
        assert post(base, "/api/call", body, "application/json", Origin=here, **{"Sec-Fetch-Site": "same-origin"}) == 200
        assert serving(base, pin)["number"] == "A001"


class Evil(http.server.BaseHTTPRequestHandler):
    """Another site whose page posts a form to the console as soon as it opens."""

    target = ""

    def do_GET(self) -> None:  # noqa: N802 — http.server's name
        page = f"""<!doctype html><form id=f method=post enctype=text/plain action="{Evil.target}/api/call">
<input name='{{"window": 1, "services": [], "x": "' value='"}}'></form><script>document.getElementById("f").submit()</script>"""
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(page.encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_a_cross_site_form_in_chromium_calls_no_ticket(data_dir: Path, tmp_path: Path) -> None:
    seed(data_dir, 1)
    with console(data_dir) as base:  # no PIN: only the origin check stands in the way
        Evil.target = base
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Evil)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        browser = Browser(tmp_path / "chromium")
        try:
            browser.goto(f"http://127.0.0.1:{server.server_address[1]}/", wait=0.5)
            for _ in range(50):  # the form posted: the browser shows the console's answer
                if (browser.js("location.href") or "").startswith(base):
                    break
                time.sleep(0.1)
            assert (browser.js("location.href") or "").startswith(base + "/api/call")
            assert "cross-site" in (browser.js("document.body.innerText") or "")
        finally:
            browser.close()
            server.shutdown()
        assert serving(base) is None
