/// The static page served at `/demo`: a browser client of the rendezvous protocol.
///
/// It makes a WebCrypto ECDSA P-256 key, authenticates with the browser variant of `auth`
/// (SPKI public key + raw `r || s` signature), shows its device ID (SHA-256 of the SPKI in
/// PeerSync's device-ID form), watches a peer's presence and opens an `RTCPeerConnection`
/// data channel to it by exchanging offer, answer and ICE candidates in `signal` payloads.
enum DemoPage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>PeerSync rendezvous demo</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 2em; max-width: 60em; }
code, pre { font: 12px ui-monospace, monospace; }
pre { background: #f4f4f4; padding: 1em; height: 20em; overflow: auto; }
input { width: 36em; font: 12px ui-monospace, monospace; }
</style>
</head>
<body>
<h1>PeerSync rendezvous — browser client</h1>
<p>This page authenticates to the rendezvous server with a WebCrypto ECDSA P-256 key (the
browser variant of <code>auth</code>: SPKI public key and raw signature), then opens a
WebRTC data channel to another device by relaying offer, answer and ICE candidates as
<code>signal</code> payloads. Open it in two tabs and paste one tab's device ID into the other.</p>
<p>My device ID: <code id="me">connecting…</code><br>
My DTLS certificate fingerprint: <code id="fp">…</code></p>
<p>Peer device ID: <input id="peer" placeholder="XXXXXXX-XXXXXXX-…"> <button id="call">Connect data channel</button></p>
<p>Message: <input id="text" value="hello from the browser"> <button id="send">Send on data channel</button></p>
<pre id="log"></pre>
<script>
"use strict";
const logBox = document.getElementById("log");
function log(...parts) { logBox.textContent += parts.join(" ") + "\n"; logBox.scrollTop = logBox.scrollHeight; }
const enc = new TextEncoder();
function b64(bytes) { let s = ""; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); }
function unb64(text) { return Uint8Array.from(atob(text), c => c.charCodeAt(0)); }
function concat(...arrays) { const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0)); let o = 0; for (const a of arrays) { out.set(a, o); o += a.length; } return out; }

// Device IDs: SHA-256 digest in base32 (RFC 4648, no padding), four groups of 13 characters
// each followed by a Luhn mod 32 check character, shown as eight dash-separated groups of 7.
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
function base32Values(bytes) {
  const out = []; let buffer = 0, bits = 0;
  for (const b of bytes) { buffer = (buffer << 8) | b; bits += 8; while (bits >= 5) { bits -= 5; out.push((buffer >> bits) & 31); } buffer &= (1 << bits) - 1; }
  if (bits > 0) out.push((buffer << (5 - bits)) & 31);
  return out;
}
function luhn32(values) {
  let factor = 1, sum = 0;
  for (const v of values) { let addend = factor * v; factor = factor === 2 ? 1 : 2; addend = Math.floor(addend / 32) + addend % 32; sum += addend; }
  return (32 - sum % 32) % 32;
}
function deviceID(digest) {
  const values = base32Values(digest); const full = [];
  for (let g = 0; g < 4; g++) { const chunk = values.slice(g * 13, g * 13 + 13); full.push(...chunk, luhn32(chunk)); }
  const text = full.map(v => ALPHABET[v]).join("");
  return text.match(/.{7}/g).join("-");
}

let ws, keyPair, myID, pc, channel, peerID;
function send(obj) { ws.send(JSON.stringify(obj)); }

async function authenticate(hello) {
  keyPair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"]);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keyPair.publicKey));
  const transcript = concat(enc.encode("peersync-rendezvous-auth-v1"), new Uint8Array([0]), unb64(hello.nonce), enc.encode(hello.server));
  const signature = new Uint8Array(await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, keyPair.privateKey, transcript));
  myID = deviceID(new Uint8Array(await crypto.subtle.digest("SHA-256", spki)));
  send({ type: "auth", publicKey: b64(spki), signature: b64(signature), signatureFormat: "raw" });
}

let certificate;
async function peerConnection(remote) {
  if (pc) return pc;
  peerID = remote;
  certificate = certificate || await RTCPeerConnection.generateCertificate({ name: "ECDSA", namedCurve: "P-256" });
  pc = new RTCPeerConnection({ iceServers: [], certificates: [certificate] });
  pc.onicecandidate = e => { if (e.candidate) send({ type: "signal", to: peerID, payload: JSON.stringify({ kind: "candidate", candidate: e.candidate.toJSON() }) }); };
  pc.onconnectionstatechange = () => log("peer connection:", pc.connectionState);
  pc.ondatachannel = e => wire(e.channel);
  return pc;
}
function wire(dc) {
  channel = dc;
  dc.onopen = () => { log("data channel open:", dc.label); document.title = "open"; };
  dc.onmessage = e => log("peer says:", e.data);
}

async function onSignal(from, payload) {
  const msg = JSON.parse(payload);
  log("signal from", from + ":", msg.kind);
  const conn = await peerConnection(from);
  if (msg.kind === "offer") {
    await conn.setRemoteDescription({ type: "offer", sdp: msg.sdp });
    const answer = await conn.createAnswer();
    await conn.setLocalDescription(answer);
    send({ type: "signal", to: from, payload: JSON.stringify({ kind: "answer", sdp: answer.sdp }) });
  } else if (msg.kind === "answer") {
    await conn.setRemoteDescription({ type: "answer", sdp: msg.sdp });
  } else if (msg.kind === "candidate") {
    await conn.addIceCandidate(msg.candidate);
  }
}

async function call() {
  const remote = document.getElementById("peer").value.trim().toUpperCase();
  send({ type: "subscribe", devices: [remote] });
  const conn = await peerConnection(remote);
  wire(conn.createDataChannel("chat"));
  const offer = await conn.createOffer();
  await conn.setLocalDescription(offer);
  send({ type: "signal", to: remote, payload: JSON.stringify({ kind: "offer", sdp: offer.sdp }) });
}

function connect() {
  const url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws";
  ws = new WebSocket(url);
  ws.onmessage = async e => {
    const m = JSON.parse(e.data);
    switch (m.type) {
      case "hello": await authenticate(m); break;
      case "welcome": document.getElementById("me").textContent = m.device; log("authenticated as", m.device, m.device === myID ? "(matches SHA-256 of my SPKI)" : "(MISMATCH)"); break;
      case "signal": await onSignal(m.from, m.payload); break;
      case "presence": log("presence:", m.device, m.online ? "online" : "offline"); break;
      case "error": log("error:", m.code, m.message, m.ref || ""); break;
      default: log("server:", e.data);
    }
  };
  ws.onclose = e => log("websocket closed:", e.code, e.reason);
}

document.getElementById("call").onclick = () => call().catch(err => log("error:", err));
document.getElementById("send").onclick = () => { if (channel && channel.readyState === "open") { channel.send(document.getElementById("text").value); log("me:", document.getElementById("text").value); } };
RTCPeerConnection.generateCertificate({ name: "ECDSA", namedCurve: "P-256" }).then(c => {
  certificate = c;
  const f = c.getFingerprints ? c.getFingerprints().find(x => x.algorithm === "sha-256") : null;
  document.getElementById("fp").textContent = f ? f.value : "(not exposed by this browser)";
});
connect();
</script>
</body>
</html>
"""#
}
