#!/usr/bin/env python3
"""Whole-daemon netlab scenarios: syncd-rendezvous in psl-pub, one syncd in psl-dA and one in
psl-dB (behind the lab's NATs), ICE servers = the lab's coturn (STUN + TURN), paired by ID with
`syncctl` run inside each namespace, a generated dataset shared A -> B, done when both trees hold
the same files (SHA-256). Records the connection type each side reports in `syncctl status --json`
(`connectionType`: the more indirect end of the selected candidate pair, as syncd reports it:
`relay` when either side relays, so both daemons report `relay` on a relayed path; a direct path
through NATs shows `host` or `srflx`/`prflx` depending on how the peer's candidate was learnt).

    contrib/netlab/daemons.py [--only REGEX] [--results FILE]

Run by contrib/netlab/daemon-scenarios.sh, which builds the lab (lab.sh up) first and removes it
afterwards; this script only changes NATs / wires through lab.sh functions and starts and stops
its own processes. State folders live in a temp folder under $LAB_DIR. Binaries: PEERSYNC_BIN or
.build/debug (`swift build` first). Rows go to FILE (default $LAB_DIR/daemon-results.tsv).

Scenarios (each pass/fail):
  d-nat-X-Y       A behind NAT X, B behind NAT Y (all 10 pairs): connects, syncs 4 MB; relayed
                  through coturn exactly when ICE-only needs it (port-restricted/symmetric,
                  symmetric/symmetric), direct otherwise.
  d-lossy         port-restricted both, 50 ms each way (100 ms RTT) and 10% loss each way:
                  2 MB sync completes byte-identical.
  d-link-down     A's WAN link goes down for 10 s while a 16 MB transfer runs, then up: the
                  connection is re-established and the sync completes.
  d-rebind        A's NAT changes its mapping mid-transfer (lab_rebind): the sync completes.
  d-rendezvous-restart  port-restricted both: connected and synced; the rendezvous server is
                  stopped, B is restarted (its connection must be set up again through signaling),
                  the server comes back: B signs in again, reconnects to A and a new file syncs.
  d-turn-none     both symmetric (relay needed) and the only TURN server configured does not
                  answer (nothing listens on 203.0.113.2:3479): no connection, and each daemon's
                  `syncctl status` says why — the attempt gave up, and that TURN server did not
                  respond — instead of a bare "not connected".
  d-turn-down     both symmetric (relay needed); the first configured TURN server
                  (203.0.113.1:3478) is stopped; a second one (203.0.113.2:3479) is configured:
                  connects relayed through the second and syncs. Runs last (it stops the lab's coturn).
"""
import argparse, json, os, re, shutil, signal, subprocess, sys, tempfile, time, zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "contrib", "system"))
from harness import wait, tree, write_random, listing  # noqa: E402  (read-only helpers)

LAB_DIR = os.environ.get("LAB_DIR", "/tmp/peersync-netlab")
PUB1, PUB2 = "203.0.113.1", "203.0.113.2"
TURN_USER = TURN_PASS = "peersync"
RDV_PORT = 8787
BIN = os.environ.get("PEERSYNC_BIN") or os.path.join(ROOT, ".build", "debug")
NS = {"A": "psl-dA", "B": "psl-dB", "pub": "psl-pub"}


def lab(*args):
    """Runs a lab.sh function (lab_nat, lab_netem, lab_rebind…) in a bash that sources lab.sh."""
    cmd = ". " + os.path.join(HERE, "lab.sh") + " && " + " ".join(args)
    subprocess.run(["bash", "-c", cmd], check=True, env=dict(os.environ, LAB_DIR=LAB_DIR))


def netns(ns, argv):
    return ["ip", "netns", "exec", NS[ns], *argv]


