#!/usr/bin/env python3
"""CPU and memory of calls and screen shares between two daemons on 127.0.0.1.

    contrib/bench/call-bench.py [--seconds 10] [--latency-seconds 20] [--work DIR]

Starts a rendezvous server and two syncd (contrib/system/harness.py), pairs them, waits until
they are connected, then measures each phase for --seconds of wall time: both daemons idle but
connected; a call (A sends tone:440, B sends tone:660, both play to null); a screen share from A
to B (moving 320x240 pattern, 15 fps, B decodes every frame). Reported per daemon and phase:
CPU % of one core (utime+stime from /proc), RSS at the end (VmRSS), and for the call the frames
sent/played and the concealed share from `syncctl call status --json`.

Then the added latency of the call pipeline (WAV source -> Opus -> RTP/SRTP -> loopback -> jitter
buffer -> decode -> WAV sink), with timestamped tone bursts: A's input is a WAV file of 40 ms
1 kHz bursts every 500 ms (silence between, so DTX and talkspurts are exercised), B writes what it
plays to a WAV file. Each daemon logs (at debug) when its input's first sample was captured and
its output's first sample played, on CLOCK_MONOTONIC, which both share on one machine; a burst's
latency is (B's output start + onset in B's file) - (A's input start + onset in A's file).
Reported: bursts matched, median, p95 and max (the issue's target: p95 <= 60 ms at zero loss).
"""
import argparse, json, math, os, re, shutil, struct, sys, tempfile, time, wave

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "contrib", "system"))
from harness import Bin, Daemon, Rendezvous, pair_by_id, wait  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measure(daemons, seconds):
    before = {d.name: cpu_seconds(d.proc.pid) for d in daemons}
    start = time.monotonic()
    time.sleep(seconds)
    wall = time.monotonic() - start
    return {d.name: (100 * (cpu_seconds(d.proc.pid) - before[d.name]) / wall, rss_mib(d.proc.pid)) for d in daemons}


RATE = 48000
BURST_PERIOD = 0.5
BURST_LENGTH = 0.04
BURST_OFFSET = 0.25


def write_bursts(path, seconds):
    """A mono 48 kHz WAV of 1 kHz bursts (half scale); returns the onsets in samples."""
    n = int(seconds * RATE)
    samples = [0] * n
    onsets = []
    t = BURST_OFFSET
    while t + BURST_LENGTH < seconds:
        start = int(t * RATE)
        onsets.append(start)
        for i in range(int(BURST_LENGTH * RATE)):
            samples[start + i] = int(16383 * math.sin(2 * math.pi * 1000 * i / RATE))
        t += BURST_PERIOD
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(struct.pack(f"<{n}h", *samples))
    return onsets, n


def detect_onsets(path, threshold=3000, quiet=0.1):
    """Sample positions where |x| first exceeds threshold after at least `quiet` s below it."""
    with wave.open(path, "rb") as w:
        raw = w.readframes(w.getnframes())
    x = struct.unpack(f"<{len(raw) // 2}h", raw)
    onsets, last_loud = [], -10 * RATE
    for i, v in enumerate(x):
        if abs(v) > threshold:
            if i - last_loud > quiet * RATE:
                onsets.append(i)
            last_loud = i
    return onsets


def timeline(log, which):
    """The last `call audio timeline` of a daemon log: the input or output start in seconds."""
    found = re.findall(r"call audio timeline: input sample 0 at (\d+|-) ns, output sample 0 at (\d+|-) ns", log)
    if not found:
        raise RuntimeError("no call audio timeline in the log (is logLevel debug?)")
    value = found[-1][0 if which == "input" else 1]
    if value == "-":
        raise RuntimeError(f"the call had no {which}")
    return int(value) / 1e9


def percentile(values, p):
    s = sorted(values)
    k = min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))
    return s[k]


