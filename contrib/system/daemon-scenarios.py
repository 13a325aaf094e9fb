#!/usr/bin/env python3
"""Daemon scenarios of the system suite: whole syncd processes on loopback, pass/fail each.

    contrib/system/daemon-scenarios.py [--only NAME,...] [--kills N] [--heavy] [--keep] [--list]

Scenarios (run as root for the tmpfs and other-user ones, as CI does):
  control-socket      another local user cannot use the control socket: the file mode keeps it
                      out, and SO_PEERCRED refuses it even when the socket is made world-writable
  sync                two daemons paired by ID sync a mixed dataset both ways, with an edit, a
                      delete and a rename, verified by SHA-256
  intruder            a third daemon with its own valid certificate that knows both device IDs
                      cannot connect or get a file
  rendezvous-restart  the rendezvous server is restarted; the daemons reconnect and a new file syncs
  sigkill             the receiving daemon is SIGKILLed at N random moments of a large sync: after
                      each kill no file at its final name differs from the source, the index
                      passes PRAGMA integrity_check, and after restarts the trees are identical
  disk-full           the receiver's folder is a small tmpfs: status reports the error, no file is
                      half-published, and the sync completes once the tmpfs is grown
  clock-jump          the receiver's wall clock jumps a day ahead and then back (libfaketime); new
                      files keep syncing in both directions
  evil-fingerprint    a malicious rendezvous server rewrites the DTLS fingerprints in the SDP it
                      relays: the daemons refuse the connection, log why, and no file crosses
  evil-pairing        a malicious rendezvous server alters the pairing messages: pairing by code
                      fails on both sides with a clear message and neither trust store changes
  hostile-peer        a malicious paired device (hostile-peer, paired by code) sends hostile paths,
                      symlink escapes, name collisions, zstd bombs, lying sizes and an index flood
                      (HOSTILE_FLOOD entries, 3 000; --heavy: 1 000 000 and fat-index): refused with logged
                      reasons naming it, nothing written outside the folder, RSS bounded, and an
                      honest peer still syncs (contrib/system/hostile_scenario.py)

Prints a table (scenario, result, figures) and writes it to $SYSTEM_DIR/daemon-results.tsv
(default /tmp/peersync-system). Exit status 0 only when every scenario run passed.
Uses the debug build by default (PEERSYNC_BIN overrides the folder of the executables).
"""
import argparse, glob, json, os, random, shutil, signal, sqlite3, subprocess, sys, tempfile, time, traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile_scenario import hostile_peer  # noqa: E402
from harness import (Bin, Daemon, Rendezvous, pair_by_id, sha256, share, tree, wait, wait_same_tree,  # noqa: E402
                     write_random, listing)

SYNC_TIMEOUT = float(os.environ.get("SCENARIO_SYNC_TIMEOUT", "120"))


class Context:
    def __init__(self, work, bins, args):
        self.work, self.bins, self.args = work, bins, args
        self.cleanups = []

    def dir(self, name):
        p = os.path.join(self.work, name)
        os.makedirs(p, exist_ok=True)
        return p

    def rendezvous(self):
        r = Rendezvous(self.bins, self.work).start()
        self.cleanups.append(r.stop)
        return r

    def daemon(self, name, rendezvous, **kw):
        d = Daemon(self.bins, self.work, name, rendezvous, **kw)
        self.cleanups.append(d.stop)
        return d

    def close(self):
        for c in reversed(self.cleanups):
            try:
                c()
            except Exception:
                pass


def two_paired(ctx, folder="f"):
    r = ctx.rendezvous()
    a, b = ctx.daemon("a", r).start(), ctx.daemon("b", r).start()
    pair_by_id(a, b)
    pa, pb = os.path.join(a.root, "Sync"), os.path.join(b.root, "Sync")
    return r, a, b, pa, pb


# ---------------------------------------------------------------- scenarios

