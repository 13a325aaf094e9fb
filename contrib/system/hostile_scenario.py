"""The `hostile-peer` daemon scenario: a malicious paired device against a real syncd.

`hostile-peer` (Sources/hostile-peer, a test tool) is paired with the victim by code through the
rendezvous server like any device, shares a folder with it, and then plays every attack, one
per folder stream (hostile index entries, symlink escapes, name collisions, zstd bombs, lying
sizes, an index flood). Meanwhile an honest daemon shares the same folder with the victim.

Checked: nothing is written outside the victim's folder (a canary folder next to it and the
folder's parent stay unchanged), no file with a hostile name exists, every protocol violation is
refused with a Close("protocol error") and logged naming the device and the reason, `syncctl
status` names the peer and the reason, the victim stays up with its RSS under the bound during
the flood, and the honest peer still syncs both ways afterwards.
"""
import json, os, threading, time

from harness import pair_by_code, pair_by_id, rss_kib, sha256, wait, write_random

# Every attack of hostile-peer, in the order played (index floods last: dropping their records is slow).
ALL_ATTACKS = ["dotdot", "absolute", "dotdot-middle", "nul", "long-component", "long-path", "symlink-escape",
               "case-collision", "unicode-collision", "zstd-bomb", "zstd-lying-header", "size-mismatch", "bad-chunk",
               "short-chunk", "huge-file", "index-flood", "fat-index"]
RSS_BOUND_MIB = int(os.environ.get("HOSTILE_RSS_BOUND_MIB", "200"))
HOSTILE_NAMES = ("dotdot.txt", "absolute.txt", "middle.txt", "long.txt", "through-abs.txt", "through-rel.txt",
                 "bomb.bin", "liar-size.bin", "huge.bin", "bad-chunk.bin", "short-chunk.bin")


def snapshot(path):
    """{relative path: (kind, size, sha256 or link target)} of everything under path, links not followed."""
    out = {}
    for d, dirs, files in os.walk(path):
        for n in dirs + files:
            p = os.path.join(d, n)
            rel = os.path.relpath(p, path)
            if os.path.islink(p):
                out[rel] = ("link", 0, os.readlink(p))
            elif os.path.isdir(p):
                out[rel] = ("dir", 0, "")
            else:
                out[rel] = ("file", os.path.getsize(p), sha256(p))
    return out


class RSSMonitor(threading.Thread):
    """Samples a process's VmRSS every 100 ms; `peak_mib` is the largest sample."""

    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self.stopped = pid, 0, False

    def run(self):
        while not self.stopped:
            v = rss_kib(self.pid)
            if v is None:
                return
            self.peak = max(self.peak, v)
            time.sleep(0.1)

    @property
    def peak_mib(self):
        return self.peak / 1024


