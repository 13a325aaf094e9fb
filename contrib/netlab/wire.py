#!/usr/bin/env python3
"""A userspace netem: an Ethernet wire between two TAP devices that delays, jitters, drops,
reorders and rate-limits frames, for kernels without sch_netem (like this project's CI VMs).

    wire.py TAP_INNER TAP_OUTER PARAMS_FILE PIDFILE

Frames from TAP_INNER (the router's WAN side) to TAP_OUTER (the internet bridge) are impaired
as `tc qdisc … netem` on the router's WAN egress would; the other direction passes unchanged
(set impairments on both routers for a symmetric path). PARAMS_FILE holds netem-style words,
re-read on SIGHUP, e.g. `delay 50ms 5ms loss 10% reorder 5% rate 20mbit seed 7`; empty = a
perfect wire. The TAPs must exist (ip tuntap add mode tap) in the current namespace when this
starts; they may be moved to other namespaces after PIDFILE appears. Loss is seeded.
"""
import fcntl, heapq, os, random, re, select, signal, struct, sys, time

TUNSETIFF = 0x400454CA
IFF_TAP, IFF_NO_PI = 0x0002, 0x1000

def open_tap(name):
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_NONBLOCK)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI))
    return fd

def seconds(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s)?", text)
    if not m: raise ValueError(text)
    return float(m.group(1)) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, None: 1e-3}[m.group(2)]

def bits_per_second(text):
    m = re.fullmatch(r"([0-9.]+)(bit|kbit|mbit|gbit)", text.lower())
    if not m: raise ValueError(text)
    return float(m.group(1)) * {"bit": 1, "kbit": 1e3, "mbit": 1e6, "gbit": 1e9}[m.group(2)]

class Params:
    def __init__(self, words):
        self.delay = self.jitter = self.loss = self.reorder = 0.0
        self.rate = None
        self.seed = 1
        i = 0
        while i < len(words):
            w = words[i]
            if w == "delay":
                self.delay = seconds(words[i + 1]); i += 2
                if i < len(words) and re.fullmatch(r"[0-9.]+(us|ms|s)?", words[i]):
                    self.jitter = seconds(words[i]); i += 1
            elif w in ("loss", "reorder"):
                setattr(self, w, float(words[i + 1].rstrip("%")) / 100); i += 2
            elif w == "rate":
                self.rate = bits_per_second(words[i + 1]); i += 2
            elif w == "seed":
                self.seed = int(words[i + 1]); i += 2
            else:
                raise ValueError(f"unknown word {w}")

def main(inner_name, outer_name, params_file, pidfile):
    inner, outer = open_tap(inner_name), open_tap(outer_name)
    state = {"p": Params([]), "rng": random.Random(1), "busy_until": 0.0}

    def reload(*_):
        try:
            words = open(params_file).read().split() if os.path.exists(params_file) else []
            state["p"] = Params(words)
            state["rng"] = random.Random(state["p"].seed)
        except (OSError, ValueError, IndexError) as e:
            print(f"wire: bad parameters: {e}", file=sys.stderr)
    reload()
    signal.signal(signal.SIGHUP, reload)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with open(pidfile + ".tmp", "w") as f: f.write(str(os.getpid()))
    os.rename(pidfile + ".tmp", pidfile)

    queue, seq = [], 0
    stats = {"in": 0, "dropped": 0}
    while True:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, frame = heapq.heappop(queue)
            try: os.write(outer, frame)
            except OSError: pass
        timeout = max(0.0, queue[0][0] - now) if queue else 1.0
        try:
            ready, _, _ = select.select([inner, outer], [], [], timeout)
        except InterruptedError:
            continue
        for fd in ready:
            while True:
                try: frame = os.read(fd, 65536)
                except (BlockingIOError, OSError): break
                if fd == outer:
                    try: os.write(inner, frame)
                    except OSError: pass
                    continue
                p, rng = state["p"], state["rng"]
                stats["in"] += 1
                if p.loss and rng.random() < p.loss:
                    stats["dropped"] += 1
                    continue
                t = time.monotonic()
                if p.rate:
                    state["busy_until"] = max(t, state["busy_until"]) + len(frame) * 8 / p.rate
                    t = state["busy_until"]
                if not (p.reorder and rng.random() < p.reorder):
                    t += p.delay + (rng.uniform(-p.jitter, p.jitter) if p.jitter else 0.0)
                seq += 1
                heapq.heappush(queue, (t, seq, frame))

if __name__ == "__main__":
    main(*sys.argv[1:5])
