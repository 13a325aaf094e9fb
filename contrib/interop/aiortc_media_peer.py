#!/usr/bin/env python3
"""aiortc media peer for the PeerSync media interop test.

  aiortc_media_peer.py [--tone HZ] [--seconds S] [--until-eof]

Waits for an offer on stdin (newline-delimited JSON, browser shapes as in aiortc_peer.py:
{"type":"offer","sdp":...}, {"type":"candidate",...}, {"type":"end-of-candidates"}), answers
on stdout. On every audio transceiver it sends a sine tone of --tone Hz (an AudioStreamTrack
generator) and receives the peer's audio through aiortc's Opus decoder; on every video
transceiver it sends aiortc's VideoStreamTrack (640x480) and decodes the peer's VP8. Any data channel the
peer opens is echoed. After --seconds of received audio (or stdin EOF) it prints
`RESULT {json}` on stderr: frames and samples received, and the spectral peak (Hz) of the last
second of received audio, found with a Goertzel scan (no numpy needed), and the count and size
of the decoded video frames. Later offers (renegotiation) are answered the same way: a new
transceiver gets its own tone track. With --until-eof it runs until stdin closes (however much
audio arrived) and RESULT also lists every audio track received: its mid, frames and peak.
"""
import argparse
import array
import asyncio
import fractions
import json
import math
import sys

import aioice.ice
from aiortc import RTCPeerConnection, RTCSessionDescription, RTCConfiguration
from aiortc.mediastreams import AudioStreamTrack, MediaStreamError, VideoStreamTrack
from aiortc.sdp import candidate_from_sdp


def log(msg):
    sys.stderr.write("aiortc-media-peer: %s\n" % msg)
    sys.stderr.flush()


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class ToneTrack(AudioStreamTrack):
    """A sine tone: AudioStreamTrack's paced silent frames, filled with the tone."""

    def __init__(self, frequency):
        super().__init__()
        self.frequency = frequency
        self.phase = 0.0

    async def recv(self):
        frame = await super().recv()  # s16 mono 48 kHz, 20 ms, paced in real time
        n = frame.samples
        step = 2 * math.pi * self.frequency / frame.sample_rate
        samples = array.array("h", (int(12000 * math.sin(self.phase + i * step)) for i in range(n)))
        self.phase = (self.phase + n * step) % (2 * math.pi)
        frame.planes[0].update(samples.tobytes())
        return frame


def goertzel(samples, freq, rate=48000.0):
    coeff = 2 * math.cos(2 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for x in samples:
        s0 = x + coeff * s1 - s2
        s2 = s1
        s1 = s0
    return s1 * s1 + s2 * s2 - coeff * s1 * s2


def peak_frequency(samples):
    if len(samples) < 4800:
        return None
    best = max(range(100, 2001, 10), key=lambda f: goertzel(samples, f))
    fine = [best - 10 + 0.5 * i for i in range(41)]
    return max(fine, key=lambda f: goertzel(samples, f))


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tone", type=float, default=440.0)
    p.add_argument("--seconds", type=float, default=3.0)
    p.add_argument("--until-eof", action="store_true")
    args = p.parse_args()

    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    received = {"frames": 0, "samples": [], "format": None, "rate": None, "channels": None}
    video = {"frames": 0, "width": None, "height": None}
    per_track = []

    async def consume_video(track):
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                return
            video["frames"] += 1
            video["width"] = frame.width
            video["height"] = frame.height

    async def consume(track, mid):
        mine = {"mid": mid, "frames": 0, "samples": []}
        per_track.append(mine)
        while True:
            try:
                frame = await track.recv()
            except MediaStreamError:
                log("audio track of mid %s ended" % mid)
                return
            mine["frames"] += 1
            received["frames"] += 1
            received["format"] = frame.format.name
            received["rate"] = frame.sample_rate
            channels = len(frame.layout.channels)
            received["channels"] = channels
            # The plane buffer is padded: keep exactly samples × channels values.
            data = array.array("h", bytes(frame.planes[0]))[: frame.samples * channels]
            received["samples"].extend(data[::channels])  # interleaved: keep the first channel
            mine["samples"].extend(data[::channels])
            del mine["samples"][:-48000]
            if not args.until_eof and len(received["samples"]) >= args.seconds * frame.sample_rate:
                done.set()

    @pc.on("track")
    def on_track(track):
        mid = next((t.mid for t in pc.getTransceivers() if t.receiver.track is track), None)
        log("track %s (mid %s)" % (track.kind, mid))
        if track.kind == "audio":
            asyncio.ensure_future(consume(track, mid))
        else:
            asyncio.ensure_future(consume_video(track))

    @pc.on("datachannel")
    def on_datachannel(channel):
        log("datachannel %s" % channel.label)
        channel.on("message", lambda m: channel.send(m))

    @pc.on("connectionstatechange")
    def on_state():
        log("connection %s" % pc.connectionState)
        if pc.connectionState in ("failed", "closed"):
            done.set()

    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def read_signals():
        while True:
            line = await reader.readline()
            if not line:
                log("stdin closed")
                done.set()
                return
            msg = json.loads(line)
            t = msg.get("type")
            if t == "offer":
                try:
                    await pc.setRemoteDescription(RTCSessionDescription(sdp=msg["sdp"], type=t))
                except Exception as e:
                    log("offer refused: %r" % e)
                    emit({"type": "error", "error": repr(e)})
                    continue
                for transceiver in pc.getTransceivers():
                    if transceiver.sender.track is not None:
                        continue
                    if transceiver.kind == "audio":
                        transceiver.sender.replaceTrack(ToneTrack(args.tone))
                    else:
                        transceiver.sender.replaceTrack(VideoStreamTrack())  # 640x480 frames, 30 fps
                    transceiver.direction = "sendrecv"
                await pc.setLocalDescription(await pc.createAnswer())
                emit({"type": "answer", "sdp": pc.localDescription.sdp})
                emit({"type": "end-of-candidates"})
            elif t == "candidate" and msg.get("candidate"):
                c = candidate_from_sdp(msg["candidate"].split(":", 1)[1])
                c.sdpMid = msg.get("sdpMid")
                c.sdpMLineIndex = msg.get("sdpMLineIndex")
                await pc.addIceCandidate(c)

    signals = asyncio.ensure_future(read_signals())
    await done.wait()
    signals.cancel()
    rate = received["rate"] or 48000
    tail = received["samples"][-int(rate):]
    result = {"frames": received["frames"], "samples": len(received["samples"]), "format": received["format"],
              "rate": received["rate"], "channels": received["channels"], "peak_hz": peak_frequency(tail),
              "video_frames": video["frames"], "video_width": video["width"], "video_height": video["height"],
              "tracks": [{"mid": t["mid"], "frames": t["frames"], "peak_hz": peak_frequency(t["samples"])} for t in per_track]}
    sys.stderr.write("RESULT " + json.dumps(result, sort_keys=True) + "\n")
    sys.stderr.flush()
    await pc.close()


if __name__ == "__main__":
    asyncio.run(main())
