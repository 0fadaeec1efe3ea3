// The bureau's publicity page: add items (picture, text, video) with their schedule,
// see and change them, preview what a site shows at a moment, publish. Everything the
// bureau typed comes back from the centre and is shown with dom.js (text nodes, named
// attributes): never as markup.
(function () {
  "use strict";
  let lang = new URLSearchParams(location.search).get("lang") || localStorage.getItem("lang") || "zh_CN";
  const t = (k, vars) => {
    let s = (I18N[lang] && I18N[lang][k]) || I18N.zh_CN[k] || k;
    for (const [n, v] of Object.entries(vars || {})) s = s.replace("{" + n + "}", v);
    return s;
  };
  const { el, fill } = window.dom;
  const $ = (id) => document.getElementById(id);
  const DAYS = [1, 2, 3, 4, 5, 6, 7];
  let doc = { items: [], sites: [], published: [], can_publish: false };
  let editing = null; // the id of the item whose schedule the form holds, or null: a new item

  async function call(url, opts) {
    const r = await fetch(url, opts);
    if (r.status === 401) location.href = "/login?next=" + encodeURIComponent(location.pathname);
    const body = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(body.error || String(r.status));
    return body;
  }
  const say = (id, text, err) => { const m = $(id); m.textContent = text; m.className = "msg" + (err ? " err" : ""); };

  function checks(box, name, values, labels, checked) {
    fill(box, values.map((v) => el("label", null,
      el("input", { type: "checkbox", name, value: v, checked: checked(v) }), labels(v))));
  }
  const picked = (name) => [...document.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

  function schedule() {
    const sites = picked("site");
    return {
      title: $("f-title").value, text: $("f-text").value, seconds: Number($("f-seconds").value),
      from: $("f-from").value, to: $("f-to").value, days: picked("day").map(Number),
      hours: [Number($("f-h0").value), Number($("f-h1").value)], sites: sites.length ? sites : ["*"],
    };
  }

  function when(i) {
    const days = i.days.length === 7 ? t("pb_every_day") : i.days.map((d) => t("pb_day_" + d)).join("、");
    const sites = i.sites.includes("*") ? t("pb_all_sites") : i.sites.join("、");
    return t("pb_when", { from: i.from, to: i.to, days, h0: i.hours[0], h1: i.hours[1], s: i.seconds, sites });
  }

  function thumb(i) {
    if (i.kind === "text") return el("div", { class: "slide-text" }, el("b", null, i.title), i.text);
    const file = (i.kind === "video" ? i.poster : i.file).replace(/^media\//, "");
    return el("img", { src: "/publicity/media/" + encodeURIComponent(file), alt: i.title });
  }

  function itemRow(i, editable) {
    return el("div", { class: "item", "data-id": i.id },
      thumb(i),
      el("div", { class: "what" }, el("b", null, i.title), el("span", { class: "kind" }, t("pb_kind_" + i.kind)),
        el("div", { class: "when" }, when(i))),
      el("div", { class: "actions" }, editable ? [el("button", { type: "button", "data-edit": i.id }, t("pb_edit")),
        el("button", { type: "button", "data-delete": i.id }, t("pb_delete"))] : null));
  }

  function render() {
    fill($("items"), doc.items.length ? doc.items.map((i) => itemRow(i, true)) : el("p", null, t("pb_no_items")));
    const ps = $("p-site");
    const keep = ps.value;
    fill(ps, doc.sites.map((s) => el("option", { value: s }, s)));
    if (keep) ps.value = keep;
    checks($("f-sites"), "site", doc.sites, (s) => s, () => false);
    $("publish-go").disabled = !doc.can_publish;
    if (!doc.can_publish) say("publish-msg", t("pb_not_delegated"), true);
    fill($("published"), doc.published.length
      ? el("ul", null, doc.published.map((p) => el("li", null, t("pb_package", { n: p.serial, v: p.version }))))
      : el("p", null, t("pb_none_published")));
  }

  async function load() { doc = await call("/api/publicity"); render(); }

  function editMode(item) {
    editing = item ? item.id : null;
    $("f-kind").disabled = !!item;
    $("f-submit").textContent = t(item ? "pb_save" : "pb_f_submit");
    $("pb-add").textContent = t(item ? "pb_editing" : "pb_add");
    if (!item) return;
    $("f-kind").value = item.kind; kindRows();
    $("row-file").hidden = true;
    $("f-title").value = item.title; $("f-text").value = item.text || ""; $("f-seconds").value = item.seconds;
    $("f-from").value = item.from; $("f-to").value = item.to; $("f-h0").value = item.hours[0]; $("f-h1").value = item.hours[1];
    document.querySelectorAll("input[name=day]").forEach((c) => { c.checked = item.days.includes(Number(c.value)); });
    document.querySelectorAll("input[name=site]").forEach((c) => { c.checked = item.sites.includes(c.value); });
    $("add").scrollIntoView();
  }

  $("add-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (editing) {
      try {
        await call("/api/publicity/items/" + encodeURIComponent(editing), { method: "POST", body: JSON.stringify(schedule()),
          headers: { "Content-Type": "application/json" } });
        say("add-msg", t("pb_saved"));
        editMode(null);
        $("f-title").value = ""; $("f-text").value = "";
        await load();
      } catch (err) { say("add-msg", t("pb_error", { e: err.message }), true); }
      return;
    }
    const form = new FormData();
    form.append("kind", $("f-kind").value);
    form.append("schedule", JSON.stringify(schedule()));
    const f = $("f-file").files[0];
    if (f && $("f-kind").value !== "text") form.append("file", f, f.name);
    try {
      await call("/api/publicity/items", { method: "POST", body: form });
      say("add-msg", t("pb_added"));
      $("f-title").value = ""; $("f-text").value = ""; $("f-file").value = "";
      await load();
    } catch (err) { say("add-msg", t("pb_error", { e: err.message }), true); }
  });

  $("items").addEventListener("click", async (e) => {
    const edit = e.target.dataset && e.target.dataset.edit;
    if (edit) { editMode(doc.items.find((i) => i.id === edit)); return; }
    const id = e.target.dataset && e.target.dataset.delete;
    if (!id) return;
    await call("/api/publicity/items/" + encodeURIComponent(id) + "/delete", { method: "POST" });
    await load();
  });

  $("p-go").addEventListener("click", async () => {
    const q = new URLSearchParams({ site: $("p-site").value, at: $("p-at").value });
    try {
      const r = await call("/api/publicity/preview?" + q);
      const byId = Object.fromEntries(doc.items.map((i) => [i.id, i]));
      const due = r.due.map((id) => byId[id]).filter(Boolean);
      fill($("p-out"), due.length
        ? el("div", { class: "due" }, t("pb_due", { n: due.length }), due.map((i) => itemRow(i, false)))
        : el("div", { class: "due none" }, t("pb_nothing_due")));
    } catch (err) { fill($("p-out"), el("div", { class: "due none" }, t("pb_error", { e: err.message }))); }
  });

  $("publish-go").addEventListener("click", async () => {
    try {
      const r = await call("/api/publicity/publish", { method: "POST" });
      say("publish-msg", t("pb_published", { n: r.serial, v: r.version }));
      await load();
    } catch (err) { say("publish-msg", t("pb_error", { e: err.message }), true); }
  });

  $("f-kind").addEventListener("change", kindRows);
  function kindRows() {
    const k = $("f-kind").value;
    $("row-text").hidden = k !== "text";
    $("row-file").hidden = k === "text";
  }

  function chrome() {
    document.documentElement.lang = lang === "en" ? "en" : "zh-CN";
    document.title = t("pb_title");
    const texts = {
      title: "title", "pb-title": "pb_title", "pb-add": "pb_add", "pb-items": "pb_items", "pb-preview": "pb_preview",
      "pb-publish": "pb_publish", "l-kind": "pb_kind", "o-image": "pb_kind_image", "o-text": "pb_kind_text", "o-video": "pb_kind_video",
      "l-title": "pb_f_title", "l-seconds": "pb_f_seconds", "l-text": "pb_f_text", "l-file": "pb_f_file", "l-from": "pb_f_from",
      "l-to": "pb_f_to", "l-hours": "pb_f_hours", "l-days": "pb_f_days", "l-sites": "pb_f_sites", "f-submit": "pb_f_submit",
      "l-psite": "pb_p_site", "l-pat": "pb_p_at", "p-go": "pb_p_go", "publish-go": "pb_publish_go", lang: "other_lang",
      "nav-figures": "nav_figures", logout: "logout",
    };
    for (const [id, k] of Object.entries(texts)) $(id).textContent = t(k);
    checks($("f-days"), "day", DAYS, (d) => t("pb_day_" + d), () => true);
  }

  $("lang").addEventListener("click", () => { lang = lang === "en" ? "zh_CN" : "en"; localStorage.setItem("lang", lang); chrome(); render(); });
  fetch("/api/me").then((r) => (r.ok ? r.json() : null)).then((me) => {
    if (me) $("who").textContent = me.display_name || me.name;
  });
  const today = new Date();
  const iso = (d) => d.toISOString().slice(0, 10);
  $("f-from").value = iso(today);
  $("f-to").value = iso(new Date(today.getTime() + 7 * 86400000));
  $("p-at").value = iso(today) + "T10:00";
  chrome();
  kindRows();
  load();
})();
