// The mediator's desk. Every value from the centre or a party is put in as text
// (textContent, value), never as HTML.
"use strict";

const T = {
  zh: {title: "人民调解员工作台", logout: "退出", new_session: "新建调解", matter: "纠纷事项", "party-a": "甲方", "party-b": "乙方",
       by_terminal: "在终端参加", by_phone: "用手机参加", name: "姓名", terminal_id: "终端编号", create: "创建调解",
       sessions: "我的调解", no_session: "请新建或选择一个调解", me: "我（调解员）", agreement: "调解协议书（草稿，各方实时可见）",
       confirm: "确认协议（双方已签名）", pdf: "下载协议 PDF", notes: "调解笔记（仅自己可见）", save: "保存笔记", close: "结束调解",
       mute: "静音", unmute: "取消静音", side: "单独谈话", side_end: "结束单独谈话", present: "在线", absent: "未到",
       verified: "已核验身份证", consent: "同意录音录像", refused: "拒绝录音录像", signed: "已签名",
       side_notice: "正在与{p}单独谈话（背靠背），另一方暂时听不到也看不到", invitation: "{p}的手机邀请：链接 {l} 验证码 {c}",
       saved: "已保存", unconfigured: "本中心未配置调解媒体服务器（mediation.toml）", hash: "协议 SHA-256：{h}", lang: "English",
       ticket: "号票如 C012", call: "叫号", call_bad_number: "号码格式不对：应为一个字母加三位数字，如 C012",
       call_not_terminal: "只能叫在终端参加的当事人", call_present: "当事人已在调解中，不用叫号",
       call_states: {sent: "正在通知终端……", busy: "终端有人正在办事，办完后立即叫 {n} 号", called: "已叫 {n} 号，等待当事人到终端",
                     no_show: "{n} 号未到（可再次叫号）", joined: "{n} 号已到，已接入", unknown_ticket: "终端今天没有 {n} 号，请核对当事人的号票",
                     wrong_service: "{n} 号不是人民调解的号", not_waiting: "{n} 号已在窗口办理或已办结", bad_number: "号码格式不对：{n}",
                     no_queue: "该终端不能叫号"},
       states: {open: "等待当事人", active: "进行中", signed: "已签署", closed: "已结束", cancelled: "已取消"}},
  en: {title: "Mediator's desk", logout: "Sign out", new_session: "New session", matter: "Matter", "party-a": "Party A", "party-b": "Party B",
       by_terminal: "at a terminal", by_phone: "on a phone", name: "Name", terminal_id: "Terminal id", create: "Create",
       sessions: "My sessions", no_session: "Create or choose a session", me: "Me (mediator)", agreement: "Agreement (draft, live for every party)",
       confirm: "Confirm agreement (both signed)", pdf: "Agreement PDF", notes: "Notes (mine only)", save: "Save notes", close: "End session",
       mute: "Mute", unmute: "Unmute", side: "Side-room", side_end: "End side-room", present: "present", absent: "not here",
       verified: "verified by card", consent: "consents to recording", refused: "refused recording", signed: "signed",
       side_notice: "In a side-room with {p}: the other party neither hears nor sees", invitation: "{p} phone invitation: link {l} code {c}",
       saved: "saved", unconfigured: "This centre runs no media server for mediation (mediation.toml)", hash: "Agreement SHA-256: {h}", lang: "中文",
       ticket: "ticket e.g. C012", call: "Call", call_bad_number: "Not a ticket number: one letter and three digits, e.g. C012",
       call_not_terminal: "Only a party at a terminal can be called", call_present: "The party is already in the session",
       call_states: {sent: "telling the terminal…", busy: "someone is using the terminal: {n} is called when they finish",
                     called: "{n} called, waiting for the party", no_show: "{n} has not come (call again?)", joined: "{n} came and joined",
                     unknown_ticket: "the terminal has no ticket {n} today", wrong_service: "{n} is not a mediation ticket",
                     not_waiting: "{n} is at a window or finished", bad_number: "not a ticket number: {n}", no_queue: "this terminal cannot call tickets"},
       states: {open: "waiting", active: "in progress", signed: "signed", closed: "ended", cancelled: "cancelled"}},
};
let lang = "zh";
const t = (k, v) => { let s = T[lang][k] || k; for (const [a, b] of Object.entries(v || {})) s = s.replace("{" + a + "}", b); return s; };
const $ = q => document.querySelector(q);

const med = window.med = {session: null, state: null, ctl: null, room: null, side: null, stream: null, error: null, mids: {}, main: {}};

