// The figures page: the bureau's figures for a date range and site, drawn as SVG by hand
// (no library: the centre serves everything itself), with the report downloads.
(function () {
  "use strict";
  let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("lang") || "zh_CN";
  const t = (k) => (I18N[lang] && I18N[lang][k]) || I18N.zh_CN[k] || k;
  const { el, svg, fill } = window.dom;  // data as text nodes, never markup (dom.js)
  const $ = (id) => document.getElementById(id);
  const ALL = "*";
  const BLUE = "#1f4e79", GREEN = "#2e7d32", ORANGE = "#e07b22", LIGHT = "#8fb3d9";
  let data = null;

  const iso = (d) => d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  function range(kind) {
    const now = new Date();
    if (kind === "this_month") return [iso(new Date(now.getFullYear(), now.getMonth(), 1)), iso(now)];
    if (kind === "last_month") return [iso(new Date(now.getFullYear(), now.getMonth() - 1, 1)), iso(new Date(now.getFullYear(), now.getMonth(), 0))];
    return [iso(new Date(now.getTime() - 29 * 86400e3)), iso(now)];
  }
  const minutes = (s) => (s == null ? null : s / 60);
  const fmtMin = (s) => (s == null ? "—" : (s / 60).toFixed(1) + " " + t("fig_minutes"));
  const fmtPct = (v) => (v == null ? "—" : (v * 100).toFixed(1) + "%");
  const svcName = (code) => (data.service_names[code] && data.service_names[code][lang]) || code || t("fig_no_service");

  // An axis maximum of four round steps (1, 2, 2.5 or 5 × 10^k each) at or above v.
  function nice(v) {
    if (!(v > 0)) return 4;
    const raw = v / 4, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    for (const m of [1, 2, 2.5, 5, 10]) if (raw <= m * mag + 1e-9) return 4 * m * mag;
    return 40 * mag;
  }
  const num = (v) => String(Math.round(v * 100) / 100);

  // Vertical bars with an optional line on a right-hand axis.
  function barsLine(labels, bars, line, opts) {
    const W = opts.width || 1200, H = opts.height || 280, L = 46, R = line ? 46 : 12, T = 16, B = 30;
    const w = W - L - R, h = H - T - B, n = Math.max(1, bars.length), bw = w / n;
    const bmax = nice(Math.max(1, ...bars));
    const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": opts.label || "" });
    for (let i = 0; i <= 4; i++) {
      const y = T + h - (h * i) / 4;
      s.append(svg("line", { x1: L, y1: y, x2: L + w, y2: y, stroke: "#e3e8ee" }),
        svg("text", { class: "tick", x: L - 6, y: y + 4, "font-size": "11", "text-anchor": "end" }, num((bmax * i) / 4)));
    }
    const every = Math.max(1, Math.ceil(n / 16));
    bars.forEach((v, i) => {
      const bh = (h * v) / bmax, x = L + i * bw;
      s.append(svg("rect", { class: "bar", x: (x + bw * 0.15).toFixed(1), y: (T + h - bh).toFixed(1), width: (bw * 0.7).toFixed(1), height: bh.toFixed(1), fill: opts.colour || BLUE },
        svg("title", null, `${labels[i]}: ${v}`)));
      if (i % every === 0) s.append(svg("text", { class: "tick", x: (x + bw / 2).toFixed(1), y: T + h + 16, "font-size": "11", "text-anchor": "middle" }, labels[i]));
    });
    if (line) {
      const vals = line.filter((v) => v != null);
      const lmax = nice(Math.max(1, ...vals));
      let d = "";
      const dots = [];
      line.forEach((v, i) => {
        if (v == null) return;
        const x = L + (i + 0.5) * bw, y = T + h - (h * v) / lmax;
        d += (d ? "L" : "M") + x.toFixed(1) + "," + y.toFixed(1) + " ";
        dots.push(svg("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: "2.5", fill: ORANGE }, svg("title", null, `${labels[i]}: ${num(v)}`)));
      });
      s.append(svg("path", { class: "line", d: d.trim() || "M0,0", fill: "none", stroke: ORANGE, "stroke-width": "2" }), ...dots);
      for (let i = 0; i <= 4; i++) {
        const y = T + h - (h * i) / 4;
        s.append(svg("text", { x: L + w + 6, y: y + 4, "font-size": "11", fill: ORANGE }, num((lmax * i) / 4)));
      }
    }
    s.append(svg("line", { x1: L, y1: T + h, x2: L + w, y2: T + h, stroke: "#8795a3" }));
    return s;
  }

  // Horizontal bars: one group per label, one bar per series [{name, colour, values, fmt}].
  function hbars(labels, series, opts) {
    const W = opts.width || 600, L = Math.min(250, 12 + 13 * Math.max(4, ...labels.map((l) => Math.min(16, l.length)))), row = 12 + 13 * series.length, T = 6;
    const H = T + row * labels.length + 6, w = W - L - 64;
    const vmax = nice(Math.max(1, ...series.flatMap((s) => s.values.map((v) => v || 0))));
    const s = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": opts.label || "" });
    labels.forEach((lab, i) => {
      const y = T + i * row;
      const short = lab.length > 16 ? lab.slice(0, 15) + "…" : lab;
      s.append(svg("text", { x: L - 8, y: (y + row / 2 + 4).toFixed(1), "font-size": "12", "text-anchor": "end" }, svg("title", null, lab), short));
      series.forEach((se, j) => {
        const v = se.values[i] || 0, bw = (w * v) / vmax, by = y + 5 + j * 13;
        s.append(svg("rect", { class: "hbar", x: L, y: by, width: bw.toFixed(1), height: "11", fill: se.colour }),
          svg("text", { x: (L + bw + 4).toFixed(1), y: by + 10, "font-size": "11" }, se.fmt ? se.fmt(se.values[i]) : v));
      });
    });
    return s;
  }
  // The swatch colour is set through the style object (CSSOM), which the page's CSP allows,
  // not as a style="" attribute, which it does not.
  const legend = (items) => el("div", { class: "legend" }, items.map(([c, n]) => { const i = el("i"); i.style.background = c; return [i, n]; }));

  const get = (site, day, service) => data.rows.find((r) => r.site === site && r.day === day && r.service === service);

  function render() {
    const out = $("figures");
    if (!data) { fill(out, el("p", null, t("fig_loading"))); return; }
    const tot = get(ALL, ALL, ALL);
    if (!tot || !data.days.length) { fill(out, el("p", { class: "meta", id: "none" }, t("fig_none"))); return; }
    const kpi = (k, v, id) => el("div", { class: "kpi", id: "kpi-" + id }, el("b", null, v), el("span", null, t(k)));
    const parts = [el("p", { class: "meta" }, `${data.from} – ${data.to} · ${data.site || t("fig_all_sites")} · ${t("fig_terminals").replace("{n}", data.terminals)} · ${t("fig_days").replace("{n}", data.days.length)}`)];
    parts.push(el("div", { class: "kpis" },
      kpi("fig_tickets", tot.tickets, "tickets"), kpi("fig_wait_median", fmtMin(tot.wait_median_s), "wait"),
      kpi("fig_wait_p90", fmtMin(tot.wait_p90_s), "wait90"), kpi("fig_service_median", fmtMin(tot.service_median_s), "service"),
      kpi("fig_no_show_rate", fmtPct(tot.no_show_rate), "noshow"), kpi("fig_satisfaction", fmtPct(tot.satisfaction), "satisfaction"),
      kpi("fig_done", tot.done, "done"), kpi("fig_ratings", tot.ratings, "ratings"), kpi("fig_legal_aid", tot.legal_aid, "legal_aid"),
      kpi("fig_appointments", tot.appointments_booked + " / " + tot.appointments_checked_in, "appointments"),
      kpi("fig_video", tot.video_answered + " / " + tot.video_calls, "video"), kpi("fig_video_wait", fmtMin(tot.video_wait_median_s), "video_wait"),
      kpi("fig_footfall", tot.footfall_approached + " / " + tot.footfall_engaged + " / " + tot.footfall_served, "footfall")));
    const days = data.days.map((d) => get(ALL, d, ALL) || { tickets: 0, wait_median_s: null });
    parts.push(el("div", { class: "fig", id: "chart-days" }, el("h3", null, t("fig_by_day")),
      barsLine(data.days.map((d) => d.slice(5)), days.map((f) => f.tickets), days.map((f) => minutes(f.wait_median_s)), { label: t("fig_by_day") }),
      legend([[BLUE, t("fig_tickets")], [ORANGE, t("fig_wait_line")]])));
    if (tot.footfall_approached) {
      const fh = tot.footfall_by_hour, hours = [...Array(24).keys()];
      parts.push(el("div", { class: "fig", id: "chart-footfall" }, el("h3", null, t("fig_footfall_hours")),
        barsLine(hours.map((h) => String(h)), hours.map((h) => fh.approached[h]), hours.map((h) => fh.engaged[h]), { label: t("fig_footfall_hours") }),
        legend([[BLUE, t("fig_footfall_approached")], [ORANGE, t("fig_footfall_engaged")]])));
    }
    const sites = data.sites, siteF = sites.map((s) => get(s, ALL, ALL));
    const svcs = data.services.filter((v) => (get(ALL, ALL, v) || {}).tickets), svcF = svcs.map((v) => get(ALL, ALL, v));
    parts.push(el("div", { class: "grid2" },
      el("div", { class: "fig", id: "chart-sites" }, el("h3", null, t("fig_by_site")),
        hbars(sites, [{ colour: BLUE, values: siteF.map((f) => f.tickets) }, { colour: LIGHT, values: siteF.map((f) => f.done) }], { label: t("fig_by_site") }),
        legend([[BLUE, t("fig_tickets")], [LIGHT, t("fig_done")]])),
      el("div", { class: "fig", id: "chart-satisfaction" }, el("h3", null, t("fig_sat_site")),
        hbars(sites, [{ colour: GREEN, values: siteF.map((f) => (f.satisfaction || 0) * 100), fmt: (v) => (v || 0).toFixed(1) + "%" },
                      { colour: ORANGE, values: siteF.map((f) => (f.no_show_rate || 0) * 100), fmt: (v) => (v || 0).toFixed(1) + "%" }], { label: t("fig_sat_site") }),
        legend([[GREEN, t("fig_satisfaction")], [ORANGE, t("fig_no_show_rate")]]))));
    parts.push(el("div", { class: "fig", id: "chart-services" }, el("h3", null, t("fig_by_service")),
      barsLine(svcs.map(svcName), svcF.map((f) => f.tickets), svcF.map((f) => minutes(f.wait_median_s)), { label: t("fig_by_service"), height: 240 }),
      legend([[BLUE, t("fig_tickets")], [ORANGE, t("fig_wait_line")]])));
    const cols = [["fig_tickets", (f) => f.tickets], ["fig_col_priority", (f) => f.priority_tickets], ["fig_col_called", (f) => f.called],
      ["fig_wait_median", (f) => fmtMin(f.wait_median_s)], ["fig_wait_p90", (f) => fmtMin(f.wait_p90_s)], ["fig_done", (f) => f.done],
      ["fig_service_median", (f) => fmtMin(f.service_median_s)], ["fig_no_show_rate", (f) => fmtPct(f.no_show_rate)],
      ["fig_col_transfers", (f) => f.transfers_out], ["fig_ratings", (f) => f.ratings], ["fig_satisfaction", (f) => fmtPct(f.satisfaction)],
      ["fig_legal_aid", (f) => f.legal_aid], ["fig_video", (f) => f.video_answered + " / " + f.video_calls]];
    const tr = (name, f, cls) => el("tr", cls ? { class: cls } : null, el("td", null, name), cols.map(([, g]) => el("td", { class: "num" }, g(f))));
    parts.push(el("div", { class: "fig" }, el("h3", null, t("fig_site_table")),
      el("table", { id: "site-table" }, el("tr", null, el("th", null, t("fig_col_site")), cols.map(([k]) => el("th", null, t(k)))),
        sites.map((s, i) => tr(s, siteF[i], "site")), sites.length > 1 ? tr(t("fig_all_sites"), tot, "total") : null)));
    // Publicity showings per item per site (titles as the bureau gave them, shown as text).
    const titles = data.publicity_titles || {};
    const plays = sites.flatMap((s, i) => Object.entries(siteF[i].publicity_plays || {}).map(([item, n]) => [s, item, n]));
    parts.push(el("div", { class: "fig", id: "publicity-plays" }, el("h3", null, t("fig_publicity")),
      plays.length ? el("table", { id: "plays-table" },
        el("tr", null, el("th", null, t("fig_col_site")), el("th", null, t("fig_col_item")), el("th", null, t("fig_col_plays"))),
        plays.map(([s, item, n]) => el("tr", { "data-site": s, "data-item": item }, el("td", null, s),
          el("td", null, titles[item] || item), el("td", { class: "num" }, n))))
        : el("p", { class: "meta" }, t("fig_no_plays"))));
    fill(out, ...parts);
  }

  function query() {
    const q = new URLSearchParams({ from: $("from").value, to: $("to").value });
    if ($("site").value) q.set("site", $("site").value);
    return q.toString();
  }

  async function load() {
    const q = query();
    for (const a of document.querySelectorAll(".downloads a")) a.href = `/api/figures/export.${a.dataset.fmt}?${q}`;
    history.replaceState(null, "", "?" + q + (new URLSearchParams(location.search).get("lang") ? "&lang=" + lang : ""));
    data = null; render();
    const r = await fetch("/api/figures?" + q);
    if (r.status === 401) { location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search); return; }
    if (!r.ok) { fill($("figures"), el("p", { class: "error" }, await r.text())); return; }
    data = await r.json();
    const sel = $("site"), cur = data.site || "";
    fill(sel, el("option", { value: "" }, t("fig_all_sites")), data.all_sites.map((s) => el("option", { selected: s === cur }, s)));
    render();
    document.body.dataset.loaded = "1";
  }

  function chrome() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    $("title").textContent = t("fig_title");
    document.title = t("fig_title");
    $("nav-terminals").textContent = t("nav_terminals");
    $("logout").textContent = t("logout");
    $("lang").textContent = t("other_lang");
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
    const first = $("site").options[0];
    if (first) first.textContent = t("fig_all_sites");
  }

  const p = new URLSearchParams(location.search);
  const [d0, d1] = range("last30");
  $("from").value = p.get("from") || d0;
  $("to").value = p.get("to") || d1;
  fill($("site"), el("option", { value: "" }), p.get("site") ? el("option", { selected: true }, p.get("site")) : null);
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); load(); });
  for (const b of document.querySelectorAll("[data-range]")) b.addEventListener("click", () => { [$("from").value, $("to").value] = range(b.dataset.range); load(); });
  $("lang").addEventListener("click", () => { lang = lang === "en" ? "zh_CN" : "en"; localStorage.setItem("lang", lang); chrome(); render(); });
  fetch("/api/me").then((r) => (r.ok ? r.json() : null)).then((me) => { if (me) $("who").textContent = me.display_name || me.name; }).catch(() => {});
  chrome();
  load();
})();
