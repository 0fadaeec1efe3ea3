// The versions and rollouts page: which versions run at each site, and each release's
// rollout with its waves as progress bars. Built from data with dom.js (text nodes and
// named attributes only): a terminal's error message is hostile text.
(function () {
  "use strict";
  let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("lang") || "zh_CN";
  const t = (k, vars) => {
    let s = (I18N[lang] && I18N[lang][k]) || I18N.zh_CN[k] || k;
    for (const [n, v] of Object.entries(vars || {})) s = s.replace("{" + n + "}", v);
    return s;
  };
  const { el, svg, fill } = window.dom;
  const main = document.getElementById("main");
  const CATS = ["confirmed", "updated", "rolled_back", "failed", "pending"];
  const when = (iso) => (iso ? new Date(iso).toLocaleString(lang === "en" ? "en-GB" : "zh-CN") : "");

  async function getJSON(url) {
    const r = await fetch(url);
    if (r.status === 401) location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    if (!r.ok) throw new Error(r.status);
    return r.json();
  }

  // A stacked bar: one rect per category, widths in percent of the total (SVG attributes,
  // so the strict style policy needs no inline style).
  function bar(counts, total, small) {
    const s = svg("svg", { class: "bar" + (small ? " small" : ""), viewBox: "0 0 100 10", preserveAspectRatio: "none", role: "img",
      "aria-label": CATS.map((c) => `${t("ro_cat_" + c)} ${counts[c] || 0}`).join(", ") });
    let x = 0;
    for (const c of CATS) {
      const n = counts[c] || 0;
      if (!n || !total) continue;
      const w = (100 * n) / total;
      s.append(svg("rect", { class: "c-" + c, "data-cat": c, "data-n": n, x: x.toFixed(3), y: 0, width: w.toFixed(3), height: 10 },
        svg("title", null, `${t("ro_cat_" + c)}: ${n}`)));
      x += w;
    }
    return s;
  }
  const countsText = (counts) => CATS.filter((c) => counts[c]).map((c) => `${t("ro_cat_" + c)} ${counts[c]}`).join(" · ");
  const legend = () => el("div", { class: "legend" }, CATS.map((c) => [el("i", { class: "c-" + c }), t("ro_cat_" + c)]));
  const chips = (byVersion) => {
    const entries = Object.entries(byVersion || {}).sort((a, b) => b[1] - a[1]);
    return entries.map(([v, n]) => el("span", { class: "chip" + (v ? "" : " none") }, v || t("ro_unreported"), el("b", null, "×" + n)));
  };

  function sitesSection(sites) {
    return el("section", { id: "sites" }, el("h2", null, t("ro_sites")),
      el("table", null,
        el("tr", null, ["ro_col_site", "ro_col_terminals", "ro_col_software", "ro_col_library"].map((k) => el("th", null, t(k)))),
        sites.map((s) => el("tr", { "data-site": s.site },
          el("td", null, s.site), el("td", null, s.terminals),
          el("td", { class: "v-kiosk" }, chips(s.versions.kiosk)), el("td", { class: "v-library" }, chips(s.versions.library))))));
  }

  // Why a rollout stopped, in the page's language when the record says it in figures.
  function haltText(r) {
    const h = r.halt || {};
    if (h.why === "by_hand") return t("ro_halt_by_hand");
    if (h.why === "failures") return t("ro_halt_failures", { f: h.failed, s: h.sent, r: Math.round(h.rate), p: h.threshold });
    return String(r.halt_reason);
  }

  function rolloutCard(r) {
    const parts = [
      el("h3", null, t("ro_version", { v: r.version }), el("span", { class: "state" }, t("ro_state_" + r.state))),
      el("div", { class: "meta" }, [t("ro_sent", { s: r.sent, n: r.targets }),
        r.halt_pct != null ? t("ro_threshold", { p: r.halt_pct }) : "", r.updated_at ? t("ro_updated", { t: when(r.updated_at) }) : ""]
        .filter(Boolean).join(" · ")),
    ];
    if (r.halt_reason) parts.push(el("div", { class: "halt" }, t("ro_halt_reason", { r: haltText(r) })));
    parts.push(el("div", { class: "total" }, bar(r.counts, r.targets, false)), el("div", { class: "legend" }, countsText(r.counts)), legend());
    parts.push(el("div", { class: "waves" }, r.waves.map((w, i) => [
      el("div", { class: "wave-name" }, t("ro_wave", { i: i + 1, p: w.pct }), el("small", null, t("ro_wave_size", { n: w.size }))),
      el("div", { class: "wave", "data-wave": i + 1, "data-sent": w.sent ? "1" : "0" }, bar(w.counts, w.size, true)),
      el("div", { class: w.sent ? "counts" : "counts unsent" }, w.sent ? countsText(w.counts) : t("ro_wave_waiting")),
    ])));
    if (r.failed.length) {
      parts.push(el("table", { class: "failed" },
        el("tr", null, ["ro_col_terminal", "ro_col_state", "ro_col_reason"].map((k) => el("th", null, t(k)))),
        r.failed.map((f) => el("tr", { "data-id": f.terminal_id },
          el("td", null, el("a", { href: "/#/t/" + encodeURIComponent(f.terminal_id) }, f.terminal_id)),
          el("td", null, t("ro_st_" + f.state)), el("td", { class: "reason" }, f.error || "")))));
    }
    return el("div", { class: "rollout", "data-version": r.version, "data-state": r.state }, parts);
  }

  async function render() {
    const doc = await getJSON("/api/rollouts");
    fill(main, el("h2", null, t("ro_title")), sitesSection(doc.sites),
      el("section", { id: "rollouts" }, el("h2", null, t("ro_rollouts")),
        doc.rollouts.length ? doc.rollouts.map(rolloutCard) : el("p", null, t("ro_none"))));
    document.body.dataset.rendered = String(Number(document.body.dataset.rendered || 0) + 1);
  }

  function chrome() {
    document.getElementById("title").textContent = t("title");
    document.title = t("ro_title");
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.getElementById("lang").textContent = t("other_lang");
    document.getElementById("nav-terminals").textContent = t("nav_terminals");
    document.getElementById("nav-figures").textContent = t("nav_figures");
    document.getElementById("logout").textContent = t("logout");
  }
  fetch("/api/me").then((r) => (r.ok ? r.json() : null)).then((me) => {
    if (me) document.getElementById("who").textContent = me.display_name || me.name;
  });
  document.getElementById("lang").addEventListener("click", () => { lang = lang === "en" ? "zh_CN" : "en"; localStorage.setItem("lang", lang); chrome(); render(); });

  // Live: the event stream names terminals that changed (their reports among them);
  // redraw at most once a second.
  let timer = null;
  const safeRender = () => render().catch((e) => console.error(e));
  const es = new EventSource("/api/stream");
  const liveEl = document.getElementById("live");
  es.onopen = () => { liveEl.textContent = "● " + t("live"); };
  es.onerror = () => { liveEl.textContent = "○ " + t("reconnecting"); };
  es.onmessage = () => { if (!timer) timer = setTimeout(() => { timer = null; safeRender(); }, 1000); };
  chrome(); safeRender();
})();