def control_socket(ctx):
    r = ctx.rendezvous()
    a = ctx.daemon("a", r).start()
    sock = os.path.join(a.state, "syncd.sock")
    mode = os.stat(sock).st_mode & 0o777
    assert mode == 0o600, f"control socket mode is {oct(mode)}, expected 0600"
    probe = ("import socket,sys\n"
             "s=socket.socket(socket.AF_UNIX)\n"
             "try:\n s.connect(sys.argv[1])\nexcept OSError as e:\n print('refused:',e.strerror); sys.exit(0)\n"
             "s.sendall(b'GET /identity HTTP/1.1\\r\\nHost: syncd\\r\\nConnection: close\\r\\n\\r\\n')\n"
             "s.settimeout(10); d=b''\n"
             "try:\n while True:\n  c=s.recv(65536)\n  if not c: break\n  d+=c\nexcept OSError: pass\n"
             "print(d.decode(errors='replace'))\n")
    as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable, "-c", probe, sock]
    out1 = subprocess.run(as_nobody, capture_output=True, text=True, timeout=30).stdout
    assert "refused" in out1 and a.id not in out1, f"another user reached the socket through its file mode: {out1[:200]}"
    # Misconfigure on purpose: open the folder and the socket to everyone; SO_PEERCRED must still refuse.
    for d in (ctx.work, a.root, a.state):
        os.chmod(d, 0o755)
    os.chmod(sock, 0o666)
    out2 = subprocess.run(as_nobody, capture_output=True, text=True, timeout=30).stdout
    os.chmod(a.state, 0o700)
    assert not out2.startswith("refused"), f"the world-writable socket could not even be reached: {out2[:200]}"
    assert a.id not in out2 and '"deviceID"' not in out2, f"another user got an answer from the socket: {out2[:300]}"
    assert a.ctl("id").strip(), "the owner lost access"
    return {"file mode": "0600, other user refused", "world-writable socket": "refused by SO_PEERCRED"}


def sync_both_ways(ctx):
    _, a, b, pa, pb = two_paired(ctx)
    rng = random.Random(1)
    for i in range(150):
        write_random(os.path.join(pa, f"small/d{i % 10}/f{i}.bin"), rng.randint(0, 48 << 10), i)
    for i in range(3):
        write_random(os.path.join(pa, f"big/b{i}.bin"), 8 << 20, 1000 + i)
    write_random(os.path.join(pb, "from-b/hello.bin"), 300_000, 77)
    t0 = time.monotonic()
    wait(lambda: a.connected_to(b), SYNC_TIMEOUT, "a and b to connect")
    t_connect = time.monotonic() - t0
    t0 = time.monotonic()
    share("f", (a, pa), (b, pb))
    files = wait_same_tree(pa, pb, SYNC_TIMEOUT, "the initial sync")
    t_initial = time.monotonic() - t0
    # Edits on both sides: modify, delete, rename.
    with open(os.path.join(pa, "big/b0.bin"), "r+b") as f:
        f.seek(4 << 20)
        f.write(b"edited in the middle" * 50)
    os.remove(os.path.join(pb, "small/d1/f1.bin"))
    os.rename(os.path.join(pb, "small/d2/f2.bin"), os.path.join(pb, "small/d2/f2-renamed.bin"))
    t1 = time.monotonic()
    for d in (a, b):
        d.ctl("folders", "rescan", "f")
    final = wait_same_tree(pa, pb, SYNC_TIMEOUT, "the edits to sync")
    assert "small/d1/f1.bin" not in final and "small/d2/f2-renamed.bin" in final and "small/d2/f2.bin" not in final
    return {"files": len(files), "connect s": f"{t_connect:.1f}", "initial s": f"{t_initial:.1f}",
            "edits s": f"{time.monotonic() - t1:.1f}"}


def intruder(ctx):
    r, a, b, pa, pb = two_paired(ctx)
    write_random(os.path.join(pa, "secret.bin"), 100_000, 5)
    share("f", (a, pa), (b, pb))
    wait_same_tree(pa, pb, SYNC_TIMEOUT, "a and b to sync")
    c = ctx.daemon("c", r).start()
    pc = os.path.join(c.root, "Sync")
    c.ctl("devices", "add", a.id, "--name", "a")
    c.ctl("devices", "add", b.id, "--name", "b")
    c.ctl("folders", "add", pc, "--id", "f", "--with", a.id, "--with", b.id)  # a and b never agreed
    t0 = time.monotonic()
    time.sleep(float(os.environ.get("INTRUDER_WAIT", "8")))
    assert not a.connected_to(c) and not b.connected_to(c), "a paired daemon lists the intruder as connected"
    assert not c.connected_to(a) and not c.connected_to(b), "the intruder reports a connection"
    assert not os.path.exists(os.path.join(pc, "secret.bin")), "the intruder got a file"
    refused = any(w in (a.log_text() + b.log_text()).lower() for w in ("unknown device", "not paired", "refus", "unpaired"))
    return {"waited s": f"{time.monotonic() - t0:.0f}", "refusal logged": "yes" if refused else "no"}


