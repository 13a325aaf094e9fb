#!/usr/bin/env bash
# The main job: sets up what PeerSync needs, builds it, and runs the most complete local demo
# that works today, all on loopback:
#   1. the rendezvous server (syncd-rendezvous) and its health check;
#   2. two syncd daemons with separate state, paired by device ID, each sharing a folder of
#      sample files, with `syncctl status` for both;
#   3. a real WebRTC data-channel transfer between two processes (rtc-peer source -> sink:
#      ICE, DTLS, SCTP), checked by SHA-256.
# The daemons do not yet talk to each other across processes (the data-channel PeerLink is the
# open part of the daemon issue); when it lands this demo waits for the two folders to match.
# Everything is stopped at the end; the state is left in the printed folder to look at.
set -euo pipefail
cd "$(dirname "$0")/.."
bash contrib/setup.sh
echo "demo: building (debug)" >&2
swift build 2>&1 | grep -E "error:|Build complete" >&2 || true
BIN=$(swift build --show-bin-path)
for b in syncd syncctl syncd-rendezvous rtc-peer; do
  [ -x "$BIN/$b" ] || { echo "demo: $b did not build; run 'swift build' to see why" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/peersync-demo.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
wait_for() { # wait_for SECONDS COMMAND…: retry a command until it succeeds
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "demo: timed out waiting for: $*" >&2; return 1; }
    sleep 0.2
  done
}

echo; echo "== 1. rendezvous server on 127.0.0.1 =="
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN/syncd-rendezvous" --host 127.0.0.1 --port "$PORT" > "$WORK/rendezvous.log" 2>&1 &
pids+=($!)
wait_for 30 curl -fsS "http://127.0.0.1:$PORT/healthz"
echo "healthz: $(curl -fsS "http://127.0.0.1:$PORT/healthz")"
echo "browser demo page: http://127.0.0.1:$PORT/demo"

echo; echo "== 2. two daemons, paired by ID, each sharing a folder =="
for side in alpha beta; do
  mkdir -p "$WORK/$side/state" "$WORK/$side/Shared"
  PEERSYNC_DEVICE_NAME=$side PEERSYNC_RENDEZVOUS_URL="ws://127.0.0.1:$PORT/ws" \
    "$BIN/syncd" --state-dir "$WORK/$side/state" > "$WORK/$side/syncd.log" 2>&1 &
  pids+=($!)
done
for side in alpha beta; do wait_for 30 "$BIN/syncctl" id --state-dir "$WORK/$side/state"; done
ID_A=$("$BIN/syncctl" id --state-dir "$WORK/alpha/state" | tail -1)
ID_B=$("$BIN/syncctl" id --state-dir "$WORK/beta/state" | tail -1)
echo "alpha: $ID_A"; echo "beta:  $ID_B"
"$BIN/syncctl" devices add --state-dir "$WORK/alpha/state" "$ID_B" --name beta
"$BIN/syncctl" devices add --state-dir "$WORK/beta/state" "$ID_A" --name alpha
for i in $(seq 1 20); do head -c $((RANDOM * 8)) /dev/urandom > "$WORK/alpha/Shared/sample-$i.bin"; done
echo "hello from alpha" > "$WORK/alpha/Shared/README.txt"
"$BIN/syncctl" folders add --state-dir "$WORK/alpha/state" "$WORK/alpha/Shared" --id demo --with "$ID_B"
"$BIN/syncctl" folders add --state-dir "$WORK/beta/state" "$WORK/beta/Shared" --id demo --with "$ID_A"
sleep 2
for side in alpha beta; do echo "-- syncctl status ($side)"; "$BIN/syncctl" status --state-dir "$WORK/$side/state"; done

echo; echo "== 3. WebRTC data channel between two processes (rtc-peer, loopback) =="
mkfifo "$WORK/ab" "$WORK/ba"
FLOW=(--loopback-only --message-size 65536 --low-threshold 1048576 --high-water 4194304)
"$BIN/rtc-peer" --role answer --mode sink "${FLOW[@]}" 2> "$WORK/sink.log" > "$WORK/ba" < "$WORK/ab" &
sink=$!
"$BIN/rtc-peer" --role offer --mode source --bytes $((32 * 1024 * 1024)) "${FLOW[@]}" 2> "$WORK/source.log" < "$WORK/ba" > "$WORK/ab"
wait "$sink"
sent=$(sed -n 's/^RESULT .*"sent_sha256":"\([0-9a-f]*\)".*/\1/p' "$WORK/source.log")
received=$(sed -n 's/^RESULT .*"received_sha256":"\([0-9a-f]*\)".*/\1/p' "$WORK/sink.log")
grep '^RESULT' "$WORK/source.log" | sed 's/^/source: /'
grep '^RESULT' "$WORK/sink.log" | sed 's/^/sink:   /'
if [ -n "$sent" ] && [ "$sent" = "$received" ]; then echo "data channel: 32 MiB arrived intact (SHA-256 $sent)"
else echo "data channel: hashes differ or missing; see $WORK/source.log and $WORK/sink.log" >&2; exit 1; fi

echo; echo "demo: done. Logs and state are in $WORK"