function paint() {
  document.querySelectorAll("[data-t]").forEach(e => { e.textContent = t(e.dataset.t); });
  document.querySelectorAll("[data-ph]").forEach(e => { e.placeholder = t(e.dataset.ph); });
  $("#lang").textContent = t("lang");
  document.title = t("title");
  showState();
}

function showState() {
  const s = med.state;
  $("#idle").hidden = !!med.session;
  for (const label of ["party-a", "party-b"]) {
    const tile = $("#tile-" + label), p = s && s.parties.find(x => x.label === label);
    tile.querySelector(".who").textContent = t(label) + (p ? " " + p.masked : "");
    const flags = [];
    if (p) {
      flags.push(t(p.present ? "present" : "absent"));
      if (p.verified_by_card) flags.push(t("verified"));
      if (p.consent === true) flags.push(t("consent")); else if (p.consent === false) flags.push(t("refused"));
      if (p.signed) flags.push(t("signed"));
    }
    tile.querySelector(".flags").textContent = flags.join(" · ");
    tile.classList.toggle("muted", !!(p && p.muted));
    tile.classList.toggle("away", !!(s && s.side && s.side !== label));
    const mute = tile.querySelector(".mute"), side = tile.querySelector(".side");
    mute.textContent = t(p && p.muted ? "unmute" : "mute");
    side.textContent = t(s && s.side === label ? "side_end" : "side");
    mute.disabled = side.disabled = !med.ctl || !p || !(s.state === "open" || s.state === "active");
    // Calling by ticket: only a party who joins at a terminal and is not in the session yet.
    const call = tile.querySelector(".call"), row = tile.querySelector(".callrow");
    row.hidden = !(p && p.joins === "terminal");
    call.disabled = mute.disabled || !p || p.present;
    const cs = p && p.call;
    const said = cs && T[lang].call_states[cs.state];
    tile.querySelector(".call_state").textContent = cs ? (said ? said.replace("{n}", cs.number) : cs.state) : "";
    row.classList.toggle("refused", !!(cs && !["sent", "busy", "called", "joined"].includes(cs.state)));
  }
  const n = $("#side_notice");
  n.hidden = !(s && s.side);
  if (s && s.side) n.textContent = t("side_notice", {p: t(s.side)});
  const open = !!(med.ctl && s && s.state !== "closed");
  $("#agreement").disabled = $("#notes").disabled = $("#save").disabled = $("#close").disabled = !open;
  $("#confirm").disabled = !(open && s.parties.every(p => p.signed) && !s.agreement_sha256);
  $("#hash").textContent = s && s.agreement_sha256 ? t("hash", {h: s.agreement_sha256}) : "";
  $("#pdf").hidden = !(s && s.agreement_sha256);
  if (s && s.agreement_sha256) $("#pdf").href = "/mediation/api/sessions/" + encodeURIComponent(med.session) + "/agreement.pdf";
}

async function loadSessions() {
  const r = await fetch("/mediation/api/sessions");
  if (!r.ok) return;
  const d = await r.json();
  $("#unconfigured").hidden = d.configured;
  if (d.media_error) $("#unconfigured").textContent = t("unconfigured") + "：" + d.media_error;
  $("#create").disabled = !d.configured;
  const ul = $("#sessions");
  ul.replaceChildren();
  for (const s of d.sessions) {
    const li = document.createElement("li");
    li.textContent = s.session_id + " · " + (T[lang].states[s.state] || s.state) + " · " + s.matter;
    if (s.state === "open" || s.state === "active") li.addEventListener("click", () => openSession(s.session_id));
    ul.appendChild(li);
  }
}

function party(id) {
  const f = $(id);
  const joins = f.querySelector(".joins").value, p = {name: f.querySelector(".name").value, joins};
  if (joins === "terminal") p.terminal_id = f.querySelector(".terminal").value;
  return p;
}

async function create() {
  $("#error").textContent = "";
  const r = await fetch("/mediation/api/sessions", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({matter: $("#matter").value, parties: [party("#pa"), party("#pb")]})});
  const d = await r.json();
  if (!r.ok) { $("#error").textContent = d.detail || d.error; return null; }
  const ul = $("#invitations");
  ul.replaceChildren();
  for (const i of d.invitations) {
    const li = document.createElement("li");
    li.textContent = t("invitation", {p: t(i.label), l: i.link, c: i.code});
    ul.appendChild(li);
  }
  med.invitations = d.invitations;
  await loadSessions();
  await openSession(d.session_id);
  return d.session_id;
}