def rendezvous_restart(ctx):
    r, a, b, pa, pb = two_paired(ctx)
    share("f", (a, pa), (b, pb))
    write_random(os.path.join(pa, "one.bin"), 50_000, 1)
    wait_same_tree(pa, pb, SYNC_TIMEOUT, "the first file")
    r.stop()
    time.sleep(1)
    r.start()
    t0 = time.monotonic()
    write_random(os.path.join(pb, "two.bin"), 50_000, 2)
    b.ctl("folders", "rescan", "f")
    wait_same_tree(pa, pb, SYNC_TIMEOUT, "a file written after the rendezvous restart")
    return {"after restart s": f"{time.monotonic() - t0:.1f}"}


def check_no_torn_files(source_tree, dest, db_path):
    """Every file at its final name in dest equals the source; the index database is intact."""
    for rel, digest in tree(dest).items():
        assert rel in source_tree, f"unexpected file {rel} in the receiver"
        assert source_tree[rel] == digest, f"torn or mixed file at its final name: {rel}"
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        result = con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()
    assert result == "ok", f"index database integrity_check: {result}"


def sigkill(ctx):
    _, a, b, pa, pb = two_paired(ctx)
    # Enough data that the sync is still running at the last kill (a long run asks for 50):
    # 36 MiB per kill asked for (24 MiB per kill ran out after 37 of 50 once pulled files were
    # flushed in the background).
    for i in range(max(4, ctx.args.kills * 3 // 2)):
        write_random(os.path.join(pa, f"big{i}.bin"), 24 << 20, 10 + i)
    for i in range(200):
        write_random(os.path.join(pa, f"small/s{i}.bin"), 20_000, 100 + i)
    source = tree(pa)
    share("f", (a, pa), (b, pb))
    rng = random.Random(int(os.environ.get("SCENARIO_SEED", "7")))
    kills = rounds = 0
    while kills < ctx.args.kills:
        time.sleep(rng.uniform(0.2, 2.5))
        if listing(pb) == listing(pa) and tree(pb) == source:
            # The sync finished before every kill was made: give it more to pull (written aside
            # and renamed in, so A never shares a half-written file), so that each kill asked for
            # lands in the middle of a sync.
            rounds += 1
            staging = os.path.join(os.path.dirname(pa), f"staging{rounds}")
            for i in range(8):
                write_random(os.path.join(staging, f"b{i}.bin"), 24 << 20, 1000 * rounds + i)
            added = tree(staging)
            os.rename(staging, os.path.join(pa, f"more{rounds}"))
            source.update({os.path.join(f"more{rounds}", k): v for k, v in added.items()})
            time.sleep(rng.uniform(0.5, 2.0))   # A notices the new files and B starts pulling them
        b.kill(signal.SIGKILL)
        kills += 1
        check_no_torn_files(source, pb, os.path.join(b.state, "index.sqlite"))
        b.start()
    wait_same_tree(pa, pb, SYNC_TIMEOUT * 2, "the trees to match after the kills")
    check_no_torn_files(source, pb, os.path.join(b.state, "index.sqlite"))
    return {"kills": kills, "files": len(source), "data rounds added": rounds, "seed": os.environ.get("SCENARIO_SEED", "7")}


def disk_full(ctx):
    r = ctx.rendezvous()
    a, b = ctx.daemon("a", r).start(), ctx.daemon("b", r).start()
    pair_by_id(a, b)
    pa = os.path.join(a.root, "Sync")
    mnt = ctx.dir("b-tmpfs")
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", mnt], check=True)
    ctx.cleanups.append(lambda: subprocess.run(["umount", "-l", mnt]))
    pb = os.path.join(mnt, "Sync")
    for i in range(6):
        write_random(os.path.join(pa, f"f{i}.bin"), 4 << 20, 50 + i)
    source = tree(pa)
    share("f", (a, pa), (b, pb))

    def reported():
        f = b.folder("f")
        return f.get("error") and f
    status = wait(reported, SYNC_TIMEOUT, "the receiver to report the full disk in status")
    check_no_torn_files(source, pb, os.path.join(b.state, "index.sqlite"))
    subprocess.run(["mount", "-o", "remount,size=64m", mnt], check=True)
    t0 = time.monotonic()
    b.ctl("folders", "rescan", "f")
    wait_same_tree(pa, pb, SYNC_TIMEOUT, "the sync to finish after space returned")
    return {"error shown": status["error"][:60], "resumed s": f"{time.monotonic() - t0:.1f}"}


def clock_jump(ctx):
    libs = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
    if not libs:
        raise AssertionError("libfaketime is not installed (Debian package faketime; contrib/setup.sh installs it)")
    r = ctx.rendezvous()
    stamp = os.path.join(ctx.work, "faketime")
    with open(stamp, "w") as f:
        f.write("+0\n")
    env = {"LD_PRELOAD": libs[0], "FAKETIME_TIMESTAMP_FILE": stamp, "FAKETIME_NO_CACHE": "1",
           "FAKETIME_DONT_FAKE_MONOTONIC": "1", "DONT_FAKE_MONOTONIC": "1"}
    a = ctx.daemon("a", r).start()
    # Started through `env`: a Swift program exec'd directly with libfaketime preloaded sees no
    # command-line arguments (seen with Debian 12's libfaketime 0.9.10); through a wrapper it does.
    b = ctx.daemon("b", r, extra_env=env).start(wrapper=("env",))
    pair_by_id(a, b)
    pa, pb = os.path.join(a.root, "Sync"), os.path.join(b.root, "Sync")
    share("f", (a, pa), (b, pb))
    write_random(os.path.join(pa, "before.bin"), 100_000, 1)
    wait_same_tree(pa, pb, SYNC_TIMEOUT, "the first file")
    figures = {}
    for label, offset, shift in (("+1 day", "+1d", 86400), ("back to now", "+0", 0)):
        with open(stamp, "w") as f:
            f.write(offset + "\n")
        # Proof that syncd's wall clock moved: it stamps a log line with the faked date.
        probe = f"probe{shift}"
        b.ctl("folders", "add", os.path.join(b.root, probe), "--id", probe)
        day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + shift))
        assert any(day in line and "folder added" in line and probe in line for line in b.log_text().splitlines()), \
            f"syncd's clock did not jump to {day} (libfaketime not effective?)"
        t0 = time.monotonic()
        write_random(os.path.join(pa, f"a-{offset}.bin"), 100_000, hash(offset) & 0xFFFF)
        write_random(os.path.join(pb, f"b-{offset}.bin"), 100_000, (hash(offset) + 1) & 0xFFFF)
        a.ctl("folders", "rescan", "f")
        b.ctl("folders", "rescan", "f")
        wait_same_tree(pa, pb, SYNC_TIMEOUT, f"files written after the clock jump {label}")
        figures[label] = f"{time.monotonic() - t0:.1f} s"
    return figures