class Daemon:
    """One syncd inside a device namespace, its state in work/name, driven by syncctl in the same namespace."""

    def __init__(self, work, ns, ice_servers):
        self.ns, self.name = ns, f"dev{ns}"
        self.root = os.path.join(work, ns)
        self.state = os.path.join(self.root, "state")
        self.folder = os.path.join(self.root, "folder")
        os.makedirs(self.state)
        os.makedirs(self.folder)
        self.config = os.path.join(self.root, "syncd.json")
        with open(self.config, "w") as f:
            json.dump({"deviceName": self.name, "rendezvousURL": f"ws://{PUB1}:{RDV_PORT}/ws",
                       "iceServers": ice_servers, "iceInterfaces": "all", "logLevel": "info"}, f, indent=1)
        self.env = dict(os.environ, PEERSYNC_CONFIG=self.config)
        for k in ("XDG_RUNTIME_DIR", "PEERSYNC_RENDEZVOUS_URL", "PEERSYNC_ICE_INTERFACES", "PEERSYNC_DEVICE_NAME"):
            self.env.pop(k, None)
        self.log = os.path.join(self.root, "syncd.log")
        self.proc = None
        self.id = None

    def start(self):
        self.proc = subprocess.Popen(netns(self.ns, [os.path.join(BIN, "syncd"), "--config", self.config,
                                                     "--state-dir", self.state]),
                                     env=self.env, stdout=open(self.log, "a"), stderr=subprocess.STDOUT)
        self.id = wait(lambda: self.ctl("id").strip().splitlines()[-1], 60, f"syncd {self.name} to answer")
        return self

    def ctl(self, *args):
        r = subprocess.run(netns(self.ns, [os.path.join(BIN, "syncctl"), *args, "--state-dir", self.state]),
                           env=self.env, capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"syncctl {' '.join(args)} ({self.name}) exited {r.returncode}: {r.stderr.strip()}")
        return r.stdout

    def peer(self, other):
        st = json.loads(self.ctl("status", "--json"))
        return next((d for d in st.get("devices", []) if d.get("id") == other.id), None)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Coturn:
    """A second coturn in psl-pub (on 203.0.113.2), for the TURN failover scenario."""

    def __init__(self, ip, port):
        self.ip, self.port = ip, port
        self.proc = subprocess.Popen(netns("pub", [
            "turnserver", "-n", f"--listening-ip={ip}", f"--relay-ip={ip}", f"--listening-port={port}",
            "--realm=peersync.test", "--lt-cred-mech", f"--user={TURN_USER}:{TURN_PASS}", "--no-tls", "--no-dtls",
            "--no-cli", "--min-port=40000", "--max-port=48000", f"--log-file={LAB_DIR}/coturn2.log", "--simple-log",
            f"--pidfile={LAB_DIR}/coturn2-own.pid"]), stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait(lambda: subprocess.run(netns("pub", ["ss", "-Hlun", f"sport = :{port}"]), capture_output=True,
                                    text=True).stdout.strip(), 10, "the second coturn")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)


def ice_servers(turns):
    out = [{"urls": [f"stun:{PUB1}:3478"]}]
    for ip, port in turns:
        out.append({"urls": [f"turn:{ip}:{port}?transport=udp"], "username": TURN_USER, "credential": TURN_PASS})
    return out


