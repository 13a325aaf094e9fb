#!/usr/bin/env python3
"""Time from pairing two fresh daemons by ID (`syncctl devices add` on both, one after the other)
until both report the other connected, on loopback with a local rendezvous server.

    contrib/bench/connect-time.py [--trials 6]   (PEERSYNC_BIN: folder of the executables, default .build/release)

Prints one line per trial and says which side added first: when the device that makes the
offer (the smaller ID) adds its peer first, its offer reaches a device that does not trust it
yet and is dropped; the hello that device sends once it pairs names the dropped offer, so a new
one is made at once (before: a 3 s guard and the next hello made this path take ~4.7 s).
"""
import argparse, os, statistics, sys, tempfile, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "system"))
from harness import Bin, Daemon, Rendezvous, pair_by_id, wait  # noqa: E402

ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
ap.add_argument("--trials", type=int, default=6)
args = ap.parse_args()
bins = Bin(os.environ.get("PEERSYNC_CONFIGURATION", "release"))
times = {True: [], False: []}
for trial in range(args.trials):
    work = tempfile.mkdtemp(prefix="connect-time-")
    r = Rendezvous(bins, work).start()
    a, b = Daemon(bins, work, "a", r), Daemon(bins, work, "b", r)
    try:
        a.start(); b.start()
        t0 = time.monotonic()
        pair_by_id(a, b)   # a adds b, then b adds a
        wait(lambda: a.connected_to(b) and b.connected_to(a), 60, "both daemons to connect", interval=0.02)
        dt = time.monotonic() - t0
        offerer_first = a.id < b.id
        times[offerer_first].append(dt)
        print(f"trial {trial}: {dt:.2f} s ({'offerer' if offerer_first else 'answerer'} added its peer first)", flush=True)
    finally:
        a.stop(); b.stop(); r.stop()
for first, values in times.items():
    if values:
        print(f"{'offerer' if first else 'answerer'} first: median {statistics.median(values):.2f} s over {len(values)}")