def hostile_peer(ctx, sync_timeout):
    bins = ctx.bins
    if not os.access(bins.path("hostile-peer"), os.X_OK):
        raise SystemExit(f"{bins.path('hostile-peer')} is missing: run `swift build --product hostile-peer` first")
    flood = int(os.environ.get("HOSTILE_FLOOD", "1000000" if getattr(ctx.args, "heavy", False) else "3000"))
    fat_seconds = os.environ.get("HOSTILE_FAT_SECONDS", "10")
    heavy = getattr(ctx.args, "heavy", False)
    chosen = os.environ.get("HOSTILE_ATTACKS", "").split(",") if os.environ.get("HOSTILE_ATTACKS") else \
        [a for a in ALL_ATTACKS if heavy or a != "fat-index"]
    attacks = ",".join(chosen)
    r = ctx.rendezvous()
    victim = ctx.daemon("victim", r).start()
    honest = ctx.daemon("honest", r).start()
    pv, ph = os.path.join(victim.root, "Sync"), os.path.join(honest.root, "Sync")
    canary = os.path.join(victim.root, "canary")
    os.makedirs(canary)
    with open(os.path.join(canary, "canary.txt"), "w") as f:
        f.write("nothing may be written next to me\n")
    report = os.path.join(ctx.work, "hostile-report.jsonl")
    hostile = ctx.daemon("hostile", r, program="hostile-peer",
                         args=["--attack", attacks, "--report", report, "--canary", canary, "--escape", "../canary",
                               "--flood-count", str(flood), "--fat-seconds", fat_seconds]).start()

    t0 = time.monotonic()
    pair_by_code(victim, hostile)
    pair_by_id(victim, honest)
    t_pair = time.monotonic() - t0
    write_random(os.path.join(ph, "before.bin"), 200_000, 1)
    os.makedirs(pv, exist_ok=True)
    before_parent = sorted(os.listdir(victim.root))
    before_canary = snapshot(canary)
    os.makedirs(ph, exist_ok=True)
    victim.ctl("folders", "add", pv, "--id", "f", "--with", honest.id, "--with", hostile.id)
    honest.ctl("folders", "add", ph, "--id", "f", "--with", victim.id)
    os.makedirs(os.path.join(hostile.root, "Sync"), exist_ok=True)
    hostile.ctl("folders", "add", os.path.join(hostile.root, "Sync"), "--id", "f", "--with", victim.id)

    monitor = RSSMonitor(victim.proc.pid)
    monitor.start()
    total = None

    def finished():
        if not os.path.exists(report):
            return None
        with open(report) as f:
            lines = [json.loads(l) for l in f if l.strip()]
        return lines if total is not None and len(lines) >= total else None

    total = len(chosen)
    t1 = time.monotonic()
    results = wait(finished, sync_timeout + flood / 100 + (1800 if "fat-index" in chosen else 0), f"hostile-peer to finish {total} attacks (report {report})", interval=0.5)
    t_attacks = time.monotonic() - t1
    monitor.stopped = True
    peak_hwm = (rss_kib(victim.proc.pid, "VmHWM") or 0) / 1024
    peak = max(monitor.peak_mib, peak_hwm)

    assert victim.proc.poll() is None, f"the victim syncd exited with {victim.proc.returncode}"
    log = victim.log_text()
    problems = []
    for res in results:
        name = res["attack"]
        protocol = name in ("dotdot", "absolute", "dotdot-middle", "nul", "long-component", "long-path", "zstd-bomb",
                            "zstd-lying-header", "size-mismatch", "huge-file")
        if protocol:
            if res["outcome"] != "victim-closed" or res.get("victimReason") != "protocol error":
                problems.append(f"{name}: the victim did not refuse it ({res['outcome']}, {res.get('victimReason')})")
        elif res["outcome"] != "sentinel-placed":
            problems.append(f"{name}: the victim did not keep syncing on the stream ({res['outcome']}, {res.get('victimReason')})")
    assert not problems, "; ".join(problems)
    # Files the attacks announced honestly (sentinels, both names of each collision) arrive intact.
    expected = [(rel, digest) for res in results for rel, digest in res.get("expectedFiles", [])]
    def placed():
        return all(os.path.isfile(os.path.join(pv, rel)) and sha256(os.path.join(pv, rel)) == digest for rel, digest in expected)
    try:
        wait(placed, 60, "the honestly announced files on the victim", interval=0.5)
    except TimeoutError:
        missing = [rel for rel, digest in expected if not (os.path.isfile(os.path.join(pv, rel))
                                                           and sha256(os.path.join(pv, rel)) == digest)]
        raise AssertionError(f"missing or different on the victim: {[m.encode() for m in missing]}")

    # Nothing outside the folder, no hostile name inside it.
    assert snapshot(canary) == before_canary, f"the canary folder changed: {snapshot(canary)}"
    assert sorted(os.listdir(victim.root)) == before_parent, f"the folder's parent changed: {sorted(os.listdir(victim.root))}"
    inside = snapshot(pv)
    bad = [p for p in inside if os.path.basename(p) in HOSTILE_NAMES or "\0" in p
           or any(len(c.encode()) > 255 for c in p.split("/"))]
    assert not bad, f"hostile names exist in the victim's folder: {bad}"
    links = {p: v[2] for p, v in inside.items() if v[0] == "link"}

    # Refusals logged naming the device and the reason, and shown by syncctl status.
    refusals = [l for l in log.splitlines() if "peer broke the protocol" in l]
    assert refusals and all(hostile.id in l for l in refusals), f"refusals not logged with the device ID: {refusals[:3]}"
    for reason in ("invalid path", "decompression", "file size", "chunks cover"):
        assert any(reason in l for l in refusals), f"no logged refusal says '{reason}'"
    if "symlink-escape" in chosen:
        assert "is a symlink; PeerSync never writes through one" in log, "the refused write through a symlink is not logged"
    status = victim.ctl("status")
    assert hostile.id in status, "syncctl status does not show the refusal"
    folder = victim.folder("f")
    assert folder.get("error") and hostile.id[:7] in folder["error"], f"syncctl status does not name the peer: {folder.get('error')}"
    assert victim.proc.poll() is None, "the victim syncd died"
    assert peak < RSS_BOUND_MIB, f"the victim's RSS reached {peak:.0f} MiB (bound {RSS_BOUND_MIB} MiB)"

    # The honest peer still syncs both ways.
    t2 = time.monotonic()
    write_random(os.path.join(ph, "after.bin"), 300_000, 2)
    write_random(os.path.join(pv, "victim-after.bin"), 300_000, 3)
    honest.ctl("folders", "rescan", "f")
    victim.ctl("folders", "rescan", "f")
    wait(lambda: all(os.path.exists(os.path.join(d, n)) and sha256(os.path.join(d, n)) == sha256(os.path.join(s, n))
                     for d, s, n in ((pv, ph, "after.bin"), (ph, pv, "victim-after.bin"), (pv, ph, "before.bin"))),
         sync_timeout, "the honest peer and the victim to sync after the attacks")
    t_honest = time.monotonic() - t2
    protocol_refused = sum(1 for res in results if res["outcome"] == "victim-closed")
    return {"attacks": f"{len(results)} ({protocol_refused} refused as protocol errors, "
                       f"{len(results) - protocol_refused} survived with the stream alive)",
            "flood entries": flood, "victim peak RSS MiB": f"{peak:.0f} (bound {RSS_BOUND_MIB})",
            "symlinks kept as links": len(links), "pair s": f"{t_pair:.1f}", "attacks s": f"{t_attacks:.1f}",
            "honest sync after s": f"{t_honest:.1f}", "status error": (folder.get("error") or "")[:70]}