class Run:
    """One scenario: two fresh daemons, paired and sharing a generated dataset."""

    def __init__(self, name, turns=((PUB1, 3478),)):
        self.name = name
        self.work = tempfile.mkdtemp(prefix=f"{name}-", dir=LAB_DIR)
        servers = ice_servers(turns)
        self.a, self.b = Daemon(self.work, "A", servers), Daemon(self.work, "B", servers)

    def start(self, files):
        """files: [(relative path, size)]; written into A's folder before sharing."""
        for i, (rel, size) in enumerate(files):
            write_random(os.path.join(self.a.folder, rel), size, seed=zlib.crc32(f"{self.name}:{i}".encode()))
        self.bytes = sum(s for _, s in files)
        self.a.start(); self.b.start()
        self.a.ctl("devices", "add", self.b.id, "--name", self.b.name)
        self.b.ctl("devices", "add", self.a.id, "--name", self.a.name)
        self.t0 = time.monotonic()
        self.a.ctl("folders", "add", self.a.folder, "--id", "lab", "--with", self.b.id)
        self.b.ctl("folders", "add", self.b.folder, "--id", "lab", "--with", self.a.id)

    def wait_connected(self, timeout=40):
        def both():
            pa, pb = self.a.peer(self.b), self.b.peer(self.a)
            return (pa, pb) if pa and pb and pa.get("connected") and pb.get("connected") else None
        pa, pb = wait(both, timeout, "both daemons to report the peer connected", interval=0.2)
        self.connect_ms = int((time.monotonic() - self.t0) * 1000)
        self.types = f"{pa.get('connectionType') or '-'}/{pb.get('connectionType') or '-'}"
        self.path = "relayed" if "relay" in self.types else "direct"
        return self

    def refresh_types(self):
        pa, pb = self.a.peer(self.b), self.b.peer(self.a)
        if pa and pb and pa.get("connected") and pb.get("connected"):
            self.types = f"{pa.get('connectionType') or '-'}/{pb.get('connectionType') or '-'}"
            self.path = "relayed" if "relay" in self.types else "direct"

    def wait_synced(self, timeout):
        wait(lambda: listing(self.a.folder) == listing(self.b.folder) and tree(self.a.folder) == tree(self.b.folder),
             timeout, "both trees to match (SHA-256)", interval=0.5)
        self.sync_ms = int((time.monotonic() - self.t0) * 1000)

    def received(self):
        """Bytes actually written under B's folder, temp files included (allocated blocks, as a
        temp file may be sized up front): to see a transfer in progress."""
        total = 0
        for d, _, fs in os.walk(self.b.folder):
            for f in fs:
                try:
                    total += os.stat(os.path.join(d, f)).st_blocks * 512
                except OSError:
                    pass
        return total

    def stop(self):
        self.a.stop(); self.b.stop()


class Table:
    def __init__(self, path):
        self.path, self.failures = path, 0
        with open(path, "w") as f:
            f.write("scenario\tresult\tconnect_ms\tsync_ms\ttypes A/B\tpath\tbytes\tnotes\n")

    def row(self, name, result, run, notes):
        g = lambda k: str(getattr(run, k, "-")) if run else "-"
        with open(self.path, "a") as f:
            f.write("\t".join([name, result, g("connect_ms"), g("sync_ms"), g("types"), g("path"), g("bytes"), notes]) + "\n")
        if result not in ("PASS", "XFAIL"):
            self.failures += 1
        print(f"netlab-daemons: {name} {result} {notes}" + (f" (work {run.work})" if run and result == "FAIL" else ""),
              file=sys.stderr, flush=True)


DATASET = [("docs/a.bin", 1 << 20), ("docs/b.bin", 512 << 10), ("big/c.bin", 2 << 20), ("small/d.txt", 1000),
           ("small/e.txt", 0 + 37), ("f.bin", 400 << 10)]  # ~4 MB in 6 files


def scenario(table, name, body, **kw):
    run = None
    try:
        run = Run(name, **kw)
        result, notes = body(run)
    except Exception as e:  # a timeout or a syncctl failure: the scenario fails with the reason
        result, notes = "FAIL", re.sub(r"\s+", " ", str(e))[:200]
    finally:
        if run:
            run.stop()
    for d in ("A", "B"):
        lab("lab_netem", d, "off")
    table.row(name, result, run, notes)
    if result == "PASS" and run:
        shutil.rmtree(run.work, ignore_errors=True)


def nat_body(x, y):
    expect = "relayed" if f"{x}/{y}" in ("port-restricted/symmetric", "symmetric/port-restricted",
                                         "symmetric/symmetric") else "direct"

    def body(run):
        lab("lab_nat", "A", x); lab("lab_nat", "B", y)
        run.start(DATASET)
        run.wait_connected()
        run.wait_synced(60)
        run.refresh_types()
        if run.path != expect:
            return "FAIL", f"expected {expect}, got {run.path} ({run.types})"
        return "PASS", f"expected {expect}; 4 MB synced, SHA-256 identical"
    return body


