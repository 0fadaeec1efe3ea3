// The rating pad: after 办结 the tablet turns to the person who was served and asks
// "请评价" — five large faces, then reasons if they like, then 提交. Anonymous: the page
// sends the window, the ticket number (to rate it once) and the score; the centre gets
// counts only. Staff can close the pad with 跳过 when nobody is there to answer.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const COLOURS = { 1: "#E57373", 2: "#FFB74D", 3: "#FFE082", 4: "#AED581", 5: "#66BB6A" };
  const GOOD = ["patient", "professional", "quick", "clear"];
  const BAD = ["long_wait", "unclear", "attitude", "not_solved"];
  let texts = null;
  let pending = null;  // {number, score, reasons}
  let closeTimer = null;

  function lang() { return window.sessionStorage.getItem("console.lang") || "zh_CN"; }
  function desk() { return JSON.parse(window.sessionStorage.getItem("console.desk") || "null"); }

  async function loadTexts() {
    const resp = await fetch("/api/rating/setup?lang=" + encodeURIComponent(lang()), { cache: "no-store" });
    texts = await resp.json();
  }

  const SVG_NS = "http://www.w3.org/2000/svg";
  function node(ns, tag, attrs) {
    const n = ns ? document.createElementNS(ns, tag) : document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, String(v));
    return n;
  }

  function face(score) {
    // A round face; the mouth curves up for content, down for discontent.
    const smile = (score - 3) / 2;
    const y = 66, ends = y - smile * 6, middle = y + smile * 22;
    const svg = node(SVG_NS, "svg", { viewBox: "0 0 100 100", "aria-hidden": "true" });
    svg.append(
      node(SVG_NS, "circle", { cx: 50, cy: 50, r: 44, fill: COLOURS[score], stroke: "#1A2433", "stroke-width": 3 }),
      node(SVG_NS, "circle", { cx: 35, cy: 40, r: 6, fill: "#1A2433" }),
      node(SVG_NS, "circle", { cx: 65, cy: 40, r: 6, fill: "#1A2433" }),
      node(SVG_NS, "path", { d: `M28 ${ends} Q50 ${middle} 72 ${ends}`, fill: "none", stroke: "#1A2433", "stroke-width": 5, "stroke-linecap": "round" }));
    return svg;
  }

  function build() {
    let pad = $("rate-pad");
    if (pad) pad.remove();
    pad = document.createElement("section");
    pad.id = "rate-pad";
    pad.setAttribute("role", "dialog");
    pad.setAttribute("aria-labelledby", "rate-title");
    // Built node by node: the texts come from the terminal's catalogue, shown as text.
    const actions = node(null, "div", { class: "rate-actions" });
    actions.append(node(null, "button", { type: "button", id: "rate-skip", class: "skip" }),
      node(null, "button", { type: "button", id: "rate-submit", class: "primary", disabled: "" }));
    pad.append(node(null, "h1", { id: "rate-title" }), node(null, "p", { class: "rate-sub", id: "rate-sub" }), node(null, "div", { class: "faces", id: "faces" }),
      node(null, "p", { class: "rate-sub", id: "rate-reasons-title" }), node(null, "div", { class: "reasons", id: "reasons" }), actions,
      node(null, "p", { id: "rate-msg", class: "rate-msg", role: "status" }));
    document.body.append(pad);
    $("rate-title").textContent = texts.texts.title;
    $("rate-sub").textContent = pending.number + " · " + texts.texts.anonymous;
    $("rate-submit").textContent = texts.texts.submit;
    $("rate-skip").textContent = texts.texts.skip;
    for (const s of texts.scores) {
      const b = document.createElement("button");
      b.type = "button"; b.className = "face"; b.dataset.score = s.score;
      const span = document.createElement("span");
      span.textContent = s.label;
      b.append(face(s.score), span);
      b.addEventListener("click", () => choose(s.score));
      $("faces").append(b);
    }
    $("rate-skip").addEventListener("click", close);
    $("rate-submit").addEventListener("click", submit);
  }

  function choose(score) {
    pending.score = score;
    const fits = score >= 4 ? GOOD : score <= 2 ? BAD : GOOD.concat(BAD);
    pending.reasons = pending.reasons.filter((r) => fits.includes(r));
    document.querySelectorAll("#faces .face").forEach((b) => b.classList.toggle("chosen", Number(b.dataset.score) === score));
    $("rate-reasons-title").textContent = texts.texts.reasons_title;
    const box = $("reasons");
    box.textContent = "";
    for (const code of fits) {
      const b = document.createElement("button");
      b.type = "button"; b.className = "reason" + (pending.reasons.includes(code) ? " chosen" : "");
      b.dataset.reason = code; b.textContent = texts.reasons[code];
      b.addEventListener("click", () => {
        const i = pending.reasons.indexOf(code);
        if (i >= 0) pending.reasons.splice(i, 1); else pending.reasons.push(code);
        b.classList.toggle("chosen");
      });
      box.append(b);
    }
    $("rate-submit").disabled = false;
  }

  async function submit() {
    const d = desk();
    const headers = { "Content-Type": "application/json" };
    if (d && d.pin) headers["X-Console-Pin"] = d.pin;
    let msg = texts.texts.thanks, ok = true;
    try {
      const resp = await fetch("/api/rate", { method: "POST", headers, cache: "no-store",
        body: JSON.stringify({ window: d.window, number: pending.number, score: pending.score, reasons: pending.reasons }) });
      if (!resp.ok) {
        const doc = await resp.json().catch(() => ({}));
        const key = (doc.error || "rating.error").replace("rating.", "");
        msg = texts.texts[key] || texts.texts.error; ok = key === "already";
      }
    } catch (e) { msg = texts.texts.error; ok = false; }
    $("rate-msg").textContent = msg;
    $("rate-msg").className = "rate-msg" + (ok ? "" : " error");
    $("faces").hidden = $("reasons").hidden = $("rate-submit").hidden = $("rate-skip").hidden = true;
    $("rate-reasons-title").textContent = "";
    closeTimer = setTimeout(close, ok ? 3000 : 5000);
  }

  function close() {
    if (closeTimer) { clearTimeout(closeTimer); closeTimer = null; }
    pending = null;
    const pad = $("rate-pad");
    if (pad) pad.remove();
  }

  async function open(number) {
    if (!number || number === "—") return;
    await loadTexts();  // in the page's language now
    pending = { number, score: null, reasons: [] };
    build();
  }

  // 办结: the number being served is the one to rate (read before the page refreshes).
  const done = $("done");
  if (done) done.addEventListener("click", () => open($("current").textContent.trim()), true);
  window.ratingPad = { open, close };
})();
