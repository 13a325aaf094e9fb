#!/usr/bin/env python3
"""Side-by-side sync benchmark: PeerSync vs Syncthing vs a local rsync copy, in one run.

    contrib/bench/sync-compare.py [--scale 1.0] [--work DIR] [--only rsync,syncthing,peersync]

Generates the sync-engine dataset (contrib/bench/gen-dataset.sh: ~1 GiB at scale 1.0), then for
each tool copies it into a fresh source folder and measures:

  initial      the whole dataset from an empty receiver, timed from the moment the folder is
               shared on both sides (daemons already running and connected) until the
               receiver's index reports every file with the right byte count;
  incremental  the edit set (1 KiB inserted in the middle of the first large file, 100 small
               files appended to, 50 deleted, 50 renamed), timed from the rescan request.

After every phase the receiver's tree is compared with the source by SHA-256 (outside the
timing); a mismatch fails the run. Reported per tool and phase: wall seconds, CPU seconds of
both daemons (from /proc), bytes on the wire as each tool counts them, and peak RSS (VmHWM).
Both daemons are polled ten times a second over their own HTTP APIs (PeerSync's control socket,
Syncthing's REST API), without starting a process per poll. Everything runs on 127.0.0.1;
Syncthing is configured with discovery, relays, NAT traversal, usage reports, crash reports and
upgrades all off. Needs: rsync, syncthing (contrib/setup.sh
installs both) and a built PeerSync (`swift build -c release --static-swift-stdlib`, as the README
installs it, is what a benchmark should use;
PEERSYNC_BIN overrides the folder of the executables). Processes are run by contrib/system/harness.py.

With SYNC_COMPARE_PERF=DIR, each PeerSync daemon is profiled during its initial sync
(`perf record --call-graph dwarf -F 250`, into DIR/sender.data and DIR/receiver.data); read
them with `perf report -i DIR/receiver.data --no-children`; SYNC_COMPARE_PERF_SYSTEM=1 also records the whole machine
(`perf record -a`, into DIR/system.data: writeback threads, softirqs, the pollers). SYNC_COMPARE_PERF_EVENT=EVENT records every
occurrence of a perf event instead of sampling the CPU (e.g. `syscalls:sys_enter_newfstatat`: who calls it;
`sched:sched_switch` with SYNC_COMPARE_PERF_CALLGRAPH=fp: where threads block, cheaply). With SYNC_COMPARE_STRACE=DIR, `strace -c -f`
counts each daemon's system calls (DIR/sender.txt, DIR/receiver.txt; strace slows them, so counts only). With SYNC_COMPARE_HEAPTRACK=DIR, both
daemons run under heaptrack (DIR/sender.*, DIR/receiver.*; read with `heaptrack_print`). With SYNC_COMPARE_TIMELINE=1, the
PeerSync phases print how long the sender's folder add took (it returns once the folder is registered and its first
scan has begun; the scan commits and announces files in batches, so the transfer overlaps it) or its rescan took, when
the sender's first scan ended and the receiver placed its first file, then a line per second: bytes and files placed
(a file counts once renamed into place and committed), bytes received on the wire (from the folder add on), and each daemon's CPU seconds (the
first line counts from the folder add, so it includes the scan).
"""
import argparse, json, os, random, shutil, signal, subprocess, sys, time
import urllib.request
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "contrib", "system"))
from harness import Bin, Daemon, Rendezvous, free_port, pair_by_id, tree, wait  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"sync-compare: {msg}", file=sys.stderr, flush=True)


def totals(path):
    files, size = 0, 0
    for d, _, names in os.walk(path):
        for f in names:
            files += 1
            size += os.path.getsize(os.path.join(d, f))
    return files, size


