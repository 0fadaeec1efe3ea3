"""The dashboard's versions and rollouts page in Debian's headless Chromium, over a real
rollout: a real centre (`kiosk-center serve`), `release rollout` as a technician runs it,
real terminals whose updaters download, verify, switch, confirm, refuse or report a
roll-back; progress bars per wave, the halt and its reason, versions per site."""

from __future__ import annotations

import os
import json
import shutil
import signal
import subprocess
import threading
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fleet import topics
from fleet.agent import start_agent
from fleet.center.auth import User, login_cookie
from fleet.update import gate
from fleet.update.client import TerminalUpdater, UpdateOptions
from fleet.update.layout import Layout
from fleet.update.service import UpdateService
from kiosk.bootstrap import build_terminal
from kiosk.config import DeviceUrls, FleetSettings, KioskConfig
from kiosk.lookup.build import build, default_source
from kiosk.lookup.library import default_library_path, install_library
from tests.support.cdp import CHROMIUM, Browser
from tests.fleet.conftest import until
from tests.fleet.test_cli import center
from tests.support import PYTHON, ROOT, kiosk_env
from tests.update.conftest import make_bundle

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")

HOSTILE = '<img src=x onerror="window.__owned=1">崩溃循环'
SITES = {"HS-RO-0001": "团城山街道工作站", "HS-RO-0002": "团城山街道工作站", "HS-RO-0003": "新下陆街道工作站",
         "HS-RO-0004": "新下陆街道工作站", "HS-RO-0005": "新下陆街道工作站"}


def _agent(tmp: Path, d: Path, broker: str, tid: str) -> tuple[Any, Any]:
    creds = json.loads(center(d, "terminals", "add", tid, "--site", SITES[tid], "--json").stdout)
    sim = DeviceUrls(idcard="sim:", printer="sim:", camera="", mic="", speaker="")
    cfg = KioskConfig(terminal_id=tid, site_name=SITES[tid], devices=sim,
                      fleet=FleetSettings(broker=broker, password=creds["password"], telemetry_seconds=1))
    t = build_terminal(cfg, tmp / tid, simulate=False, with_devices=True)
    t.open_devices()
    return t, start_agent(t)


def _service(agent: Any, layout: Layout, url: str, root: Path, running: str, *, attach: bool = True,
             checks: Any = None) -> tuple[UpdateService, threading.Event]:
    restarted = threading.Event()
    up = TerminalUpdater(layout, UpdateOptions(centre_url=url, trusted_root=root), running=running)
    svc = UpdateService(up, running=running, is_idle=agent.is_idle, restart=restarted.set, checks=checks, idle_poll_s=0.2,
                        report=lambda rep: agent.send(topics.UPDATE_REPORTED, rep.to_bytes(), retain=True))
    if attach:
        svc.attach(agent)
    return svc.start(), restarted


