"""The centre's slots page in headless Chromium (signed in as a technician): publish
slots, see them listed; a terminal then asks the same centre (the dashboard registers
the appointment asks) and gets them. The bureau may look, not publish."""

from __future__ import annotations

import asyncio
import json
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fleet.center.auth import Users, login_cookie
from fleet.center.webapp import CentreWebApp
from tests.appointments.conftest import SITE, desk_of
from tests.support.cdp import CHROMIUM, Browser
from tests.fleet.conftest import Fleet, until

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screens" if os.environ.get("KIOSK_DOC_SHOTS") else None


def _post(url: str, body: dict, cookie: str) -> int:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Cookie": cookie})
    try:
        return urllib.request.urlopen(req, timeout=10).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_slots_page_publishes_and_a_terminal_books_from_it(tmp_path: Path) -> None:
    f = Fleet(tmp_path)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    dash = CentreWebApp(f.center, tmp_path / "center")
    browser = None
    try:
        port = asyncio.run_coroutine_threadsafe(dash.start("127.0.0.1", 0), loop).result(20)
        base = f"http://127.0.0.1:{port}"
        users = Users(f.store)
        users.add("li", "technician", "technician pw 1", "李工")
        users.add("zhao", "bureau", "bureau pw 1234", "赵科长")
        name, value = login_cookie(tmp_path / "center", users.get("li"))  # type: ignore[arg-type]
        bname, bvalue = login_cookie(tmp_path / "center", users.get("zhao"))  # type: ignore[arg-type]
        f.provision("WEB1", SITE)
        t = f.terminal("WEB1")
        f.agent(t)
        until(lambda: t.centre is not None and t.centre.connected())

        browser = Browser(tmp_path / "chromium")
        browser.set_cookie(base + "/", name, value)
        browser.goto(base + "/appointments", wait=1.0)
        until(lambda: browser.js("document.getElementById('site').options.length") == 1, timeout=10)
        assert browser.js("document.getElementById('title').textContent") == "预约时段"
        browser.js(
            "document.getElementById('service').value = 'notary';"
            "document.getElementById('from').value = '2030-03-04'; document.getElementById('to').value = '2030-03-05';"
            "document.getElementById('start').value = '09:00'; document.getElementById('end').value = '10:00';"
            "document.getElementById('capacity').value = '3';"
            "document.getElementById('do-publish').click()"
        )
        until(lambda: browser.js("document.querySelectorAll('#slots tr[data-slot]').length") == 4, timeout=10)
        assert browser.js("document.getElementById('msg').textContent") == "已发布 4 个时段（仅工作日）"
        rows = browser.js("Array.from(document.querySelectorAll('#slots tr[data-slot]')).map(r => r.textContent)")
        assert rows[0] == f"{SITE}2030-03-0409:00–09:30公证0 / 3"
        if SHOTS:
            browser.screenshot(SHOTS / "appointment_slots_page.png")
        # The terminal of that site sees them (the centre answers its asks).
        days = sorted({s.day.isoformat() for s in desk_of(t).slots("notary")})
        assert days == ["2030-03-04", "2030-03-05"]
        # The bureau may look but not publish; nobody anonymous may do either.
        body = {"site": SITE, "service": "notary", "from": "2030-03-06"}
        assert _post(base + "/api/appointments/slots", body, f"{bname}={bvalue}") == 403
        assert _post(base + "/api/appointments/slots", body, "") == 401
        assert len(f.store.engine.connect().exec_driver_sql("SELECT * FROM appt_slots").fetchall()) == 4
    finally:
        if browser is not None:
            browser.close()
        asyncio.run_coroutine_threadsafe(dash.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        f.close()
