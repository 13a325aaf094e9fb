#!/usr/bin/env python3
"""aiortc data-channel peer with the same command line and stdio signaling as rtc-peer.

  aiortc_peer.py --role offer|answer --mode echo|sink|source [--bytes N] [--message-size N]
                 [--unordered] [--max-retransmits N] [--max-packet-life-time MS]
                 [--channels N] [--negotiated-id N] [--label L]

Signaling: newline-delimited JSON on stdin/stdout, in browser shapes:
  {"type":"offer"|"answer","sdp":...}, {"type":"candidate","candidate":...,"sdpMid":...,"sdpMLineIndex":0},
  {"type":"end-of-candidates"}. aiortc does not trickle: its SDP carries its candidates.
Ends when the channels close, on stdin EOF or SIGTERM, printing `RESULT {json}` on stderr with
the same keys as rtc-peer (sent_sha256 / received_sha256: one channel's stream, or the hash of
the per-channel hashes in label order). Loopback only (aioice is told 127.0.0.1 is the host;
env AIORTC_HOST_ADDRESS names another).
"""
import argparse
import asyncio
import hashlib
import json
import os
import resource
import signal
import sys
import time

import aioice.ice
from aiortc import RTCPeerConnection, RTCSessionDescription, RTCConfiguration
from aiortc.sdp import candidate_from_sdp


def log(msg):
    sys.stderr.write("aiortc-peer: %s\n" % msg)
    sys.stderr.flush()


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Tally:
    def __init__(self):
        self.sent = {}
        self.received = {}
        self.bytes_sent = 0
        self.bytes_received = 0
        self.first = None
        self.last = None

    def start(self):
        if self.first is None:
            self.first = time.monotonic()

    def did_send(self, label, data):
        self.start()
        self.sent.setdefault(label, hashlib.sha256()).update(data)
        self.bytes_sent += len(data)
        self.last = time.monotonic()

    def did_receive(self, label, data):
        self.start()
        self.received.setdefault(label, hashlib.sha256()).update(data)
        self.bytes_received += len(data)
        self.last = time.monotonic()

    @staticmethod
    def combined(table):
        if not table:
            return None
        digests = [table[k].digest() for k in sorted(table)]
        if len(digests) == 1:
            return digests[0].hex()
        return hashlib.sha256(b"".join(digests)).hexdigest()

    def result(self, role, mode):
        now = time.monotonic()
        seconds = max(1e-9, (self.last or now) - (self.first or now))
        usage = resource.getrusage(resource.RUSAGE_SELF)
        nbytes = max(self.bytes_sent, self.bytes_received)
        return {
            "role": role, "mode": mode, "bytes": nbytes, "bytes_sent": self.bytes_sent,
            "bytes_received": self.bytes_received, "seconds": round(seconds, 3),
            "mb_per_s": round(nbytes / seconds / 1e6, 2), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
            "peak_rss_kib": usage.ru_maxrss, "sent_sha256": self.combined(self.sent),
            "received_sha256": self.combined(self.received),
        }


def source_message(index, size, pool):
    span = len(pool) - size
    offset = (index * 7919 * 61) % span if span > 0 else 0
    if size <= len(pool) - offset:
        return pool[offset:offset + size]
    out = bytearray()
    while len(out) < size:
        out += pool[: size - len(out)]
    return bytes(out)


