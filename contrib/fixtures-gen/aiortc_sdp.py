# Regenerates the aiortc SDP fixtures: .venv/bin/python contrib/fixtures-gen/aiortc_sdp.py Tests/SDPTests/Fixtures
# (iceServers=[] so aiortc contacts no STUN server; host candidates only).
import asyncio, sys, os
from aiortc import RTCPeerConnection, RTCConfiguration
out = sys.argv[1]
async def run(kind):
    cfg = RTCConfiguration(iceServers=[])
    a = RTCPeerConnection(cfg); b = RTCPeerConnection(cfg)
    if kind == "av":
        a.addTransceiver("audio"); a.addTransceiver("video")
    a.createDataChannel("chat")
    await a.setLocalDescription(await a.createOffer())
    await b.setRemoteDescription(a.localDescription)
    await b.setLocalDescription(await b.createAnswer())
    for name, d in (("offer", a.localDescription), ("answer", b.localDescription)):
        with open(os.path.join(out, f"aiortc-{kind}-{name}.sdp"), "w", newline="") as f:
            f.write(d.sdp)
    await a.close(); await b.close()
asyncio.run(run("datachannel")); asyncio.run(run("av"))