def lossy(run):
    lab("lab_nat", "A", "port-restricted"); lab("lab_nat", "B", "port-restricted")
    lab("lab_netem", "A", "delay", "50ms", "5ms", "loss", "10%", "seed", "5")
    lab("lab_netem", "B", "delay", "50ms", "5ms", "loss", "10%", "seed", "6")
    run.start([("lossy/a.bin", 1536 << 10), ("lossy/b.txt", 4000), ("lossy/c.bin", 512 << 10)])
    run.wait_connected(60)
    run.wait_synced(150)
    return "PASS", "10% loss each way, 100 ms RTT: 2 MB byte-identical"


def link_down(run):
    lab("lab_nat", "A", "port-restricted"); lab("lab_nat", "B", "full-cone")
    run.start([("down/a.bin", 16 << 20)])
    run.wait_connected()
    wait(lambda: (1 << 20) <= run.received() < (8 << 20), 60, "the transfer to be under way (1-8 MiB of 16 received)", interval=0.05)
    got = run.received()
    subprocess.run(["ip", "-n", "psl-rA", "link", "set", "wan", "down"], check=True)
    time.sleep(10)
    subprocess.run(["ip", "-n", "psl-rA", "link", "set", "wan", "up"], check=True)
    up = time.monotonic()
    run.wait_synced(120)
    run.recovery = int((time.monotonic() - up) * 1000)
    run.refresh_types()
    return "PASS", f"link down 10 s at {got >> 10} KiB received; done {run.recovery} ms after link up"


def rebind(run):
    lab("lab_nat", "A", "port-restricted"); lab("lab_nat", "B", "full-cone")
    run.start([("rebind/a.bin", 16 << 20)])
    run.wait_connected()
    wait(lambda: (1 << 20) <= run.received() < (8 << 20), 60, "the transfer to be under way (1-8 MiB of 16 received)", interval=0.05)
    got = run.received()
    lab("lab_rebind", "A")
    t = time.monotonic()
    run.wait_synced(120)
    run.refresh_types()
    return "PASS", f"A's mapping moved at {got >> 10} KiB received; done {int((time.monotonic() - t) * 1000)} ms later"


