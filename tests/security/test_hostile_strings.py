"""Hostile strings from a terminal or a person, through the real paths (Mosquitto, the
agent's own connection, the centre's stores), into every page of the centre and the
window console in headless chromium: each shows as literal text and no script runs.

The browser here ignores the Content-Security-Policy (``Page.setBypassCSP``): these
tests prove the pages themselves never turn data into markup; test_csp.py proves the
policy that stands behind them.
"""

from __future__ import annotations

import io
import json
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
from PIL import Image

from fleet import topics
from fleet.intake.keys import IntakeKeys
from kiosk.bootstrap import build_terminal
from kiosk.config import KioskConfig
from kiosk.identity import CardType, Gender, IdentityCard
from kiosk.legal_aid.application import Draft, ensure_schema, submit
from kiosk.store import DB_FILENAME
from tests.support.cdp import CHROMIUM, Browser
from tests.fleet.conftest import until
from tests.security.support import NAME, PAYLOADS, SHORT, Centre, ConsoleWeb, browser, missing, nothing_ran, page_text, signed_in

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def centre(tmp_path: Path) -> Iterator[Centre]:
    """The centre (broker, store, web app with its canary)."""
    c = Centre(tmp_path)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture
def chromium(tmp_path: Path) -> Iterator[Browser]:
    """Headless chromium with the CSP turned off (see the module docstring)."""
    b = browser(tmp_path / "chromium", bypass_csp=True)
    try:
        yield b
    finally:
        b.close()


def _post(url: str, body: dict[str, Any], cookie: tuple[str, str]) -> tuple[int, Any]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Cookie": "=".join(cookie)})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _get(url: str, cookie: tuple[str, str]) -> Any:
    req = urllib.request.Request(url, headers={"Cookie": "=".join(cookie)})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def _joined(centre: Centre, tid: str, site: str) -> tuple[Any, Any]:
    """A terminal registered at ``site`` with its real agent, joined to the centre. Its
    own telemetry waits an hour, so what the test publishes stays the latest."""
    centre.fleet.provision(tid, site)
    t = centre.fleet.terminal(tid, telemetry_seconds=3600)
    agent = centre.fleet.agent(t, outbox_poll_seconds=0.2)
    until(lambda: t.centre is not None and t.centre.connected(), timeout=15)
    until(lambda: (centre.fleet.store.terminal(tid) or {}).get("telemetry"), timeout=15)
    return t, agent


