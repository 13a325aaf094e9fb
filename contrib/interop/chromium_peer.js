// Loaded into a headless Chromium page by chromium_peer.py. One RTCPeerConnection speaking the
// rtc-peer stdio signaling shapes through the CDP binding `emitSignal` (out) and
// `onSignal(msg)` (in); or, with args.localPair, two RTCPeerConnections in this page.
"use strict";

// Incremental SHA-256 (FIPS 180-4), so hashing works without a secure context.
class Sha256 {
  constructor() {
    this.h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
    this.buf = new Uint8Array(64); this.n = 0; this.len = 0; this.w = new Uint32Array(64);
  }
  static K = new Uint32Array([
    0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,
    0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
    0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,
    0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
    0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,
    0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2]);
  block(b, o) {
    const w = this.w, K = Sha256.K, h = this.h;
    for (let i = 0; i < 16; i++) w[i] = (b[o + 4*i] << 24) | (b[o + 4*i + 1] << 16) | (b[o + 4*i + 2] << 8) | b[o + 4*i + 3];
    for (let i = 16; i < 64; i++) {
      const x = w[i-15], y = w[i-2];
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i-16] + s0 + w[i-7] + s1) | 0;
    }
    let a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (S0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += bb; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  update(data) {
    let i = 0; this.len += data.length;
    if (this.n) { while (this.n < 64 && i < data.length) this.buf[this.n++] = data[i++]; if (this.n === 64) { this.block(this.buf, 0); this.n = 0; } }
    for (; i + 64 <= data.length; i += 64) this.block(data, i);
    while (i < data.length) this.buf[this.n++] = data[i++];
  }
  digest() {
    const bits = this.len * 8, pad = new Uint8Array(((this.n < 56) ? 56 : 120) - this.n + 8);
    pad[0] = 0x80; const dv = new DataView(pad.buffer);
    dv.setUint32(pad.length - 8, Math.floor(bits / 2 ** 32)); dv.setUint32(pad.length - 4, bits >>> 0);
    this.update(pad);
    const out = new Uint8Array(32); const o = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) o.setUint32(4 * i, this.h[i]);
    return out;
  }
}
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");

function makePool() {  // the same bytes as rtc-peer's SourcePool (SplitMix64 from 0x5EED)
  const n = (1 << 20) + 262144, out = new Uint8Array(n), dv = new DataView(out.buffer);
  let s = 0x5EEDn; const M = (1n << 64n) - 1n;
  for (let i = 0; i + 8 <= n; i += 8) {
    s = (s + 0x9E3779B97F4A7C15n) & M; let z = s;
    z = ((z ^ (z >> 30n)) * 0xBF58476D1CE4E5B9n) & M; z = ((z ^ (z >> 27n)) * 0x94D049BB133111EBn) & M; z = z ^ (z >> 31n);
    dv.setBigUint64(i, z, true);
  }
  return out;
}
function message(pool, index, size) {
  const span = pool.length - size, off = span > 0 ? (index * 7919 * 61) % span : 0;
  return pool.subarray(off, off + size);
}

class Tally {
  constructor(hash = true) { this.hash = hash; this.sent = {}; this.recv = {}; this.bytesSent = 0; this.bytesReceived = 0; this.first = null; this.last = null; }
  start() { if (this.first === null) this.first = performance.now(); }
  didSend(l, d) { this.start(); if (this.hash) (this.sent[l] ||= new Sha256()).update(d); this.bytesSent += d.length; this.last = performance.now(); }
  didReceive(l, d) { this.start(); if (this.hash) (this.recv[l] ||= new Sha256()).update(d); this.bytesReceived += d.length; this.last = performance.now(); }
  static combined(t) {
    const keys = Object.keys(t).sort(); if (!keys.length) return null;
    const ds = keys.map((k) => t[k].digest()); if (ds.length === 1) return hex(ds[0]);
    const all = new Sha256(); ds.forEach((d) => all.update(d)); return hex(all.digest());
  }
  result(role, mode) {
    const now = performance.now(), s = Math.max(1e-9, ((this.last ?? now) - (this.first ?? now)) / 1000), b = Math.max(this.bytesSent, this.bytesReceived);
    return { type: "result", role, mode, bytes: b, bytes_sent: this.bytesSent, bytes_received: this.bytesReceived, seconds: +s.toFixed(3),
             mb_per_s: +(b / s / 1e6).toFixed(2), sent_sha256: Tally.combined(this.sent), received_sha256: Tally.combined(this.recv) };
  }
}

