"""After signing in, the browser goes only to a path on the centre's own site: a table
of ``next`` values judged by ``safe_next``, and the real sign-in form in headless
chromium, with a second server standing in for the phishing site."""

from __future__ import annotations

import http.server
import threading
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import quote

import pytest

from fleet.center.auth import safe_next
from tests.support.cdp import CHROMIUM, Browser
from tests.security.raw_http import Centre


@pytest.mark.parametrize(("value", "expected"), [
    ("/", "/"),
    ("/desk/", "/desk/"),
    ("/figures?from=2026-11-01&to=2026-11-30#chart", "/figures?from=2026-11-01&to=2026-11-30#chart"),
    ("/login?next=//evil.example", "/login?next=//evil.example"),  # judged again when it is used
    ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),  # percent-encoded: a path on this site
    ("/\t/evil.example/phish", ""),  # a browser drops the tab: //evil.example
    ("/\n/evil.example", ""),
    ("/\r\n/evil.example", ""),
    ("\t//evil.example", ""),
    (" //evil.example", ""),
    ("//evil.example/phish", ""),
    ("///evil.example", ""),
    ("/\\evil.example", ""),  # a browser reads a backslash as a slash
    ("\\\\evil.example", ""),
    ("/.//evil.example", ""),
    ("/x//y", ""),
    ("https://evil.example/", ""),
    ("https:evil.example", ""),
    ("javascript:alert(1)", ""),
    ("data:text/html,hi", ""),
    ("evil.example", ""),
    ("/\u3000/evil.example", ""),  # nothing outside printable ASCII
    ("/x\x00y", ""),
    ("/x y", ""),
    ("", ""),
    ("/" + "a" * 3000, ""),
])
def test_safe_next_table(value: str, expected: str) -> None:
    assert safe_next(value) == expected


class Phish(http.server.BaseHTTPRequestHandler):
    """The other site: counts who arrives."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 — http.server's name
        Phish.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"phished")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def phish() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Phish)
    Phish.hits = []
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_sign_in_form_in_chromium_stays_on_the_centre(fleet, tmp_path: Path, phish: str) -> None:  # type: ignore[no-untyped-def]
    centre = Centre(fleet, tmp_path / "centre")
    centre.users.add("li", "technician", "correct horse 42")
    base = f"http://127.0.0.1:{centre.port}"
    tricky = [f"/\t/{phish}/phish", f"/\n/{phish}/phish", f"\t//{phish}/phish", f"//{phish}/phish", f"/\\{phish}/phish",
              f"\\\\{phish}/phish", f"http://{phish}/phish", f"http:{phish}/phish", f"/.//{phish}/phish",
              f" //{phish}/phish", f"/%09/{phish}/phish"]
    browser = Browser(tmp_path / "chromium")
    landed = {}
    try:
        for value in tricky:
            browser.call("Network.clearBrowserCookies")
            browser.goto(f"{base}/login?next={quote(value, safe='')}", wait=0.5)
            for _ in range(50):
                if browser.js("document.getElementById('go') !== null && document.getElementById('next').value !== ''"):
                    break
                time.sleep(0.1)
            browser.js("document.getElementById('name').value = 'li'; document.getElementById('password').value = 'correct horse 42';"
                       "document.getElementById('go').click(); true")
            for _ in range(50):
                time.sleep(0.1)
                href = browser.js("location.href") or ""
                if "/login" not in href:
                    break
            time.sleep(0.3)
            landed[value] = browser.js("location.href")
    finally:
        browser.close()
        centre.close()
    assert Phish.hits == [], f"the browser reached the other site: {Phish.hits}"
    for value, href in landed.items():
        assert href.startswith(base + "/"), (value, href)
    assert landed[f"/%09/{phish}/phish"] == f"{base}/%09/{phish}/phish"  # encoded: a path here, kept
    assert landed[f"//{phish}/phish"] == f"{base}/"  # refused: the role's home
