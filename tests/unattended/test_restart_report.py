"""A terminal's restarts reach the centre at its next connection (an outbox event) and
show on the dashboard's terminal page — as text, whatever the terminal sent."""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.request
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from fleet.agent import start_agent
from fleet.center.auth import User, login_cookie
from kiosk.bootstrap import build_terminal
from kiosk.config import DeviceUrls, FleetSettings, KioskConfig
from kiosk.outbox import add_event
from kiosk.runjournal import RunJournal
from kiosk.store import DB_FILENAME, connect, transaction
from tests.support.cdp import CHROMIUM, Browser
from tests.fleet.conftest import until
from tests.fleet.test_cli import center, served  # noqa: F401 — served is a fixture
from tests.support import PYTHON, ROOT, kiosk_env
from tests.unattended.notify_support import NotifySocket, start_kiosk, stop

TID = "HS-XL-0042"


def test_restarts_reported_at_the_next_connection_and_shown_as_text(tmp_path: Path):
    d = tmp_path / "center"
    d.mkdir()
    data = tmp_path / TID
    # Two restarts while the terminal had no link to the centre.
    journal = RunJournal(data)
    t0 = datetime.now().astimezone() - timedelta(hours=3)
    journal.begin(t0)
    journal.end("watchdog", "watchdog killed ABRT", t0 + timedelta(hours=1))
    journal.begin(t0 + timedelta(hours=1, seconds=40))
    journal.begin(t0 + timedelta(hours=2))  # nothing recorded the end: a power cut
    with closing(connect(data / DB_FILENAME)) as c, transaction(c):  # what a tampered terminal could send
        add_event(c, "restart", {"reason": "<img src=x onerror=alert(1)>", "detail": "<b>bold</b>", "lost_s": "lots"}, t0 + timedelta(hours=2, minutes=1))
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--with-broker", "--mqtt-port", "0", "--http", "127.0.0.1:0"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    agent = None
    try:
        until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=20)
        rt = json.loads((d / "center.json").read_text())
        base = f"http://{rt['http']}"
        creds = json.loads(center(d, "terminals", "add", TID, "--site", "团城山街道工作站", "--json").stdout)
        subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "add", "li", "--role", "technician", "--password-stdin",
                        "--data-dir", str(d)], input="technician pw\n", capture_output=True, text=True, env=kiosk_env(), cwd=ROOT, check=True)
        cookie_name, cookie = login_cookie(d, User("li", "technician", "李工"))
        cfg = KioskConfig(terminal_id=TID, devices=DeviceUrls(idcard="", printer="", camera="", mic="", speaker=""),
                          fleet=FleetSettings(broker=rt["broker"], password=creds["password"], telemetry_seconds=1))
        terminal = build_terminal(cfg, data, simulate=False, with_devices=False)
        agent = start_agent(terminal)

        def detail() -> dict:
            req = urllib.request.Request(f"{base}/api/terminals/{TID}", headers={"Cookie": f"{cookie_name}={cookie}"})
            return json.loads(urllib.request.urlopen(req, timeout=10).read())

        until(lambda: len(detail()["restarts"]) == 3, timeout=30)
        restarts = detail()["restarts"]
        assert [r["reason"] for r in restarts] == ["unknown", "unknown", "watchdog"]  # newest first
        assert restarts[2]["lost_s"] == 40.0 and restarts[2]["detail"] == "watchdog killed ABRT"
        assert restarts[0]["detail"] == "<b>bold</b>" and restarts[0]["lost_s"] is None
        if not Path(CHROMIUM).exists():
            pytest.skip("Debian chromium is not installed")
        browser = Browser(tmp_path / "chromium")
        try:
            browser.set_cookie(base + "/", cookie_name, cookie)
            browser.goto(base + "/")
            browser.js("localStorage.setItem('lang', 'zh_CN')")
            browser.goto(f"{base}/#/t/{TID}")
            until(lambda: browser.js("document.querySelector('.restarts') !== null"), timeout=10)
            text = browser.js("document.querySelector('.restarts').textContent")
            assert "重启记录" in text and "看门狗（界面无响应）" in text and "中断 40 s" in text and "断电或复位" in text
            assert "<b>bold</b>" in text
            assert browser.js("document.querySelectorAll('.restarts img, .restarts b').length") == 0
        finally:
            browser.close()
    finally:
        if agent is not None:
            agent.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_the_centres_restart_command_is_recorded_as_such(served, tmp_path: Path):
    """``restart_app`` to a running ``kiosk run``: it comes back (a second READY=1 to
    systemd), knows it was the centre's command, and the centre gets that restart."""
    d, rt = served
    creds = json.loads(center(d, "terminals", "add", TID, "--site", "团城山", "--json").stdout)
    data = tmp_path / "kiosk"
    data.mkdir()
    (data / "cred.json").write_text(json.dumps(creds))
    cfg = data / "kiosk.toml"
    cfg.write_text(f'terminal_id = "{TID}"\n[fleet]\nbroker = "{rt["broker"]}"\ncredentials_file = "cred.json"\ntelemetry_seconds = 1\n')
    ns = NotifySocket(tmp_path / "notify.sock")
    proc = start_kiosk(data, ns)
    try:
        first = ns.wait_for("READY=1", timeout=60)
        until(lambda: json.loads(center(d, "terminals", "--json").stdout)[0]["online"], timeout=40)
        res = center(d, "cmd", TID, "restart_app", "--json")
        assert res.returncode == 0 and json.loads(res.stdout)["ok"] is True
        ns.wait_for("READY=1", timeout=60, after=first + 0.5)
        assert proc.poll() is None
        assert json.loads((data / "restarts.json").read_text())[0]["reason"] == "command"

        def delivered() -> bool:
            with closing(connect(data / DB_FILENAME)) as c:
                return c.execute("SELECT COUNT(*) FROM outbox WHERE kind = 'restart' AND delivered_at IS NOT NULL").fetchone()[0] == 1

        until(delivered, timeout=40)
    finally:
        stop(proc)
        ns.close()