async function sourceLoop(dc, share, args, tally, pool) {
  dc.bufferedAmountLowThreshold = args.lowThreshold;
  let remaining = share, index = 0;
  while (remaining > 0 && dc.readyState === "open") {
    const n = Math.min(args.messageSize, remaining), m = message(pool, index, n);
    dc.send(m); tally.didSend(dc.label, m); remaining -= n; index++;
    if (dc.bufferedAmount > args.highWater) await new Promise((r) => dc.addEventListener("bufferedamountlow", r, { once: true }));
  }
  while (dc.readyState === "open" && (dc.bufferedAmount > 0 || (args.expectEcho && tally.bytesReceived < share))) await new Promise((r) => setTimeout(r, 10));
  dc.close();
}

function attach(dc, args, tally, pool, workers) {
  dc.binaryType = "arraybuffer";
  const closed = new Promise((r) => dc.addEventListener("close", r, { once: true }));
  dc.addEventListener("message", (e) => {
    const d = typeof e.data === "string" ? new TextEncoder().encode(e.data) : new Uint8Array(e.data);
    tally.didReceive(dc.label, d);
    if (args.mode === "echo") { dc.send(d); tally.didSend(dc.label, d); }
  });
  workers.push((async () => {
    if (args.mode === "source") {
      if (dc.readyState !== "open") await new Promise((r) => dc.addEventListener("open", r, { once: true }));
      await sourceLoop(dc, Math.floor(args.bytes / args.channels), args, tally, pool);
    }
    await closed;
  })());
}

function channelOptions(args, i) {
  const o = { ordered: !args.unordered };
  if (args.maxRetransmits !== null) o.maxRetransmits = args.maxRetransmits;
  if (args.maxPacketLifeTime !== null) o.maxPacketLifeTime = args.maxPacketLifeTime;
  if (args.negotiatedId !== null) { o.negotiated = true; o.id = args.negotiatedId + i; }
  return o;
}