def process_tree(pid):
    """pid and all its descendants (Syncthing runs its work in a child of a monitor process)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except OSError:
            pass
    return out


def cpu_seconds(pid):
    """User + system CPU seconds of a process and its descendants."""
    total = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except OSError:
            pass
    return total / TICK


def peak_rss_mib(pid):
    """The largest VmHWM in the process tree."""
    peak = 0
    for p in process_tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                peak = max([peak] + [int(l.split()[1]) for l in f if l.startswith("VmHWM:")])
        except OSError:
            pass
    return peak / 1024


def settle():
    """Starts every timed phase from the same state: what the steps before wrote is written back
    (os.sync) and has settled for a few seconds. Without it, whichever tool ran first paid for
    writing back the previous step's gigabyte. (An earlier run's clean-up is waited out once, at
    the start: see wait_out_previous_cleanup().) It runs before the edit set is made, so a tool
    that watches the folder sees the edits only once its timed phase has begun."""
    os.sync()
    time.sleep(6)


def apply_edits(src):
    """The issue's edit set, deterministic."""
    rng = random.Random(7)
    large = os.path.join(src, "large", "l0.bin")
    with open(large, "rb") as f:
        data = f.read()
    mid = len(data) // 2
    with open(large + ".tmp", "wb") as f:
        f.write(data[:mid]); f.write(rng.randbytes(1024)); f.write(data[mid:])
    os.replace(large + ".tmp", large)
    small = sorted(os.path.relpath(os.path.join(d, f), src)
                   for d, _, fs in os.walk(os.path.join(src, "small")) for f in fs)
    picks = small[:]
    rng.shuffle(picks)
    for rel in picks[:100]:
        with open(os.path.join(src, rel), "ab") as f:
            f.write(rng.randbytes(rng.randint(16, 4096)))
    for rel in picks[100:150]:
        os.remove(os.path.join(src, rel))
    for rel in picks[150:200]:
        p = os.path.join(src, rel)
        os.rename(p, p[:-4] + "-renamed.bin")


class Result:
    def __init__(self, tool, phase):
        self.tool, self.phase = tool, phase
        self.wall = self.cpu = self.wire = self.rss = None
        self.ok = False
        self.note = ""


# ---------------------------------------------------------------- rsync

def run_rsync(work, pristine, results):
    src, dst = os.path.join(work, "rsync-src"), os.path.join(work, "rsync-dst")
    shutil.copytree(pristine, src)
    for phase in ("initial", "incremental"):
        settle()
        if phase == "incremental":
            apply_edits(src)
        r = Result("rsync -a (local)", phase)
        t0 = time.monotonic(); c0 = os.times()
        subprocess.run(["rsync", "-a", "--delete", src + "/", dst + "/"], check=True)
        c1 = os.times(); r.wall = time.monotonic() - t0
        r.cpu = (c1.children_user - c0.children_user) + (c1.children_system - c0.children_system)
        r.ok = tree(src) == tree(dst)
        results.append(r)


# ---------------------------------------------------------------- Syncthing

