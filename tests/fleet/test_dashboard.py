"""The dashboard in Debian's headless Chromium: state colours, alerts, a terminal's page
with charts, command buttons, the last screenshot, and live updates (SSE)."""

from __future__ import annotations

import os
import json
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fleet.agent import start_agent
from fleet.center.auth import User, login_cookie
from kiosk.bootstrap import build_terminal
from kiosk.config import DeviceUrls, FleetSettings, KioskConfig
from kiosk.ports import DeviceKind, PrinterStatus
from tests.support.cdp import CHROMIUM, Browser
from tests.fleet.conftest import until
from tests.fleet.test_cli import center
from tests.support import PYTHON, ROOT, kiosk_env

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
SCREEN = ROOT / "docs" / "screens" / "home.png"


def _agent(tmp: Path, d: Path, broker: str, tid: str, site: str, **devices: str):
    creds = json.loads(center(d, "terminals", "add", tid, "--site", site, "--json").stdout)
    cfg = KioskConfig(terminal_id=tid, site_name=site, devices=DeviceUrls(**devices),
                      fleet=FleetSettings(broker=broker, password=creds["password"], telemetry_seconds=1))
    t = build_terminal(cfg, tmp / tid, simulate=False, with_devices=True)
    t.open_devices()
    return t, start_agent(t, screenshot=lambda: SCREEN.read_bytes() if SCREEN.exists() else None)


def _status(url: str) -> int:
    try:
        return int(urllib.request.urlopen(url, timeout=10).status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_dashboard_in_chromium(tmp_path):
    d = tmp_path / "center"
    d.mkdir()
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--with-broker", "--mqtt-port", "0",
         "--http", "127.0.0.1:0", "--offline-alert-minutes", "0.05"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    agents = []
    try:
        until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=20)
        rt = json.loads((d / "center.json").read_text())
        base = f"http://{rt['http']}"
        # Signed in as a technician (the form itself is tested in test_auth.py).
        r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "add", "li", "--role", "technician", "--display-name", "李工",
                            "--password-stdin", "--data-dir", str(d)], input="technician pw\n", capture_output=True, text=True, env=kiosk_env(), cwd=ROOT)
        assert r.returncode == 0, r.stderr
        cookie_name, cookie = login_cookie(d, User("li", "technician", "李工"))
        auth_header = {"Cookie": f"{cookie_name}={cookie}"}
        assert _status(base + "/api/terminals") == 401  # nobody anonymous
        sim = {"idcard": "sim:", "printer": "sim:", "camera": "", "mic": "", "speaker": ""}
        t1, a1 = _agent(tmp_path, d, rt["broker"], "HS-XL-0001", "团城山街道工作站", **sim)
        t2, a2 = _agent(tmp_path, d, rt["broker"], "HS-XL-0002", "新下陆街道工作站", **sim)
        t3, a3 = _agent(tmp_path, d, rt["broker"], "HS-XS-0007", "西塞山区司法所", **sim)
        t4, a4 = _agent(tmp_path, d, rt["broker"], "HS-TS-0003", "铁山区工作室", **sim)
        agents += [a1, a2, a3, a4]
        t2.devices[DeviceKind.PRINTER].set_sim_status(PrinterStatus.PAPER_OUT)
        next(x for x in t3.devices[DeviceKind.IDCARD].sim_actions() if x.action_id == "idcard.unplug").run()
        for i in range(6):
            for t, n in ((t1, 3), (t2, 1), (t3, 2)):
                for _ in range(n + i % 2):
                    t.queue.take("consultation")
            time.sleep(1.0)
        a4.close()  # gone offline
        time.sleep(4)
        rows = {r["terminal_id"]: r for r in json.loads(urllib.request.urlopen(urllib.request.Request(base + "/api/terminals", headers=auth_header)).read())}
        assert rows["HS-XL-0001"]["colour"] == "green" and rows["HS-XL-0001"]["alerts"] == []
        assert "paper_out" in rows["HS-XL-0002"]["alerts"] and rows["HS-XL-0002"]["colour"] == "amber"
        assert "reader_missing" in rows["HS-XS-0007"]["alerts"]
        assert rows["HS-TS-0003"]["alerts"] == ["offline"] and rows["HS-TS-0003"]["colour"] == "red"
        # A command from the page's API, as the buttons call it; the screenshot is kept.
        req = urllib.request.Request(base + "/api/terminals/HS-XL-0001/cmd", data=b'{"name":"screenshot"}', headers={"Content-Type": "application/json", **auth_header})
        assert json.loads(urllib.request.urlopen(req, timeout=30).read())["ok"] is True
        # Live updates: the event stream names the terminals that changed.
        stream = urllib.request.urlopen(urllib.request.Request(base + "/api/stream", headers=auth_header), timeout=10)
        got = b""
        while b"data:" not in got:
            got += stream.readline()
        assert b"HS-" in stream.readline() + got
        stream.close()
        # In the browser, with time passing: live updates redraw without a reload.
        browser = Browser(tmp_path / "chromium")
        try:
            browser.set_cookie(base + "/", cookie_name, cookie)
            browser.goto(base + "/")
            dom = browser.html()
            assert "公共法律服务终端" in dom and 'data-id="HS-XL-0002" data-colour="amber"' in dom
            assert "打印机缺纸" in dom and "读卡器缺失或故障" in dom and "离线超过" in dom and 'data-live="1"' in dom
            before = browser.js("document.querySelector('tr[data-id=\"HS-XL-0001\"]').children[5].textContent")
            for _ in range(5):
                t1.queue.take("mediation")
            until(lambda: browser.js("document.querySelector('tr[data-id=\"HS-XL-0001\"]').children[5].textContent") == str(int(before) + 5), timeout=10)
            out = ROOT / "docs" / "screens"
            browser.screenshot(tmp_path / "dashboard.png")
            browser.goto(base + "/?lang=en")
            assert "Legal service terminals" in browser.html()
            browser.screenshot(tmp_path / "dashboard-en.png")
            browser.goto(base + "/#/t/HS-XL-0001")
            browser.js("localStorage.setItem('lang', 'zh_CN')")
            browser.goto(base + "/#/t/HS-XL-0001")
            page = browser.html()
            assert "自检" in page and "重启应用" in page and 'id="shot"' in page and "<path" in page
            # A command button, clicked: its reply shows on the page.
            browser.js("document.querySelector('button[data-cmd=\"self_test\"]').click()")
            until(lambda: "自检: 成功" in (browser.js("document.getElementById('out').textContent") or ""), timeout=15)
            browser.screenshot(tmp_path / "dashboard-terminal.png", height=1150)
        finally:
            browser.close()
        for name in ("dashboard.png", "dashboard-terminal.png", "dashboard-en.png"):
            assert (tmp_path / name).stat().st_size > 10_000
            if os.environ.get("KIOSK_DOC_SHOTS"):  # make screenshots refreshes docs/
                shutil.copy(tmp_path / name, out / name)
    finally:
        for a in agents:
            a.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
