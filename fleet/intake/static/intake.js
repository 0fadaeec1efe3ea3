// The legal-aid intake page: list, one application opened, status set. Its own i18n
// (zh first, en second), like the dashboard's static/i18n.js.
"use strict";
const T = {
  zh: {
    title: "法律援助受理", filter: "状态", all: "全部", logout: "退出登录", "col.number": "申请编号", "col.name": "申请人",
    "col.matter": "事项", "col.site": "提交站点", "col.date": "提交时间", "col.status": "状态", empty: "暂无申请",
    detail: "申请详情", story: "事情经过", letter: "承诺书", signature: "签名", set_status: "设置状态",
    note: "说明（需补充哪些材料）", save: "保存", history: "状态记录", saved: "已保存", need_note: "请写明需补充哪些材料",
    pick: "请选择一个状态", failed: "保存失败：", none: "（未口述）",
    "st.submitted": "待受理", "st.received": "已收到", "st.more_material": "需补充材料", "st.accepted": "已受理", "st.refused": "不予援助",
    "f.name": "姓名", "f.gender": "性别", "f.birth": "出生日期", "f.id": "身份证号", "f.address": "住址", "f.phone": "电话",
    "f.groups": "人群", "f.hardship": "经济困难承诺", "f.terminal": "终端", "yes": "已签署", "no": "无需",
    "f.sign": "签署方式", "sign.signature": "手写签名", "sign.fingerprint": "按手印", "sign.window": "到窗口签字（尚未签署，请与申请人当面完成）",
    male: "男", female: "女", unknown: "未知",
    "m.wages": "讨要工资", "m.injury": "工伤赔偿", "m.support": "赡养抚养扶养", "m.domestic_violence": "家庭暴力", "m.traffic": "交通事故",
    "m.medical": "医疗纠纷", "m.criminal_defence": "刑事辩护", "m.social_benefits": "社保低保抚恤",
    "g.elderly": "老年人", "g.minor": "未成年人", "g.disabled": "残疾人", "g.military": "军人军属", "g.migrant_worker": "农民工", "g.assistance": "社会救助对象",
  },
  en: {
    title: "Legal aid intake", filter: "Status", all: "All", logout: "Sign out", "col.number": "Number", "col.name": "Applicant",
    "col.matter": "Matter", "col.site": "Site", "col.date": "Submitted", "col.status": "Status", empty: "No applications",
    detail: "Application", story: "What happened", letter: "Commitment letter", signature: "Signature", set_status: "Set status",
    note: "Note (which material is still needed)", save: "Save", history: "History", saved: "Saved", need_note: "Say which material is needed",
    pick: "Choose a status", failed: "Not saved: ", none: "(not dictated)",
    "st.submitted": "Submitted", "st.received": "Received", "st.more_material": "More material needed", "st.accepted": "Accepted", "st.refused": "Refused",
    "f.name": "Name", "f.gender": "Gender", "f.birth": "Born", "f.id": "ID number", "f.address": "Address", "f.phone": "Phone",
    "f.groups": "Groups", "f.hardship": "Hardship declaration", "f.terminal": "Terminal", "yes": "signed", "no": "not needed",
    "f.sign": "Signed by", "sign.signature": "handwritten signature", "sign.fingerprint": "fingerprint mark", "sign.window": "at the window (not signed yet: finish it with the applicant)",
    male: "male", female: "female", unknown: "unknown",
    "m.wages": "Unpaid wages", "m.injury": "Work injury", "m.support": "Family support", "m.domestic_violence": "Domestic violence", "m.traffic": "Traffic accident",
    "m.medical": "Medical dispute", "m.criminal_defence": "Criminal defence", "m.social_benefits": "Social benefits",
    "g.elderly": "Elderly", "g.minor": "Minor", "g.disabled": "Disabled", "g.military": "Military", "g.migrant_worker": "Migrant worker", "g.assistance": "Social assistance",
  },
};
let lang = localStorage.getItem("intake.lang") || "zh";
let current = null;
const $ = (s) => document.querySelector(s);
const t = (k) => (T[lang][k] !== undefined ? T[lang][k] : k);
const { el, fill } = window.dom;  // applicants' words as text nodes, never markup (dom.js)
// A code with a text (matter, status, group), else the code itself as it came.
const label = (prefix, code) => { const k = prefix + code; const s = t(k); return s === k || typeof s !== "string" ? String(code ?? "") : s; };