def test_rollout_progress_and_versions_in_chromium(tmp_path: Path) -> None:
    d = tmp_path / "center"
    d.mkdir()
    usb = tmp_path / "usb"
    assert center(d, "release", "init", "--keys", str(usb)).returncode == 0
    added = center(d, "release", "add", str(make_bundle(tmp_path, "1.1")), "--keys", str(usb))
    assert added.returncode == 0, added.stderr
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--with-broker", "--mqtt-port", "0", "--http", "127.0.0.1:0"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    agents: list[Any] = []
    services: list[UpdateService] = []
    try:
        until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=20)
        rt = json.loads((d / "center.json").read_text())
        base = f"http://{rt['http']}"
        url, root = base + "/updates", d / "updates" / "metadata" / "1.root.json"
        terms = {tid: _agent(tmp_path, d, rt["broker"], tid) for tid in SITES}
        agents += [a for _, a in terms.values()]
        until(lambda: all(a.connected_event.is_set() for a in agents), 15)
        layouts = {tid: Layout(tmp_path / f"prefix-{tid}") for tid in SITES}
        # One terminal runs a newer law library than the others.
        lib = tmp_path / "pkg" / "library.sqlite3"
        build(default_source(), lib, only=["宪法"], as_of=date(2020, 1, 1))
        t1 = terms["HS-RO-0001"][0]
        install_library(lib, default_library_path(t1.data_dir, t1.config.lookup.library))
        # 0001 and 0002 take the release for real; 0003's last start rolled 1.1 back (its
        # reason is hostile text); 0004 refuses it, having failed it before; 0005 has no updater.
        s1, restarted1 = _service(terms["HS-RO-0001"][1], layouts["HS-RO-0001"], url, root, "1.0")
        s2, _ = _service(terms["HS-RO-0002"][1], layouts["HS-RO-0002"], url, root, "1.0")
        gate.add_event(layouts["HS-RO-0003"], gate.ROLLED_BACK, {"version": "1.1", "to": "1.0", "reason": HOSTILE})
        s3, _ = _service(terms["HS-RO-0003"][1], layouts["HS-RO-0003"], url, root, "1.0", attach=False)
        layouts["HS-RO-0004"].write_json("failed.json", {"version": "1.1", "reason": "crash loop"})
        s4, _ = _service(terms["HS-RO-0004"][1], layouts["HS-RO-0004"], url, root, "1.0")
        services += [s1, s2, s3, s4]
        until(lambda: s3.last is not None and s3.last.state == "rolled_back", 10)
        # The technician's rollout: waves of 20/60/80/100 %, halt at 40 % failures.
        rollout = subprocess.Popen(
            [PYTHON, "-m", "fleet.center_cli", "release", "rollout", "1.1", "--all", "--waves", "20,60,80,100",
             "--halt-on-failures", "40", "--wave-timeout", "12", "--data-dir", str(d)],
            env=kiosk_env(), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # 0001 switches; the app restarts into 1.1, which passes its health checks.
        assert restarted1.wait(60)
        s1.close()
        healthy = {"attract": True, "self_test": True, "centre": True}
        s1b, _ = _service(terms["HS-RO-0001"][1], layouts["HS-RO-0001"], url, root, "1.1", checks=lambda: healthy)
        services.append(s1b)
        out, err = rollout.communicate(timeout=120)
        assert rollout.returncode == 3, (out, err)  # halted
        assert "halted: 2 of 4 failed" in out
        until(lambda: s2.last is not None and s2.last.state == "switched", 60)
        until(lambda: s1b.last is not None and s1b.last.state == "confirmed", 20)

        r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "users", "add", "li", "--role", "technician", "--display-name", "李工",
                            "--password-stdin", "--data-dir", str(d)], input="technician pw\n", capture_output=True, text=True,
                           env=kiosk_env(), cwd=ROOT)
        assert r.returncode == 0, r.stderr
        cookie_name, cookie = login_cookie(d, User("li", "technician", "李工"))
        # Nobody anonymous: the page sends to the sign-in form, its API answers 401.
        assert "/login" in urllib.request.urlopen(base + "/rollouts", timeout=10).geturl()
        try:
            urllib.request.urlopen(base + "/api/rollouts", timeout=10)
            raise AssertionError("/api/rollouts served without sign-in")
        except urllib.error.HTTPError as exc:
            assert exc.code == 401
        # In the browser, signed in as a technician: the page as the centre computes it from the stored reports.
        browser = Browser(tmp_path / "chromium", height=1000)
        try:
            browser.call("Log.enable")
            browser.call("Runtime.enable")
            browser.set_cookie(base + "/", cookie_name, cookie)
            browser.goto(base + "/rollouts")
            sel = '.rollout[data-version="1.1"]'
            want = {"confirmed": 1, "updated": 1, "rolled_back": 1, "failed": 1, "pending": 1}

            def total() -> dict[str, int]:
                got = browser.js(f"JSON.stringify(Array.from(document.querySelectorAll('{sel} .total rect')).map(r => [r.dataset.cat, +r.dataset.n]))")
                return dict(json.loads(got or "[]"))

            # Live: the page redraws as the last reports arrive.
            until(lambda: total() == want, 20)
            assert browser.js(f"document.querySelector('{sel}').dataset.state") == "halted"
            assert browser.js(f"document.querySelector('{sel} .halt').textContent") == "暂停原因：已发送 4 台中 2 台失败（50%，达到 40% 阈值）"
            # Each of the five a fifth of the bar.
            widths = browser.js(f"Array.from(document.querySelectorAll('{sel} .total rect')).map(r => +r.getAttribute('width'))")
            assert [round(w) for w in widths] == [20] * 5
            # Waves: 1, 2 and 1 terminals went out; the last wave was never sent.
            waves = browser.js(f"Array.from(document.querySelectorAll('{sel} .wave')).map(w => w.dataset.sent + ':' + w.querySelectorAll('rect').length)")
            assert waves == ["1:1", "1:2", "1:1", "0:1"]
            # Why each failed: the terminal's text shown as text, never run.
            reasons = browser.js(f"Array.from(document.querySelectorAll('{sel} table.failed tr[data-id]')).map(r => r.dataset.id + '|' + r.lastChild.textContent)")
            assert sorted(reasons) == sorted([f"HS-RO-0003|{HOSTILE}", "HS-RO-0004|version 1.1 failed its health check here before (crash loop); not again"])
            assert browser.js("document.querySelectorAll('main img').length") == 0 and browser.js("window.__owned === undefined")
            # Versions per site: every terminal's software, and the one newer law library.
            row = browser.js("document.querySelector('tr[data-site=\"团城山街道工作站\"] .v-library').textContent")
            assert "2020-01-01+" in row and "×1" in row and "未上报×1" in row
            sites = browser.js("Array.from(document.querySelectorAll('#sites tr[data-site]')).map(r => r.children[1].textContent)")
            assert sites == ["2", "3"]
            assert not [m for m in browser.console() if "Refused" in m or "exception" in m]
            browser.screenshot(tmp_path / "rollouts.png", height=1000)
            browser.goto(base + "/rollouts?lang=en")
            until(lambda: browser.js(f"document.querySelector('{sel} .halt')?.textContent") == "Halted: 2 of 4 sent failed (50%, threshold 40%)", 10)
            # Reached from the dashboard's header.
            browser.goto(base + "/")
            assert browser.js("document.getElementById('nav-rollouts').getAttribute('href')") == "/rollouts"
        finally:
            browser.close()
        assert (tmp_path / "rollouts.png").stat().st_size > 10_000
        if os.environ.get("KIOSK_DOC_SHOTS"):  # make screenshots refreshes docs/
            shutil.copy(tmp_path / "rollouts.png", ROOT / "docs" / "screens" / "rollouts.png")
    finally:
        for svc in services:
            svc.close()
        for a in agents:
            a.close()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
