"""The dashboard's figures page in Debian's headless Chromium, on the generated month:
signed in as the bureau, the figures shown match the independent ones, the site filter
works, the downloads are real workbooks; anonymous and other roles are kept out."""

from __future__ import annotations

import os
import io
import json
import shutil
import signal
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from fleet.center.auth import COOKIE, User, Users, login_cookie
from fleet.center.store import Store
from tests.support.cdp import CHROMIUM, Browser
from tests.fleet.conftest import until
from tests.fleet.month import SITES, expected
from tests.fleet.test_figures import FROM, TO, Month, month  # noqa: F401 — the session's month
from tests.support import PYTHON, ROOT, kiosk_env

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
IMG = ROOT / "docs" / "img"


def _get(url: str, cookie: str | None = None) -> tuple[int, bytes, str]:
    req = urllib.request.Request(url, headers={"Cookie": f"{COOKIE}={cookie}"} if cookie else {})
    try:
        r = urllib.request.urlopen(req, timeout=60)
        return r.status, r.read(), r.geturl()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), url


def test_figures_page_in_chromium(month: Month, tmp_path: Path) -> None:  # noqa: F811
    d = tmp_path / "center"
    d.mkdir()
    db = tmp_path / "center.sqlite3"
    shutil.copy(Path(month.url.removeprefix("sqlite:///")), db)
    store = Store(f"sqlite:///{db}")
    users = Users(store)
    users.add("wang", "bureau", "bureau password", "王科长")
    users.add("zhao", "lawyer", "lawyer password", "赵律师")
    store.close()
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--db", f"sqlite:///{db}", "--with-broker",
         "--mqtt-port", "0", "--http", "127.0.0.1:0"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=30)
        base = "http://" + json.loads((d / "center.json").read_text())["http"]
        q = f"?from={FROM}&to={TO}"
        # Kept out: anonymous (401 for the API, the sign-in page for the page), a lawyer (403).
        assert _get(base + "/api/figures" + q)[0] == 401
        assert _get(base + "/api/figures/export.xlsx" + q)[0] == 401
        assert "/login" in _get(base + "/figures")[2]
        _, lawyer = login_cookie(d, User("zhao", "lawyer", "赵律师"))
        assert _get(base + "/api/figures" + q, lawyer)[0] == 403
        _, cookie = login_cookie(d, User("wang", "bureau", "王科长"))
        status, body, _ = _get(base + "/api/figures" + q, cookie)
        assert status == 200 and json.loads(body)["sites"] == sorted(SITES)
        assert _get(base + "/api/figures?from=2026-10-31&to=2026-10-01", cookie)[0] == 400

        browser = Browser(tmp_path / "chromium", height=1000)
        try:
            browser.set_cookie(base, COOKIE, cookie)
            browser.goto(base + "/figures" + q)
            until(lambda: browser.js("document.body.dataset.loaded") == "1", timeout=30)
            want = expected(month.truth, FROM, TO)
            assert browser.js("document.querySelector('#kpi-tickets b').textContent") == str(want["tickets"])
            wait = browser.js("document.querySelector('#kpi-wait b').textContent")
            assert wait == f"{want['wait_median_s'] / 60:.1f} 分钟"
            sat = browser.js("document.querySelector('#kpi-satisfaction b').textContent")
            assert sat == f"{want['satisfaction'] * 100:.1f}%"
            rows = browser.js("[...document.querySelectorAll('#site-table tr.site')].map(r => [r.cells[0].textContent, r.cells[1].textContent])")
            assert rows == [[s, str(expected(month.truth, FROM, TO, site=s)["tickets"])] for s in sorted(SITES)]
            n_days = len(json.loads(body)["days"])
            assert browser.js("document.querySelectorAll('#chart-days rect.bar').length") == n_days
            assert browser.js("document.querySelectorAll('#chart-services rect.bar').length") >= 6
            assert browser.js("document.querySelectorAll('#chart-sites rect.hbar').length") == 2 * len(SITES)
            html = browser.html()
            assert "统计" in html or "服务数据统计" in html
            assert "http://" not in html.replace(base, "") and "https://" not in html  # nothing from elsewhere
            height = int(browser.js("document.documentElement.scrollHeight"))
            browser.screenshot(tmp_path / "figures.png", height=min(2400, height + 10))
            # The download links carry the filter.
            href = browser.js("document.getElementById('dl-xlsx').href")
            assert href.startswith(base + "/api/figures/export.xlsx?") and f"from={FROM}" in href
            # One site: the figures follow the filter.
            site = "西塞山区司法所"
            browser.js(f"document.getElementById('site').value = {json.dumps(site)}; document.body.dataset.loaded = '';"
                       "document.querySelector('#filters button[type=submit]').click()")
            until(lambda: browser.js("document.body.dataset.loaded") == "1", timeout=30)
            assert browser.js("document.querySelector('#kpi-tickets b').textContent") == str(expected(month.truth, FROM, TO, site=site)["tickets"])
            assert browser.js("document.querySelectorAll('#site-table tr.site').length") == 1
            href = browser.js("document.getElementById('dl-csv').href")
            # English too
            browser.goto(base + "/figures" + q + "&lang=en")
            until(lambda: browser.js("document.body.dataset.loaded") == "1", timeout=30)
            assert "Median wait" in browser.html()
            browser.screenshot(tmp_path / "figures-en.png", height=1000)
        finally:
            browser.close()

        from openpyxl import load_workbook

        status, data, _ = _get(base + f"/api/figures/export.xlsx{q}", cookie)
        assert status == 200
        wb = load_workbook(io.BytesIO(data))
        assert wb.sheetnames[:3] == ["汇总", "按日", "按服务"]
        summary = {r[0]: r for r in wb["汇总"].iter_rows(min_row=3, values_only=True)}
        assert summary["合计"][1] == expected(month.truth, FROM, TO)["tickets"]
        status, data, _ = _get(href, cookie)  # the CSV link of the one-site view
        assert status == 200 and data.startswith(b"\xef\xbb\xbf") and site in data.decode("utf-8-sig")
        assert {line.split(",")[0] for line in data.decode("utf-8-sig").splitlines()[1:]} == {site}
        status, data, _ = _get(base + f"/api/figures/export.html{q}", cookie)
        assert status == 200 and "<svg" in data.decode()
        for name in ("figures.png", "figures-en.png"):
            assert (tmp_path / name).stat().st_size > 20_000
            if os.environ.get("KIOSK_DOC_SHOTS"):  # make screenshots refreshes docs/
                shutil.copy(tmp_path / name, IMG / name)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