def test_dashboard_shows_what_a_terminal_sends_as_text(centre: Centre, chromium: Browser) -> None:
    site, kind, state, detail, paper, reader, version, vkey, vval = PAYLOADS[:9]
    t, agent = _joined(centre, "XSS-T1", site)
    # What a terminal whose software was replaced publishes on its own connection.
    hostile = agent.telemetry().model_copy(update={
        "at": datetime.now(timezone.utc),
        "devices": [topics.DeviceReport(kind=kind, state=state, detail=detail, paper=paper),
                    topics.DeviceReport(kind="idcard", state=reader, detail=PAYLOADS[9]),
                    topics.DeviceReport(kind="printer", state="ready", detail="", paper="paper_low")],
        "versions": {"kiosk": version, vkey: vval},
    })
    agent.link.publish(topics.TELEMETRY, hostile.to_bytes(), qos=1)  # the terminal's own link
    until(lambda: kind in json.dumps((centre.fleet.store.terminal("XSS-T1") or {}).get("telemetry"), ensure_ascii=False), timeout=15)
    # Its log, as get_logs returns it.
    logs = t.data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / "kiosk.log", "a", encoding="utf-8") as f:
        f.write("".join(p + "\n" for p in PAYLOADS))
    # A technician whose display name is hostile types hostile command names (the API the
    # page's buttons use; anything can be posted to it).
    cookie = centre.account("li", "technician", PAYLOADS[4])
    for name in SHORT:
        status, reply = _post(f"{centre.base}/api/terminals/XSS-T1/cmd", {"name": name}, cookie)
        assert status == 200 and reply["ok"] is False and reply["error"] == "unknown_command", reply

    signed_in(chromium, centre.base, cookie)
    chromium.goto(centre.base + "/?lang=zh_CN&sse=2", wait=1.0)
    until(lambda: chromium.js("document.querySelectorAll('#terminals tr.row').length") == 1, timeout=15)
    until(lambda: chromium.js("document.getElementById('who').textContent") == PAYLOADS[4], timeout=10)
    text = page_text(chromium)
    assert missing(text, [site, version, PAYLOADS[4]]) == []
    assert chromium.js("document.querySelector('#terminals tr.row').dataset.id") == "XSS-T1"

    chromium.goto(centre.base + "/?sse=2#/t/XSS-T1", wait=1.0)
    until(lambda: "XSS-T1" in (chromium.js("document.querySelector('main h2') && document.querySelector('main h2').textContent") or ""), timeout=15)
    time.sleep(1.0)  # an <img onerror> fires once the image fails to load
    assert nothing_ran(chromium, centre.dash) == []
    until(lambda: chromium.js("document.querySelectorAll('#devices tr').length") == 3, timeout=15)
    chromium.js("document.querySelector('button[data-cmd=\"get_logs\"]').click()")
    until(lambda: PAYLOADS[-1] in (chromium.js("document.getElementById('out').textContent") or ""), timeout=20)
    text = page_text(chromium)
    assert missing(text, [site, kind, state, detail, paper, reader, PAYLOADS[9], version, vkey, vval, *SHORT, *PAYLOADS]) == []
    # Device names in Chinese on the Chinese dashboard.
    kinds = chromium.js("[...document.querySelectorAll('#devices tr')].map(r => r.cells[0].textContent)")
    assert kinds == [kind, "身份证读卡器", "凭条打印机"]
    assert chromium.js("document.querySelector('#devices tr[data-kind=\"printer\"]').cells[2].textContent") == "纸将用完"
    # Nothing extra came into the page: no element, no handler, from any of it.
    assert chromium.js("document.querySelectorAll('main img:not(#shot), main script, main iframe, main svg:not(.chart), main b:not([id]), main style').length") == 0
    assert chromium.js("[...document.querySelectorAll('main *')].filter(e => [...e.attributes].some(a => a.name.startsWith('on'))).length") == 0
    time.sleep(1.0)  # an <img onerror> fires once the image fails to load
    assert nothing_ran(chromium, centre.dash) == []

    # The same in English: the device names are translated, the unknown one stays as sent.
    chromium.goto(centre.base + "/?lang=en&sse=2#/t/XSS-T1", wait=1.0)
    until(lambda: chromium.js("document.querySelectorAll('#devices tr').length") == 3, timeout=15)
    assert chromium.js("[...document.querySelectorAll('#devices tr')].map(r => r.cells[0].textContent)") == [kind, "ID card reader", "Receipt printer"]
    assert nothing_ran(chromium, centre.dash) == []


def _signature_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (120, 40), "white").save(buf, "PNG")
    return buf.getvalue()


