"""Plays per item per site reach the bureau: terminals at two sites show their due
slides, each showing goes through the outbox and a real Mosquitto to the centre, and
the figures, ``kiosk-center report`` and its printable page count them per item per site."""

from __future__ import annotations

import csv
import io
import json
import signal
import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from fleet.center import figures, report
from fleet.center.auth import User, Users, login_cookie
from fleet.center.releases import ReleaseRepo
from kiosk.outbox import add_event
from kiosk.publicity.package import install_package
from kiosk.store import transaction
from tests.fleet.conftest import Fleet, fleet, until  # noqa: F401 — the fixture
from tests.fleet.test_cli import center
from tests.publicity.media import item, package
from tests.support import CST, PYTHON, ROOT, SettableClock, kiosk_env
from tests.support.cdp import CHROMIUM, Browser


def _play(fleet: Fleet, tmp_path: Path) -> Path:  # noqa: F811
    """Two terminals at two sites show the slides of one package; returns the package."""
    clock = SettableClock(datetime(2026, 12, 4, 10, 0, tzinfo=CST))  # 国家宪法日, a Friday
    pkg = package(tmp_path / "p.zip", [item("xianfa", title="国家宪法日"), item("minfadian", "text", title="民法典")], "2026-12")
    fleet.provision("HS-PL-0001", "城关司法所")
    fleet.provision("HS-PL-0002", "下陆司法所")
    plays = {"HS-PL-0001": ["xianfa", "minfadian", "xianfa", "xianfa"], "HS-PL-0002": ["xianfa", "xianfa"]}
    for tid, shown in plays.items():
        t = fleet.terminal(tid, clock=clock)
        install_package(pkg, t.data_dir / "publicity", 1)
        feature = t.flow.features.get("publicity")
        due = {s.item.id: s for s in feature.due_now()}
        assert sorted(due) == ["minfadian", "xianfa"]
        for item_id in shown:
            feature.record_play(due[item_id])
        if tid == "HS-PL-0002":
            # A hostile terminal's malformed showing is not counted.
            with transaction(t.queue.connection) as c:
                add_event(c, "publicity_played", {"day": "2026-12-04", "item": "x" * 500}, clock.now())
        fleet.agent(t)
    until(lambda: fleet.store.event_count("HS-PL-0001", "publicity_played") == 4
          and fleet.store.event_count("HS-PL-0002", "publicity_played") == 3, 20)
    return pkg


def test_plays_per_item_per_site_reach_the_figures(fleet: Fleet, tmp_path: Path) -> None:  # noqa: F811
    _play(fleet, tmp_path)
    figures.refresh(fleet.store.engine)
    rep = figures.report(fleet.store.engine, "2026-12-01", "2026-12-07")
    assert rep.get("城关司法所")["publicity_plays"] == {"minfadian": 1, "xianfa": 3}
    assert rep.get("下陆司法所")["publicity_plays"] == {"xianfa": 2}
    assert rep.get()["publicity_plays"] == {"minfadian": 1, "xianfa": 5} and rep.get()["publicity_plays_total"] == 6
    assert rep.get("城关司法所", "2026-12-04")["publicity_plays_total"] == 4
    page = report.to_html(rep)
    assert "法治宣传播放（按内容、站点）" in page and "<td>下陆司法所</td><td>xianfa</td><td>2</td>" in page
    # The command the bureau runs: the showings in each site's row.
    out = center(tmp_path, "report", "--from", "2026-12-01", "--to", "2026-12-07", "--format", "csv",
                 "--db", f"sqlite:///{tmp_path / 'center.sqlite3'}")
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(out.stdout.lstrip("\ufeff"))))
    col = rows[0].index("法治宣传播放")
    day_totals = {(r[0], r[1]): r[col] for r in rows[1:] if r[4] == "合计"}
    assert day_totals == {("城关司法所", "2026-12-04"): "4", ("下陆司法所", "2026-12-04"): "2"}


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed")
def test_plays_on_the_figures_page(fleet: Fleet, tmp_path: Path) -> None:  # noqa: F811
    pkg = _play(fleet, tmp_path)
    d = tmp_path / "centre-data"
    repo = ReleaseRepo(d / "updates")
    repo.init(tmp_path / "usb")
    repo.delegate("publicity", tmp_path / "usb")
    repo.add_content("publicity", pkg, tmp_path / "usb")  # the titles the page shows come from what was published
    Users(fleet.store).add("wang", "bureau", "bureau password", "王科长")
    proc = subprocess.Popen(
        [PYTHON, "-m", "fleet.center_cli", "serve", "--data-dir", str(d), "--db", f"sqlite:///{tmp_path / 'center.sqlite3'}",
         "--with-broker", "--mqtt-port", "0", "--http", "127.0.0.1:0"],
        env=kiosk_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        until(lambda: (d / "center.json").is_file() and "http" in json.loads((d / "center.json").read_text()), timeout=30)
        base = "http://" + json.loads((d / "center.json").read_text())["http"]
        with Browser(tmp_path / "chromium") as browser:
            browser.set_cookie(base + "/", *login_cookie(d, User("wang", "bureau", "王科长")))
            browser.goto(base + "/figures?from=2026-12-01&to=2026-12-07")
            browser.wait_for("document.querySelectorAll('#plays-table tr[data-item]').length === 3", 30)
            rows = browser.js("Array.from(document.querySelectorAll('#plays-table tr[data-item]'))"
                              ".map(r => Array.from(r.children).map(c => c.textContent).join('|'))")
            assert sorted(rows) == ["下陆司法所|国家宪法日|2", "城关司法所|国家宪法日|3", "城关司法所|民法典|1"]
            assert "法治宣传播放次数" in browser.js("document.getElementById('publicity-plays').textContent")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
