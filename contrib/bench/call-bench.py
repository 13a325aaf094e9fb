#!/usr/bin/env python3
"""CPU and memory of calls and screen shares between two daemons on 127.0.0.1.

    contrib/bench/call-bench.py [--seconds 10] [--work DIR]

Starts a rendezvous server and two syncd (contrib/system/harness.py), pairs them, waits until
they are connected, then measures each phase for --seconds of wall time: both daemons idle but
connected; a call (A sends tone:440, B sends tone:660, both play to null); a screen share from A
to B (moving 320x240 pattern, 15 fps, B decodes every frame). Reported per daemon and phase:
CPU % of one core (utime+stime from /proc), RSS at the end (VmRSS), and for the call the frames
sent/played and the concealed share from `syncctl call status --json`.
"""
import argparse, json, os, shutil, sys, tempfile, time

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


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--work")
    args = p.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="call-bench-")
    bins = Bin(os.environ.get("PEERSYNC_CONFIGURATION", "debug"))
    rv = Rendezvous(bins, work).start()
    a = Daemon(bins, work, "a", rv, extra_env={"PEERSYNC_ICE_INTERFACES": "loopback"}).start()
    b = Daemon(bins, work, "b", rv, extra_env={"PEERSYNC_ICE_INTERFACES": "loopback"}).start()
    rows = []
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
    finally:
        a.stop()
        b.stop()
        rv.stop()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{'phase':26} {'A cpu%':>7} {'B cpu%':>7} {'A MiB':>7} {'B MiB':>7}  notes")
    for name, m, note in rows:
        print(f"{name:26} {m['a'][0]:7.1f} {m['b'][0]:7.1f} {m['a'][1]:7.1f} {m['b'][1]:7.1f}  {note}")


if __name__ == "__main__":
    main()
