"""The centre's web sign-in over real HTTP (aiohttp on a loopback port, a real SQLite
store): passwords, throttling, signed and expiring cookies, roles, sign-out, CSRF, the
`kiosk-center users` CLI, and the form in headless Chromium landing on the dashboard."""

from __future__ import annotations

import asyncio
import base64
import glob
import http.client
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlencode

import pytest
from aiohttp import web

from fleet.center import auth
from fleet.center.auth import COOKIE, User, Users, login_cookie, require
from fleet.center.store import Store
from tests.support.cdp import CHROMIUM, Browser
from tests.fleet.conftest import until
from tests.fleet.test_cli import center
from tests.fleet.test_postgres import pg_url  # noqa: F401  (the throwaway PostgreSQL fixture)
from tests.support import PYTHON, ROOT, kiosk_env

PW = "correct horse 42"


class Clock:
    """A monotonic clock the test moves (throttle lock-outs without waiting)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class Site:
    """An aiohttp app with the sign-in and a few protected routes, on its own thread."""

    def __init__(self, data_dir: Path, trusted_proxies: tuple[str, ...] = ()) -> None:
        self.data_dir = data_dir
        self.store = Store(f"sqlite:///{data_dir / 'center.sqlite3'}")
        self.users = Users(self.store)
        self.app = web.Application()
        self.auth = auth.setup(self.app, self.users, data_dir, trusted_proxies)
        self.clock = Clock()
        self.auth.throttle.clock = self.clock
        self.auth.CACHE_SECONDS = 0  # see removals and sign-outs at once

        async def tech_api(request: web.Request) -> web.Response:
            u = await require(request, "technician")
            return web.json_response({"name": u.name, "role": u.role})

        async def lawyer_page(request: web.Request) -> web.Response:
            u = await require(request, "lawyer")
            return web.Response(text=f"desk of {u.name}")

        async def tech_post(request: web.Request) -> web.Response:
            await require(request, "technician")
            return web.json_response({"done": True})

        self.app.router.add_get("/api/tech", tech_api)
        self.app.router.add_get("/desk", lawyer_page)
        self.app.router.add_post("/api/tech/do", tech_post)
        self.loop = asyncio.new_event_loop()
        self.runner = web.AppRunner(self.app)
        self.loop.run_until_complete(self.runner.setup())
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def request(self, method: str, path: str, body: Any = None, cookie: str | None = None, form: bool = False,
                headers: dict[str, str] | None = None, source: str = "127.0.0.1") -> tuple[int, dict[str, str], bytes]:
        """One HTTP request (no redirects followed) from ``source``."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(source, 0))
        h = dict(headers or {})
        data = None
        if body is not None:
            data = urlencode(body).encode() if form else json.dumps(body).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded" if form else "application/json"
        if cookie:
            h["Cookie"] = f"{COOKIE}={cookie}"
        conn.request(method, path, body=data, headers=h)
        r = conn.getresponse()
        out = (r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
        conn.close()
        return out

    def login(self, name: str, password: str, source: str = "127.0.0.1") -> tuple[int, str | None]:
        """POST /login as JSON; returns the status and the session cookie value."""
        status, headers, _ = self.request("POST", "/login", {"name": name, "password": password}, source=source)
        cookie = headers.get("set-cookie", "")
        value = cookie.split(";")[0].split("=", 1)[1] if cookie.startswith(COOKIE + "=") else None
        return status, value

    def close(self) -> None:
        """Stop the server and the store."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.run_until_complete(self.runner.cleanup())
        self.loop.close()
        self.store.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = Site(tmp_path)
    try:
        yield s
    finally:
        s.close()


def test_password_hash_is_salted_scrypt_and_store_keeps_accounts(site):
    u = site.users.add("li.tech", "technician", PW, "李工")
    assert u == User("li.tech", "technician", "李工")
    site.users.add("wang", "lawyer", PW)
    with site.store.engine.connect() as c:
        hashes = [r.pw_hash for r in c.execute(auth.users_table.select())]
    assert all(h.startswith("scrypt$") and PW not in h for h in hashes) and hashes[0] != hashes[1]  # salted
    assert [x.name for x in site.users.list()] == ["li.tech", "wang"]
    assert site.users.verify("li.tech", PW).display_name == "李工"
    assert site.users.verify("li.tech", PW + "x") is None and site.users.verify("nobody", PW) is None
    with pytest.raises(ValueError):
        site.users.add("li.tech", "technician", PW)  # the name is taken
    with pytest.raises(ValueError):
        site.users.add("x", "janitor", PW)  # no such role
    assert site.users.remove("wang") and not site.users.remove("wang")


def test_wrong_password_refused_right_one_signs_in(site):
    site.users.add("li", "technician", PW)
    assert site.request("GET", "/api/tech")[0] == 401
    status, cookie = site.login("li", "wrong password")
    assert status == 401 and cookie is None
    status, headers, body = site.request("POST", "/login", {"name": "li", "password": PW})
    assert status == 200 and json.loads(body)["user"]["role"] == "technician"
    attrs = headers["set-cookie"].lower()
    assert "httponly" in attrs and "samesite=strict" in attrs and "max-age=43200" in attrs and "path=/" in attrs
    cookie = headers["set-cookie"].split(";")[0].split("=", 1)[1]
    status, _, body = site.request("GET", "/api/tech", cookie=cookie)
    assert status == 200 and json.loads(body) == {"name": "li", "role": "technician"}
    # The form too: a redirect to ``next`` (only a path on this site).
    status, headers, _ = site.request("POST", "/login", {"name": "li", "password": PW, "next": "/api/tech"}, form=True)
    assert status == 303 and headers["location"] == "/api/tech"
    status, headers, _ = site.request("POST", "/login", {"name": "li", "password": PW, "next": "//evil.example/x"}, form=True)
    assert status == 303 and headers["location"] == "/"
    status, headers, _ = site.request("POST", "/login", {"name": "li", "password": "nope", "next": "/desk"}, form=True)
    assert status == 303 and headers["location"].startswith("/login?error=wrong") and "next=/desk" in headers["location"]


def test_throttle_after_repeated_failures_per_name_and_address(site):
    site.users.add("li", "technician", PW)
    for _ in range(5):
        assert site.login("li", "guess")[0] == 401
    # Locked: even the right password is not checked now.
    status, headers, body = site.request("POST", "/login", {"name": "li", "password": PW})
    assert status == 429 and json.loads(body)["error"] == "throttled" and int(headers["retry-after"]) >= 60
    # Another address (still loopback) is not locked for that name.
    assert site.login("li", PW, source="127.0.0.2")[0] == 200
    site.clock.t += 61
    assert site.login("li", "guess again")[0] == 401  # a failure after the lock: locked longer (120 s)
    site.clock.t += 61
    assert site.login("li", PW)[0] == 429
    site.clock.t += 60
    assert site.login("li", PW)[0] == 200  # the lock ran out; success clears the streak
    assert site.login("li", "guess")[0] == 401 and site.login("li", PW)[0] == 200
    # A spray of many names from one address locks the address.
    for i in range(30):
        site.login(f"user{i}", "guess", source="127.0.0.3")
    assert site.login("li", PW, source="127.0.0.3")[0] == 429


def test_expired_and_tampered_cookies_are_refused(site):
    u = site.users.add("li", "technician", PW)
    _, old = login_cookie(site.data_dir, u, now=time.time() - 12 * 3600 - 5)
    assert site.request("GET", "/api/tech", cookie=old)[0] == 401
    status, headers, _ = site.request("GET", "/desk", cookie=old)
    assert status == 302 and headers["location"] == "/login?next=/desk"
    name, good = login_cookie(site.data_dir, u)
    assert name == COOKIE and site.request("GET", "/api/tech", cookie=good)[0] == 200
    # Another name in the body under the same signature; a signature from another secret.
    site.users.add("boss", "admin", PW)
    body, mac = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["u"] = "boss"
    forged = base64.urlsafe_b64encode(json.dumps(claims, separators=(",", ":")).encode()).rstrip(b"=").decode() + "." + mac
    assert site.request("GET", "/api/tech", cookie=forged)[0] == 401
    _, foreign = login_cookie(os.urandom(32), User("boss", "admin"))
    assert site.request("GET", "/api/tech", cookie=foreign)[0] == 401
    assert site.request("GET", "/api/tech", cookie="garbage")[0] == 401
    assert (site.data_dir / auth.SECRET_FILE).stat().st_mode & 0o777 == 0o600


def test_roles_403_and_admin_passes(site):
    lawyer = site.users.add("zhang", "lawyer", PW)
    tech = site.users.add("li", "technician", PW)
    admin = site.users.add("root", "admin", PW)
    c_law, c_tech, c_admin = (login_cookie(site.data_dir, u)[1] for u in (lawyer, tech, admin))
    assert site.request("GET", "/api/tech", cookie=c_law)[0] == 403
    status, _, body = site.request("GET", "/desk", cookie=c_tech)
    assert status == 403 and "无权访问" in body.decode()
    assert site.request("GET", "/desk", cookie=c_law)[2] == b"desk of zhang"
    assert site.request("GET", "/api/tech", cookie=c_admin)[0] == 200
    assert site.request("GET", "/desk", cookie=c_admin)[0] == 200
    status, _, body = site.request("GET", "/api/me", cookie=c_law)
    assert json.loads(body)["role"] == "lawyer"


def test_logout_password_change_disable_and_removal_end_sessions(site):
    site.users.add("li", "technician", PW)
    _, cookie = site.login("li", PW)
    _, other = site.login("li", PW)  # a second browser
    status, headers, _ = site.request("GET", "/logout", cookie=cookie)
    assert status == 303 and headers["location"] == "/login" and f"{COOKIE}=\"\"" in headers["set-cookie"]
    assert site.request("GET", "/api/tech", cookie=cookie)[0] == 401  # revoked, not just forgotten
    assert site.request("GET", "/api/tech", cookie=other)[0] == 200
    site.users.set_password("li", "another password")
    assert site.request("GET", "/api/tech", cookie=other)[0] == 401
    _, third = site.login("li", "another password")
    site.users.set_disabled("li", True)
    assert site.request("GET", "/api/tech", cookie=third)[0] == 401 and site.login("li", "another password")[0] == 401
    site.users.set_disabled("li", False)
    _, fourth = site.login("li", "another password")
    assert site.request("GET", "/api/tech", cookie=fourth)[0] == 200
    site.users.remove("li")
    assert site.request("GET", "/api/tech", cookie=fourth)[0] == 401


def test_cross_site_posts_are_refused(site):
    tech = site.users.add("li", "technician", PW)
    cookie = login_cookie(site.data_dir, tech)[1]
    here = f"http://127.0.0.1:{site.port}"
    assert site.request("POST", "/api/tech/do", {}, cookie=cookie, headers={"Origin": "http://evil.example"})[0] == 403
    assert site.request("POST", "/api/tech/do", {}, cookie=cookie, headers={"Origin": "null"})[0] == 403
    assert site.request("POST", "/api/tech/do", {}, cookie=cookie, headers={"Origin": here})[0] == 200
    assert site.request("POST", "/api/tech/do", {}, cookie=cookie)[0] == 200  # not a browser
    # Login CSRF: a foreign page cannot sign a browser in either.
    assert site.request("POST", "/login", {"name": "li", "password": PW}, headers={"Origin": "http://evil.example"})[0] == 403
    # A cross-site WebSocket upgrade is refused before any handler runs.
    ws = {"Upgrade": "websocket", "Connection": "Upgrade", "Origin": "http://evil.example",
          "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version": "13"}
    assert site.request("GET", "/api/tech", cookie=cookie, headers=ws)[0] == 403


def test_users_cli_over_a_real_store(tmp_path):
    d = tmp_path / "center"
    r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "add", "li", "--role", "technician", "--display-name", "李工",
                        "--password-stdin", "--data-dir", str(d)], input="short\n", capture_output=True, text=True, env=kiosk_env(), cwd=ROOT)
    assert r.returncode == 2 and "8" in r.stderr
    for name, role in (("li", "technician"), ("root", "admin")):
        r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "add", name, "--role", role, "--display-name", "李工",
                            "--password-stdin", "--data-dir", str(d)], input=PW + "\n", capture_output=True, text=True, env=kiosk_env(), cwd=ROOT)
        assert r.returncode == 0, r.stderr
    r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "add", "li", "--role", "lawyer", "--password-stdin", "--data-dir", str(d)],
                       input=PW + "\n", capture_output=True, text=True, env=kiosk_env(), cwd=ROOT)
    assert r.returncode == 1 and "exists" in r.stderr
    rows = json.loads(center(d, "users", "list", "--json").stdout)
    assert [(x["name"], x["role"], x["display_name"]) for x in rows] == [("li", "technician", "李工"), ("root", "admin", "李工")]
    assert PW not in center(d, "users", "list").stdout
    r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "passwd", "li", "--password-stdin", "--data-dir", str(d)],
                       input="a new password\n", capture_output=True, text=True, env=kiosk_env(), cwd=ROOT)
    assert r.returncode == 0, r.stderr
    store = Store(f"sqlite:///{d / 'center.sqlite3'}")
    try:
        users = Users(store)
        assert users.verify("li", "a new password") is not None and users.verify("li", PW) is None
        assert center(d, "users", "remove", "li").returncode == 0
        assert center(d, "users", "remove", "li").returncode == 1
        assert [u.name for u in users.list()] == ["root"]
    finally:
        store.close()


PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


@pytest.mark.skipif(not PG_BIN or os.geteuid() != 0, reason="needs Debian's postgresql and root")
def test_users_on_postgres(pg_url):  # noqa: F811
    store = Store(pg_url)
    try:
        users = Users(store)
        for u in users.list():
            users.remove(u.name)
        users.add("zhang", "lawyer", PW, "张律师")
        assert users.verify("zhang", PW) == User("zhang", "lawyer", "张律师")
        assert users.set_password("zhang", "another password") and users.get("zhang").epoch == 1
        users.revoke("sid1", time.time() + 60)
        users.revoke("sid1", time.time() + 60)  # twice is once
        assert users.is_revoked("sid1") and not users.is_revoked("sid2")
        assert users.remove("zhang")
    finally:
        store.close()


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_form_sign_in_in_chromium_lands_on_the_dashboard(tmp_path):
    d = tmp_path / "center"
    d.mkdir()
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--with-broker", "--mqtt-port", "0", "--http", "127.0.0.1:0"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    browser = None
    try:
        until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=20)
        base = f"http://{json.loads((d / 'center.json').read_text())['http']}"
        # A fresh centre says how to make the first admin, and admits nobody meanwhile.
        out = ""
        while "users add admin --role admin" not in out:
            out += proc.stdout.readline()  # type: ignore[union-attr]
        conn = http.client.HTTPConnection(base[7:], timeout=10)
        conn.request("GET", "/api/terminals")
        assert conn.getresponse().status == 401
        r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "add", "li", "--role", "technician", "--display-name", "李工",
                            "--password-stdin", "--data-dir", str(d)], input=PW + "\n", capture_output=True, text=True, env=kiosk_env(), cwd=ROOT)
        assert r.returncode == 0, r.stderr
        browser = Browser(tmp_path / "chromium")
        browser.goto(base + "/")
        assert browser.js("location.pathname + location.search") == "/login?next=/"
        assert "工作人员登录" in browser.html()

        def submit(password: str) -> None:
            browser.js(f"document.getElementById('name').value = 'li'; document.getElementById('password').value = {json.dumps(password)};"
                       "document.getElementById('go').click(); true")
            time.sleep(1.5)

        submit("not it at all")
        assert browser.js("location.pathname") == "/login" and "用户名或密码错误" in browser.html()
        browser.screenshot(tmp_path / "login.png")
        if os.environ.get("KIOSK_DOC_SHOTS"):  # make screenshots refreshes docs/
            (ROOT / "docs" / "screens" / "center-login.png").write_bytes((tmp_path / "login.png").read_bytes())
        submit(PW)
        until(lambda: browser.js("location.pathname") == "/" and "公共法律服务终端" in browser.html(), timeout=10)
        until(lambda: browser.js("document.getElementById('who').textContent") == "李工", timeout=5)
        assert browser.js("document.cookie") == ""  # HttpOnly: page scripts cannot read it
        browser.screenshot(tmp_path / "after-login.png")
        browser.goto(base + "/logout")
        assert browser.js("location.pathname") == "/login"
        browser.goto(base + "/")
        assert browser.js("location.pathname") == "/login"
        # Another role on the technicians' page: told so, in words from i18n.js.
        r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "add", "wang", "--role", "bureau", "--password-stdin",
                            "--data-dir", str(d)], input=PW + "\n", capture_output=True, text=True, env=kiosk_env(), cwd=ROOT)
        assert r.returncode == 0, r.stderr
        browser.js(f"document.getElementById('name').value = 'wang'; document.getElementById('password').value = {json.dumps(PW)};"
                   "document.getElementById('go').click(); true")
        until(lambda: "您的账号无权打开此页面" in (browser.js("document.body.innerText") or ""), timeout=10)
        browser.screenshot(tmp_path / "forbidden.png")
    finally:
        if browser is not None:
            browser.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
