#!/usr/bin/env python3
"""Headless Chromium as a data-channel peer with rtc-peer's command line and stdio signaling.

  chromium_peer.py --role offer|answer --mode echo|sink|source [--bytes N] [--message-size N]
                   [--unordered] [--max-retransmits N] [--max-packet-life-time MS]
                   [--channels N] [--negotiated-id N] [--expect-echo]
  chromium_peer.py --local-pair [--bytes N] [--message-size N] [--no-hash]   (benchmark: two
                   RTCPeerConnections in one page, pc1 -> pc2)

Starts /usr/bin/chromium (or $CHROMIUM) with --headless=new --remote-debugging-pipe, loads
chromium_peer.js into about:blank through the DevTools protocol, and bridges: the page's
`emitSignal(json)` binding -> our stdout; our stdin lines -> the page's `onSignal(msg)`.
Prints `RESULT {json}` on stderr (cpu_seconds and peak_rss_kib cover Chromium's processes).
"""
import argparse
import asyncio
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def log(msg):
    sys.stderr.write("chromium-peer: %s\n" % msg)
    sys.stderr.flush()


class CDP:
    """The DevTools protocol over Chromium's --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-framed)."""

    def __init__(self, write_fd, read_fd):
        self.write_fd = write_fd
        self.reader = None
        self.read_fd = read_fd
        self.next_id = 0
        self.pending = {}
        self.events = asyncio.Queue()

    async def start(self):
        loop = asyncio.get_running_loop()
        self.reader = asyncio.StreamReader(limit=1 << 26)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(self.reader), os.fdopen(self.read_fd, "rb", buffering=0))
        asyncio.ensure_future(self._pump())

    async def _pump(self):
        while True:
            try:
                raw = await self.reader.readuntil(b"\0")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                await self.events.put(None)
                return
            msg = json.loads(raw[:-1])
            if "id" in msg and msg["id"] in self.pending:
                self.pending.pop(msg["id"]).set_result(msg)
            else:
                await self.events.put(msg)

    async def call(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        fut = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = fut
        os.write(self.write_fd, json.dumps(msg).encode() + b"\0")
        reply = await fut
        if "error" in reply:
            raise RuntimeError("%s: %s" % (method, reply["error"]))
        return reply.get("result", {})


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--role", choices=["offer", "answer"], default="offer")
    p.add_argument("--mode", choices=["echo", "sink", "source"], default="sink")
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
    p.add_argument("--expect-echo", action="store_true")
    p.add_argument("--local-pair", action="store_true")
    p.add_argument("--no-hash", action="store_true")
    p.add_argument("--media", choices=["audio"], help="answer audio m-lines with the fake microphone; report inbound-rtp")
    p.add_argument("--fake-audio-file", help="WAV the fake microphone plays (looped), with --media")
    p.add_argument("--dtmf", help="with --media: once connected, RTCDTMFSender.insertDTMF(DIGITS, 100, 70) on the audio sender")
    args = p.parse_args()
    media_flags = []
    if args.media:
        media_flags = ["--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"]
        if args.fake_audio_file:
            media_flags.append("--use-file-for-fake-audio-capture=" + os.path.abspath(args.fake_audio_file))

    chromium = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    profile = tempfile.mkdtemp(prefix="chromium-peer-")
    start_page = "about:blank"
    if args.media:
        # getUserMedia needs a secure context: a file:// page is one, about:blank is not here.
        with open(os.path.join(profile, "blank.html"), "w") as f:
            f.write("<!doctype html><html><body></body></html>\n")
        start_page = "file://" + os.path.join(profile, "blank.html")
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def child_fds():
        os.dup2(to_chrome_r, 3)
        os.dup2(from_chrome_w, 4)

    proc = subprocess.Popen(
        [chromium, "--headless=new", "--no-sandbox", "--remote-debugging-pipe", "--user-data-dir=" + profile,
         "--allow-loopback-in-peer-connection", "--disable-features=WebRtcHideLocalIpsWithMdns",
         "--use-fake-ui-for-media-stream", "--no-first-run", "--disable-gpu", "--mute-audio"] + media_flags + [start_page],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        # TMPDIR: its singleton socket's directory goes into the profile, removed with it.
        env=dict(os.environ, TMPDIR=profile), preexec_fn=child_fds, close_fds=False)
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    cdp = CDP(to_chrome_w, from_chrome_r)
    await cdp.start()
    loop = asyncio.get_running_loop()
    done = asyncio.Event()
    main_task = asyncio.current_task()

    def on_sigterm():
        # Before the page runs (Chromium slow to start, a CDP call pending) only cancelling
        # the task ends it; afterwards `done` lets it print its RESULT.
        if done.is_set() or not started:
            main_task.cancel()
        done.set()

    started = False
    loop.add_signal_handler(signal.SIGTERM, on_sigterm)
    result = {}
    try:
        log("cdp: getTargets")
        targets = (await cdp.call("Target.getTargets"))["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        session = (await cdp.call("Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}))["sessionId"]
        log("cdp: attached")
        await cdp.call("Runtime.enable", session=session)
        if args.media:
            # getUserMedia needs the file:// start page (a secure context); on a loaded machine the
            # page target can still be about:blank here, so wait for the navigation (bounded).
            for _ in range(200):
                r = await cdp.call("Runtime.evaluate", {"expression": "location.protocol", "returnByValue": True}, session=session)
                if r.get("result", {}).get("value") == "file:":
                    break
                await asyncio.sleep(0.05)
            log("cdp: page on " + str(r.get("result", {}).get("value")))
        await cdp.call("Runtime.addBinding", {"name": "emitSignal"}, session=session)
        with open(os.path.join(HERE, "chromium_peer.js")) as f:
            await cdp.call("Runtime.evaluate", {"expression": f.read()}, session=session)
        page_args = {
            "role": args.role, "mode": args.mode, "bytes": args.bytes, "messageSize": args.message_size,
            "unordered": args.unordered, "maxRetransmits": args.max_retransmits, "maxPacketLifeTime": args.max_packet_life_time,
            "channels": args.channels, "negotiatedId": args.negotiated_id, "label": args.label,
            "lowThreshold": args.low_threshold, "highWater": args.high_water, "expectEcho": args.expect_echo,
            "hash": not args.no_hash, "media": args.media, "dtmf": args.dtmf,
        }
        start = "startLocalPair" if args.local_pair else "startPeer"
        await cdp.call("Runtime.evaluate", {"expression": "%s(%s)" % (start, json.dumps(page_args))}, session=session)
        started = True

        async def read_stdin():
            reader = asyncio.StreamReader()
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
            while True:
                line = await reader.readline()
                if not line:
                    log("stdin closed")
                    await cdp.call("Runtime.evaluate", {"expression": "finishPeer && finishPeer()"}, session=session)
                    return
                msg = json.loads(line)
                await cdp.call("Runtime.evaluate", {"expression": "onSignal(%s)" % json.dumps(msg), "awaitPromise": True},
                               session=session)

        async def read_events():
            while True:
                ev = await cdp.events.get()
                if ev is None:
                    done.set()
                    return
                if ev.get("method") == "Runtime.bindingCalled":
                    msg = json.loads(ev["params"]["payload"])
                    if msg["type"] == "result":
                        msg.pop("type")
                        result.update(msg)
                        done.set()
                        return
                    if msg["type"] == "log":
                        log(msg["text"])
                        continue
                    sys.stdout.write(json.dumps(msg) + "\n")
                    sys.stdout.flush()
                elif ev.get("method") == "Runtime.exceptionThrown":
                    log("page exception: %s" % json.dumps(ev["params"]["exceptionDetails"])[:500])

        tasks = [asyncio.ensure_future(read_events())]
        if not args.local_pair:
            tasks.append(asyncio.ensure_future(read_stdin()))
        await done.wait()
        for t in tasks:
            t.cancel()
        try:
            await asyncio.wait_for(cdp.call("Browser.close"), 5)
        except Exception:
            pass
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 3)
    result["peak_rss_kib"] = usage.ru_maxrss
    sys.stderr.write("RESULT " + json.dumps(result, sort_keys=True) + "\n")
    sys.stderr.flush()


if __name__ == "__main__":
    asyncio.run(main())