window.startPeer = async (args) => {
  const pool = args.mode === "source" ? makePool() : null;
  const tally = new Tally(), workers = [];
  const pc = new RTCPeerConnection({ iceServers: [] });
  window.pc = pc;
  let descriptionSent = false; const held = [];
  const send = (m) => { if (m.type === "candidate" || m.type === "end-of-candidates") { if (!descriptionSent) { held.push(m); return; } } emitSignal(JSON.stringify(m)); };
  const sendDescription = (d) => { emitSignal(JSON.stringify({ type: d.type, sdp: d.sdp })); descriptionSent = true; held.splice(0).forEach((m) => emitSignal(JSON.stringify(m))); };
  pc.onicecandidate = (e) => send(e.candidate && e.candidate.candidate ? { type: "candidate", candidate: e.candidate.candidate, sdpMid: e.candidate.sdpMid, sdpMLineIndex: e.candidate.sdpMLineIndex } : { type: "end-of-candidates" });
  pc.onconnectionstatechange = () => { emitSignal(JSON.stringify({ type: "log", text: "connection " + pc.connectionState })); if (pc.connectionState === "failed") finish(); };
  pc.oniceconnectionstatechange = () => emitSignal(JSON.stringify({ type: "log", text: "ice " + pc.iceConnectionState }));
  pc.ondatachannel = (e) => attach(e.channel, args, tally, pool, workers);
  // --media audio: the fake microphone answers every audio m-line; received audio plays into a
  // (muted) <audio> element so Chromium decodes it; inbound-rtp counters go into the result.
  pc.ontrack = (e) => {
    emitSignal(JSON.stringify({ type: "log", text: "track " + e.track.kind }));
    const el = document.createElement("audio"); el.autoplay = true; el.srcObject = new MediaStream([e.track]);
    document.body.appendChild(el); el.play().catch(() => {});
  };
  // --dtmf: RTCDTMFSender on the audio sender once it can insert; tonechange events are reported.
  const dtmfTones = [];
  const startDTMF = () => {
    const t = pc.getTransceivers().find((t) => t.receiver.track.kind === "audio");
    const go = () => {
      const dtmf = t && t.sender.dtmf;
      if (pc.connectionState === "connected" && dtmf && dtmf.canInsertDTMF) {
        dtmf.ontonechange = (e) => dtmfTones.push(e.tone);
        dtmf.insertDTMF(args.dtmf, 100, 70);
      } else setTimeout(go, 100);
    };
    setTimeout(go, 500);
  };
  let finished = false;
  const finish = async () => {
    if (finished) return; finished = true;
    const r = tally.result(args.role, args.mode);
    if (args.media) {
      (await pc.getStats()).forEach((s) => {
        if (s.type === "inbound-rtp" && s.kind === "audio") {
          Object.assign(r, { audio_packets_received: s.packetsReceived, audio_packets_lost: s.packetsLost, audio_samples_received: s.totalSamplesReceived,
                             audio_concealed_samples: s.concealedSamples, audio_energy: s.totalAudioEnergy, audio_jitter: s.jitter });
        }
        if (s.type === "outbound-rtp" && s.kind === "audio") Object.assign(r, { audio_packets_sent: s.packetsSent });
        if (s.type === "remote-inbound-rtp" && s.kind === "audio") Object.assign(r, { audio_round_trip_time: s.roundTripTime ?? null });
      });
      if (args.dtmf) Object.assign(r, { dtmf_tones: dtmfTones.join(",") });
    }
    emitSignal(JSON.stringify(r));
  };
  if (args.role === "offer" || args.negotiatedId !== null) {
    for (let i = 0; i < args.channels; i++) attach(pc.createDataChannel(args.channels === 1 ? args.label : args.label + "-" + i, channelOptions(args, i)), args, tally, pool, workers);
  }
  window.onSignal = (m) => onSignalInner(m).catch((e) => emitSignal(JSON.stringify({ type: "log", text: "signal " + m.type + " failed: " + e })));
  const onSignalInner = async (m) => {
    if (m.type === "offer" || m.type === "answer") {
      await pc.setRemoteDescription({ type: m.type, sdp: m.sdp });
      if (m.type === "offer" && args.media) {
        const mic = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks()[0];
        for (const t of pc.getTransceivers()) {
          if (t.receiver.track.kind === "audio" && !t.stopped) { await t.sender.replaceTrack(mic); t.direction = "sendrecv"; }
        }
      }
      if (m.type === "offer") { await pc.setLocalDescription(); sendDescription(pc.localDescription); }
      if (m.type === "offer" && args.media && args.dtmf) startDTMF();
    } else if (m.type === "candidate") {
      await pc.addIceCandidate({ candidate: m.candidate, sdpMid: m.sdpMid ?? "0", sdpMLineIndex: m.sdpMLineIndex ?? 0 });
    } else if (m.type === "end-of-candidates") {
      await pc.addIceCandidate(null).catch(() => {});
    }
  };
  window.finishPeer = finish;
  if (args.role === "offer") { await pc.setLocalDescription(); sendDescription(pc.localDescription); }
  const waitWorkers = async () => { while (!workers.length) await new Promise((r) => setTimeout(r, 20)); await Promise.all(workers); finish(); };
  waitWorkers();
};

// Two connections in this page: pc1 sources, pc2 sinks (the benchmark's Chromium figure).
window.startLocalPair = async (args) => {
  const pool = makePool(), tally = new Tally(args.hash);
  const pc1 = new RTCPeerConnection({ iceServers: [] }), pc2 = new RTCPeerConnection({ iceServers: [] });
  pc1.onicecandidate = (e) => e.candidate && pc2.addIceCandidate(e.candidate);
  pc2.onicecandidate = (e) => e.candidate && pc1.addIceCandidate(e.candidate);
  const dc = pc1.createDataChannel("bench", { ordered: true });
  const received = new Promise((resolve) => {
    pc2.ondatachannel = (e) => {
      const ch = e.channel; ch.binaryType = "arraybuffer"; const rx = new Tally(args.hash);
      ch.onmessage = (m) => { rx.didReceive("bench", new Uint8Array(m.data)); if (rx.bytesReceived >= args.bytes) resolve(rx); };
    };
  });
  await pc1.setLocalDescription(); await pc2.setRemoteDescription(pc1.localDescription);
  await pc2.setLocalDescription(); await pc1.setRemoteDescription(pc2.localDescription);
  await new Promise((r) => dc.addEventListener("open", r, { once: true }));
  sourceLoop(dc, args.bytes, { ...args, expectEcho: false }, tally, pool);
  const rx = await received;
  const r = rx.result("local-pair", "sink"); r.sent_sha256 = Tally.combined(tally.sent);
  emitSignal(JSON.stringify(r));
};
