// The lawyer desk: on duty, the line of calls, answer, video both ways, hang up, notes,
// recording (with the person's consent only) uploaded to the centre in chunks.
// Plain WebRTC, no plug-in. Signalling over /desk/ws; the centre relays to the terminal.
"use strict";

const TEXTS = {
  zh: {
    title: "律师值班台 · 远程视频咨询", logout: "退出登录", queue: "等候接听", queue_empty: "暂无来电",
    answer: "接听下一位", history: "最近通话", history_none: "暂无通话记录", no_call: "当前没有通话", hangup: "挂断", notes: "通话记录（随本次通话保存）",
    save: "保存记录", saved: "已保存 {t}", on_duty: "值班中（点击下岗）", off_duty: "未值班（点击上岗）",
    in_call: "通话中：{site} · {service}", connecting: "正在接通：{site}…", ended: "通话已结束",
    rec_on: "● 录音录像中（当事人已同意）", rec_off: "未录像（当事人未同意）", waited: "已等 {s}",
    prio: { elderly: "老年人优先", disabled: "残疾人优先", military: "军人优先" }, norec: "不录像",
    link_ok: "已连接", link_bad: "连接中断，正在重连…", camera_fail: "无法打开摄像头或麦克风：{e}",
    reason: { terminal_hung_up: "当事人已挂断", terminal_cancelled: "当事人已取消", lawyer_hung_up: "您已挂断", lawyer_lost: "连接中断" },
    services: { video: "视频咨询" }, lang: "English",
  },
  en: {
    title: "Lawyer desk · video consultation", logout: "Sign out", queue: "Waiting calls", queue_empty: "No calls waiting",
    answer: "Answer next", history: "Recent calls", history_none: "No calls yet", no_call: "No call in progress", hangup: "Hang up", notes: "Notes (saved with this call)",
    save: "Save notes", saved: "Saved {t}", on_duty: "On duty (click to go off)", off_duty: "Off duty (click to go on)",
    in_call: "In call: {site} · {service}", connecting: "Connecting: {site}…", ended: "Call ended",
    rec_on: "● Recording (the person consented)", rec_off: "Not recorded (no consent)", waited: "waited {s}",
    prio: { elderly: "elderly first", disabled: "disabled first", military: "military first" }, norec: "no recording",
    link_ok: "connected", link_bad: "link lost, reconnecting…", camera_fail: "Cannot open camera or microphone: {e}",
    reason: { terminal_hung_up: "the person hung up", terminal_cancelled: "the person cancelled", lawyer_hung_up: "you hung up", lawyer_lost: "link lost" },
    services: { video: "Video consultation" }, lang: "中文",
  },
};
let lang = localStorage.getItem("desk-lang") || "zh";
const t = (key, vals) => {
  let s = key.split(".").reduce((o, k) => (o || {})[k], TEXTS[lang]) ?? key;
  for (const [k, v] of Object.entries(vals || {})) s = s.replace(`{${k}}`, v);
  return s;
};
const $ = (id) => document.getElementById(id);

// State, exposed as window.desk for the technician's console and the tests.
const desk = window.desk = {
  ws: null, me: null, ice: [], chunkMs: 1000, line: [], call: null, pc: null, local: null,
  recorders: [], uploads: {}, ended: [], errors: [],
};

function render() {
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("title");
  document.querySelectorAll("[data-t]").forEach((el) => { el.textContent = t(el.dataset.t); });
  $("lang").textContent = t("lang");
  const me = desk.me || {};
  $("who").textContent = me.display_name || "";
  const duty = $("duty");
  duty.textContent = me.on_duty ? t("on_duty") : t("off_duty");
  duty.className = "duty " + (me.on_duty ? "on" : "off");
  const q = $("queue");
  q.replaceChildren(...desk.line.map((c) => {
    const li = document.createElement("li");
    const site = document.createElement("div");
    site.className = "site";
    site.textContent = c.site;
    if (c.priority !== "normal") { const b = document.createElement("span"); b.className = "prio"; b.textContent = t("prio." + c.priority); site.append(b); }
    if (!c.record) { const b = document.createElement("span"); b.className = "norec"; b.textContent = t("norec"); site.append(b); }
    const meta = document.createElement("div");
    meta.className = "meta";
    meta.textContent = `${t("services." + c.service) === "services." + c.service ? c.service : t("services." + c.service)} · ${t("waited", { s: fmtWait(c.waited_s) })}`;
    li.append(site, meta);
    return li;
  }));
  $("empty").hidden = desk.line.length > 0;
  const free = me.on_duty && !desk.call;
  const answer = $("answer");
  answer.disabled = !(free && desk.line.length);
  answer.classList.toggle("ringing", !answer.disabled);
  const c = desk.call;
  $("hangup").disabled = !c;
  $("notes").disabled = !c && !desk.lastCall;
  $("save").disabled = !c && !desk.lastCall;
  $("idle").hidden = !!c;
  $("local").hidden = !c;  // no empty self-view box between calls
  $("link").textContent = desk.linkUp ? t("link_ok") : t("link_bad");
  $("link").className = "pill " + (desk.linkUp ? "ok" : "bad");
  $("status").textContent = c ? t(c.connected ? "in_call" : "connecting", { site: c.site, service: t("services." + c.service) }) : (desk.endedText || "");
  const rec = $("rec");
  rec.hidden = !c;
  if (c) { rec.textContent = c.record ? t("rec_on") : t("rec_off"); rec.className = "pill " + (c.record ? "bad" : ""); }
}

