// The phone party's page: the invitation's code, consent, camera and microphone, the
// agreement, a finger signature. Values are put in as text, never as HTML.
"use strict";

const T = {
  title: "远程调解", code: "请输入调解员告诉您的 6 位验证码", go: "进入调解", wrong: "验证码不对，或邀请已失效。请向调解员确认。",
  consent_q: "本次调解将全程录音录像，是否同意？", yes: "同意", no: "不同意",
  refused: "不同意录音录像，本次远程调解无法进行。您可以到就近的公共法律服务工作室取号，或与调解员另约时间。",
  agreement: "调解协议书", sign_here: "看过协议、同意后，请在下面用手指签名", clear: "重写", sign: "签名确认",
  signed: "您已签名。协议编号的校验码：{h}", signed_wait: "您已签名，等待调解员确认。",
  waiting: "调解员正在与另一方单独谈话，请稍候。", with_me: "调解员正在与您单独谈话。", muted: "调解员已将您静音。",
  ended: "本次调解已结束。谢谢！", camera: "无法使用摄像头或麦克风：{e}",
};
const t = (k, v) => { let s = T[k] || k; for (const [a, b] of Object.entries(v || {})) s = s.replace("{" + a + "}", b); return s; };
const $ = q => document.querySelector(q);
const phone = window.phone = {step: "code", state: null, room: null, side: null, stream: null, error: null, main: {}};
document.querySelectorAll("[data-t]").forEach(e => { e.textContent = t(e.dataset.t); });
const show = step => { phone.step = step; for (const s of ["code", "consent", "refused", "room", "ended"]) $("#step_" + s).hidden = s !== step; };
const wsBase = () => (location.protocol === "https:" ? "wss://" : "ws://") + location.host;
let ctl = null;

$("#go").addEventListener("click", async () => {
  const invite = location.pathname.split("/").pop();
  const r = await fetch("/m/api/code", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({invite, code: $("#code").value})});
  if (!r.ok) { $("#code_error").textContent = t("wrong"); return; }
  ctl = new WebSocket(wsBase() + "/m/ws");
  ctl.onmessage = ev => onControl(JSON.parse(ev.data));
  show("consent");
});
const send = doc => { if (ctl && ctl.readyState === 1) ctl.send(JSON.stringify(doc)); };

$("#no").addEventListener("click", () => { send({type: "consent", yes: false}); show("refused"); if (ctl) setTimeout(() => ctl.close(), 500); });
let admitted = null;
const passGiven = new Promise(resolve => { admitted = resolve; });
$("#yes").addEventListener("click", async () => {
  send({type: "consent", yes: true});
  show("room");
  try {
    phone.pass = await passGiven;
    phone.stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 320, height: 240}});
    $("#local").srcObject = phone.stream;
    phone.room = await joinRoom(wsBase() + "/m/janus", phone.pass, phone.stream, {feed: (d, ms) => { phone.main[d] = ms; tile(d, ms); }, error: e => { phone.error = e; }});
  } catch (e) { phone.error = String(e); $("#notice").hidden = false; $("#notice").textContent = t("camera", {e: String(e)}); }
});
const tile = (display, ms) => { const v = display === "mediator" ? $("#v-mediator") : $("#v-other"); if (v.srcObject !== ms) v.srcObject = ms; };

async function onControl(m) {
  if (m.type === "hello") { phone.hello = true; return; }
  if (m.type === "admitted") { admitted(m.pass); return; }
  if (m.type === "ended") { if (phone.room) phone.room.leave(); if (phone.side) phone.side.leave(); show("ended"); return; }
  if (m.type !== "state") return;
  const before = phone.state;
  phone.state = m;
  $("#agreement_text").textContent = m.agreement;
  const n = $("#notice");
  const notice = m.side === "waiting" ? t("waiting") : m.side === "with_me" ? t("with_me") : m.muted ? t("muted") : "";
  n.hidden = !notice; n.textContent = notice;
  $("#sign_box").hidden = m.signed || !m.agreement;
  $("#signed").hidden = !m.signed;
  $("#signed").textContent = m.sha256 ? t("signed", {h: m.sha256}) : t("signed_wait");
  if ((before && before.side) !== m.side && phone.stream) {
    if (phone.side) { phone.side.leave(); phone.side = null; Object.entries(phone.main).forEach(([d, ms]) => tile(d, ms)); }
    if (m.side === "with_me" && m.side_pass) {
      phone.side = await joinRoom(wsBase() + "/m/janus", m.side_pass, phone.stream, {feed: tile, error: e => { phone.error = e; }});
    }
  }
}

// The finger signature: strokes on a canvas, sent as a PNG.
const pad = $("#pad"), g = pad.getContext("2d");
let drawing = false, inked = false;
const at = ev => { const r = pad.getBoundingClientRect(); return [(ev.clientX - r.left) * pad.width / r.width, (ev.clientY - r.top) * pad.height / r.height]; };
g.lineWidth = 4; g.lineCap = "round"; g.strokeStyle = "#111";
pad.addEventListener("pointerdown", ev => { drawing = true; const [x, y] = at(ev); g.beginPath(); g.moveTo(x, y); });
pad.addEventListener("pointermove", ev => { if (!drawing) return; const [x, y] = at(ev); g.lineTo(x, y); g.stroke(); inked = true; });
window.addEventListener("pointerup", () => { drawing = false; });
$("#clear").addEventListener("click", () => { g.clearRect(0, 0, pad.width, pad.height); inked = false; });
$("#sign").addEventListener("click", () => {
  if (!inked) return;
  send({type: "sign", png: pad.toDataURL("image/png").split(",")[1]});
});
// Tests draw through this (the same path as a finger).
phone.draw = points => { g.beginPath(); g.moveTo(points[0][0], points[0][1]); points.slice(1).forEach(([x, y]) => g.lineTo(x, y)); g.stroke(); inked = true; };
