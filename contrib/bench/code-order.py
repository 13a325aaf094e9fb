#!/usr/bin/env python3
"""Writes syncd's code order file (Sources/syncd/syncd.order) from the code a sync really runs.

    contrib/bench/code-order.py [--bin DIR] [--scale 0.5] [--out Sources/syncd/syncd.order]

Release builds of syncd are linked with that file (Package.swift, `leanLinking(orderFile:)`):
the functions it lists are placed first, in its order, so the code a daemon runs sits together.
The kernel maps an executable's pages 64 KiB around each page fault, so a working set spread
thinly over the whole 24 MB of code kept most of it resident (peak RSS counts those pages).

How the list is made: contrib/bench/sync-compare.py runs PeerSync alone (an initial sync of the
benchmark dataset at --scale, then the incremental one) with the release binaries in --bin. Both
daemons start with one-page-mappings.c preloaded, which splits their own code into one-page
mappings so that no page is mapped unless it was touched. Every half second this script reads
which of those pages are present (/proc/PID/pagemap); at the end every function (nm) that
overlaps a touched page is written out, in the order of the binary that was measured. Measuring
a binary that was already linked with the file keeps the order stable between runs.

Rerun it when a change moves a lot of code (peak RSS in sync-compare grows back towards the
64 MiB target); a stale file only costs memory, never correctness. Needs cc, nm and readelf.
"""
import argparse, os, struct, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def own_mappings(pid, exe):
    """The executable's read-only and executable mappings in process `pid`: (start, end, file offset)."""
    out = []
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split(maxsplit=5)
            if len(parts) < 6 or parts[5].rstrip("\n") != exe or "w" in parts[1]:
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            out.append((start, end, int(parts[2], 16)))
    return out


def touched_pages(pid, exe):
    """File page numbers of `exe` present in process `pid` (one-page mappings: present = touched)."""
    pages = set()
    with open(f"/proc/{pid}/pagemap", "rb") as pm:
        for start, end, offset in own_mappings(pid, exe):
            if end - start != 4096:
                continue   # not split (the preload did not run in this process)
            pm.seek((start // 4096) * 8)
            (entry,) = struct.unpack("<Q", pm.read(8))
            if entry >> 63:
                pages.add(offset // 4096)
    return pages


def sample(exe, pages, stop):
    """Adds the touched pages of every running process of `exe` to `pages` until `stop` is set."""
    while not stop.wait(0.5):
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                if os.readlink(f"/proc/{pid}/exe") != exe:
                    continue
                pages |= touched_pages(pid, exe)
            except OSError:
                pass   # exited meanwhile


def load_segments(exe):
    """(file offset, virtual address, file size) of each loadable segment."""
    out = []
    for line in subprocess.run(["readelf", "-lW", exe], capture_output=True, text=True, check=True).stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "LOAD":
            out.append((int(parts[1], 16), int(parts[2], 16), int(parts[4], 16)))
    return out


def functions_on(exe, file_pages):
    """Names of the functions of `exe` that overlap one of `file_pages`, in address order."""
    virtual, segments = set(), load_segments(exe)
    for page in file_pages:
        for offset, vaddr, size in segments:
            if offset <= page * 4096 < offset + size:
                virtual.add((page * 4096 - offset + vaddr) // 4096)
                break
    names, seen, total = [], set(), 0
    listing = subprocess.run(["nm", "-S", "--defined-only", "-n", exe], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        parts = line.split(None, 3)
        if len(parts) != 4 or parts[2] not in ("t", "T", "w", "W"):
            continue
        address, size, name = int(parts[0], 16), int(parts[1], 16), parts[3]
        if size == 0 or name in seen:
            continue
        if any(p in virtual for p in range(address // 4096, (address + size - 1) // 4096 + 1)):
            seen.add(name)
            names.append(name)
            total += size
    return names, total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(ROOT, ".build", "release"), help="folder of the release executables")
    ap.add_argument("--scale", default="0.5", help="dataset scale for sync-compare.py (1.0 is ~1 GiB)")
    ap.add_argument("--out", default=os.path.join(ROOT, "Sources", "syncd", "syncd.order"))
    args = ap.parse_args()
    exe = os.path.realpath(os.path.join(args.bin, "syncd"))
    if not os.access(exe, os.X_OK):
        sys.exit(f"code-order: no syncd in {args.bin}; build it with "
                 "`swift build -c release --static-swift-stdlib --product syncd` (and syncctl, syncd-rendezvous)")
    with tempfile.TemporaryDirectory(prefix="peersync-code-order.") as tmp:
        preload = os.path.join(tmp, "one-page-mappings.so")
        subprocess.run(["cc", "-O2", "-shared", "-fPIC", "-o", preload, os.path.join(ROOT, "contrib", "bench", "one-page-mappings.c")], check=True)
        pages, stop = set(), threading.Event()
        sampler = threading.Thread(target=sample, args=(exe, pages, stop), daemon=True)
        sampler.start()
        env = dict(os.environ, LD_PRELOAD=preload, PEERSYNC_BIN=os.path.dirname(exe))
        run = subprocess.run([sys.executable, os.path.join(ROOT, "contrib", "bench", "sync-compare.py"),
                              "--scale", args.scale, "--only", "peersync", "--no-settle"], env=env)
        stop.set()
        sampler.join()
    if run.returncode != 0:
        sys.exit(f"code-order: sync-compare.py failed (exit {run.returncode}); nothing written")
    if not pages:
        sys.exit("code-order: no touched pages seen (did the preload run? is /proc/PID/pagemap readable?)")
    names, total = functions_on(exe, pages)
    with open(args.out, "w") as f:
        f.write("# syncd's code order (lld --symbol-ordering-file): the functions an initial and an incremental\n"
                f"# sync ran, {len(names)} functions, {total / 2**20:.1f} MiB. Written by contrib/bench/code-order.py.\n")
        f.write("\n".join(names) + "\n")
    print(f"code-order: {len(pages)} pages touched; wrote {len(names)} functions ({total / 2**20:.1f} MiB) to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
