"""The Content-Security-Policy and its companions on every response of the centre's web
app and of the window console (pages, scripts, JSON, images, event stream, errors), and
every page still working under it in headless chromium, with no violation reported."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest
from PIL import Image

from kiosk.bootstrap import build_terminal
from kiosk.config import KioskConfig
from tests.support.cdp import CHROMIUM, Browser
from tests.fleet.conftest import until
from tests.security.support import Centre, ConsoleWeb, browser, signed_in, violations

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")


def parse_policy(value: str) -> dict[str, list[str]]:
    """``{directive: [sources]}`` of a Content-Security-Policy header."""
    out: dict[str, list[str]] = {}
    for part in value.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def strict(headers: dict[str, str], where: str) -> list[str]:
    """What is wrong with one response's headers (empty: all is well)."""
    wrong = []
    csp = headers.get("content-security-policy")
    if not csp:
        return [f"{where}: no Content-Security-Policy"]
    p = parse_policy(csp)
    want = {"default-src": ["'self'"], "script-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'none'"],
            "frame-ancestors": ["'none'"], "form-action": ["'self'"]}
    for d, sources in want.items():
        if p.get(d) != sources:
            wrong.append(f"{where}: {d} is {p.get(d)}")
    for d, sources in p.items():
        if any(s in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:", "data:") and not (d == "img-src" and s == "data:") for s in sources):
            wrong.append(f"{where}: {d} allows {sources}")
    if p.get("connect-src", [None])[0] != "'self'" or any(not s.startswith(("ws://127.0.0.1:", "wss://127.0.0.1:")) for s in p["connect-src"][1:]):
        wrong.append(f"{where}: connect-src is {p.get('connect-src')}")
    if headers.get("x-content-type-options") != "nosniff":
        wrong.append(f"{where}: no nosniff")
    if headers.get("referrer-policy") not in ("no-referrer", "same-origin"):
        wrong.append(f"{where}: referrer policy {headers.get('referrer-policy')}")
    return wrong


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a: object, **kw: object) -> None:
        return None


def fetch(url: str, cookie: tuple[str, str] | None = None, method: str = "GET", body: bytes | None = None,
          content_type: str = "application/json") -> tuple[int, dict[str, str], bytes]:
    """One request, redirects not followed; ``(status, lower-cased headers, first bytes)``."""
    headers = {"Content-Type": content_type}
    if cookie:
        headers["Cookie"] = "=".join(cookie)
    req = urllib.request.Request(url, data=body, method=method, headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(req, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read(4096)
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read(4096)


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    """The centre (broker, store, web app)."""
    c = Centre(tmp_path)
    try:
        yield c
    finally:
        c.close()


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "navy").save(buf, "PNG")
    return buf.getvalue()


def test_every_response_of_the_centre_carries_the_policy(centre: Centre) -> None:
    centre.fleet.provision("CSP-T1", "团城山街道工作站")
    shots = centre.data_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    (shots / "CSP-T1.png").write_bytes(_png())
    tech = centre.account("li", "technician", "李工")
    b = centre.base
    cases: list[tuple[str, int, str, tuple[str, str] | None, str, bytes | None]] = [
        # (path, status, content type, cookie, method, body)
        ("/", 200, "text/html", tech, "GET", None),
        ("/", 302, "", None, "GET", None),  # to the sign-in page
        ("/login", 200, "text/html", None, "GET", None),
        ("/static/app.js", 200, "javascript", None, "GET", None),
        ("/static/dom.js", 200, "javascript", None, "GET", None),
        ("/static/style.css", 200, "text/css", None, "GET", None),
        ("/static/nothing.js", 404, "", None, "GET", None),
        ("/api/terminals", 200, "application/json", tech, "GET", None),
        ("/api/terminals", 401, "application/json", None, "GET", None),
        ("/api/terminals/CSP-T1/screenshot.png", 200, "image/png", tech, "GET", None),
        ("/api/terminals/NOPE/screenshot.png", 404, "", tech, "GET", None),
        ("/api/terminals/CSP-T1/cmd", 400, "", tech, "POST", b"not json"),
        ("/api/stream?max=1", 200, "text/event-stream", tech, "GET", None),
        ("/intake", 403, "text/html", tech, "GET", None),  # the forbidden page
        ("/api/intake/applications", 403, "application/json", tech, "GET", None),
        ("/intake/static/intake.js", 200, "javascript", None, "GET", None),
        ("/desk/static/desk.js", 200, "javascript", None, "GET", None),
        ("/appointments", 200, "text/html", tech, "GET", None),
        ("/api/appointments/setup", 200, "application/json", tech, "GET", None),
        ("/figures", 200, "text/html", tech, "GET", None),
        ("/api/figures?from=2026-01-01&to=2026-01-02", 200, "application/json", tech, "GET", None),
        ("/api/figures?from=bad", 400, "", tech, "GET", None),
        ("/api/figures/export.csv", 200, "text/csv", tech, "GET", None),
        ("/api/figures/export.html", 200, "text/html", tech, "GET", None),
        ("/legal-aid/progress?n=1&c=X", 200, "text/html", None, "GET", None),
        ("/no/such/page", 404, "", None, "GET", None),
        ("/api/me", 405, "", None, "PUT", b"{}"),
        ("/logout", 303, "", tech, "GET", None),  # last: it ends the session
    ]
    # The printable report's one inline <style> is allowed by its hash, and nothing else inline.
    got, headers, _ = fetch(b + "/api/figures/export.html", tech)
    assert got == 200
    style = parse_policy(headers["content-security-policy"])["style-src"]
    assert style[0] == "'self'" and len(style) == 2 and style[1].startswith("'sha256-")
    wrong: list[str] = []
    for path, status, ctype, cookie, method, body in cases:
        got, headers, _ = fetch(b + path, cookie, method, body)
        where = f"{method} {path} ({got})"
        assert got == status, where
        assert ctype in headers.get("content-type", ""), (where, headers.get("content-type"))
        wrong += strict(headers, where)
    # A sign-in refused (the form's POST) and one accepted.
    centre.account("wang", "lawyer", "王律师")
    for pw, status in (("wrong password 9", 303), ("a long password 1", 303)):
        got, headers, _ = fetch(b + "/login", None, "POST", f"name=wang&password={pw}".encode(), "application/x-www-form-urlencoded")
        assert got == status
        wrong += strict(headers, f"POST /login {pw}")
    assert wrong == []


def test_every_response_of_the_window_console_carries_the_policy(tmp_path: Path) -> None:
    terminal = build_terminal(KioskConfig(terminal_id="CSP-C1"), tmp_path / "terminal", simulate=True, with_devices=False)
    console = ConsoleWeb(terminal)
    try:
        wrong: list[str] = []
        for path, status, method, body in [("/", 200, "GET", None), ("/static/console.js", 200, "GET", None), ("/static/rating.js", 200, "GET", None),
                                           ("/static/console.css", 200, "GET", None), ("/api/setup", 200, "GET", None),
                                           ("/api/rating/setup", 200, "GET", None), ("/api/state?window=x", 400, "GET", None),
                                           ("/api/call", 400, "POST", b"[]"), ("/api/skip", 409, "POST", b'{"window": 2}'),
                                           ("/nothing", 404, "GET", None), ("/api/setup", 405, "DELETE", None)]:
            got, headers, _ = fetch(console.base + path, None, method, body)
            assert got == status, (method, path, got)
            wrong += strict(headers, f"console {method} {path}")
        assert wrong == []
    finally:
        console.close()
        terminal.close()


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Browser]:
    """Headless chromium that obeys the policy and records what it refused."""
    b = browser(tmp_path / "chromium")
    try:
        yield b
    finally:
        b.close()


