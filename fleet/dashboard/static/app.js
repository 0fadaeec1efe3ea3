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
  const esc = (s) => String(s == null ? "" : s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c]));
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
    let html = `<div class="summary"><div>${t("terminals")}<b id="n-total">${rows.length}</b></div>
      <div>${t("online")}<b id="n-online">${on}</b></div><div>${t("offline")}<b>${rows.length - on}</b></div>
      <div>${t("with_alerts")}<b id="n-alerts">${withAlerts.length}</b></div></div>`;
    html += `<div class="alerts" id="alerts"><b>${t("alerts")}</b><ul>` +
      (withAlerts.length ? withAlerts.map((r) => `<li><a href="#/t/${esc(r.terminal_id)}">${esc(r.terminal_id)}</a> ${esc(r.site)}：${r.alerts.map(alertText).join("，")}</li>`).join("") : `<li>${t("no_alerts")}</li>`) +
      `</ul></div>`;
    html += `<table id="terminals"><tr><th>${t("col_state")}</th><th>${t("col_id")}</th><th>${t("col_site")}</th><th>${t("col_last_seen")}</th>
      <th>${t("col_faults")}</th><th>${t("col_tickets")}</th><th>${t("col_outbox")}</th><th>${t("col_version")}</th></tr>`;
    for (const r of rows) {
      html += `<tr class="row" data-id="${esc(r.terminal_id)}" data-colour="${r.colour}"><td><span class="dot ${r.colour}"></span>${r.online ? t("online") : t("offline")}</td>
        <td>${esc(r.terminal_id)}</td><td>${esc(r.site)}</td><td>${ago(r.last_seen)}</td>
        <td>${r.alerts.filter((a) => a !== "offline").map((a) => `<span class="tag">${alertText(a)}</span>`).join("")}</td>
        <td>${r.tickets_today ?? ""}</td><td>${r.outbox_pending ?? ""}</td><td>${esc((r.versions || {}).kiosk || "")}</td></tr>`;
    }
    main.innerHTML = html + "</table>";
    main.querySelectorAll("tr.row").forEach((tr) => tr.addEventListener("click", () => { location.hash = "#/t/" + tr.dataset.id; }));
  }

  function chart(history, key, label) {
    const pts = history.filter((h) => h[key] != null);
    if (pts.length < 2) return `<div><small>${label}</small><svg class="chart"></svg></div>`;
    const xs = pts.map((p) => Date.parse(p.at)), ys = pts.map((p) => p[key]);
    const x0 = Math.min(...xs), x1 = Math.max(...xs) || x0 + 1, y0 = Math.min(0, ...ys), y1 = Math.max(...ys, y0 + 1);
    const W = 300, H = 100;
    const path = pts.map((p, i) => `${i ? "L" : "M"}${(((xs[i] - x0) / (x1 - x0 || 1)) * W).toFixed(1)},${(H - ((ys[i] - y0) / (y1 - y0)) * (H - 10) - 5).toFixed(1)}`).join(" ");
    return `<div><small>${label}：${ys[ys.length - 1]}</small><svg class="chart" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none">
      <path d="${path}" fill="none" stroke="#1f4e79" stroke-width="2" vector-effect="non-scaling-stroke"/></svg></div>`;
  }

  const COMMANDS = ["ping", "self_test", "print_test", "get_logs", "screenshot", "set_volume", "restart_app"];

  async function renderTerminal(id) {
    const r = await getJSON("/api/terminals/" + encodeURIComponent(id));
    offlineMin = r.offline_alert_minutes;
    const tel = r.telemetry || {};
    const rep = r.reported || {};
    let html = `<p><a href="#/">${t("back")}</a></p><h2><span class="dot ${r.colour}"></span>${esc(r.terminal_id)} · ${esc(r.site)}
      <small>${r.online ? t("online") : t("offline")} · ${ago(r.last_seen)}</small></h2>`;
    if (r.alerts.length) html += `<div class="alerts"><ul>${r.alerts.map((a) => `<li>${alertText(a)}</li>`).join("")}</ul></div>`;
    if (tel.config_fallback) html += `<div class="alerts"><pre>${esc(tel.config_fallback)}</pre></div>`;  // why its kiosk.toml failed
    html += `<div class="cards"><div class="card"><h3>${t("devices")}</h3><table>` +
      (tel.devices || []).map((d) => `<tr><td>${esc(d.kind)}</td><td><span class="dot ${d.state === "ready" ? "green" : d.state === "absent" ? (d.kind === "idcard" || d.kind === "printer" ? "red" : "grey") : "amber"}"></span>${t("state_" + d.state)}</td><td>${esc(d.paper || "")}</td></tr>`).join("") +
      `</table><p>${t("uptime")}: ${Math.round((tel.uptime_s || 0) / 60)} min · ${t("disk")}: ${tel.disk_free_mb ?? "?"} MB · ${t("memory")}: ${tel.mem_rss_mb ?? "?"} MB<br>
      ${t("speech_model")}: ${tel.speech_model ? t("yes") : t("no")} · ${t("reported")}: v${rep.version ?? 0} ${rep.state ? t(rep.state) : ""}</p></div>`;
    html += `<div class="card"><h3>${t("commands")}</h3><div class="cmds">` +
      COMMANDS.map((c) => `<button data-cmd="${c}">${t("cmd_" + c)}</button>`).join("") + `</div><pre id="out">${esc(lastOut[id] || "")}</pre></div>`;
    html += `<div class="card"><h3>${t("screenshot")}</h3>` + (r.has_screenshot ? `<img class="shot" id="shot" src="/api/terminals/${encodeURIComponent(id)}/screenshot.png?${Date.now()}">` : `<p>${t("no_screenshot")}</p>`) + `</div>`;
    html += `<div class="card"><h3>${t("telemetry")}</h3>${chart(r.history, "tickets_today", t("chart_tickets"))}${chart(r.history, "outbox_pending", t("chart_outbox"))}${chart(r.history, "mem_rss_mb", t("chart_mem"))}</div>`;
    html += `<div class="card"><h3>${t("history")}</h3><table>` + r.commands.map((c) => `<tr><td>${ago(c.sent_at)}</td><td>${t("cmd_" + c.name)}</td><td>${c.ok ? t("result_ok") : esc(c.error || "")}</td></tr>`).join("") + `</table></div></div>`;
    main.innerHTML = html;
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
    lastOut[id] = t("cmd_" + name) + " " + t("running");
    document.getElementById("out").textContent = lastOut[id];
    const res = await getJSON(`/api/terminals/${encodeURIComponent(id)}/cmd`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name, args }) });
    const body = name === "get_logs" && res.ok ? res.result.lines.join("\n") : JSON.stringify(res.ok ? res.result : { error: res.error, message: res.message }, null, 1);
    lastOut[id] = `${t("cmd_" + name)}: ${res.ok ? t("result_ok") : t("result_error")}\n${body}`;
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