const wsBase = () => (location.protocol === "https:" ? "wss://" : "ws://") + location.host;

async function openSession(sid) {
  if (med.ctl) med.ctl.close();
  if (med.room) { med.room.leave(); med.room = null; }
  med.session = sid;
  const ctl = med.ctl = new WebSocket(wsBase() + "/mediation/ws?s=" + encodeURIComponent(sid));
  ctl.onmessage = ev => onControl(JSON.parse(ev.data));
  ctl.onclose = () => { if (med.ctl === ctl) { med.ctl = null; showState(); } };
}

let typing = null;
function onControl(m) {
  if (m.type === "hello") {
    $("#matter_shown").textContent = m.matter;
    $("#notes").value = m.notes;
    join(m.pass).catch(e => { med.error = String(e); $("#error").textContent = String(e); });
  } else if (m.type === "state") {
    const before = med.state;
    med.state = m;
    if (document.activeElement !== $("#agreement") || typing === null) $("#agreement").value = m.agreement;
    if ((before && before.side) !== m.side) sideRoom(m).catch(e => { med.error = String(e); });
    if (!before || before.state !== m.state) loadSessions();
    showState();
  } else if (m.type === "saved") {
    $("#saved").textContent = t("saved");
  } else if (m.type === "ended") {
    if (med.room) med.room.leave();
    med.room = null;
    loadSessions();
  } else if (m.type === "error") {
    $("#error").textContent = T[lang][m.code] ? t(m.code) : m.code + (m.detail ? ": " + m.detail : "");
  }
}

function setTile(display, ms) {
  const tile = $("#tile-" + display);
  if (!tile) return;
  const v = tile.querySelector("video");
  if (v.srcObject !== ms) v.srcObject = ms;
}

async function join(pass) {
  if (!med.stream) {
    med.stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 640, height: 480}});
    $("#local").srcObject = med.stream;
  }
  med.room = await joinRoom(wsBase() + "/mediation/janus?s=" + encodeURIComponent(med.session), pass, med.stream, {
    feed: (display, ms) => { med.main[display] = ms; setTile(display, ms); },
    gone: display => { const tile = $("#tile-" + display); if (tile) tile.querySelector("video").srcObject = null; },
    streams: (display, mids) => { med.mids[display] = mids; send({type: "streams", label: display, mids}); },
    error: e => { med.error = e; },
  });
}

// The side-room: a second room of the media server with the mediator and one party.
async function sideRoom(m) {
  if (med.side) { med.side.leave(); med.side = null; }
  if (!m.side) {
    // Back together: the main room's pictures again.
    Object.entries(med.main).forEach(([d, ms]) => setTile(d, ms));
    return;
  }
  const pass = m.side_pass;
  if (!pass) return;
  med.side = await joinRoom(wsBase() + "/mediation/janus?s=" + encodeURIComponent(med.session), pass, med.stream, {
    feed: setTile, error: e => { med.error = e; }});
}

function send(doc) { if (med.ctl && med.ctl.readyState === 1) med.ctl.send(JSON.stringify(doc)); }

$("#create").addEventListener("click", () => { create(); });
$("#agreement").addEventListener("input", () => {
  clearTimeout(typing);
  typing = setTimeout(() => { typing = null; send({type: "agreement", text: $("#agreement").value}); }, 250);
});
$("#save").addEventListener("click", () => send({type: "notes", text: $("#notes").value}));
$("#confirm").addEventListener("click", () => send({type: "confirm"}));
$("#close").addEventListener("click", () => send({type: "close"}));
for (const label of ["party-a", "party-b"]) {
  const tile = $("#tile-" + label);
  tile.querySelector(".mute").addEventListener("click", () => {
    const p = med.state.parties.find(x => x.label === label);
    send({type: "mute", label, on: !p.muted});
  });
  tile.querySelector(".side").addEventListener("click", () => send({type: "side_room", label: med.state.side === label ? null : label}));
  tile.querySelector(".call").addEventListener("click", () => {
    $("#error").textContent = "";
    send({type: "call", label, number: tile.querySelector(".ticket").value.trim().toUpperCase()});
  });
}
$("#lang").addEventListener("click", () => { lang = lang === "zh" ? "en" : "zh"; paint(); loadSessions(); });

(async () => {
  const me = await (await fetch("/api/me")).json();
  $("#who").textContent = me.display_name || me.name;
  paint();
  await loadSessions();
  med.ready = true;
})();