def measure_latency(a, b, work, seconds):
    bursts = os.path.join(work, "bursts.wav")
    out = os.path.join(work, "b-heard.wav")
    in_onsets, length = write_bursts(bursts, seconds + 10)
    a.ctl("call", "b", "--input", bursts, "--output", "null")
    wait(lambda: json.loads(b.ctl("call", "status", "--json"))["state"] == "ringing-in", 20, "b to ring")
    b.ctl("call", "accept", "--input", "null", "--output", out)
    wait(lambda: json.loads(b.ctl("call", "status", "--json"))["framesPlayed"] > 25, 20, "audio to flow")
    time.sleep(seconds)
    status = json.loads(b.ctl("call", "status", "--json"))
    a.ctl("call", "hangup")
    wait(lambda: json.loads(b.ctl("call", "status", "--json"))["state"] == "idle", 20, "b to hang up")
    a_start = timeline(a.log_text(), "input")
    b_start = timeline(b.log_text(), "output")
    sent = [a_start + (loop * length + o) / RATE for loop in range(3) for o in in_onsets]
    latencies = []
    for o in detect_onsets(out):
        t_out = b_start + o / RATE
        before = [t for t in sent if t <= t_out]
        if before and t_out - before[-1] < BURST_PERIOD / 2:
            latencies.append(1000 * (t_out - before[-1]))
    if not latencies:
        raise RuntimeError("no burst was heard")
    return latencies, status


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--latency-seconds", type=float, default=20)
    p.add_argument("--work")
    args = p.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="call-bench-")
    bins = Bin(os.environ.get("PEERSYNC_CONFIGURATION", "debug"))
    rv = Rendezvous(bins, work).start()
    env = {"PEERSYNC_ICE_INTERFACES": "loopback", "PEERSYNC_LOG_LEVEL": "debug"}
    a = Daemon(bins, work, "a", rv, extra_env=env).start()
    b = Daemon(bins, work, "b", rv, extra_env=env).start()
    rows = []
    latencies, latency_status = None, None
    try:
        pair_by_id(a, b)
        wait(lambda: a.connected_to(b) and b.connected_to(a), 60, "the daemons to connect")
        rows.append(("idle, connected", measure([a, b], args.seconds), ""))

        a.ctl("call", "b", "--input", "tone:440", "--output", "null")
        wait(lambda: json.loads(b.ctl("call", "status", "--json"))["state"] == "ringing-in", 20, "b to ring")
        b.ctl("call", "accept", "--input", "tone:660", "--output", "null")
        wait(lambda: json.loads(b.ctl("call", "status", "--json"))["framesPlayed"] > 25, 20, "audio to flow")
        m = measure([a, b], args.seconds)
        s = json.loads(b.ctl("call", "status", "--json"))
        rows.append(("call (Opus both ways)", m, f"b: {s['framesSent']} sent, {s['framesPlayed']} played, "
                                                 f"{100 * s['concealedShare']:.1f}% concealed"))
        a.ctl("call", "hangup")

        a.ctl("screen", "share", "b", "--source", "pattern:320x240", "--fps", "15")
        wait(lambda: any(x["direction"] == "incoming" and x["frames"] > 5 for x in json.loads(b.ctl("screen", "status", "--json"))),
             20, "b to decode frames")
        m = measure([a, b], args.seconds)
        shares = json.loads(b.ctl("screen", "status", "--json"))
        rows.append(("screen 320x240@15 (VP8)", m, f"b decoded {shares[0]['frames']} frames"))
        a.ctl("screen", "stop")

        if args.latency_seconds > 0:
            latencies, latency_status = measure_latency(a, b, work, args.latency_seconds)
    finally:
        a.stop()
        b.stop()
        rv.stop()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{'phase':26} {'A cpu%':>7} {'B cpu%':>7} {'A MiB':>7} {'B MiB':>7}  notes")
    for name, m, note in rows:
        print(f"{name:26} {m['a'][0]:7.1f} {m['b'][0]:7.1f} {m['a'][1]:7.1f} {m['b'][1]:7.1f}  {note}")
    if latencies:
        print(f"added latency A->B ({os.environ.get('PEERSYNC_CONFIGURATION', 'debug')} build, zero loss): "
              f"{len(latencies)} bursts, median {percentile(latencies, 50):.1f} ms, p95 {percentile(latencies, 95):.1f} ms, "
              f"max {max(latencies):.1f} ms, min {min(latencies):.1f} ms; "
              f"concealed {100 * latency_status['concealedShare']:.1f}%")


if __name__ == "__main__":
    main()
