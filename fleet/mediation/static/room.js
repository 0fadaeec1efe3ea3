// A party in a room of the centre's media server (Janus's VideoRoom, its JSON over a
// WebSocket relayed by the centre; plain WebRTC, no janus.js). Used by the mediator's
// desk and the phone page. No ICE server: the centre and the parties share a network.
"use strict";

function iceDone(pc) {
  return new Promise(resolve => {
    if (pc.iceGatheringState === "complete") return resolve();
    pc.addEventListener("icegatheringstatechange", () => { if (pc.iceGatheringState === "complete") resolve(); });
  });
}

// Join ``pass``'s room through ``url``; publish ``stream``; watch every other publisher.
// hooks.feed(display, mediaStream) when a party's picture/voice arrive, hooks.gone(display),
// hooks.streams(display, mids) with the mids a party publishes.
async function joinRoom(url, pass, stream, hooks) {
  const ws = new WebSocket(url, "janus-protocol");
  await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = () => reject(new Error("media server unreachable")); });
  const pending = {}, handlers = {}, feeds = {};
  let n = 0, closed = false;
  ws.onmessage = ev => {
    const m = JSON.parse(ev.data), p = pending[m.transaction];
    if (p && !(m.janus === "ack" && p.async)) { delete pending[m.transaction]; p.resolve(m); return; }
    if (m.sender && handlers[m.sender]) handlers[m.sender](m);
  };
  ws.onclose = () => { closed = true; if (hooks.closed) hooks.closed(); };
  const req = (msg, async) => new Promise(resolve => {
    msg.transaction = "t" + (++n); msg.token = pass.token;
    pending[msg.transaction] = {resolve, async};
    ws.send(JSON.stringify(msg));
  });
  const created = await req({janus: "create"});
  if (created.janus !== "success") throw new Error("refused: " + JSON.stringify(created.error));
  const s = created.data.id;
  const keep = setInterval(() => { if (!closed) req({janus: "keepalive", session_id: s}); }, 20000);
  const attach = async () => (await req({janus: "attach", session_id: s, plugin: "janus.plugin.videoroom"})).data.id;
  const msg = async (h, body, jsep) => {
    const r = await req({janus: "message", session_id: s, handle_id: h, body, jsep}, true);
    const d = r.plugindata && r.plugindata.data;
    if (r.janus === "error" || !d || d.error_code) throw new Error("refused: " + JSON.stringify(r.error || d));
    return r;
  };
  const pub = await attach();
  // From the join on, the server announces on this handle whoever publishes — also while
  // we are still making our own offer (seconds on a busy machine or a slow phone). Keep
  // those announcements for later: one lost is a party never seen nor heard.
  const early = [];
  handlers[pub] = m => { early.push(m); };
  const me = (await msg(pub, {request: "join", ptype: "publisher", room: pass.room, pin: pass.pin,
                              token: pass.join_token, display: pass.display})).plugindata.data;
  const pc = new RTCPeerConnection({iceServers: []});
  stream.getTracks().forEach(t => pc.addTrack(t, stream));
  await pc.setLocalDescription(await pc.createOffer());
  await iceDone(pc);
  const published = await msg(pub, {request: "publish"}, {type: "offer", sdp: pc.localDescription.sdp});
  await pc.setRemoteDescription(published.jsep);
  const subscribe = async feed => {
    if (feed.id in feeds) return;
    feeds[feed.id] = {display: feed.display, pc: null, handle: null};
    if (hooks.streams && feed.streams) hooks.streams(feed.display, feed.streams.map(x => x.mid));
    const h = await attach();
    feeds[feed.id].handle = h;
    const r = await msg(h, {request: "join", ptype: "subscriber", room: pass.room, pin: pass.pin,
                            private_id: me.private_id, streams: [{feed: feed.id}]});
    const spc = new RTCPeerConnection({iceServers: []});
    feeds[feed.id].pc = spc;
    const ms = new MediaStream();
    spc.ontrack = ev => { ms.addTrack(ev.track); if (hooks.feed) hooks.feed(feed.display, ms); };
    await spc.setRemoteDescription(r.jsep);
    await spc.setLocalDescription(await spc.createAnswer());
    await iceDone(spc);
    await msg(h, {request: "start"}, {type: "answer", sdp: spc.localDescription.sdp});
  };
  const drop = id => {
    const f = feeds[id];
    if (!f) return;
    delete feeds[id];
    if (f.pc) f.pc.close();
    if (hooks.gone) hooks.gone(f.display);
  };
  const onEvent = m => {
    const d = m.plugindata && m.plugindata.data;
    if (!d) return;
    if (d.publishers) d.publishers.forEach(f => subscribe(f).catch(e => hooks.error && hooks.error(String(e))));
    if (d.unpublished) drop(d.unpublished);
    if (d.leaving) drop(d.leaving);
  };
  handlers[pub] = onEvent;
  // Those publishing when we joined, then what was announced since, in that order.
  (me.publishers || []).forEach(f => subscribe(f).catch(e => hooks.error && hooks.error(String(e))));
  early.splice(0).forEach(onEvent);
  return {
    feeds, pc,
    // Counts of what arrived from each party: [video frames decoded, audio packets].
    async received() {
      const out = {};
      for (const f of Object.values(feeds)) {
        if (!f.pc) continue;
        let video = 0, audio = 0;
        (await f.pc.getStats()).forEach(x => {
          if (x.type === "inbound-rtp" && x.kind === "video") video += x.framesDecoded || 0;
          if (x.type === "inbound-rtp" && x.kind === "audio") audio += x.packetsReceived || 0;
        });
        out[f.display] = [video, audio];
      }
      return out;
    },
    leave() {
      clearInterval(keep);
      Object.keys(feeds).forEach(drop);
      pc.close();
      if (!closed) { try { ws.send(JSON.stringify({janus: "destroy", session_id: s, transaction: "bye", token: pass.token})); } catch (e) { /* closing */ } ws.close(); }
    },
  };
}
