#!/usr/bin/env bash
# Data-channel throughput over loopback UDP, in one run:
#   1. rtc-peer source -> rtc-peer sink (two processes, release build): defaults (1200-byte
#      datagrams raised by PLPMTUD, up to one 16 KiB DTLS record on loopback), again with
#      --mtu 1200 (fixed 1200-byte datagrams, as with peers that do not answer big probes) and
#      with --mtu 16000 (fixed, loopback only),
#   2. aiortc source -> aiortc sink (two processes, contrib/interop/aiortc_peer.py),
#   3. two RTCPeerConnections in one headless Chromium page (contrib/interop/chromium_peer.py).
# Same transfer for each: BYTES (default 256 MiB) in 64 KiB messages, paced by
# bufferedAmountLow (threshold 1 MiB, high-water 4 MiB). Prints each RESULT line and a table
# of MB/s (10^6 bytes per second), CPU seconds and peak RSS (the sink's for the two-process runs).
# Usage: contrib/bench/datachannel-bench.sh [BYTES]   (env: PEERSYNC_PYTHON, RTC_PEER_BIN, CHROMIUM)
set -euo pipefail
cd "$(dirname "$0")/../.."
BYTES=${1:-268435456}
MSG=65536
PY=${PEERSYNC_PYTHON:-$PWD/.venv/bin/python}
BIN=${RTC_PEER_BIN:-}
if [[ -z "$BIN" ]]; then
  swift build -c release --product rtc-peer >&2
  BIN="$(swift build -c release --show-bin-path)/rtc-peer"
fi
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FLOW=(--message-size "$MSG" --low-threshold 1048576 --high-water 4194304)

# Runs "$1 ... offer source" against "$2 ... answer sink", wired through two FIFOs.
pair() {
  local name=$1 offer=$2 answer=$3
  mkfifo "$WORK/$name.ab" "$WORK/$name.ba"
  # shellcheck disable=SC2086
  $answer --role answer --mode sink "${FLOW[@]}" 2> "$WORK/$name.sink.log" > "$WORK/$name.ba" < "$WORK/$name.ab" &
  local sink=$!
  # shellcheck disable=SC2086
  $offer --role offer --mode source --bytes "$BYTES" "${FLOW[@]}" 2> "$WORK/$name.source.log" < "$WORK/$name.ba" > "$WORK/$name.ab"
  wait "$sink"
  grep '^RESULT' "$WORK/$name.source.log" | sed "s/^/$name source: /"
  grep '^RESULT' "$WORK/$name.sink.log" | sed "s/^/$name sink:   /"
}

pair rtc-peer "$BIN --loopback-only" "$BIN --loopback-only"
pair rtc-peer-1200 "$BIN --loopback-only --mtu 1200" "$BIN --loopback-only --mtu 1200"
# The same over loopback's 64 KiB MTU: one DTLS record of up to 16 KB per datagram.
pair rtc-peer-mtu16k "$BIN --loopback-only --mtu 16000" "$BIN --loopback-only --mtu 16000"
pair aiortc "$PY contrib/interop/aiortc_peer.py" "$PY contrib/interop/aiortc_peer.py"
"$PY" contrib/interop/chromium_peer.py --local-pair --no-hash --bytes "$BYTES" --message-size "$MSG" 2> "$WORK/chromium.log"
grep '^RESULT' "$WORK/chromium.log" | sed "s/^/chromium pair: /"

"$PY" - "$WORK" <<'PYEOF'
import json, sys, os
work = sys.argv[1]
def result(path):
    for line in open(path):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {}
rows = []
for name in ("rtc-peer", "rtc-peer-1200", "rtc-peer-mtu16k", "aiortc"):
    src, snk = result(os.path.join(work, name + ".source.log")), result(os.path.join(work, name + ".sink.log"))
    ok = src.get("sent_sha256") is not None and src.get("sent_sha256") == snk.get("received_sha256")
    rows.append((name, snk.get("mb_per_s", 0), src.get("cpu_seconds", 0) + snk.get("cpu_seconds", 0),
                 max(src.get("peak_rss_kib", 0), snk.get("peak_rss_kib", 0)) / 1024, "yes" if ok else "NO"))
c = result(os.path.join(work, "chromium.log"))
rows.append(("chromium (1 page)", c.get("mb_per_s", 0), c.get("cpu_seconds", 0), c.get("peak_rss_kib", 0) / 1024, "n/a (--no-hash)"))
print("%-18s %10s %12s %14s %s" % ("peer", "MB/s", "CPU-s (both)", "peak RSS MiB", "hash match"))
for r in rows:
    print("%-18s %10.1f %12.2f %14.1f %s" % r)
base = rows[4][1] or 1
print("rtc-peer / chromium: %.1fx (fixed 1200: %.1fx, mtu 16k: %.1fx)   rtc-peer / aiortc: %.1fx"
      % (rows[0][1] / base, rows[1][1] / base, rows[2][1] / base, rows[0][1] / (rows[3][1] or 1)))
PYEOF