def make_pool():
    # The same pool as rtc-peer's SourcePool (SplitMix64 seeded with 0x5EED, little-endian words).
    mask = (1 << 64) - 1
    state = 0x5EED
    words = []
    for _ in range(((1 << 20) + 262144) // 8):
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        words.append(z ^ (z >> 31))
    import struct
    return struct.pack("<%dQ" % len(words), *words)


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--role", choices=["offer", "answer"], required=True)
    p.add_argument("--mode", choices=["echo", "sink", "source"], required=True)
    p.add_argument("--bytes", type=int, default=16 << 20)
    p.add_argument("--message-size", type=int, default=65536)
    p.add_argument("--unordered", action="store_true")
    p.add_argument("--max-retransmits", type=int)
    p.add_argument("--max-packet-life-time", type=int)
    p.add_argument("--channels", type=int, default=1)
    p.add_argument("--negotiated-id", type=int)
    p.add_argument("--label", default="rtc-peer")
    p.add_argument("--low-threshold", type=int, default=1 << 20)
    p.add_argument("--high-water", type=int, default=4 << 20)
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--expect-echo", action="store_true", help="source: wait for the echo of everything before closing")
    args = p.parse_args()
    if args.verbose:
        import logging
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)

    # The one host address (env AIORTC_HOST_ADDRESS: the lossy benchmark's namespaces).
    host = os.environ.get("AIORTC_HOST_ADDRESS", "127.0.0.1")
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: [host]
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    tally = Tally()
    done = asyncio.Event()
    workers = {}
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, done.set)
    pool = make_pool() if args.mode == "source" else b""

    def finish_if_all_done():
        if workers and all(w.done() for w in workers.values()):
            done.set()

    async def run_source(channel, share):
        low = asyncio.Event()
        channel.bufferedAmountLowThreshold = args.low_threshold
        channel.on("bufferedamountlow", low.set)
        remaining, index = share, 0
        while remaining > 0 and channel.readyState == "open":
            n = min(args.message_size, remaining)
            msg = source_message(index, n, pool)
            channel.send(msg)
            tally.did_send(channel.label, msg)
            remaining -= n
            index += 1
            if channel.bufferedAmount > args.high_water:
                low.clear()
                await low.wait()
        log("sent %d bytes on %s; closing it" % (share - remaining, channel.label))
        # Let SCTP drain before the reset so the close does not overtake queued data.
        while channel.readyState == "open" and (channel.bufferedAmount > 0 or (args.expect_echo and tally.bytes_received < share)):
            await asyncio.sleep(0.01)
        channel.close()

    def attach(channel):
        tally.start()
        closed = loop.create_future()

        @channel.on("message")
        def on_message(message):
            data = message.encode() if isinstance(message, str) else message
            tally.did_receive(channel.label, data)
            if args.mode == "echo":
                channel.send(data)
                tally.did_send(channel.label, data)

        @channel.on("close")
        def on_close():
            log("close %s" % channel.label)
            if not closed.done():
                closed.set_result(None)

        async def worker():
            if args.mode == "source":
                if channel.readyState != "open":
                    opened = loop.create_future()
                    channel.on("open", lambda: opened.done() or opened.set_result(None))
                    await opened
                share = args.bytes // args.channels
                await run_source(channel, share)
            await closed

        task = asyncio.ensure_future(worker())
        task.add_done_callback(lambda _: finish_if_all_done())
        workers[channel.label] = task

    def options(i):
        kw = {"ordered": not args.unordered}
        if args.max_retransmits is not None:
            kw["maxRetransmits"] = args.max_retransmits
        if args.max_packet_life_time is not None:
            kw["maxPacketLifeTime"] = args.max_packet_life_time
        if args.negotiated_id is not None:
            kw["negotiated"] = True
            kw["id"] = args.negotiated_id + i
        return kw

    @pc.on("datachannel")
    def on_datachannel(channel):
        log("datachannel %s id %s" % (channel.label, channel.id))
        attach(channel)

    @pc.on("connectionstatechange")
    def on_state():
        log("connection %s" % pc.connectionState)
        if pc.connectionState in ("failed", "closed"):
            done.set()

    if args.role == "offer" or args.negotiated_id is not None:
        for i in range(args.channels):
            label = args.label if args.channels == 1 else "%s-%d" % (args.label, i)
            attach(pc.createDataChannel(label, **options(i)))
    if args.role == "offer":
        await pc.setLocalDescription(await pc.createOffer())
        emit({"type": "offer", "sdp": pc.localDescription.sdp})
        emit({"type": "end-of-candidates"})

    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)

    async def read_signals():
        while True:
            line = await reader.readline()
            if not line:
                log("stdin closed")
                if not workers:
                    done.set()
                return
            msg = json.loads(line)
            t = msg.get("type")
            if t in ("offer", "answer"):
                await pc.setRemoteDescription(RTCSessionDescription(sdp=msg["sdp"], type=t))
                if t == "offer":
                    await pc.setLocalDescription(await pc.createAnswer())
                    emit({"type": "answer", "sdp": pc.localDescription.sdp})
                    emit({"type": "end-of-candidates"})
            elif t == "candidate" and msg.get("candidate"):
                c = candidate_from_sdp(msg["candidate"].split(":", 1)[1])
                c.sdpMid = msg.get("sdpMid")
                c.sdpMLineIndex = msg.get("sdpMLineIndex")
                await pc.addIceCandidate(c)
            elif t in ("end-of-candidates", "candidate"):
                await pc.addIceCandidate(None)

    signals = asyncio.ensure_future(read_signals())
    await done.wait()
    signals.cancel()
    sys.stderr.write("RESULT " + json.dumps(tally.result(args.role, args.mode), sort_keys=True) + "\n")
    sys.stderr.flush()
    await pc.close()


if __name__ == "__main__":
    asyncio.run(main())