def _errors(b: Browser) -> list[str]:
    return [m for m in b.console() if m.startswith(("error:", "exception:")) and "favicon" not in m]


def test_every_page_works_under_the_policy(centre: Centre, chromium: Browser) -> None:
    t = centre.fleet.terminal("CSP-T1", telemetry_seconds=1)
    centre.fleet.agent(t)
    until(lambda: (centre.fleet.store.terminal("CSP-T1") or {}).get("telemetry"), timeout=15)
    (centre.data_dir / "screenshots").mkdir(parents=True, exist_ok=True)
    (centre.data_dir / "screenshots" / "CSP-T1.png").write_bytes(_png())
    centre.account("root", "admin", "管理员")
    b = centre.base

    # The real sign-in form: its POST passes form-action and the cross-site check.
    chromium.goto(b + "/?sse=2", wait=1.0)
    until(lambda: chromium.js("location.pathname") == "/login", timeout=10)
    chromium.js("document.getElementById('name').value = 'root'; document.getElementById('password').value = 'a long password 1';"
                "document.getElementById('form').submit()")
    until(lambda: chromium.js("document.querySelectorAll('#terminals tr.row').length") == 1, timeout=15)
    until(lambda: chromium.js("document.body.dataset.live") == "1", timeout=10)  # the event stream (connect-src)
    pages = {"/ (list)": violations(chromium)}

    chromium.goto(b + "/?sse=2#/t/CSP-T1", wait=1.0)
    until(lambda: chromium.js("document.getElementById('devices') !== null"), timeout=15)
    until(lambda: chromium.js("document.getElementById('shot') && document.getElementById('shot').naturalWidth") == 64, timeout=10)
    chromium.js("document.querySelector('button[data-cmd=\"ping\"]').click()")
    until(lambda: "成功" in (chromium.js("document.getElementById('out').textContent") or ""), timeout=15)
    assert chromium.js("document.querySelectorAll('svg.chart path').length") >= 1
    pages["/#/t (terminal)"] = violations(chromium)

    chromium.goto(b + "/figures", wait=1.0)
    until(lambda: chromium.js("document.body.dataset.loaded") == "1", timeout=30)
    pages["/figures"] = violations(chromium)

    chromium.goto(b + "/api/figures/export.html", wait=1.0)
    # Styled by its inline <style> (allowed by hash): the page's margin is 24px, not the default 8px.
    assert chromium.js("getComputedStyle(document.body).marginTop") == "24px"
    pages["/api/figures/export.html"] = violations(chromium)

    chromium.goto(b + "/appointments", wait=1.0)
    until(lambda: chromium.js("document.getElementById('site').options.length") == 1, timeout=10)
    pages["/appointments"] = violations(chromium)

    chromium.goto(b + "/intake", wait=1.0)
    until(lambda: chromium.js("document.getElementById('empty').hidden") is False, timeout=10)
    pages["/intake"] = violations(chromium)

    chromium.goto(b + "/desk/", wait=1.0)
    until(lambda: chromium.js("window.desk && desk.linkUp && desk.me !== null"), timeout=15)  # the WebSocket (connect-src)
    pages["/desk/"] = violations(chromium)

    chromium.goto(b + "/legal-aid/progress?n=1&c=X", wait=1.0)
    assert "没有找到这份申请" in chromium.js("document.body.textContent")
    assert chromium.js("getComputedStyle(document.body).fontFamily")  # its stylesheet loaded
    pages["/legal-aid/progress"] = violations(chromium)

    # A technician on the intake: the forbidden page, translated by its scripts.
    signed_in(chromium, b, centre.account("li", "technician", "李工"))
    chromium.goto(b + "/intake", wait=1.0)
    until(lambda: chromium.js("document.title") == "无权访问" and "您的账号无权打开此页面" in chromium.js("document.body.textContent"), timeout=10)
    pages["forbidden"] = violations(chromium)
    chromium.goto(b + "/logout", wait=1.0)
    until(lambda: chromium.js("document.getElementById('heading').textContent") == "工作人员登录", timeout=10)
    pages["/login"] = violations(chromium)

    assert {k: v for k, v in pages.items() if v} == {}
    # The one error the browser logged is the forbidden page's own status.
    assert [e for e in _errors(chromium) if not ("403" in e and e.endswith("/intake"))] == []

    # The watch itself: an inline script added to the page is refused, and seen.
    chromium.goto(b + "/login", wait=1.0)
    chromium.js("const s = document.createElement('script'); s.textContent = 'window.__inline = 1'; document.body.append(s);"
                "const i = document.createElement('img'); i.setAttribute('onerror', 'window.__inline = 2'); i.src = '/x.png'; document.body.append(i); 0")
    until(lambda: len(violations(chromium)) >= 2, timeout=5)
    assert chromium.js("window.__inline") is None
    assert any("script-src" in v for v in violations(chromium))


