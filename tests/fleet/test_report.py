"""``kiosk-center report`` on the generated month: the Excel workbook read back with
openpyxl, the CSV with csv, the HTML rendered in Chromium — each checked against the
figures worked out independently from what was generated."""

from __future__ import annotations

import os
import csv
import io
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.fleet.month import SITES, expected
from tests.fleet.test_figures import FROM, TO, Month, month  # noqa: F401 — the session's month
from tests.support import PYTHON, ROOT, kiosk_env

IMG = ROOT / "docs" / "img"


def report(month: Month, tmp: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[bytes]:  # noqa: F811
    r = subprocess.run([PYTHON, "-m", "fleet.center_cli", "report", "--data-dir", str(tmp / "c"), "--db", month.url, *args],
                       capture_output=True, env=kiosk_env(), cwd=ROOT, timeout=120)
    assert (r.returncode == 0) == ok, r.stderr.decode()
    return r


def minutes(s: float | None) -> float | None:
    return None if s is None else round(s / 60, 2)


def test_xlsx_is_a_proper_workbook_with_the_right_figures(month: Month, tmp_path: Path) -> None:  # noqa: F811
    from openpyxl import load_workbook

    out = tmp_path / "月报.xlsx"
    report(month, tmp_path, "--from", FROM, "--to", TO, "--format", "xlsx", "--out", str(out))
    wb = load_workbook(out)
    assert wb.sheetnames == ["汇总", "按日", "按服务", "说明"]
    ws = wb["汇总"]
    head = [c.value for c in ws[2]]
    assert head[:3] == ["站点", "取号数", "普通"] and "等候时长中位数(分钟)" in head and "满意率" in head and "视频咨询呼叫" in head
    assert ws.freeze_panes == "B3"
    col = {h: i for i, h in enumerate(head)}
    assert ws.column_dimensions["A"].width >= 20  # the long site names fit
    rows = {r[0].value: r for r in ws.iter_rows(min_row=3)}
    assert set(rows) == set(SITES) | {"合计"}
    for site in [*SITES, "合计"]:
        want = expected(month.truth, FROM, TO, site=None if site == "合计" else site)
        r = rows[site]
        assert r[col["取号数"]].value == want["tickets"]
        assert r[col["老年人"]].value == want["by_priority"]["elderly"]
        assert r[col["等候时长中位数(分钟)"]].value == minutes(want["wait_median_s"])
        assert r[col["等候时长中位数(分钟)"]].number_format == "0.0"
        assert r[col["等候时长90%分位(分钟)"]].value == minutes(want["wait_p90_s"])
        assert r[col["办理时长中位数(分钟)"]].value == minutes(want["service_median_s"])
        assert r[col["过号"]].value == want["no_shows"] and r[col["转办"]].value == want["transfers_out"]
        assert r[col["满意率"]].value == pytest.approx(want["satisfaction"]) and r[col["满意率"]].number_format == "0.0%"
        assert r[col["法律援助申请"]].value == want["legal_aid"]
        assert r[col["预约到场"]].value == want["appointments_checked_in"]
        assert (r[col["视频咨询呼叫"]].value, r[col["接通"]].value) == (want["video_calls"], want["video_answered"])
        assert r[col["视频等待中位数(分钟)"]].value == minutes(want["video_wait_median_s"])
    # Per day: every site × day with activity, dates as real dates.
    ws = wb["按日"]
    assert ws.freeze_panes == "D3"
    head = [c.value for c in ws[2]]
    n = 0
    for r in ws.iter_rows(min_row=3, values_only=True):
        site, day = r[0], r[1].date().isoformat()
        want = expected(month.truth, FROM, TO, site=site, day=day)
        assert r[head.index("取号数")] == want["tickets"], (site, day)
        assert r[head.index("等候时长中位数(分钟)")] == minutes(want["wait_median_s"])
        assert r[head.index("过号")] == want["no_shows"]
        n += 1
    assert n > 60
    assert ws.cell(3, 2).number_format == "yyyy-mm-dd"
    # Per service.
    ws = wb["按服务"]
    head = [c.value for c in ws[2]]
    names = {"法律咨询": "consultation", "人民调解": "mediation", "远程视频咨询": "video"}
    seen = set()
    for r in ws.iter_rows(min_row=3, values_only=True):
        if r[1] in names and r[0] != "合计":
            want = expected(month.truth, FROM, TO, site=r[0], service=names[r[1]])
            assert (r[head.index("取号数")], r[head.index("办结")], r[head.index("评价数")]) == (want["tickets"], want["done"], want["ratings"])
            seen.add(r[1])
    assert seen == set(names)
    assert "等候时长" in [r[0] for r in wb["说明"].iter_rows(values_only=True)]


def test_xlsx_needs_out_and_dates_are_checked(month: Month, tmp_path: Path) -> None:  # noqa: F811
    assert b"--out" in report(month, tmp_path, "--from", FROM, "--to", TO, "--format", "xlsx", ok=False).stderr
    report(month, tmp_path, "--from", "2026-10-31", "--to", "2026-10-01", "--format", "csv", ok=False)
    report(month, tmp_path, "--from", "31/10/2026", "--to", TO, "--format", "csv", ok=False)


def test_csv_one_row_per_site_day_service(month: Month, tmp_path: Path) -> None:  # noqa: F811
    out = report(month, tmp_path, "--from", FROM, "--to", TO, "--site", "铁山区公共法律服务工作室", "--format", "csv").stdout
    assert out.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(out.decode("utf-8-sig"))))
    assert {r["站点"] for r in rows} == {"铁山区公共法律服务工作室"}
    totals = [r for r in rows if r["服务"] == "合计"]
    assert sum(int(r["取号数"]) for r in totals) == expected(month.truth, FROM, TO, site="铁山区公共法律服务工作室")["tickets"]
    assert sum(int(r["取号数"]) for r in rows if r["服务"] != "合计") == sum(int(r["取号数"]) for r in totals)
    checked = 0
    for r in rows:
        svc = None if r["服务代码"] == "*" else r["服务代码"]
        want = expected(month.truth, FROM, TO, site=r["站点"], day=r["日期"], service=svc)
        assert int(r["取号数"]) == want["tickets"] and int(r["办结"]) == want["done"] and int(r["评价数"]) == want["ratings"]
        w = want["wait_median_s"]
        assert r["等候时长中位数(分钟)"] == ("" if w is None else f"{w / 60:.1f}")
        s = want["satisfaction"]
        assert r["满意率"] == ("" if s is None else f"{s * 100:.1f}%")
        if svc is None:
            assert int(r["法律援助申请"]) == want["legal_aid"] and int(r["视频咨询呼叫"]) == want["video_calls"]
        checked += 1
    assert checked > 100
    assert all(date.fromisoformat(r["日期"]) for r in rows)