class RendezvousServer:
    """syncd-rendezvous in psl-pub, restartable (a scenario stops it and starts it again)."""

    def __init__(self):
        self.log = open(os.path.join(LAB_DIR, "rendezvous.log"), "a")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(netns("pub", [os.path.join(BIN, "syncd-rendezvous"), "--host", PUB1, "--port", str(RDV_PORT)]),
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait(lambda: subprocess.run(netns("pub", ["python3", "-c", f"import urllib.request;urllib.request.urlopen('http://{PUB1}:{RDV_PORT}/healthz',timeout=2)"]),
                                    capture_output=True).returncode == 0, 60, "the rendezvous server's /healthz")
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


RENDEZVOUS = RendezvousServer()


def rendezvous_restart(run):
    lab("lab_nat", "A", "port-restricted"); lab("lab_nat", "B", "port-restricted")
    run.start(DATASET)
    run.wait_connected()
    run.wait_synced(60)
    RENDEZVOUS.stop()
    run.b.stop()
    run.b.start()   # its new connection to A needs signaling, which is down
    down = time.monotonic()
    time.sleep(2)
    if run.b.peer(run.a).get("connected"):
        return "FAIL", "B reconnected while the rendezvous server was down (it cannot have: no signaling)"
    RENDEZVOUS.start()
    back = time.monotonic()
    write_random(os.path.join(run.a.folder, "after-restart.bin"), 300_000, seed=7)
    wait(lambda: run.a.peer(run.b).get("connected") and run.b.peer(run.a).get("connected"), 60,
         "the daemons to reconnect through the restarted rendezvous server", interval=0.2)
    reconnect_ms = int((time.monotonic() - back) * 1000)
    run.wait_synced(60)
    run.refresh_types()
    return "PASS", (f"server down {int((back - down) * 1000)} ms with B restarted; reconnected {reconnect_ms} ms after "
                    "the server came back; a new file synced")


def turn_none(run):
    lab("lab_nat", "A", "symmetric"); lab("lab_nat", "B", "symmetric")
    run.start(DATASET)

    def reported():
        pa, pb = run.a.peer(run.b), run.b.peer(run.a)
        if not pa or not pb or pa.get("connected") or pb.get("connected"):
            return None
        problems = (pa.get("problem") or "", pb.get("problem") or "")
        return problems if all(f"{PUB2}:3479" in p for p in problems) else None
    problems = wait(reported, 60, "both daemons to report why they cannot connect", interval=0.5)
    if run.a.peer(run.b).get("connected") or run.b.peer(run.a).get("connected"):
        return "FAIL", "connected although no TURN server answers (symmetric NATs on both sides)"
    run.types, run.path = "-/-", "none"
    return "PASS", "not connected; status says: " + problems[0][:150]


def turn_down(run):
    lab("lab_nat", "A", "symmetric"); lab("lab_nat", "B", "symmetric")
    # The lab's coturn (the first TURN server) is stopped; the lab is torn down after this scenario.
    pids = subprocess.run(["ip", "netns", "pids", NS["pub"]], capture_output=True, text=True).stdout.split()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and os.path.basename(argv[0]) == b"turnserver" and f"--listening-ip={PUB1}".encode() in argv:
            os.kill(int(pid), signal.SIGTERM)
    wait(lambda: not subprocess.run(netns("pub", ["ss", "-Hlun", "sport = :3478"]), capture_output=True,
                                    text=True).stdout.strip(), 10, "the first coturn to stop")
    second = Coturn(PUB2, 3479)
    try:
        run.start(DATASET)
        run.wait_connected(60)
        run.wait_synced(60)
        run.refresh_types()
    finally:
        second.stop()
    if run.path != "relayed":
        return "FAIL", f"expected relayed through the second TURN server, got {run.types}"
    return "PASS", "first TURN server down; relayed through the second (203.0.113.2:3479)"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default=".")
    ap.add_argument("--results", default=os.path.join(LAB_DIR, "daemon-results.tsv"))
    args = ap.parse_args()
    for n in ("syncd", "syncctl", "syncd-rendezvous"):
        if not os.access(os.path.join(BIN, n), os.X_OK):
            raise SystemExit(f"netlab-daemons: {BIN}/{n} is missing: run `swift build` first (or set PEERSYNC_BIN)")
    table = Table(args.results)
    start = time.monotonic()
    try:
        RENDEZVOUS.start()
        types = ["full-cone", "restricted", "port-restricted", "symmetric"]
        for i in range(4):
            for j in range(i, 4):
                name = f"d-nat-{types[i]}-{types[j]}"
                if re.search(args.only, name):
                    scenario(table, name, nat_body(types[i], types[j]))
        for name, body in (("d-lossy", lossy), ("d-link-down", link_down), ("d-rebind", rebind)):
            if re.search(args.only, name):
                scenario(table, name, body)
        if re.search(args.only, "d-rendezvous-restart"):
            scenario(table, "d-rendezvous-restart", rendezvous_restart)
        if re.search(args.only, "d-turn-none"):
            scenario(table, "d-turn-none", turn_none, turns=((PUB2, 3479),))
        if re.search(args.only, "d-turn-down"):
            scenario(table, "d-turn-down", turn_down, turns=((PUB1, 3478), (PUB2, 3479)))
    finally:
        RENDEZVOUS.stop()
    print(f"netlab-daemons: scenarios took {int(time.monotonic() - start)} s", file=sys.stderr)
    sys.exit(1 if table.failures else 0)


if __name__ == "__main__":
    main()