class EvilRendezvous:
    """contrib/system/evil_rendezvous.py in front of a real server; daemons point at its URL."""

    def __init__(self, ctx, mode):
        from harness import free_port
        self.real = ctx.rendezvous()
        self.port = free_port()
        python = os.environ.get("PEERSYNC_PYTHON") or os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__)))), ".venv", "bin", "python")
        self.out = os.path.join(ctx.work, "evil.out")
        self.proc = subprocess.Popen([python, os.path.join(os.path.dirname(os.path.abspath(__file__)), "evil_rendezvous.py"),
                                      "--listen", str(self.port), "--upstream", self.real.url, "--mode", mode],
                                     stdout=open(self.out, "w"), stderr=subprocess.STDOUT)
        ctx.cleanups.append(self.stop)
        wait(lambda: "ready" in open(self.out).read(), 30, "the malicious rendezvous relay to start (needs `websockets` in .venv: contrib/setup.sh)")

    @property
    def url(self):
        return f"ws://127.0.0.1:{self.port}/ws"

    def tampered(self):
        return sum(1 for line in open(self.out) if line.startswith("tampered"))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def evil_fingerprint(ctx):
    evil = EvilRendezvous(ctx, "fingerprint")
    a, b = ctx.daemon("a", evil).start(), ctx.daemon("b", evil).start()
    pair_by_id(a, b)
    pa, pb = os.path.join(a.root, "Sync"), os.path.join(b.root, "Sync")
    write_random(os.path.join(pa, "secret.bin"), 50_000, 3)
    share("f", (a, pa), (b, pb))
    wait(lambda: evil.tampered() > 0, 60, "the relay to see and rewrite an offer")
    time.sleep(float(os.environ.get("EVIL_WAIT", "8")))
    assert not a.connected_to(b) and not b.connected_to(a), "a connection was accepted with a forged fingerprint"
    assert not os.path.exists(os.path.join(pb, "secret.bin")), "a file crossed a connection with a forged fingerprint"
    logs = (a.log_text() + b.log_text())
    assert "not its device ID" in logs, "the refusal is not logged"
    return {"tampered frames": evil.tampered(), "refused": "yes, logged"}