def _chromium() -> Any:
    from tests.support.cdp import CHROMIUM, Browser

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    return Browser


def test_html_is_self_contained_and_renders_in_chromium(month: Month, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "report.html"
    report(month, tmp_path, "--from", FROM, "--to", TO, "--format", "html", "--out", str(out))
    page = out.read_text(encoding="utf-8")
    for external in ("<script", "<link", "src=", "url(", "@import", "http://", "https://"):
        assert external not in page.replace('xmlns="http://www.w3.org/2000/svg"', ""), external
    assert page.count("<svg") == 3 and "各站点汇总" in page and "指标说明" in page
    Browser = _chromium()
    b = Browser(tmp_path / "chromium", width=1280, height=900)
    try:
        b.goto(out.as_uri(), wait=1.0)
        want = expected(month.truth, FROM, TO)
        kpis = b.js("[...document.querySelectorAll('.kpi')].map(k => [k.querySelector('span').textContent, k.querySelector('b').textContent])")
        kpis = dict((k, v) for k, v in kpis)
        assert kpis["取号"] == str(want["tickets"])
        assert kpis["满意率"] == f"{want['satisfaction'] * 100:.1f}%"
        assert kpis["等候中位数"] == f"{want['wait_median_s'] / 60:.1f} 分钟"
        # Charts drawn: as many day bars as days with figures, each with its tooltip.
        assert b.js("document.querySelectorAll('figure svg')[0].querySelectorAll('rect').length") > 25
        assert b.js("document.fonts.check('16px \"WenQuanYi Micro Hei\"')") in (True, None)
        b.screenshot(tmp_path / "report.png", height=1500)
        pdf = b.call("Page.printToPDF", landscape=True, printBackground=True)["data"]
        assert len(pdf) > 10_000  # it prints
    finally:
        b.close()
    if os.environ.get("KIOSK_DOC_SHOTS"):  # make screenshots refreshes docs/
        shutil.copy(tmp_path / "report.png", IMG / "report.png")