def test_intake_and_public_progress_show_an_application_as_text(centre: Centre, chromium: Browser) -> None:
    site = PAYLOADS[2]
    t, agent = _joined(centre, "XSS-LA", site)
    keys = IntakeKeys(centre.data_dir)
    card = IdentityCard(CardType.RESIDENT, PAYLOADS[0], Gender.FEMALE, date(1956, 3, 15), "42020219560315002X", PAYLOADS[1])
    draft = Draft(matter=PAYLOADS[3], declared_groups={PAYLOADS[5]}, hardship=True, phone=PAYLOADS[6], story=PAYLOADS[7],
                  signature_png=_signature_png())
    # Filed on the terminal's own store, as its legal-aid flow does; its agent delivers it.
    conn = sqlite3.connect(t.data_dir / DB_FILENAME, isolation_level=None)
    try:
        ensure_schema(conn)
        sub = submit(conn, draft, card, public_key=keys.public_text, terminal_id="XSS-LA", site=site, prefix="0001",
                     at=datetime.now(timezone.utc), language="zh_CN", letter_text=PAYLOADS[8])
    finally:
        conn.close()
    until(lambda: centre.fleet.store.event_count("XSS-LA", "legal_aid_application") == 1, timeout=20)

    # Staff with a hostile user name and display name ask for more material, with a hostile note.
    cookie = centre.account(NAME, "legal_aid", PAYLOADS[9])
    apps = _get(centre.base + "/api/intake/applications", cookie)
    assert len(apps) == 1
    status, _ = _post(f"{centre.base}/api/intake/applications/{apps[0]['id']}/status", {"status": "more_material", "note": PAYLOADS[4]}, cookie)
    assert status == 200

    signed_in(chromium, centre.base, cookie)
    chromium.goto(centre.base + "/intake", wait=1.0)
    until(lambda: chromium.js("document.querySelectorAll('#list tbody tr').length") == 1, timeout=15)
    chromium.js("document.querySelector('#list tbody tr').click()")
    until(lambda: chromium.js("document.querySelectorAll('#d-history li').length") == 1, timeout=15)
    text = page_text(chromium)
    assert missing(text, [PAYLOADS[0], PAYLOADS[1], site, PAYLOADS[3], PAYLOADS[5], PAYLOADS[6], PAYLOADS[7], PAYLOADS[8], PAYLOADS[4], NAME]) == []
    assert chromium.js("document.querySelectorAll('#detail img:not(#d-signature), #detail svg, #list svg, #list img, script:not([src])').length") == 0
    time.sleep(1.0)
    assert nothing_ran(chromium, centre.dash) == []

    # The public page the receipt's QR code opens (built on the server): the note as text.
    chromium.call("Network.clearBrowserCookies")
    chromium.goto(f"{centre.base}/legal-aid/progress?n={sub.number}&c={sub.check_code}", wait=1.0)
    assert PAYLOADS[4] in page_text(chromium) and sub.number in page_text(chromium)
    assert nothing_ran(chromium, centre.dash) == []


def test_slots_figures_report_and_desk_show_names_as_text(centre: Centre, chromium: Browser) -> None:
    site = PAYLOADS[0]
    t, agent = _joined(centre, "XSS-AP", site)
    cookie = centre.account("admin1", "admin", PAYLOADS[3])
    today = date.today()
    status, reply = _post(centre.base + "/api/appointments/slots", {
        "site": site, "service": "consultation", "from": today.isoformat(), "to": (today + timedelta(days=7)).isoformat(),
        "start": "09:00", "end": "10:00", "every_minutes": 30, "capacity": 2}, cookie)
    assert status == 200 and reply["published"] > 0, reply

    signed_in(chromium, centre.base, cookie)
    chromium.goto(centre.base + "/appointments", wait=1.0)
    until(lambda: chromium.js("document.querySelectorAll('#slots tr[data-slot]').length") > 0, timeout=15)
    until(lambda: chromium.js("document.getElementById('who').textContent") == PAYLOADS[3], timeout=10)
    assert missing(page_text(chromium), [site, PAYLOADS[3]]) == []
    # A publish refused for a hostile site: the reason shown as text.
    chromium.js(f"const o = document.createElement('option'); o.value = o.textContent = {json.dumps(PAYLOADS[1])};"
                "document.getElementById('site').append(o); document.getElementById('site').value = o.value;"
                "document.getElementById('every').value = '7'; document.getElementById('do-publish').click()")
    until(lambda: chromium.js("document.getElementById('msg').textContent"), timeout=10)
    assert nothing_ran(chromium, centre.dash) == []

    # The figures page lists every site in its filter; the printable report names the site asked for.
    chromium.goto(centre.base + "/figures?site=" + urllib.parse.quote(PAYLOADS[2]), wait=1.0)
    until(lambda: chromium.js("document.body.dataset.loaded") == "1", timeout=30)
    options = chromium.js("[...document.getElementById('site').options].map(o => o.textContent)")
    assert site in options
    chromium.goto(centre.base + "/api/figures/export.html?site=" + urllib.parse.quote(PAYLOADS[2]), wait=1.0)
    assert nothing_ran(chromium, centre.dash) == []

    # The lawyer desk: a hostile lawyer's name, and a call whose service the terminal made up.
    lawyer = centre.account("wang", "lawyer", PAYLOADS[5])
    signed_in(chromium, centre.base, lawyer)
    chromium.goto(centre.base + "/desk/", wait=1.0)
    until(lambda: chromium.js("window.desk && desk.linkUp && desk.me !== null"), timeout=15)
    chromium.js("document.getElementById('duty').click()")
    until(lambda: chromium.js("desk.me && desk.me.on_duty"), timeout=10)
    service = SHORT[0]
    signal = topics.CallSignal(type="request", call_id="xsscall0001", sdp="v=0\r\n", service=service, priority="elderly", record=False)
    agent.link.publish(topics.CALL_OUT, signal.to_bytes(), qos=1)  # the terminal's own link
    until(lambda: chromium.js("document.querySelectorAll('#queue li').length") == 1, timeout=15)
    assert missing(page_text(chromium), [site, service, PAYLOADS[5]]) == []
    time.sleep(1.0)
    assert nothing_ran(chromium, centre.dash) == []