class Syncthing:
    def __init__(self, home, name):
        self.home, self.name = home, name
        out = subprocess.run(["syncthing", "generate", f"--home={home}", "--no-default-folder", "--skip-port-probing"],
                             capture_output=True, text=True, check=True)
        self.id = next(l.split("Device ID:")[1].strip() for l in (out.stdout + out.stderr).splitlines() if "Device ID:" in l)
        self.gui, self.listen = free_port(), free_port()
        self.key = "bench-" + name
        self.proc = None

    def configure(self, peer):
        path = os.path.join(self.home, "config.xml")
        cfg = ET.parse(path); root = cfg.getroot()
        gui = root.find("gui"); gui.find("address").text = f"127.0.0.1:{self.gui}"; gui.find("apikey").text = self.key
        opts = root.find("options")
        settings = {"listenAddress": f"tcp://127.0.0.1:{self.listen}", "globalAnnounceEnabled": "false",
                    "localAnnounceEnabled": "false", "relaysEnabled": "false", "natEnabled": "false",
                    "urAccepted": "-1", "autoUpgradeIntervalH": "0", "crashReportingEnabled": "false",
                    "startBrowser": "false", "stunKeepaliveStartS": "0", "setLowPriority": "false"}
        for k, v in settings.items():
            e = opts.find(k)
            if e is None:
                e = ET.SubElement(opts, k)
            e.text = v
        dev = ET.SubElement(root, "device", id=peer.id, name=peer.name, compression="metadata", introducer="false")
        ET.SubElement(dev, "address").text = f"tcp://127.0.0.1:{peer.listen}"
        cfg.write(path)

    def start(self, logdir):
        env = dict(os.environ, STNOUPGRADE="1", STGUIAPIKEY=self.key)
        self.proc = subprocess.Popen(["syncthing", "serve", f"--home={self.home}", "--no-browser", "--no-restart", "--no-upgrade"],
                                     stdout=open(os.path.join(logdir, f"syncthing-{self.name}.log"), "w"), stderr=subprocess.STDOUT, env=env)

    def rest(self, method, path, body=None):
        req = urllib.request.Request(f"http://127.0.0.1:{self.gui}{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"X-API-Key": self.key, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            data = resp.read()
            return json.loads(data) if data else None

    def wire_bytes(self):
        t = self.rest("GET", "/rest/system/connections")["total"]
        return t["inBytesTotal"] + t["outBytesTotal"]

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def run_syncthing(work, pristine, results, timeout):
    src, dst = os.path.join(work, "st-src"), os.path.join(work, "st-dst")
    shutil.copytree(pristine, src); os.makedirs(dst)
    a, b = Syncthing(os.path.join(work, "st-a"), "a"), Syncthing(os.path.join(work, "st-b"), "b")
    a.configure(b); b.configure(a)
    try:
        a.start(work); b.start(work)
        for s in (a, b):
            wait(lambda: s.rest("GET", "/rest/system/ping"), 60, f"syncthing {s.name} to answer")
        wait(lambda: a.rest("GET", "/rest/system/connections")["connections"][b.id]["connected"], 60, "the two Syncthings to connect")
        for phase in ("initial", "incremental"):
            r = Result("Syncthing " + subprocess.run(["syncthing", "--version"], capture_output=True, text=True).stdout.split()[1], phase)
            settle()
            if phase == "incremental":
                apply_edits(src)
            files, size = totals(src)
            c0 = cpu_seconds(a.proc.pid) + cpu_seconds(b.proc.pid); w0 = a.wire_bytes(); t0 = time.monotonic()
            if phase == "initial":
                for s, path in ((a, src), (b, dst)):
                    s.rest("POST", "/rest/config/folders", {"id": "bench", "label": "bench", "path": path, "type": "sendreceive",
                                                             "rescanIntervalS": 3600, "fsWatcherEnabled": False,
                                                             "devices": [{"deviceID": a.id}, {"deviceID": b.id}]})
            else:
                a.rest("POST", "/rest/db/scan?folder=bench")

            def done():
                # Syncthing counts directories in localBytes, so compare with the source's own count.
                sa, sb = a.rest("GET", "/rest/db/status?folder=bench"), b.rest("GET", "/rest/db/status?folder=bench")
                return (sa["state"] == sb["state"] == "idle" and sa["localFiles"] == sb["localFiles"] == files
                        and sb["needTotalItems"] == 0 and sb["localBytes"] == sa["localBytes"])
            try:
                wait(done, timeout, f"Syncthing {phase} sync")
                r.wall = time.monotonic() - t0
                r.cpu = cpu_seconds(a.proc.pid) + cpu_seconds(b.proc.pid) - c0
                r.wire = a.wire_bytes() - w0
                r.ok = tree(src) == tree(dst)
            except TimeoutError as e:
                r.note = str(e)
            r.rss = max(peak_rss_mib(a.proc.pid), peak_rss_mib(b.proc.pid))
            results.append(r)
    finally:
        a.stop(); b.stop()


# ---------------------------------------------------------------- PeerSync

def start_perf(pids):
    """perf recorders for the sender and receiver daemons when SYNC_COMPARE_PERF names a folder."""
    out, counts = os.environ.get("SYNC_COMPARE_PERF"), os.environ.get("SYNC_COMPARE_STRACE")
    procs = []
    if out:
        os.makedirs(out, exist_ok=True)
        procs += [subprocess.Popen(["perf", "record", "--call-graph", os.environ.get("SYNC_COMPARE_PERF_CALLGRAPH", "dwarf,16384"), "-p", str(pid),
                                    *(["-e", os.environ["SYNC_COMPARE_PERF_EVENT"], "-c", "1"] if os.environ.get("SYNC_COMPARE_PERF_EVENT")
                                      else ["-F", os.environ.get("SYNC_COMPARE_PERF_HZ", "250")]),
                                    "-o", os.path.join(out, f"{name}.data")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                  for pid, name in zip(pids, ("sender", "receiver"))]
        if os.environ.get("SYNC_COMPARE_PERF_SYSTEM") == "1":
            # The whole machine (kernel writeback threads, softirqs, the pollers) into DIR/system.data.
            procs.append(subprocess.Popen(["perf", "record", "-a", "--call-graph", os.environ.get("SYNC_COMPARE_PERF_CALLGRAPH", "dwarf,16384"),
                                           "-F", os.environ.get("SYNC_COMPARE_PERF_HZ", "250"), "-o", os.path.join(out, "system.data")],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    if counts:
        # Syscall counts per daemon (all threads); strace slows the daemons: counts, not times.
        os.makedirs(counts, exist_ok=True)
        procs += [subprocess.Popen(["strace", "-c", "-f", "-p", str(pid), "-o", os.path.join(counts, f"{name}.txt")],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                  for pid, name in zip(pids, ("sender", "receiver"))]
    if not procs:
        return []
    time.sleep(1)   # perf attaches before the timed phase starts
    return procs


def stop_perf(procs):
    for p in procs:
        p.send_signal(signal.SIGINT)
    for p in procs:
        p.wait(timeout=120)


def run_peersync(work, pristine, results, timeout):
    bins = Bin("release")
    src, dst = os.path.join(work, "ps-src"), os.path.join(work, "ps-dst")
    shutil.copytree(pristine, src); os.makedirs(dst)
    rendezvous = Rendezvous(bins, work).start()
    a, b = Daemon(bins, work, "a", rendezvous), Daemon(bins, work, "b", rendezvous)
    try:
        heap = os.environ.get("SYNC_COMPARE_HEAPTRACK")
        a.start(wrapper=("heaptrack", "-o", os.path.join(heap, "sender")) if heap else ())
        b.start(wrapper=("heaptrack", "-o", os.path.join(heap, "receiver")) if heap else ())
        pair_by_id(a, b)

        def wire():
            return sum(d.get("bytesIn", 0) + d.get("bytesOut", 0) for d in a.api_status()["devices"])

        wait(lambda: a.connected_to(b), 60, "the two daemons to connect")
        pids = [a.proc.pid, b.proc.pid]
        for phase in ("initial", "incremental"):
            r = Result("PeerSync", phase)
            settle()
            if phase == "incremental":
                apply_edits(src)
            files, size = totals(src)
            perf = start_perf(pids) if phase == "initial" else []
            cpu0 = [cpu_seconds(p) for p in pids]
            c0 = sum(cpu0); w0 = wire(); t0 = time.monotonic()
            if phase == "initial":
                a.ctl("folders", "add", src, "--id", "bench", "--with", b.id)
                t1 = time.monotonic()
                b.ctl("folders", "add", dst, "--id", "bench", "--with", a.id)
                steps = (f"folder added on the sender in {t1 - t0:.2f} s (registered; its first scan runs on), "
                         f"on the receiver {time.monotonic() - t1:.2f} s later")
            else:
                a.ctl("folders", "rescan", "bench")
                steps = f"rescan on the sender took {time.monotonic() - t0:.2f} s"
            if os.environ.get("SYNC_COMPARE_TIMELINE"):
                log(f"  {steps}")

            # The first line counts from t0, so it includes the sender's scan.
            timeline = {"next": t0 + 1, "bytes": 0, "cpu": cpu0, "scanned": phase != "initial", "first": False,
                        "wire": sum(d.get("bytesIn", 0) for d in b.api_status()["devices"]) if os.environ.get("SYNC_COMPARE_TIMELINE") else 0}

            def done():
                st = b.api_status()
                f = next(x for x in st["folders"] if x["id"] == "bench")
                if os.environ.get("SYNC_COMPARE_TIMELINE"):
                    if not timeline["first"] and f["localFiles"] > 0:
                        timeline["first"] = True
                        log(f"  {time.monotonic() - t0:6.2f} s  first file placed on the receiver")
                    if not timeline["scanned"] and next(x for x in a.api_status()["folders"] if x["id"] == "bench")["state"] != "scanning":
                        timeline["scanned"] = True
                        log(f"  {time.monotonic() - t0:6.2f} s  the sender's first scan is done")
                if os.environ.get("SYNC_COMPARE_TIMELINE") and time.monotonic() >= timeline["next"]:
                    # Placed bytes move only when a file is renamed into place (a large file at
                    # once, small ones after their flush); the wire shows the transfer itself.
                    cpu = [cpu_seconds(p) for p in pids]
                    wire_in = sum(d.get("bytesIn", 0) for d in st["devices"])
                    wire_rate = wire_in - timeline["wire"]
                    log(f"  {time.monotonic() - t0:6.1f} s  {f['localBytes'] / 2**20:7.1f} MiB  {f['localFiles']:6d} files  "
                        f"+{(f['localBytes'] - timeline['bytes']) / 2**20:6.1f} MiB placed, +{wire_rate / 2**20:6.1f} MiB received  "
                        f"CPU sender {cpu[0] - timeline['cpu'][0]:.2f} receiver {cpu[1] - timeline['cpu'][1]:.2f}")
                    timeline.update(next=timeline["next"] + 1, bytes=f["localBytes"], cpu=cpu, wire=wire_in)
                return f["localFiles"] == files and f["localBytes"] == size and f["needFiles"] == 0
            try:
                wait(done, timeout, f"PeerSync {phase} sync")
                r.wall = time.monotonic() - t0
                r.cpu = sum(cpu_seconds(p) for p in pids) - c0
                r.wire = wire() - w0
                r.ok = tree(src) == tree(dst)
            except TimeoutError as e:
                r.note = str(e)
            stop_perf(perf)
            r.rss = max(peak_rss_mib(p) for p in pids)
            results.append(r)
    finally:
        a.stop(); b.stop(); rendezvous.stop()
        if heap:
            # SIGTERM reached the heaptrack wrapper, not syncd under it: stop the daemons themselves.
            for d in (a, b):
                subprocess.run(["pkill", "-TERM", "-f", f"syncd --state-dir {d.state}"], check=False)


# ---------------------------------------------------------------- report

def report(results, dataset):
    files, size = dataset
    print(f"\nDataset: {files} files, {size / 2**20:.0f} MiB (contrib/bench/gen-dataset.sh)\n")
    fmt = "{:<22} {:<12} {:>9} {:>9} {:>12} {:>9}  {}"
    print(fmt.format("tool", "phase", "wall s", "CPU s", "wire MB", "RSS MiB", "verified"))
    for r in results:
        f = lambda v, spec: "-" if v is None else format(v, spec)
        print(fmt.format(r.tool, r.phase, f(r.wall, ".2f"), f(r.cpu, ".2f"), f(None if r.wire is None else r.wire / 1e6, ".1f"),
                         f(r.rss, ".0f"), "yes" if r.ok else ("NO " + r.note)))
    by = {(r.tool.split()[0], r.phase): r for r in results}
    for phase in ("initial", "incremental"):
        p, s = by.get(("PeerSync", phase)), by.get(("Syncthing", phase))
        if p and s and p.wall and s.wall:
            line = f"{phase}: PeerSync/Syncthing time = {p.wall / s.wall:.2f}x"
            if p.wire and s.wire:
                line += f", wire bytes = {p.wire / s.wire:.2f}x"
            print(line)
    p, r = by.get(("PeerSync", "initial")), by.get(("rsync", "initial"))
    if p and r and p.wall and r.wall:
        print(f"initial: PeerSync/rsync time = {p.wall / r.wall:.2f}x")


# When the last run removed its work folder (see wait_out_previous_cleanup()).
CLEANED_MARK = os.path.join(os.environ.get("TMPDIR", "/tmp"), "sync-compare.cleaned")
# ext4 without a journal will not reuse an inode freed in the last 60 s, nor one freed in the
# last 360 s while its inode table block is dirty (RECENTCY_MIN and RECENTCY_DIRTY in the kernel's
# ialloc.c): each new file then steps over every such free inode of its group, from the group's
# first. Syncing after the clean-up makes those blocks clean, but the next run's own creates
# dirty them again (16 inodes share a block), so only the longer window is safe to wait out.
RECENTLY_DELETED_SECONDS = 362


def wait_out_previous_cleanup():
    """Waits until inodes freed by the previous run's clean-up are reusable, so that every tool
    starts from the same file system state.

    On ext4 without a journal the kernel skips inodes deleted in the last minute when it
    creates a file, and those deleted in the last six minutes while their inode table block is
    dirty, checking each one: a run started right after another removed its ~3 GiB / 30,000
    files spent up to a quarter of the receiver's CPU in that search, whichever tool ran. The
    clean-up syncs and leaves a time stamp; this syncs too and waits out the rest of the six
    minutes. Waiting only one minute (the blocks being clean after the sync) was not enough:
    the tools' own creates dirty the blocks again, and a receiver still spent ~7 % of its CPU
    stepping over the last run's inodes."""
    os.sync()
    try:
        with open(CLEANED_MARK) as f:
            left = float(f.read().strip()) + RECENTLY_DELETED_SECONDS - time.time()
    except (OSError, ValueError):
        return
    if 0 < left <= RECENTLY_DELETED_SECONDS:
        log(f"waiting {left:.0f} s for the file system to settle after the previous run's clean-up (--no-settle skips this)")
        time.sleep(left)


# The tools by their --only name: how the log names them, and how each is run.
RUNNERS = {
    "rsync": ("rsync", lambda work, pristine, results, timeout: run_rsync(work, pristine, results)),
    "syncthing": ("Syncthing", run_syncthing),
    "peersync": ("PeerSync", run_peersync),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="dataset scale (1.0 is ~1 GiB)")
    ap.add_argument("--work", help="work folder (default: a new one under /tmp; removed unless --keep)")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--only", default=",".join(RUNNERS), help="comma-separated tools to run, in this order")
    ap.add_argument("--timeout", type=float, default=900, help="seconds allowed per sync phase")
    ap.add_argument("--no-settle", action="store_true",
                    help="do not wait out the six minutes after a previous run's clean-up (see wait_out_previous_cleanup())")
    args = ap.parse_args()
    tools = [t.strip() for t in args.only.split(",") if t.strip()]
    if not tools or any(t not in RUNNERS for t in tools):
        sys.exit(f"sync-compare: --only takes {', '.join(RUNNERS)} (got {args.only!r})")
    work = args.work or subprocess.run(["mktemp", "-d", "/tmp/sync-compare.XXXXXX"], capture_output=True, text=True).stdout.strip()
    os.makedirs(work, exist_ok=True)
    pristine = os.path.join(work, "dataset")
    subprocess.run(["bash", os.path.join(ROOT, "contrib/bench/gen-dataset.sh"), pristine, str(args.scale)], check=True)
    if not args.no_settle:
        wait_out_previous_cleanup()
    results = []
    try:
        # In the order --only lists them: a tool that runs later finds more of the machine's
        # memory holding the trees of the tools before it, and on a VM that hands freed memory
        # back to its host (free page reporting) each page it takes anew costs a host fault.
        # Alternate the order over runs to compare tools fairly.
        for name in dict.fromkeys(tools):
            label, run = RUNNERS[name]
            log(label); run(work, pristine, results, args.timeout)
    finally:
        report(results, totals(pristine))
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
            os.sync()
            with open(CLEANED_MARK, "w") as f:
                f.write(f"{time.time()}\n")
    sys.exit(0 if results and all(r.ok for r in results) else 1)


if __name__ == "__main__":
    main()
