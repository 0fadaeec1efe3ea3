// The window console: sign in to a window and its services, then call, recall, skip,
// transfer and finish tickets; the waiting list refreshes every two seconds.
// Texts come from the terminal's translation catalogue (/api/setup), Chinese first.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const store = window.sessionStorage;
  let setup = null;
  let lang = store.getItem("console.lang") || "zh_CN";
  let desk = JSON.parse(store.getItem("console.desk") || "null");  // {window, services, pin}
  let timer = null;

  const t = (key, values) => {
    let text = (setup && setup.texts[key]) || key;
    for (const [k, v] of Object.entries(values || {})) text = text.replace("{" + k + "}", v);
    return text;
  };
  const serviceName = (code) => {
    const s = setup.services.find((x) => x.code === code);
    return s ? s.name : code;
  };

  async function api(method, path, body) {
    const headers = { "Content-Type": "application/json" };
    if (desk && desk.pin) headers["X-Console-Pin"] = desk.pin;
    const resp = await fetch(path, { method, headers, body: body ? JSON.stringify(body) : undefined, cache: "no-store" });
    let doc = null;
    try { doc = await resp.json(); } catch (e) { doc = null; }
    if (!resp.ok) throw new Error((doc && doc.error) || "console.error");
    return doc;
  }

  async function loadSetup() {
    setup = await api("GET", "/api/setup?lang=" + encodeURIComponent(lang));
    document.documentElement.lang = lang === "zh_CN" ? "zh-CN" : "en";
    document.title = t("title");
    $("title").textContent = t("title");
    $("site").textContent = setup.site;
    $("lang").textContent = t("other_lang");
    $("sign-out").textContent = t("sign_out");
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
    $("pin-row").hidden = !setup.pin_required;
    const list = $("service-list");
    list.textContent = "";
    for (const s of setup.services) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox"; box.value = s.code; box.name = "service";
      box.checked = !!(desk && desk.services.includes(s.code));
      label.append(box, document.createTextNode(s.prefix + " " + s.name));
      list.append(label);
    }
    const sel = $("transfer-to");
    sel.textContent = "";
    const first = document.createElement("option");
    first.value = ""; first.textContent = t("transfer_to");
    sel.append(first);
    for (const s of setup.services) {
      const o = document.createElement("option");
      o.value = s.code; o.textContent = s.name;
      sel.append(o);
    }
  }

  function show() {
    const signedIn = !!desk;
    $("sign-in").hidden = signedIn;
    $("desk").hidden = !signedIn;
    $("sign-out").hidden = !signedIn;
    $("who").textContent = signedIn ? t("window", {}) + " " + desk.window : "";
    if (timer) { clearInterval(timer); timer = null; }
    if (signedIn) { refresh(); timer = setInterval(refresh, 2000); }
  }

  function say(text, isError) {
    const m = $("message");
    m.textContent = text;
    m.className = "message" + (isError ? " error" : "");
  }

  async function refresh() {
    if (!desk) return;
    let state;
    try {
      state = await api("GET", "/api/state?window=" + desk.window + "&services=" + encodeURIComponent(desk.services.join(",")));
    } catch (e) { say(t(e.message.replace("console.", "")), true); return; }
    const cur = state.serving;
    $("current").textContent = cur ? cur.number : "—";
    $("current-info").textContent = cur
      ? serviceName(cur.service) + (cur.priority !== "normal" ? " · " + t("priority") : "") + (cur.recalls ? " · " + t("recalls", { n: cur.recalls }) : "")
      : t("nobody_serving");
    for (const id of ["recall", "skip", "done", "transfer"]) $(id).disabled = !cur;
    $("waiting-count").textContent = t("waiting_count", { n: state.waiting_count });
    const ol = $("upcoming");
    ol.textContent = "";
    if (!state.upcoming.length) {
      const li = document.createElement("li"); li.className = "empty"; li.textContent = t("nobody_waiting"); ol.append(li);
    }
    for (const tk of state.upcoming) {
      const li = document.createElement("li");
      li.dataset.number = tk.number;
      const num = document.createElement("span"); num.className = "num"; num.textContent = tk.number;
      li.append(num);
      if (tk.priority !== "normal") { const p = document.createElement("span"); p.className = "prio"; p.textContent = t("priority"); li.append(p); }
      // The kiosk could not print this ticket: the person has only the number they saw.
      if (tk.printed === false) { const np = document.createElement("span"); np.className = "prio unprinted"; np.textContent = t("printer_state.not_printed"); li.append(np); }
      const meta = document.createElement("div"); meta.className = "meta";
      meta.textContent = serviceName(tk.service) + " · " + t("waited", { n: tk.waited_minutes });
      li.append(meta);
      ol.append(li);
    }
    const ul = $("windows");
    ul.textContent = "";
    $("other-windows").hidden = ul.hidden = !state.windows.length;
    for (const w of state.windows) {
      const li = document.createElement("li"); li.textContent = t("window_serving", { window: w.window, number: w.number }); ul.append(li);
    }
  }

  async function act(action, extra) {
    try {
      const doc = await api("POST", "/api/" + action, Object.assign({ window: desk.window, services: desk.services }, extra || {}));
      if (action === "call" && !doc.ticket) say(t("nobody_waiting"), false);
      else if (action === "call" || action === "recall") say(t("called", { number: doc.ticket.number, window: desk.window }), false);
      else if (action === "transfer") say(t("transferred", { number: doc.ticket.number, service: serviceName(doc.ticket.service) }), false);
      else say(doc.ticket.number + " · " + t(action), false);
    } catch (e) { say(t(e.message.replace("console.", "")), true); }
    await refresh();
  }

  $("sign-in").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const services = Array.from(document.querySelectorAll("#service-list input:checked")).map((b) => b.value);
    const pin = $("pin").value;
    try {
      desk = { window: Number($("window").value), services, pin };
      const doc = await api("POST", "/api/sign-in", { window: desk.window, services, pin });
      desk.window = doc.window;
      store.setItem("console.desk", JSON.stringify(desk));
      $("sign-in-error").textContent = "";
      show();
    } catch (e) { desk = null; $("sign-in-error").textContent = t(e.message.replace("console.", "")); }
  });
  $("sign-out").addEventListener("click", () => { desk = null; store.removeItem("console.desk"); say("", false); show(); });
  $("lang").addEventListener("click", async () => {
    lang = lang === "zh_CN" ? "en" : "zh_CN";
    store.setItem("console.lang", lang);
    say("", false);  // a message in the other language would stay behind otherwise
    await loadSetup(); show();
  });
  $("call").addEventListener("click", () => act("call"));
  for (const a of ["recall", "skip", "done"]) $(a).addEventListener("click", () => act(a));
  $("transfer").addEventListener("click", () => {
    const service = $("transfer-to").value;
    if (service) act("transfer", { service });
  });

  loadSetup().then(show, () => say(t("error"), true));
})();