def _console_terminal(tmp: Path) -> Any:
    """A terminal whose site name and one service name are hostile (its own config and
    catalogue files, validated as at start-up)."""
    shipped = (ROOT / "kiosk" / "data" / "catalog.toml").read_text(encoding="utf-8")
    catalog = tmp / "catalog.toml"
    catalog.write_text(shipped.replace('name = { zh_CN = "法律咨询"', "name = { zh_CN = " + json.dumps(PAYLOADS[6]), 1), encoding="utf-8")
    cfg = KioskConfig(terminal_id="XSS-C1", site_name=PAYLOADS[7], catalog=catalog)
    return build_terminal(cfg, tmp / "console-terminal", simulate=True, with_devices=False)


def test_window_console_shows_site_and_service_names_as_text(tmp_path: Path, chromium: Browser) -> None:
    terminal = _console_terminal(tmp_path)
    assert terminal.catalog.get("consultation").name.zh_CN == PAYLOADS[6]
    for _ in range(3):
        terminal.queue.take("consultation")
    console = ConsoleWeb(terminal)
    try:
        chromium.goto(console.base + "/", wait=1.0)
        chromium.js("sessionStorage.clear(); localStorage.clear()")
        chromium.goto(console.base + "/", wait=1.0)
        until(lambda: chromium.js("document.getElementById('sign-in').hidden") is False, timeout=10)
        chromium.js("document.querySelector('#service-list input[value=\"consultation\"]').checked = true;"
                    "document.getElementById('window').value = '3'; document.getElementById('do-sign-in').click()")
        until(lambda: chromium.js("document.querySelectorAll('#upcoming li[data-number]').length") == 3, timeout=10)
        chromium.js("document.getElementById('call').click()")
        until(lambda: chromium.js("document.getElementById('current').textContent") != "—", timeout=10)
        text = page_text(chromium)
        assert missing(text, [PAYLOADS[6], PAYLOADS[7]]) == []
        # The rating pad after 办结 (its texts from the terminal's catalogue).
        chromium.js("document.getElementById('done').click()")
        until(lambda: chromium.js("document.querySelectorAll('#rate-pad .face').length") == 5, timeout=10)
        assert chromium.js("document.querySelectorAll('#rate-pad .face svg circle').length") == 15
        time.sleep(1.0)
        assert nothing_ran(chromium) == []
    finally:
        console.close()
        terminal.close()


def test_a_hostile_terminal_id_is_refused_where_terminals_are_made(tmp_path: Path) -> None:
    # Terminal ids reach every page; the centre only ever registers [A-Za-z0-9_-]{1,32},
    # so a hostile id never exists to be shown. Refused plainly, without a traceback.
    from tests.fleet.test_cli import center

    d = tmp_path / "centre"
    for tid in (*SHORT, NAME, "A" * 33, "T1/../x", "T1 x"):
        r = center(d, "terminals", "add", tid, "--site", "测试站")
        assert r.returncode == 2 and "not a terminal id" in r.stderr and "Traceback" not in r.stderr, (tid, r.stderr)
    listed = center(d, "terminals", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout) == [], listed.stdout
