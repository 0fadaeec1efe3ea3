// The slots page: admins and technicians publish appointment slots per site and service
// (every N minutes between two times, on working days); everyone allowed sees what is
// published and how full it is. Its own texts, Chinese first.
(function () {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const TEXTS = {
    zh_CN: { title: "预约时段", home: "终端运维", logout: "退出登录", other: "English", publish: "发布预约时段",
      site: "站点", service: "业务", from: "开始日期", to: "结束日期", start: "首个时段开始", end: "末个时段结束",
      every: "每段分钟数", capacity: "每段人数", do_publish: "发布", published: "已发布的时段", day: "日期", time: "时间",
      booked: "已约 / 名额", done: "已发布 {n} 个时段（仅工作日）", error: "没有发布：{detail}", none: "还没有发布时段" },
    en: { title: "Appointment slots", home: "Terminals", logout: "Sign out", other: "中文", publish: "Publish slots",
      site: "Site", service: "Service", from: "From", to: "To", start: "First slot starts", end: "Last slot ends",
      every: "Minutes per slot", capacity: "People per slot", do_publish: "Publish", published: "Published slots", day: "Day",
      time: "Time", booked: "Booked / places", done: "{n} slots published (working days)", error: "Not published: {detail}",
      none: "No slots published yet" },
  };
  let lang = localStorage.getItem("lang") === "en" ? "en" : "zh_CN";
  let setup = null;
  const t = (k, v) => Object.entries(v || {}).reduce((s, [a, b]) => s.replace("{" + a + "}", b), TEXTS[lang][k] || k);

  async function api(method, path, body) {
    const resp = await fetch(path, { method, headers: { "Content-Type": "application/json" }, cache: "no-store",
      body: body ? JSON.stringify(body) : undefined });
    if (resp.status === 401) { location.href = "/login?next=/appointments"; throw new Error("unauthorized"); }
    const doc = await resp.json().catch(() => ({}));
    if (!resp.ok) throw new Error(doc.detail || doc.error || String(resp.status));
    return doc;
  }

  function texts() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.title = t("title");
    $("title").textContent = t("title");
    $("nav-home").textContent = t("home");
    $("logout").textContent = t("logout");
    $("lang").textContent = t("other");
    document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  }

  function fill(select, items) {
    select.textContent = "";
    for (const [value, label] of items) {
      const o = document.createElement("option"); o.value = value; o.textContent = label; select.append(o);
    }
  }

  async function load() {
    setup = await api("GET", "/api/appointments/setup?lang=" + lang);
    $("who").textContent = setup.user;
    fill($("site"), setup.sites.map((s) => [s, s]));
    fill($("service"), setup.services.map((s) => [s.code, s.name]));
    $("publish").hidden = !setup.can_publish;
    const today = new Date().toISOString().slice(0, 10);
    if (!$("from").value) $("from").value = today;
    if (!$("to").value) $("to").value = today;
    await table();
  }

  async function table() {
    const doc = await api("GET", "/api/appointments/slots?from=" + new Date().toISOString().slice(0, 10));
    const names = Object.fromEntries(setup.services.map((s) => [s.code, s.name]));
    const body = document.querySelector("#slots tbody");
    body.textContent = "";
    if (!doc.slots.length) {
      const tr = document.createElement("tr"); const td = document.createElement("td");
      td.colSpan = 5; td.textContent = t("none"); tr.append(td); body.append(tr);
    }
    for (const s of doc.slots) {
      const tr = document.createElement("tr");
      tr.dataset.slot = s.slot_id;
      for (const [text, cls] of [[s.site], [s.day], [s.start + "–" + s.end], [names[s.service] || s.service],
                                 [s.booked + " / " + s.capacity, s.booked >= s.capacity ? "full" : ""]]) {
        const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; tr.append(td);
      }
      body.append(tr);
    }
  }

  $("publish").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const msg = $("msg");
    try {
      const doc = await api("POST", "/api/appointments/slots", {
        site: $("site").value, service: $("service").value, from: $("from").value, to: $("to").value,
        start: $("start").value, end: $("end").value, every_minutes: Number($("every").value), capacity: Number($("capacity").value) });
      msg.textContent = t("done", { n: doc.published }); msg.className = "msg";
      await table();
    } catch (e) { msg.textContent = t("error", { detail: e.message }); msg.className = "msg error"; }
  });
  $("lang").addEventListener("click", () => {
    lang = lang === "en" ? "zh_CN" : "en"; localStorage.setItem("lang", lang); texts(); load();
  });
  texts();
  load().catch(() => {});
})();
