#!/usr/bin/env bash
# Data-channel throughput over a 50 ms RTT path with 1% loss, in one run: rtc-peer → rtc-peer,
# aiortc → aiortc and headless Chromium → headless Chromium (source → sink, 64 KiB messages, threshold 1 MiB / high-water 4 MiB).
# The path: two network namespaces (pcl-a 10.77.0.1, pcl-b 10.77.0.2) joined by two TAPs and
# contrib/netlab/wire.py (a userspace netem: this kernel has no sch_netem), which delays the
# a → b direction by 50 ms and drops 1% of its frames (seeded); b → a is unimpaired.
# Needs root (ip netns, /dev/net/tun). Usage: contrib/bench/lossy-bench.sh [BYTES] (default 16 MiB)
# env: PEERSYNC_PYTHON, RTC_PEER_BIN, WIRE_PARAMS (default "delay 50ms loss 1% seed 7"),
#      SKIP_RTC_PEER / SKIP_AIORTC / SKIP_CHROMIUM=1 leave a pair out, KEEP=1 keeps the logs
set -euo pipefail
cd "$(dirname "$0")/../.."
BYTES=${1:-16777216}
PY=${PEERSYNC_PYTHON:-$PWD/.venv/bin/python}
BIN=${RTC_PEER_BIN:-}
if [[ -z "$BIN" ]]; then
  swift build -c release --product rtc-peer >&2
  BIN="$(swift build -c release --show-bin-path)/rtc-peer"
fi
WORK=$(mktemp -d)
cleanup() {
  [[ -f "$WORK/wire.pid" ]] && kill "$(cat "$WORK/wire.pid")" 2>/dev/null || true
  ip netns del pcl-a 2>/dev/null || true
  ip netns del pcl-b 2>/dev/null || true
  if [[ -n "${KEEP:-}" ]]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
cleanup_links() { ip link del pcl-ta 2>/dev/null || true; ip link del pcl-tb 2>/dev/null || true; }
ip netns del pcl-a 2>/dev/null || true
ip netns del pcl-b 2>/dev/null || true
cleanup_links
ip netns add pcl-a
ip netns add pcl-b
ip tuntap add mode tap name pcl-ta
ip tuntap add mode tap name pcl-tb
echo "${WIRE_PARAMS:-delay 50ms loss 1% seed 7}" > "$WORK/wire.params"
python3 contrib/netlab/wire.py pcl-ta pcl-tb "$WORK/wire.params" "$WORK/wire.pid" 2> "$WORK/wire.log" &
for _ in $(seq 50); do [[ -f "$WORK/wire.pid" ]] && break; sleep 0.1; done
ip link set pcl-ta netns pcl-a
ip link set pcl-tb netns pcl-b
ip -n pcl-a addr add 10.77.0.1/24 dev pcl-ta
ip -n pcl-b addr add 10.77.0.2/24 dev pcl-tb
for ns in pcl-a pcl-b; do ip -n $ns link set lo up; done
ip -n pcl-a link set pcl-ta up
ip -n pcl-b link set pcl-tb up
# A default route: Chromium (without media permission) gathers only the interface of the
# default route.
ip -n pcl-a route add default dev pcl-ta
ip -n pcl-b route add default dev pcl-tb
ip -n pcl-a addr show dev pcl-ta | grep -q 10.77.0.1

FLOW=(--message-size 65536 --low-threshold 1048576 --high-water 4194304)
# Runs "$2 … offer source" in pcl-a against "$3 … answer sink" in pcl-b, wired through FIFOs.
pair() {
  local name=$1 offer=$2 answer=$3
  mkfifo "$WORK/$name.ab" "$WORK/$name.ba"
  # shellcheck disable=SC2086
  ip netns exec pcl-b $answer --role answer --mode sink "${FLOW[@]}" 2> "$WORK/$name.sink.log" > "$WORK/$name.ba" < "$WORK/$name.ab" &
  local sink=$!
  # shellcheck disable=SC2086
  ip netns exec pcl-a $offer --role offer --mode source --bytes "$BYTES" "${FLOW[@]}" 2> "$WORK/$name.source.log" < "$WORK/$name.ba" > "$WORK/$name.ab"
  wait "$sink"
  grep '^RESULT' "$WORK/$name.source.log" | sed "s/^/$name source: /"
  grep '^RESULT' "$WORK/$name.sink.log" | sed "s/^/$name sink:   /"
}
if [[ -z "${SKIP_RTC_PEER:-}" ]]; then pair rtc-peer "$BIN --no-loopback" "$BIN --no-loopback"; fi
if [[ -z "${SKIP_AIORTC:-}" ]]; then pair aiortc "env AIORTC_HOST_ADDRESS=10.77.0.1 $PY contrib/interop/aiortc_peer.py" \
  "env AIORTC_HOST_ADDRESS=10.77.0.2 $PY contrib/interop/aiortc_peer.py"; fi
# Two headless Chromiums, one per namespace (SKIP_CHROMIUM=1 leaves them out).
if [[ -z "${SKIP_CHROMIUM:-}" ]]; then
  pair chromium "$PY contrib/interop/chromium_peer.py" "$PY contrib/interop/chromium_peer.py"
fi

"$PY" - "$WORK" <<'PYEOF'
import json, sys, os
work = sys.argv[1]
def result(path):
    for line in open(path):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {}
print("%-10s %8s %12s %14s %s" % ("peer", "MB/s", "CPU-s (both)", "peak RSS MiB", "hash match"))
for name in ("rtc-peer", "aiortc", "chromium"):
    if not os.path.exists(os.path.join(work, name + ".sink.log")):
        continue
    src, snk = result(os.path.join(work, name + ".source.log")), result(os.path.join(work, name + ".sink.log"))
    ok = src.get("sent_sha256") is not None and src.get("sent_sha256") == snk.get("received_sha256")
    print("%-10s %8.2f %12.2f %14.1f %s" % (name, snk.get("mb_per_s", 0), src.get("cpu_seconds", 0) + snk.get("cpu_seconds", 0),
          max(src.get("peak_rss_kib", 0), snk.get("peak_rss_kib", 0)) / 1024, "yes" if ok else "NO"))
PYEOF
