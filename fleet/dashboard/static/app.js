// The dashboard: a list of terminals and one terminal's page, refreshed live by SSE.
(function () {
  "use strict";
  let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("lang") || "zh_CN";
  let offlineMin = 5;  // from the server (serve --offline-alert-minutes)
  const lastOut = {};  // each terminal's last command output, kept across redraws
  const t = (k, vars) => {
    let s = (I18N[lang] && I18N[lang][k]) || I18N.zh_CN[k] || k;
    for (const [n, v] of Object.entries(vars || {})) s = s.replace("{" + n + "}", v);
    return s;
  };
  // A code the page has a text for (device kinds, states, commands), else the code itself,
  // as text: a terminal or a typed command may send anything.
  const label = (prefix, code) => { const k = prefix + code; const s = t(k); return s === k || typeof s !== "string" ? String(code) : s; };
  const { el, svg, fill } = window.dom;
  const main = document.getElementById("main");
  const ago = (iso) => {
    if (!iso) return t("never");
    const s = Math.max(0, (Date.now() - Date.parse(iso)) / 1000);
    if (s < 90) return Math.round(s) + (lang === "en" ? " s ago" : " 秒前");
    if (s < 5400) return Math.round(s / 60) + (lang === "en" ? " min ago" : " 分钟前");
    return Math.round(s / 3600) + (lang === "en" ? " h ago" : " 小时前");
  };
  const alertText = (a) => t("alert_" + a, { n: offlineMin });

  async function getJSON(url, opts) {
    const r = await fetch(url, opts);
    if (r.status === 401) {  // the session ended: sign in again, then come back here
      location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search) + location.hash;
    }
    if (!r.ok) throw new Error(r.status);
    return r.json();
  }

  async function renderList() {
    const rows = await getJSON("/api/terminals");
    if (rows.length) offlineMin = rows[0].offline_alert_minutes;
    const on = rows.filter((r) => r.online).length;
    const withAlerts = rows.filter((r) => r.alerts.length);
    const summary = el("div", { class: "summary" },
      el("div", null, t("terminals"), el("b", { id: "n-total" }, rows.length)),
      el("div", null, t("online"), el("b", { id: "n-online" }, on)),
      el("div", null, t("offline"), el("b", null, rows.length - on)),
      el("div", null, t("with_alerts"), el("b", { id: "n-alerts" }, withAlerts.length)));
    const alerts = el("div", { class: "alerts", id: "alerts" }, el("b", null, t("alerts")),
      el("ul", null, withAlerts.length
        ? withAlerts.map((r) => el("li", null, el("a", { href: "#/t/" + encodeURIComponent(r.terminal_id) }, r.terminal_id), " ", r.site, "：", r.alerts.map(alertText).join("，")))
        : el("li", null, t("no_alerts"))));
    const table = el("table", { id: "terminals" }, el("tr", null,
      ["col_state", "col_id", "col_site", "col_last_seen", "col_faults", "col_tickets", "col_outbox", "col_version"].map((k) => el("th", null, t(k)))));
    for (const r of rows) {
      const tr = el("tr", { class: "row", "data-id": r.terminal_id, "data-colour": r.colour },
        el("td", null, el("span", { class: "dot " + r.colour }), r.online ? t("online") : t("offline")),
        el("td", null, r.terminal_id), el("td", null, r.site), el("td", null, ago(r.last_seen)),
        el("td", null, r.alerts.filter((a) => a !== "offline").map((a) => el("span", { class: "tag" }, alertText(a)))),
        el("td", null, r.tickets_today ?? ""), el("td", null, r.outbox_pending ?? ""), el("td", null, (r.versions || {}).kiosk || ""));
      tr.addEventListener("click", () => { location.hash = "#/t/" + encodeURIComponent(r.terminal_id); });
      table.append(tr);
    }
    fill(main, summary, alerts, table);
  }

  function chart(history, key, name) {
    const pts = history.filter((h) => typeof h[key] === "number");
    if (pts.length < 2) return el("div", null, el("small", null, name), svg("svg", { class: "chart" }));
    const xs = pts.map((p) => Date.parse(p.at)), ys = pts.map((p) => p[key]);
    const x0 = Math.min(...xs), x1 = Math.max(...xs) || x0 + 1, y0 = Math.min(0, ...ys), y1 = Math.max(...ys, y0 + 1);
    const W = 300, H = 100;
    const d = pts.map((p, i) => `${i ? "L" : "M"}${(((xs[i] - x0) / (x1 - x0 || 1)) * W).toFixed(1)},${(H - ((ys[i] - y0) / (y1 - y0)) * (H - 10) - 5).toFixed(1)}`).join(" ");
    return el("div", null, el("small", null, name, "：", ys[ys.length - 1]),
      svg("svg", { class: "chart", viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: "none" },
        svg("path", { d, fill: "none", stroke: "#1f4e79", "stroke-width": "2", "vector-effect": "non-scaling-stroke" })));
  }

  const COMMANDS = ["ping", "self_test", "print_test", "get_logs", "screenshot", "set_volume", "restart_app"];
  const deviceDot = (d) => (d.state === "ready" ? "green" : d.state === "absent" ? (d.kind === "idcard" || d.kind === "printer" ? "red" : "grey") : "amber");
  const card = (title, ...kids) => el("div", { class: "card" }, el("h3", null, title), ...kids);

  async function renderTerminal(id) {
    const r = await getJSON("/api/terminals/" + encodeURIComponent(id));
    offlineMin = r.offline_alert_minutes;
    const tel = r.telemetry || {};
    const rep = r.reported || {};
    const num = (v) => (typeof v === "number" ? v : "?");
    const parts = [
      el("p", null, el("a", { href: "#/" }, t("back"))),
      el("h2", null, el("span", { class: "dot " + r.colour }), r.terminal_id, " · ", r.site, " ",
        el("small", null, (r.online ? t("online") : t("offline")) + " · " + ago(r.last_seen))),
    ];
    if (r.alerts.length) parts.push(el("div", { class: "alerts" }, el("ul", null, r.alerts.map((a) => el("li", null, alertText(a))))));
    // Why its kiosk.toml failed and the terminal started from the last good one.
    if (tel.config_fallback) parts.push(el("div", { class: "alerts" }, el("pre", null, String(tel.config_fallback))));
    const devices = card(t("devices"),
      el("table", { id: "devices" }, (tel.devices || []).map((d) => el("tr", { "data-kind": d.kind },
        el("td", null, label("dev_", d.kind)),
        el("td", null, el("span", { class: "dot " + deviceDot(d) }), label("state_", d.state)),
        el("td", null, d.paper ? label("paper_", d.paper) : ""),
        el("td", { class: "detail" }, d.detail || "")))),
      el("p", null, `${t("uptime")}: ${Math.round((Number(tel.uptime_s) || 0) / 60)} min · ${t("disk")}: ${num(tel.disk_free_mb)} MB · ${t("memory")}: ${num(tel.mem_rss_mb)} MB`,
        el("br"), `${t("speech_model")}: ${tel.speech_model ? t("yes") : t("no")} · ${t("reported")}: v${num(rep.version ?? 0)} ${rep.state ? label("", rep.state) : ""}`),
      el("p", { id: "versions" }, Object.entries(tel.versions || {}).map(([k, v]) => `${k} ${v}`).join(" · ")));
    const commands = card(t("commands"),
      el("div", { class: "cmds" }, COMMANDS.map((c) => el("button", { "data-cmd": c }, t("cmd_" + c)))),
      el("pre", { id: "out" }, lastOut[id] || ""));
    const shot = card(t("screenshot"), r.has_screenshot
      ? el("img", { class: "shot", id: "shot", src: `/api/terminals/${encodeURIComponent(id)}/screenshot.png?${Date.now()}`, alt: "" })
      : el("p", null, t("no_screenshot")));
    const charts = card(t("telemetry"), chart(r.history, "tickets_today", t("chart_tickets")), chart(r.history, "outbox_pending", t("chart_outbox")),
      chart(r.history, "mem_rss_mb", t("chart_mem")));
    const history = card(t("history"), el("table", { id: "history" }, r.commands.map((c) => el("tr", null,
      el("td", null, ago(c.sent_at)), el("td", null, label("cmd_", c.name)), el("td", null, c.ok ? t("result_ok") : c.error || "")))));
    parts.push(el("div", { class: "cards" }, devices, commands, shot, charts, history));
    fill(main, ...parts);
    if (r.restarts && r.restarts.length) main.querySelector(".cards").appendChild(restartsCard(r.restarts));
    main.querySelectorAll("button[data-cmd]").forEach((b) => b.addEventListener("click", () => runCommand(id, b.dataset.cmd)));
  }

  // What the terminal reported goes in as text nodes, never as HTML.
  function restartsCard(restarts) {
    const card = document.createElement("div"), h = document.createElement("h3"), table = document.createElement("table");
    card.className = "card restarts";
    h.textContent = t("restarts");
    for (const x of restarts) {
      const row = table.insertRow();
      row.insertCell().textContent = ago(x.at);
      row.insertCell().textContent = t("restart_" + x.reason);
      row.insertCell().textContent = x.lost_s == null ? "" : `${t("restart_lost")} ${Math.round(x.lost_s)} s`;
      row.insertCell().textContent = x.detail;
    }
    card.append(h, table);
    return card;
  }

  async function runCommand(id, name) {
    const args = {};
    if (name === "restart_app" && !confirm(t("confirm_restart"))) return;
    if (name === "set_volume") { const v = prompt(t("volume_prompt"), "60"); if (v == null) return; args.level = parseInt(v, 10); }
    if (name === "get_logs") args.lines = 100;
    lastOut[id] = label("cmd_", name) + " " + t("running");
    document.getElementById("out").textContent = lastOut[id];
    const res = await getJSON(`/api/terminals/${encodeURIComponent(id)}/cmd`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name, args }) });
    const body = name === "get_logs" && res.ok ? res.result.lines.join("\n") : JSON.stringify(res.ok ? res.result : { error: res.error, message: res.message }, null, 1);
    lastOut[id] = `${label("cmd_", name)}: ${res.ok ? t("result_ok") : t("result_error")}\n${body}`;
    await render();
  }

  let rendering = false, again = false;
  async function render() {
    if (rendering) { again = true; return; }
    rendering = true;
    try {
      const m = location.hash.match(/^#\/t\/(.+)$/);
      if (m) await renderTerminal(decodeURIComponent(m[1])); else await renderList();
    } catch (e) { console.error(e); }
    rendering = false;
    if (again) { again = false; render(); }
  }

  function chrome() {
    document.getElementById("title").textContent = t("title");
    document.title = t("title");
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.getElementById("lang").textContent = t("other_lang");
    document.getElementById("nav-figures").textContent = t("nav_figures");
    document.getElementById("nav-rollouts").textContent = t("nav_rollouts");
    document.getElementById("logout").textContent = t("logout");
  }
  fetch("/api/me").then((r) => (r.ok ? r.json() : null)).then((me) => {
    if (me) document.getElementById("who").textContent = me.display_name || me.name;
  });
  document.getElementById("lang").addEventListener("click", () => { lang = lang === "en" ? "zh_CN" : "en"; localStorage.setItem("lang", lang); chrome(); render(); });
  window.addEventListener("hashchange", render);

  // Live updates: the server says which terminals changed; redraw at most twice a second.
  let timer = null;
  function live() {
    const max = new URLSearchParams(location.search).get("sse");
    const es = new EventSource("/api/stream" + (max ? "?max=" + encodeURIComponent(max) : ""));
    const liveEl = document.getElementById("live");
    es.onopen = () => { liveEl.textContent = "● " + t("live"); document.body.dataset.live = "1"; };
    es.onerror = () => { liveEl.textContent = "○ " + t("reconnecting"); };
    es.onmessage = () => { if (!timer) timer = setTimeout(() => { timer = null; render(); }, 500); };
  }
  chrome(); render(); live();
})();