function fmtWait(s) { return s >= 60 ? `${Math.floor(s / 60)}′${String(s % 60).padStart(2, "0")}″` : `${s}″`; }

function send(doc) { if (desk.ws && desk.ws.readyState === 1) desk.ws.send(JSON.stringify(doc)); }

function connect() {
  const ws = desk.ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/desk/ws`);
  ws.onopen = () => { desk.linkUp = true; render(); };
  ws.onclose = () => {
    desk.linkUp = false; render();
    if (desk.call) endCall("lawyer_lost", false);
    setTimeout(connect, 2000);
  };
  ws.onmessage = (e) => onMessage(JSON.parse(e.data)).catch((err) => { desk.errors.push(String(err)); console.error(err); });
}

async function onMessage(m) {
  if (m.type === "hello") {
    desk.me = m.me; desk.ice = m.ice_servers || []; desk.chunkMs = m.record_chunk_ms || 1000;
    if (desk.wantDuty) send({ type: "duty", on: true });  // back after a reconnect
  } else if (m.type === "queue") {
    desk.line = m.calls; desk.me = m.me; desk.onDuty = m.on_duty;
  } else if (m.type === "offer") {
    await takeCall(m.call, m.sdp);
  } else if (m.type === "ended") {
    if (desk.call && desk.call.call_id === m.call_id) await endCall(m.reason, false);
  } else if (m.type === "error") {
    desk.errors.push(m.code);
  }
  render();
}

async function takeCall(call, offerSdp) {
  desk.call = Object.assign({}, call, { connected: false });
  desk.endedText = "";
  $("notes").value = "";
  $("saved").textContent = "";
  render();
  try {
    desk.local = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480, frameRate: 15 }, audio: true });
  } catch (err) {
    desk.errors.push("camera");
    $("status").textContent = t("camera_fail", { e: err.name });
    send({ type: "hangup", call_id: call.call_id });
    desk.call = null;
    return;
  }
  $("local").srcObject = desk.local;
  // ICE servers only from the centre's configuration: never a public STUN server.
  const pc = desk.pc = new RTCPeerConnection({ iceServers: desk.ice });
  desk.local.getTracks().forEach((tr) => pc.addTrack(tr, desk.local));
  const remote = new MediaStream();
  desk.remote = remote;
  pc.ontrack = (e) => { remote.addTrack(e.track); $("remote").srcObject = remote; };
  pc.onconnectionstatechange = () => {
    if (!desk.call || desk.pc !== pc) return;
    if (pc.connectionState === "connected" && !desk.call.connected) {
      desk.call.connected = true;
      if (desk.call.record) startRecording(desk.call.call_id);
      render();
    } else if (pc.connectionState === "failed") {
      hangUp();
    }
  };
  await pc.setRemoteDescription({ type: "offer", sdp: offerSdp });
  await pc.setLocalDescription(await pc.createAnswer());
  // No trickle: the answer goes once, with every candidate in it.
  if (pc.iceGatheringState !== "complete") {
    await new Promise((ok) => {
      const check = () => { if (pc.iceGatheringState === "complete") { pc.removeEventListener("icegatheringstatechange", check); ok(); } };
      pc.addEventListener("icegatheringstatechange", check);
      setTimeout(ok, 3000);  // a candidate that never comes must not hold the call
    });
  }
  send({ type: "sdp", call_id: call.call_id, sdp: pc.localDescription.sdp });
}

// --- recording: one WebM per side, uploaded in order, chunk by chunk -----------------------
function startRecording(callId) {
  const sides = { terminal: desk.remote, lawyer: desk.local };
  for (const [side, stream] of Object.entries(sides)) {
    const mime = ["video/webm;codecs=vp8,opus", "video/webm"].find((m) => MediaRecorder.isTypeSupported(m));
    const rec = new MediaRecorder(stream, { mimeType: mime, videoBitsPerSecond: 500000, audioBitsPerSecond: 32000 });
    const up = desk.uploads[`${callId}/${side}`] = { seq: 0, bytes: 0, chain: Promise.resolve(), done: false, failed: 0 };
    const put = (blob, last) => {
      up.chain = up.chain.then(async () => {
        const seq = up.seq++;
        for (let attempt = 0; attempt < 3; attempt++) {
          const r = await fetch(`/desk/api/calls/${callId}/recording/${side}?seq=${seq}${last ? "&last=1" : ""}`, { method: "POST", body: blob });
          if (r.ok) { up.bytes += blob.size; return; }
          if (r.status === 403 || r.status === 404) break;  // no consent / not this lawyer's call: never retry
          await new Promise((ok) => setTimeout(ok, 500));
        }
        up.failed++;
      });
    };
    rec.ondataavailable = (e) => { if (e.data && e.data.size) put(e.data, false); };
    rec.onstop = () => { put(new Blob([]), true); up.chain.then(() => { up.done = true; }); };
    rec.start(desk.chunkMs);
    desk.recorders.push(rec);
  }
}

async function endCall(reason, tellCentre) {
  const c = desk.call;
  if (!c) return;
  if (tellCentre) send({ type: "hangup", call_id: c.call_id });
  desk.recorders.forEach((r) => { if (r.state !== "inactive") r.stop(); });
  desk.recorders = [];
  if (desk.pc) desk.pc.close();
  if (desk.local) desk.local.getTracks().forEach((tr) => tr.stop());
  desk.pc = null; desk.local = null;
  $("remote").srcObject = null; $("local").srcObject = null;
  desk.lastCall = c.call_id;
  desk.call = null;
  desk.ended.push({ call_id: c.call_id, reason });
  desk.endedText = `${t("ended")} · ${t("reason." + reason)}`;
  if ($("notes").value) await saveNotes();
  loadHistory();
  render();
}

function hangUp() { endCall("lawyer_hung_up", true); }

async function saveNotes() {
  const id = desk.call ? desk.call.call_id : desk.lastCall;
  if (!id) return;
  const r = await fetch(`/desk/api/calls/${id}/notes`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ notes: $("notes").value }) });
  if (r.ok) $("saved").textContent = t("saved", { t: new Date().toLocaleTimeString(lang === "zh" ? "zh-CN" : "en-GB") });
}

async function loadHistory() {
  const r = await fetch("/desk/api/history");
  if (!r.ok) return;
  const rows = await r.json();
  if (!rows.length) {
    const tr = document.createElement("tr"), td = document.createElement("td");
    td.className = "hint"; td.textContent = t("history_none"); tr.append(td);
    $("history").tBodies[0].replaceChildren(tr);
    return;
  }
  $("history").tBodies[0].replaceChildren(...rows.slice(0, 8).map((c) => {
    const tr = document.createElement("tr");
    const when = (c.requested_at || "").slice(5, 16).replace("T", " ");
    const dur = c.answered_at && c.ended_at ? Math.round((new Date(c.ended_at) - new Date(c.answered_at)) / 1000) : 0;
    for (const v of [when, c.site, fmtWait(dur)]) { const td = document.createElement("td"); td.textContent = v; tr.append(td); }
    return tr;
  }));
}

// Counts for tests and the technician: what came in from the terminal (getStats inbound-rtp).
desk.inbound = async () => {
  const out = { video_frames: 0, audio_packets: 0, audio_energy: 0 };
  if (!desk.pc) return out;
  (await desk.pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") out.video_frames = s.framesDecoded || 0;
    if (s.type === "inbound-rtp" && s.kind === "audio") { out.audio_packets = s.packetsReceived || 0; out.audio_energy = s.totalAudioEnergy || 0; }
  });
  return out;
};

$("duty").onclick = () => { const on = !(desk.me && desk.me.on_duty); desk.wantDuty = on; send({ type: "duty", on }); };
$("answer").onclick = () => { $("answer").disabled = true; send({ type: "answer" }); };
$("hangup").onclick = hangUp;
$("save").onclick = saveNotes;
$("lang").onclick = () => { lang = lang === "zh" ? "en" : "zh"; localStorage.setItem("desk-lang", lang); render(); loadHistory(); };
setInterval(() => { desk.line.forEach((c) => { c.waited_s += 1; }); if (desk.line.length) render(); }, 1000);
render();
connect();
loadHistory();
