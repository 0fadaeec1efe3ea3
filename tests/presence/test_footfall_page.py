"""Footfall on the bureau's figures page, in Debian's headless Chromium: a terminal's
``footfall`` events ingested by the real centre store, the page served by
``kiosk-center serve``, signed in as the bureau."""

from __future__ import annotations

import json
import signal
import subprocess
import uuid
from datetime import datetime
from pathlib import Path

import pytest

from fleet import topics
from fleet.broker import hash_password, new_password
from fleet.center import figures
from fleet.center.auth import COOKIE, User, Users, login_cookie
from fleet.center.store import Store
from tests.fleet.conftest import until
from tests.support import CST, PYTHON, ROOT, kiosk_env
from tests.support.cdp import CHROMIUM, Browser

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
DAY = "2026-11-30"
# (hour, what, how many): a morning and an afternoon at one village room.
COUNTS = [(9, "approached", 7), (9, "engaged", 4), (9, "served", 3), (15, "approached", 5), (15, "engaged", 1)]


def _events() -> list[topics.Event]:
    out = []
    for hour, what, n in COUNTS:
        at = datetime(2026, 11, 30, hour, 10, tzinfo=CST)
        out += [topics.Event(event_id=uuid.uuid4().hex, kind="footfall", payload={"day": DAY, "hour": hour, "what": what},
                             created_at=at) for _ in range(n)]
    return out


def test_the_bureau_sees_footfall_per_hour(tmp_path: Path) -> None:
    db = tmp_path / "center.sqlite3"
    store = Store(f"sqlite:///{db}")
    store.add_terminal("FF-0001", "黄荆山村法律服务室", hash_password(new_password()))
    store.ingest([("FF-0001", topics.EVENTS, topics.EventBatch(events=_events()))])
    figures.refresh(store.engine)
    tot = figures.report(store.engine, DAY, DAY).get()
    assert (tot["footfall_approached"], tot["footfall_engaged"], tot["footfall_served"]) == (12, 5, 3)
    Users(store).add("wang", "bureau", "bureau password", "王科长")
    store.close()
    d = tmp_path / "center"
    d.mkdir()
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--db", f"sqlite:///{db}", "--with-broker",
         "--mqtt-port", "0", "--http", "127.0.0.1:0"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=30)
        base = "http://" + json.loads((d / "center.json").read_text())["http"]
        _, cookie = login_cookie(d, User("wang", "bureau", "王科长"))
        browser = Browser(tmp_path / "chromium", height=1000)
        try:
            browser.set_cookie(base, COOKIE, cookie)
            browser.goto(base + f"/figures?from={DAY}&to={DAY}")
            until(lambda: browser.js("document.body.dataset.loaded") == "1", timeout=30)
            assert browser.js("document.querySelector('#kpi-footfall b').textContent") == "12 / 5 / 3"
            assert "走近 / 驻足 / 办理" in browser.js("document.querySelector('#kpi-footfall span').textContent")
            # One bar per hour of the day, the morning's taller than the afternoon's.
            heights = browser.js("[...document.querySelectorAll('#chart-footfall rect.bar')].map(r => +r.getAttribute('height'))")
            assert len(heights) == 24
            assert heights[9] > heights[15] > 0 and heights[3] == 0
        finally:
            browser.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
