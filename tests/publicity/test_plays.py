"""Plays per item per site reach the bureau: terminals at two sites show their due
slides, each showing goes through the outbox and a real Mosquitto to the centre, and
the figures, ``kiosk-center report`` and its printable page count them per item per site."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

from fleet.center import figures, report
from kiosk.outbox import add_event
from kiosk.publicity.package import install_package
from kiosk.store import transaction
from tests.fleet.conftest import Fleet, fleet, until  # noqa: F401 — the fixture
from tests.fleet.test_cli import center
from tests.publicity.media import item, package
from tests.support import CST, SettableClock


def test_plays_per_item_per_site_reach_the_figures(fleet: Fleet, tmp_path: Path) -> None:  # noqa: F811
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
