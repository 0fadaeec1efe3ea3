"""Sign-in behind a reverse proxy, over real HTTP (aiohttp on loopback, a real SQLite
store): who is throttled, which forwarded headers are believed, when the session cookie
is ``Secure``, and ``kiosk-center serve --trusted-proxy``."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
from pathlib import Path
from typing import Iterator

import pytest

from fleet.center.auth import client_address, login_cookie, parse_proxies
from tests.fleet.conftest import until
from tests.fleet.test_auth import PW, Site
from tests.support import PYTHON, ROOT, kiosk_env

PROXY = "127.0.0.1"  # the reverse proxy, as the centre sees it
OUTSIDER = "127.0.0.2"  # a client that reaches the centre directly


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = Site(tmp_path, trusted_proxies=(PROXY,))
    try:
        yield s
    finally:
        s.close()


def login_via(site: Site, name: str, password: str, client: str, source: str = PROXY, **headers: str) -> tuple[int, dict[str, str]]:
    """Sign in through the proxy for ``client`` (its X-Forwarded-For)."""
    status, h, _ = site.request("POST", "/login", {"name": name, "password": password}, source=source,
                                headers={"X-Forwarded-For": client, **headers})
    return status, h


def test_a_spray_behind_the_proxy_locks_the_sprayer_not_everyone(site: Site) -> None:
    site.users.add("li", "technician", PW)
    for i in range(30):
        assert login_via(site, f"user{i}", "guess", "203.0.113.9")[0] == 401
    assert login_via(site, "li", PW, "203.0.113.9")[0] == 429  # the sprayer is locked out
    # Everybody else behind the same proxy signs in as usual.
    assert login_via(site, "li", PW, "198.51.100.7")[0] == 200
    assert login_via(site, "li", PW, "2001:db8::5")[0] == 200


def test_forwarded_for_from_a_peer_that_is_not_a_trusted_proxy_is_ignored(site: Site) -> None:
    site.users.add("li", "technician", PW)
    # A client talking to the centre directly cannot dodge the address lock by
    # inventing a new X-Forwarded-For for each guess.
    for i in range(30):
        assert login_via(site, f"user{i}", "guess", f"192.0.2.{i}", source=OUTSIDER)[0] == 401
    assert login_via(site, "li", PW, "192.0.2.200", source=OUTSIDER)[0] == 429


def test_the_right_most_address_not_a_proxy_is_the_client(site: Site) -> None:
    site.users.add("li", "technician", PW)
    # What the client wrote itself (left of what the proxy appended) changes every time.
    for i in range(30):
        assert login_via(site, f"user{i}", "guess", f"10.9.9.{i}, 203.0.113.9")[0] == 401
    assert login_via(site, "li", PW, "8.8.8.8, 203.0.113.9")[0] == 429
    assert login_via(site, "li", PW, "203.0.113.9, 198.51.100.7")[0] == 200


@pytest.mark.parametrize(("peer", "xff", "proxies", "client"), [
    ("127.0.0.1", ["203.0.113.9"], ("127.0.0.1",), "203.0.113.9"),
    ("127.0.0.2", ["203.0.113.9"], ("127.0.0.1",), "127.0.0.2"),  # not a trusted proxy
    ("127.0.0.1", ["1.2.3.4, 203.0.113.9"], ("127.0.0.1",), "203.0.113.9"),
    ("127.0.0.1", ["1.2.3.4", "203.0.113.9"], ("127.0.0.1",), "203.0.113.9"),  # two header lines
    ("127.0.0.1", ["203.0.113.9, 10.0.0.5"], ("127.0.0.1", "10.0.0.0/8"), "203.0.113.9"),  # a chain of proxies
    ("127.0.0.1", ["10.0.0.4, 10.0.0.5"], ("127.0.0.1", "10.0.0.0/8"), "10.0.0.4"),  # all proxies: the farthest
    ("127.0.0.1", ["junk, 203.0.113.9"], ("127.0.0.1",), "203.0.113.9"),
    ("127.0.0.1", ["203.0.113.9, junk"], ("127.0.0.1",), "127.0.0.1"),  # the proxy wrote junk: stop at it
    ("127.0.0.1", [], ("127.0.0.1",), "127.0.0.1"),
    ("::1", ["2001:db8::5"], ("::1",), "2001:db8::5"),
    ("::ffff:127.0.0.1", ["203.0.113.9"], ("127.0.0.1",), "203.0.113.9"),  # an IPv4 peer on a dual-stack socket
    ("127.0.0.1", ["::ffff:203.0.113.9"], ("127.0.0.1",), "203.0.113.9"),
])
def test_client_address_table(peer: str, xff: list[str], proxies: tuple[str, ...], client: str) -> None:
    assert client_address(peer, xff, parse_proxies(proxies)) == client


def test_guessing_at_one_account_from_many_addresses_backs_off_that_account_only(site: Site) -> None:
    site.users.add("li", "technician", PW)
    site.users.add("wang", "lawyer", PW)
    assert login_via(site, "li", PW, "198.51.100.50")[0] == 200  # li's own desk
    for i in range(10):  # one guess from each of ten addresses: no pair lock anywhere
        assert login_via(site, "li", "guess", f"203.0.113.{i}")[0] == 401
    status, headers = login_via(site, "li", PW, "203.0.113.77")
    assert status == 429 and int(headers["retry-after"]) >= 60
    # The other account is not touched, from the very same addresses.
    for i in range(10):
        assert login_via(site, "wang", PW, f"203.0.113.{i}")[0] == 200
    # li at the desk where li has signed in before is not locked out by the guessing.
    assert login_via(site, "li", PW, "198.51.100.50")[0] == 200
    # Backoff: the lock runs out, and a further failure locks longer.
    for i in range(10):
        login_via(site, "li", "guess", f"203.0.113.{i}")
    site.clock.t += 61
    assert login_via(site, "li", "guess", "203.0.113.100")[0] == 401
    site.clock.t += 61
    assert login_via(site, "li", PW, "203.0.113.101")[0] == 429  # locked 120 s this time
    site.clock.t += 60
    assert login_via(site, "li", PW, "203.0.113.101")[0] == 200


def test_the_cookie_is_secure_behind_https_only_as_a_trusted_proxy_says(site: Site) -> None:
    site.users.add("li", "technician", PW)
    _, h = login_via(site, "li", PW, "198.51.100.7", **{"X-Forwarded-Proto": "https"})
    assert "secure" in [a.strip().lower() for a in h["set-cookie"].split(";")]
    _, h = login_via(site, "li", PW, "198.51.100.7")  # plain HTTP behind the proxy
    assert "secure" not in h["set-cookie"].lower()
    _, h = login_via(site, "li", PW, "198.51.100.7", source=OUTSIDER, **{"X-Forwarded-Proto": "https"})
    assert "secure" not in h["set-cookie"].lower()  # anyone can claim https


def test_x_forwarded_host_is_believed_only_from_a_trusted_proxy(site: Site) -> None:
    tech = site.users.add("li", "technician", PW)
    cookie = login_cookie(site.data_dir, tech)[1]
    evil = {"Origin": "http://evil.example", "X-Forwarded-Host": "evil.example"}
    assert site.request("POST", "/api/tech/do", {}, cookie=cookie, headers=evil, source=OUTSIDER)[0] == 403
    # Through the proxy, the host the browser asked for is the proxy's word.
    ok = {"Origin": "https://centre.example", "X-Forwarded-Host": "centre.example", "X-Forwarded-Proto": "https"}
    assert site.request("POST", "/api/tech/do", {}, cookie=cookie, headers=ok, source=PROXY)[0] == 200
    assert site.request("POST", "/api/tech/do", {}, cookie=cookie, headers={**ok, "Origin": "http://evil.example"}, source=PROXY)[0] == 403


def test_serve_refuses_a_bad_trusted_proxy(tmp_path: Path) -> None:
    r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(tmp_path / "c"), "--with-broker",
                        "--trusted-proxy", "proxy.example"], capture_output=True, text=True, env=kiosk_env(), cwd=ROOT, timeout=60)
    assert r.returncode == 2 and "--trusted-proxy" in r.stderr and "proxy.example" in r.stderr
    assert "Traceback" not in r.stderr


def test_serve_with_trusted_proxy_throttles_the_real_client(tmp_path: Path) -> None:
    d = tmp_path / "center"
    d.mkdir()
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--with-broker", "--mqtt-port", "0",
         "--http", "127.0.0.1:0", "--trusted-proxy", "127.0.0.1"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=20)
        host = json.loads((d / "center.json").read_text())["http"]
        r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "add", "li", "--role", "technician", "--password-stdin",
                            "--data-dir", str(d)], input=PW + "\n", capture_output=True, text=True, env=kiosk_env(), cwd=ROOT)
        assert r.returncode == 0, r.stderr

        def login(name: str, password: str, client: str) -> int:
            conn = http.client.HTTPConnection(host, timeout=10)
            conn.request("POST", "/login", json.dumps({"name": name, "password": password}),
                         {"Content-Type": "application/json", "X-Forwarded-For": client})
            status = conn.getresponse().status
            conn.close()
            return status

        for i in range(30):
            assert login(f"user{i}", "guess", "203.0.113.9") == 401
        assert login("li", PW, "203.0.113.9") == 429
        assert login("li", PW, "198.51.100.7") == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