function applyI18n() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  $("#lang").textContent = lang === "zh" ? "English" : "中文";
  document.title = t("title");
}

async function api(path, opts) {
  const r = await fetch(path, Object.assign({ credentials: "same-origin", headers: { "Content-Type": "application/json" } }, opts || {}));
  if (r.status === 401) { location.href = "/login?next=/intake"; throw new Error("unauthorized"); }
  const body = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error(body.message || body.error || r.status);
  return body;
}

function when(iso) { return iso ? iso.replace("T", " ").slice(0, 16) : ""; }

async function loadList() {
  const rows = await api("/api/intake/applications" + ($("#filter").value ? "?status=" + $("#filter").value : ""));
  const tb = $("#list tbody");
  fill(tb, rows.map((a) => el("tr", { "data-id": a.id, class: current === a.id ? "sel" : "" },
    el("td", null, a.number), el("td", null, a.name), el("td", null, label("m.", a.matter)), el("td", null, a.site),
    el("td", null, when(a.submitted_at)), el("td", null, el("span", { class: "badge st-" + a.status }, label("st.", a.status))))));
  $("#empty").hidden = rows.length > 0;
  tb.querySelectorAll("tr").forEach((tr) => tr.addEventListener("click", () => openApp(tr.dataset.id)));
}

async function openApp(id) {
  current = id;
  const d = await api("/api/intake/applications/" + encodeURIComponent(id));
  const a = d.application, p = a.applicant;
  $("#detail").hidden = false;
  $("#d-number").textContent = d.number;
  const fields = [
    ["f.name", p.name], ["f.gender", label("", p.gender)], ["f.birth", p.birth_date], ["f.id", p.id_number], ["f.address", p.address],
    ["f.phone", a.phone], ["col.matter", label("m.", d.matter)], ["f.groups", d.groups.map((g) => label("g.", g)).join("、")],
    ["f.hardship", d.hardship ? t("yes") : t("no")], ["f.sign", label("sign.", a.sign_method || "signature")], ["col.site", d.site], ["f.terminal", d.terminal_id], ["col.date", when(d.submitted_at)],
    ["col.status", label("st.", d.status) + (d.note ? "：" + d.note : "")],
  ];
  fill($("#d-fields"), fields.map(([k, v]) => [el("dt", null, t(k)), el("dd", null, v)]));
  $("#d-story").textContent = a.story || t("none");
  $("#d-letter").textContent = a.letter;
  // An application kept for the window has no signature yet: no image to show.
  $("#d-signature").hidden = a.sign_method === "window";
  if (a.sign_method !== "window") $("#d-signature").src = "/api/intake/applications/" + encodeURIComponent(id) + "/signature.png";
  fill($("#d-history"), d.history.map((h) => el("li", null, `${when(h.at)} ${label("st.", h.status)} ${h.note} — ${h.by}`)));
  document.querySelectorAll("input[name=status]").forEach((r) => { r.checked = r.value === d.status; });
  $("#note").value = d.note || "";
  $("#msg").textContent = "";
  await loadList();
}

$("#status-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const picked = document.querySelector("input[name=status]:checked");
  const msg = $("#msg");
  msg.className = "err";
  if (!picked) { msg.textContent = t("pick"); return; }
  if (picked.value === "more_material" && !$("#note").value.trim()) { msg.textContent = t("need_note"); return; }
  try {
    await api("/api/intake/applications/" + encodeURIComponent(current) + "/status", { method: "POST", body: JSON.stringify({ status: picked.value, note: $("#note").value }) });
    await openApp(current);
    msg.className = ""; msg.textContent = t("saved");
  } catch (err) { msg.textContent = t("failed") + err.message; }
});
$("#filter").addEventListener("change", loadList);
$("#lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("intake.lang", lang); applyI18n(); loadList(); if (current) openApp(current); });
applyI18n();
loadList();
setInterval(loadList, 10000);