def test_the_window_console_works_under_the_policy(tmp_path: Path, chromium: Browser) -> None:
    terminal = build_terminal(KioskConfig(terminal_id="CSP-C1"), tmp_path / "terminal", simulate=True, with_devices=False)
    for _ in range(2):
        terminal.queue.take("consultation")
    console = ConsoleWeb(terminal)
    try:
        chromium.goto(console.base + "/", wait=1.0)
        until(lambda: chromium.js("document.getElementById('sign-in').hidden") is False, timeout=10)
        chromium.js("document.getElementById('window').value = '2'; document.getElementById('do-sign-in').click()")
        until(lambda: chromium.js("document.querySelectorAll('#upcoming li[data-number]').length") == 2, timeout=10)
        chromium.js("document.getElementById('call').click()")
        until(lambda: chromium.js("document.getElementById('current').textContent") != "—", timeout=10)
        chromium.js("document.getElementById('done').click()")
        until(lambda: chromium.js("document.querySelectorAll('#rate-pad .face svg').length") == 5, timeout=10)
        chromium.js("document.querySelector('#rate-pad .face[data-score=\"5\"]').click(); document.getElementById('rate-submit').click()")
        until(lambda: chromium.js("document.getElementById('rate-msg').textContent"), timeout=10)
        assert violations(chromium) == [] and _errors(chromium) == []
        assert json.loads(json.dumps(chromium.js("document.getElementById('rate-msg').className"))) == "rate-msg"
    finally:
        console.close()
        terminal.close()


def test_the_policy_names_only_a_plain_host() -> None:
    from fleet.web_headers import policy, style_hash

    assert "ws://kiosk.example.cn:8443 wss://kiosk.example.cn:8443" in policy("kiosk.example.cn:8443")
    assert "ws://[::1]:80" in policy("[::1]:80")
    # A Host header a client made up cannot widen the policy: it is left out.
    for host in ("evil.example; script-src *", "a b", "x'unsafe-inline'", "", None):
        p = parse_policy(policy(host))
        assert p["connect-src"] == ["'self'"] and p["script-src"] == ["'self'"], host
    assert style_hash("body{}") == "'sha256-" + "fJgEClQWV1hGkK4qHMO0KotTsVnMYMXTq7/suurGyUo=" + "'"