def evil_pairing(ctx):
    evil = EvilRendezvous(ctx, "pairing")
    a, b = ctx.daemon("a", evil).start(), ctx.daemon("b", evil).start()
    waiter = subprocess.Popen([a.bins.path("syncctl"), "pair", "--state-dir", a.state], env=a.env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ctx.cleanups.append(waiter.kill)
    code = None
    for line in waiter.stdout:
        if "syncctl pair " in line:
            code = line.split()[-1]
            break
    assert code, "syncctl pair printed no code"
    joined = subprocess.run([b.bins.path("syncctl"), "pair", code, "--state-dir", b.state], env=b.env,
                            capture_output=True, text=True, timeout=120)
    rest = waiter.communicate(timeout=120)[0]
    assert joined.returncode != 0, f"pairing succeeded through a tampering server: {joined.stdout}"
    assert waiter.returncode != 0, f"the waiting side reported success: {rest}"
    assert evil.tampered() > 0, "the relay tampered with nothing"
    for d in (a, b):
        devices = json.loads(d.ctl("devices", "list", "--json"))
        assert devices == [], f"{d.name} trusts {devices} after a failed pairing"
    message = next((l for l in (joined.stdout + joined.stderr).splitlines() if "pairing" in l), "")
    return {"tampered frames": evil.tampered(), "joiner said": message[:80]}


SCENARIOS = [
    ("control-socket", control_socket),
    ("sync", sync_both_ways),
    ("intruder", intruder),
    ("rendezvous-restart", rendezvous_restart),
    ("sigkill", sigkill),
    ("disk-full", disk_full),
    ("clock-jump", clock_jump),
    ("evil-fingerprint", evil_fingerprint),
    ("evil-pairing", evil_pairing),
    ("hostile-peer", lambda ctx: hostile_peer(ctx, SYNC_TIMEOUT)),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated scenario names")
    ap.add_argument("--kills", type=int, default=int(os.environ.get("SCENARIO_KILLS", "8")),
                    help="SIGKILLs in the sigkill scenario (the issue's long run uses 50)")
    ap.add_argument("--keep", action="store_true", help="keep the work folders")
    ap.add_argument("--heavy", action="store_true", help="heavier variants (hostile-peer: a 1 000 000-entry index flood)")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        print("\n".join(n for n, _ in SCENARIOS))
        return 0
    chosen = [(n, f) for n, f in SCENARIOS if not args.only or n in args.only.split(",")]
    bins = Bin()
    outdir = os.environ.get("SYSTEM_DIR", "/tmp/peersync-system")
    os.makedirs(outdir, exist_ok=True)
    rows = []
    for name, fn in chosen:
        work = tempfile.mkdtemp(prefix=f"peersync-{name}.", dir="/tmp")
        ctx = Context(work, bins, args)
        t0 = time.monotonic()
        print(f"scenario {name}: running (work folder {work})", file=sys.stderr, flush=True)
        try:
            figures = fn(ctx)
            rows.append((name, "PASS", f"{time.monotonic() - t0:.0f} s", "; ".join(f"{k}: {v}" for k, v in figures.items())))
        except Exception as e:
            detail = str(e) if isinstance(e, (AssertionError, TimeoutError)) else traceback.format_exc(limit=3)
            rows.append((name, "FAIL", f"{time.monotonic() - t0:.0f} s", detail.replace("\n", " | ")[:400]))
            print(f"scenario {name}: FAILED: {detail}\n  logs: {work}", file=sys.stderr, flush=True)
            args.keep = True
        finally:
            ctx.close()
            if not args.keep:
                shutil.rmtree(work, ignore_errors=True)
    with open(os.path.join(outdir, "daemon-results.tsv"), "w") as f:
        f.write("scenario\tresult\ttime\tfigures\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    width = max(len(r[0]) for r in rows)
    print(f"\n{'scenario'.ljust(width)}  result  time   figures")
    for n, res, t, fig in rows:
        print(f"{n.ljust(width)}  {res:<6}  {t:<5}  {fig}")
    failed = sum(r[1] == "FAIL" for r in rows)
    print(f"{len(rows) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
