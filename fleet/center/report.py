"""The bureau's report in three forms: Excel (what the bureau uses), CSV and printable HTML.

All three take a ``figures.Report`` and say the same figures with the same Chinese
headers (docs/figures.md defines each). Times are shown in minutes, rates in percent.
"""

from __future__ import annotations

import csv
import html
import io
import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from fleet.center.figures import ALL, CHINA, Report, service_names

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Col:
    """One column: figure key, Chinese header, kind (int | min | pct | num), width."""

    key: str
    title: str
    kind: str = "int"
    width: float = 9

    def value(self, f: dict[str, Any]) -> Any:
        """The cell value: minutes for times, a fraction for rates, None when undefined."""
        if self.key.startswith("by_priority."):
            return f["by_priority"][self.key.split(".", 1)[1]]
        v = f.get(self.key)
        if v is None:
            return None
        return round(v / 60, 2) if self.kind == "min" else v

    def text(self, f: dict[str, Any]) -> str:
        """The value as printed (HTML, CSV)."""
        v = self.value(f)
        if v is None:
            return ""
        if self.kind == "min":
            return f"{v:.1f}"
        if self.kind == "pct":
            return f"{v * 100:.1f}%"
        if self.kind == "num":
            return f"{v:.2f}"
        return str(v)


TICKET_COLS = [
    Col("tickets", "取号数"),
    Col("by_priority.normal", "普通"),
    Col("by_priority.elderly", "老年人"),
    Col("by_priority.disabled", "残疾人"),
    Col("by_priority.military", "军人"),
    Col("by_priority.appointment", "预约签到"),
    Col("called", "已叫号"),
    Col("wait_median_s", "等候时长中位数(分钟)", "min", 12),
    Col("wait_p90_s", "等候时长90%分位(分钟)", "min", 12),
    Col("done", "办结"),
    Col("service_median_s", "办理时长中位数(分钟)", "min", 12),
    Col("no_shows", "过号"),
    Col("no_show_rate", "过号率", "pct"),
    Col("transfers_out", "转办"),
    Col("ratings", "评价数"),
    Col("satisfaction", "满意率", "pct"),
    Col("rating_mean", "平均评分", "num"),
]
OTHER_COLS = [
    Col("legal_aid", "法律援助申请", width=11),
    Col("appointments_booked", "预约"),
    Col("appointments_cancelled", "取消预约"),
    Col("appointments_moved", "改约"),
    Col("appointments_checked_in", "预约到场"),
    Col("video_calls", "视频咨询呼叫", width=11),
    Col("video_answered", "接通"),
    Col("video_unanswered", "未接通"),
    Col("video_wait_median_s", "视频等待中位数(分钟)", "min", 12),
    Col("publicity_plays_total", "法治宣传播放", width=11),
    Col("footfall_approached", "走近人次"),
    Col("footfall_engaged", "驻足人次"),
    Col("footfall_served", "开始办理"),
    Col("mediation_sessions", "远程调解", width=11),
    Col("mediation_agreements", "调解协议"),
]
ALL_COLS = TICKET_COLS + OTHER_COLS
TOTAL = "合计"


def weekday(day: str) -> str:
    """周一…周日."""
    return "周" + WEEKDAYS[date.fromisoformat(day).weekday()]


def title(rep: Report) -> str:
    """The report's title line."""
    where = rep.site or "全部站点"
    return f"公共法律服务终端 · 服务数据统计（{where}，{rep.date_from} 至 {rep.date_to}）"


# ---- CSV ---------------------------------------------------------------------------

def to_csv(rep: Report) -> bytes:
    """UTF-8 with a BOM (Excel opens the Chinese right). One row per site × day ×
    service, and for each site × day a row whose service is 合计 (the day's totals, the
    only rows with legal aid, appointments and video calls). Filter 合计 out before summing."""
    name = service_names()
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["站点", "日期", "星期", "服务代码", "服务"] + [c.title for c in ALL_COLS])
    for site in rep.sites:
        for day in rep.days:
            tot = rep.rows.get((site, day, ALL))
            if tot is None:
                continue
            w.writerow([site, day, weekday(day), ALL, TOTAL] + [c.text(tot) for c in ALL_COLS])
            for svc in rep.services:
                f = rep.rows.get((site, day, svc))
                if f is not None:
                    w.writerow([site, day, weekday(day), svc, name(svc)] + [c.text(f) for c in TICKET_COLS] + [""] * len(OTHER_COLS))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# ---- Excel -----------------------------------------------------------------------------

def to_xlsx(rep: Report) -> bytes:
    """A workbook: 汇总 (a row per site and the total), 按日 (site × day), 按服务
    (site × service), 说明 (what each figure means). Headers frozen, widths set,
    minutes and percentages formatted as numbers (so the bureau can compute with them)."""
    # openpyxl is heavy (~0.2 s) and only an Excel download needs it: deferred.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side  # deferred with the line above
    from openpyxl.utils import get_column_letter  # deferred with the line above

    name = service_names()
    wb = Workbook()
    head_font = Font(name="微软雅黑", bold=True, color="FFFFFF")
    head_fill = PatternFill("solid", fgColor="1F4E79")
    total_fill = PatternFill("solid", fgColor="E8EEF5")
    thin = Side(style="thin", color="C9D3DE")
    border = Border(bottom=thin)
    formats = {"int": "0", "min": "0.0", "pct": "0.0%", "num": "0.00"}

    def sheet(ws: Any, keys: list[tuple[str, float]], cols: list[Col], rows: list[tuple[list[Any], dict[str, Any], bool]]) -> None:
        ws.append([title(rep)])
        ws["A1"].font = Font(name="微软雅黑", bold=True, size=13)
        ws.append([k for k, _ in keys] + [c.title for c in cols])
        for cell in ws[2]:
            cell.font, cell.fill = head_font, head_fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[2].height = 34
        for lead, f, is_total in rows:
            ws.append(lead + [c.value(f) for c in cols])
            r = ws.max_row
            for i, c in enumerate(cols, start=len(keys) + 1):
                cell = ws.cell(r, i)
                cell.number_format = formats[c.kind]
                cell.border = border
            for i in range(1, len(keys) + 1):
                ws.cell(r, i).border = border
            if is_total:
                for cell in ws[r]:
                    cell.fill = total_fill
                    cell.font = Font(bold=True)
        for i, (_, width) in enumerate(keys, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        for i, c in enumerate(cols, start=len(keys) + 1):
            ws.column_dimensions[get_column_letter(i)].width = c.width
        ws.freeze_panes = ws.cell(3, len(keys) + 1)  # header row and the key columns stay
        ws.auto_filter.ref = f"A2:{get_column_letter(len(keys) + len(cols))}{max(ws.max_row, 2)}"
        ws.sheet_view.zoomScale = 100

    site_w = max([12.0] + [_width(s) for s in rep.sites])
    ws = wb.active
    ws.title = "汇总"
    rows: list[tuple[list[Any], dict[str, Any], bool]] = [([s], rep.get(s), False) for s in rep.sites]
    if len(rep.sites) != 1:
        rows.append(([TOTAL], rep.get(), True))
    sheet(ws, [("站点", site_w)], ALL_COLS, rows)

    ws = wb.create_sheet("按日")
    rows = [([s, date.fromisoformat(d), weekday(d)], rep.rows[(s, d, ALL)], False)
            for s in rep.sites for d in rep.days if (s, d, ALL) in rep.rows]
    sheet(ws, [("站点", site_w), ("日期", 12), ("星期", 7)], ALL_COLS, rows)
    for row in ws.iter_rows(min_row=3, min_col=2, max_col=2):
        row[0].number_format = "yyyy-mm-dd"

    ws = wb.create_sheet("按服务")
    rows = []
    for s in rep.sites:
        rows += [([s, name(v)], rep.rows[(s, ALL, v)], False) for v in rep.services if (s, ALL, v) in rep.rows]
    if len(rep.sites) != 1:
        rows += [([TOTAL, name(v)], rep.rows[(ALL, ALL, v)], True) for v in rep.services if (ALL, ALL, v) in rep.rows]
    sheet(ws, [("站点", site_w), ("服务", 14)], TICKET_COLS, rows)

    ws = wb.create_sheet("说明")
    ws.append(["指标", "含义"])
    for cell in ws[1]:
        cell.font, cell.fill = head_font, head_fill
    for k, v in DEFINITIONS:
        ws.append([k, v])
    ws.append([])
    ws.append(["生成时间", datetime.now(CHINA).strftime("%Y-%m-%d %H:%M")])
    ws.append(["上报终端数", rep.terminals])
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 100
    for row in ws.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _width(text: str) -> float:
    # Excel widths count Latin characters; a Chinese character takes about two.
    return min(60.0, sum(2.1 if ord(ch) > 0x2E80 else 1.1 for ch in text) + 2)


DEFINITIONS = [
    ("日期", "终端所在地（中国时间）的自然日。"),
    ("取号数", "当日在终端取号的张数，按取号时选择的服务和优先类别计；转办的号不重复计数。"),
    ("普通 / 老年人 / 残疾人 / 军人 / 预约签到", "取号时的优先类别（老年人、残疾人、军人优先受理；按时到场签到的预约者凭预约号优先）。"),
    ("已叫号", "被叫过号的张数（转办后再次叫号不重复计）。取号数减已叫号为当日未叫到的号。"),
    ("等候时长", "从取号到第一次被叫号的时间；过号的号也计入（它确实等了这么久），从未叫号的号不计。中位数：一半的号等得更短；90%分位：90%的号不超过此值（最近秩法）。按取号时的服务计。"),
    ("办结 / 办理时长", "在窗口办结的次数，及从叫号到办结的时间；计入办结时所在的服务。转办前在前一窗口的时间和过号不计入办理时长。"),
    ("过号 / 过号率", "叫号后未到、被窗口标为过号的张数；过号率 = 过号 ÷ 已叫号。"),
    ("转办", "窗口把号转到另一项服务的次数，计在转出的服务；该号保留原排队位置，不重新取号。"),
    ("评价数 / 满意率 / 平均评分", "匿名评价（1–5分）的条数；满意率 = 4分和5分的评价 ÷ 全部评价；视频咨询的评价计在“远程视频咨询”。"),
    ("法律援助申请", "在终端提交的法律援助申请份数（按提交日）。"),
    ("预约 / 取消预约 / 改约 / 预约到场", "当日在终端办理的预约、取消、改约和到场签到次数（按办理日，不是预约的日期）。"),
    ("视频咨询", "从终端发起的远程视频咨询呼叫；接通 = 有律师接听；视频等待中位数只计接通的呼叫，从发起到接听。"),
    ("时间单位", "时长以分钟表示（由终端记录的整秒换算）；比率以百分比表示。空白表示当期没有可计算的数据。"),
]


# ---- HTML ---------------------------------------------------------------------------------

_CSS = """
@page { size: A4 landscape; margin: 12mm; }
* { box-sizing: border-box; }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; color: #1d2733; margin: 24px; font-size: 13px; }
h1 { font-size: 20px; margin: 0 0 4px; color: #1f4e79; }
h2 { font-size: 16px; margin: 22px 0 8px; border-left: 4px solid #1f4e79; padding-left: 8px; }
.meta { color: #5a6775; margin-bottom: 14px; }
.kpis { display: grid; grid-template-columns: repeat(6, 1fr); gap: 10px; }
.kpi { border: 1px solid #d5dde6; border-radius: 6px; padding: 8px 10px; }
.kpi b { display: block; font-size: 22px; color: #1f4e79; }
.kpi span { color: #5a6775; font-size: 12px; }
.charts { display: grid; grid-template-columns: 3fr 2fr; gap: 16px; }
figure { margin: 0; border: 1px solid #d5dde6; border-radius: 6px; padding: 8px; break-inside: avoid; }
figcaption { font-weight: bold; margin-bottom: 4px; }
svg text { font-family: inherit; fill: #1d2733; }
table { border-collapse: collapse; width: 100%; margin-bottom: 8px; break-inside: auto; }
th, td { border: 1px solid #d5dde6; padding: 3px 5px; text-align: right; white-space: nowrap; font-size: 12px; }
th { background: #1f4e79; color: #fff; font-weight: normal; text-align: center; white-space: normal; }
td.k { text-align: left; }
tr.total td { background: #e8eef5; font-weight: bold; }
tr { break-inside: avoid; }
thead { display: table-header-group; }
dl { columns: 2; column-gap: 24px; font-size: 12px; }
dt { font-weight: bold; } dd { margin: 0 0 6px; color: #3a4652; }
.page { break-before: page; }
@media print { body { margin: 0; } }
"""
BLUE, ORANGE, GREEN, GREY = "#1f4e79", "#e07b22", "#2e7d32", "#9aa7b4"


def _svg_bars(labels: list[str], values: list[float], *, width: int = 760, height: int = 240, colour: str = BLUE,
              line: list[float | None] | None = None, fmt: Callable[[float], str] = lambda v: f"{v:g}",
              every: int = 1) -> str:
    """A vertical bar chart (with an optional line on a right-hand axis), as inline SVG."""
    left, right, top, bottom = 44, 44 if line else 12, 14, 38
    w, h = width - left - right, height - top - bottom
    vmax = _nice(max(values or [1]))
    n = max(1, len(values))
    bw = w / n
    out = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" xmlns="http://www.w3.org/2000/svg">']
    for i in range(5):
        y = top + h - h * i / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + w}" y2="{y:.1f}" stroke="#e3e8ee"/>')
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{_num(vmax * i / 4)}</text>')
    for i, v in enumerate(values):
        bh = h * v / vmax if vmax else 0
        x = left + i * bw
        out.append(f'<rect x="{x + bw * 0.15:.1f}" y="{top + h - bh:.1f}" width="{bw * 0.7:.1f}" height="{bh:.1f}" fill="{colour}"><title>{html.escape(labels[i])}: {fmt(v)}</title></rect>')
        if i % every == 0:
            out.append(f'<text x="{x + bw / 2:.1f}" y="{top + h + 15}" font-size="11" text-anchor="middle">{html.escape(labels[i])}</text>')
    if line:
        lmax = _nice(max([v for v in line if v is not None] or [1]))
        pts = [(left + (i + 0.5) * bw, top + h - h * v / lmax) for i, v in enumerate(line) if v is not None]
        if pts:
            d = " ".join(f"{'M' if j == 0 else 'L'}{x:.1f},{y:.1f}" for j, (x, y) in enumerate(pts))
            out.append(f'<path d="{d}" fill="none" stroke="{ORANGE}" stroke-width="2"/>')
            out += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{ORANGE}"/>' for x, y in pts]
        for i in range(5):
            y = top + h - h * i / 4
            out.append(f'<text x="{left + w + 6}" y="{y + 4:.1f}" font-size="11" fill="{ORANGE}">{_num(lmax * i / 4)}</text>')
    out.append(f'<line x1="{left}" y1="{top + h}" x2="{left + w}" y2="{top + h}" stroke="#8795a3"/></svg>')
    return "".join(out)


def _svg_hbars(labels: list[str], series: list[tuple[str, str, list[float]]], *, width: int = 480, fmt: Callable[[float], str] = lambda v: f"{v:g}") -> str:
    """Horizontal bars, one group per label, one bar per series (name, colour, values)."""
    row, bar = 14 + 12 * len(series), 10
    left, top = 14 + 13 * max([4] + [len(x) for x in labels]), 22
    height = top + row * len(labels) + 8
    w = width - left - 50
    vmax = _nice(max([v for _, _, vs in series for v in vs] or [1]))
    out = [f'<svg viewBox="0 0 {width} {height}" width="100%" role="img" xmlns="http://www.w3.org/2000/svg">']
    x = left
    for name, colour, _ in series:
        out.append(f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/><text x="{x + 14}" y="13" font-size="11">{html.escape(name)}</text>')
        x += 30 + 13 * len(name)
    for i, lab in enumerate(labels):
        y = top + i * row
        out.append(f'<text x="{left - 6}" y="{y + row / 2 + 4:.1f}" font-size="12" text-anchor="end">{html.escape(lab)}</text>')
        for j, (_, colour, vs) in enumerate(series):
            bw = w * vs[i] / vmax if vmax else 0
            by = y + 4 + j * 12
            out.append(f'<rect x="{left}" y="{by}" width="{bw:.1f}" height="{bar}" fill="{colour}"/>')
            out.append(f'<text x="{left + bw + 4:.1f}" y="{by + 9}" font-size="10">{fmt(vs[i])}</text>')
    out.append("</svg>")
    return "".join(out)


def _nice(v: float) -> float:
    """An axis maximum of four round steps (1, 2, 2.5 or 5 × 10^k each) at or above ``v``."""
    if v <= 0:
        return 4
    raw = v / 4
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag + 1e-9:
            return 4 * m * mag
    return 40 * mag


def _num(v: float) -> str:
    return f"{round(v, 2):g}"


def _table(keys: list[str], cols: list[Col], rows: list[tuple[list[str], dict[str, Any], bool]]) -> str:
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys) + "".join(f"<th>{html.escape(c.title)}</th>" for c in cols)
    body = []
    for lead, f, total in rows:
        cells = "".join(f'<td class="k">{html.escape(x)}</td>' for x in lead) + "".join(f"<td>{c.text(f)}</td>" for c in cols)
        body.append(f'<tr{" class=total" if total else ""}>{cells}</tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _min(v: float | None) -> str:
    return "—" if v is None else f"{v / 60:.1f} 分钟"


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def inline_css() -> str:
    """The one inline ``<style>`` of ``to_html`` (the web app allows it by its hash)."""
    return _CSS


def to_html(rep: Report) -> str:
    """A self-contained printable page: no script, no external file, charts as SVG."""
    name = service_names()
    tot = rep.get()
    kpis = [
        ("取号", str(tot["tickets"])), ("等候中位数", _min(tot["wait_median_s"])), ("等候90%分位", _min(tot["wait_p90_s"])),
        ("办理时长中位数", _min(tot["service_median_s"])), ("过号率", _pct(tot["no_show_rate"])), ("满意率", _pct(tot["satisfaction"])),
        ("办结", str(tot["done"])), ("评价数", str(tot["ratings"])), ("法律援助申请", str(tot["legal_aid"])),
        ("预约 / 到场", f"{tot['appointments_booked']} / {tot['appointments_checked_in']}"),
        ("视频咨询 接通 / 呼叫", f"{tot['video_answered']} / {tot['video_calls']}"), ("视频等待中位数", _min(tot["video_wait_median_s"])),
        ("走近 / 驻足 / 办理（人次）", f"{tot['footfall_approached']} / {tot['footfall_engaged']} / {tot['footfall_served']}"),
        ("远程调解 / 协议", f"{tot['mediation_sessions']} / {tot['mediation_agreements']}"),
    ]
    days = rep.days
    day_tot = [rep.get(day=d) for d in days]
    by_day = _svg_bars([d[5:] for d in days], [f["tickets"] for f in day_tot],
                       line=[None if f["wait_median_s"] is None else round(f["wait_median_s"] / 60, 1) for f in day_tot],
                       every=math.ceil(len(days) / 16))
    svc = [v for v in rep.services if rep.get(service=v)["tickets"]]
    by_service = _svg_hbars([name(v) for v in svc], [("取号", BLUE, [rep.get(service=v)["tickets"] for v in svc]),
                                                      ("办结", GREEN, [rep.get(service=v)["done"] for v in svc])])
    by_site = _svg_hbars(rep.sites, [("满意率 %", GREEN, [round((rep.get(s)["satisfaction"] or 0) * 100, 1) for s in rep.sites]),
                                     ("过号率 %", ORANGE, [round((rep.get(s)["no_show_rate"] or 0) * 100, 1) for s in rep.sites])],
                         width=760, fmt=lambda v: f"{v:.1f}%")
    site_rows = [([s], rep.get(s), False) for s in rep.sites] + ([([TOTAL], tot, True)] if len(rep.sites) != 1 else [])
    svc_rows = [([name(v)], rep.get(service=v), False) for v in rep.services]
    day_rows = [([s, d, weekday(d)], rep.rows[(s, d, ALL)], False) for s in rep.sites for d in days if (s, d, ALL) in rep.rows]
    generated = datetime.now(CHINA).strftime("%Y-%m-%d %H:%M")
    parts = [
        f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title(rep))}</title><style>{_CSS}</style></head><body>',
        f"<h1>{html.escape(title(rep))}</h1>",
        f'<div class="meta">站点 {len(rep.sites)} 个 · 上报终端 {rep.terminals} 台 · 有数据的日期 {len(days)} 天 · 生成于 {generated}（中国时间）</div>',
        '<div class="kpis">' + "".join(f'<div class="kpi"><b>{html.escape(v)}</b><span>{html.escape(k)}</span></div>' for k, v in kpis) + "</div>",
        '<h2>每日取号与等候</h2><figure><figcaption>每日取号数（柱）与等候时长中位数（线，分钟）</figcaption>' + by_day + "</figure>",
        '<div class="charts"><figure><figcaption>各站点满意率与过号率</figcaption>' + by_site + "</figure>",
        '<figure><figcaption>各项服务取号与办结</figcaption>' + by_service + "</figure></div>",
        '<h2 class="page">各站点汇总</h2>' + _table(["站点"], TICKET_COLS, site_rows) + _table(["站点"], OTHER_COLS, site_rows),
        "<h2>各项服务</h2>" + _table(["服务"], TICKET_COLS, svc_rows),
        "<h2>法治宣传播放（按内容、站点）</h2>" + _plays_table(rep),
        '<h2 class="page">每日明细</h2>' + _table(["站点", "日期", "星期"], TICKET_COLS, day_rows),
        "<h2>指标说明</h2><dl>" + "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in DEFINITIONS) + "</dl>",
        "</body></html>",
    ]
    return "\n".join(parts)


def _plays_table(rep: Report) -> str:
    """Showings of each publicity item at each site (item ids as the package names them)."""
    rows = [(s, item, n) for s in rep.sites for item, n in rep.get(s)["publicity_plays"].items()]
    if not rows:
        return "<p>期间没有播放记录。</p>"
    body = "".join(f"<tr><td>{html.escape(s)}</td><td>{html.escape(i)}</td><td>{n}</td></tr>" for s, i, n in rows)
    return f"<table><thead><tr><th>站点</th><th>宣传内容</th><th>播放次数</th></tr></thead><tbody>{body}</tbody></table>"


FORMATS = {"csv": to_csv, "xlsx": to_xlsx, "html": lambda r: to_html(r).encode("utf-8")}
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "html": "text/html; charset=utf-8"}


def render(rep: Report, fmt: str) -> bytes:
    """The report as ``csv``, ``xlsx`` or ``html`` bytes."""
    return FORMATS[fmt](rep)


def filename(rep: Report, fmt: str) -> str:
    """A download name: ``figures-2026-10-01_2026-10-31.xlsx``."""
    return f"figures-{rep.date_from}_{rep.date_to}.{fmt}"
