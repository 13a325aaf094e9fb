#!/usr/bin/env bash
# The PeerSync demo, all on loopback (127.0.0.1):
#   1. a rendezvous server (syncd-rendezvous);
#   2. two daemons, alpha and beta, each with its own state folder, config and runtime dir;
#   3. paired with a short code: `syncctl pair` on alpha prints it, `syncctl pair <code>` on beta;
#   4. a folder of sample files shared between them over WebRTC data channels (ICE, DTLS, SCTP);
#   5. waits until both folders hold the same files (SHA-256 of every file compared);
#   6. `syncctl status` for both: the peer connected, connection type (host/srflx/relay) and RTT;
#   7. leaves everything running, with commands to play with it and to stop it.
# Options: --stop (or PEERSYNC_DEMO_STOP=1, for CI): stop everything at the end instead.
#          --no-setup: skip contrib/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
STOP_AT_END=${PEERSYNC_DEMO_STOP:-0}
SETUP=1
for arg in "$@"; do
  case "$arg" in
    --stop) STOP_AT_END=1 ;;
    --no-setup) SETUP=0 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "demo: unknown option $arg (see --help)" >&2; exit 64 ;;
  esac
done
[ "$SETUP" = 1 ] && bash contrib/setup.sh
echo "demo: building (debug)" >&2
swift build 2>&1 | grep -E "error:|Build complete" >&2 || true
BIN=$(swift build --show-bin-path)
for b in syncd syncctl syncd-rendezvous; do
  [ -x "$BIN/$b" ] || { echo "demo: $b did not build; run 'swift build' to see why" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/peersync-demo.XXXXXX)
pids=()
keep=0
cleanup() {
  if [ "$keep" = 0 ]; then for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; fi
}
trap cleanup EXIT
wait_for() { # wait_for SECONDS COMMAND…: retry a command until it succeeds
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@" >/dev/null 2>&1; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "demo: timed out waiting for: $*" >&2; return 1; }
    sleep 0.2
  done
}
ctl() { local side=$1; shift; "$BIN/syncctl" "$@" --socket "$WORK/$side/run/peersync/syncd.sock"; }
tree_hashes() { (cd "$1" && find . -path ./.peersync -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum); }
in_sync() { [ "$(tree_hashes "$WORK/alpha/Shared")" = "$(tree_hashes "$WORK/beta/Shared")" ]; }

echo; echo "== 1. rendezvous server on 127.0.0.1 =="
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN/syncd-rendezvous" --host 127.0.0.1 --port "$PORT" > "$WORK/rendezvous.log" 2>&1 &
pids+=($!)
wait_for 30 curl -fsS "http://127.0.0.1:$PORT/healthz"
echo "ws://127.0.0.1:$PORT/ws is up (browser page: http://127.0.0.1:$PORT/demo)"

echo; echo "== 2. two daemons: alpha and beta =="
for side in alpha beta; do
  mkdir -p "$WORK/$side/run" && chmod 700 "$WORK/$side/run"
  cat > "$WORK/$side/syncd.json" <<EOF
{
    "deviceName": "$side",
    "stateDirectory": "$WORK/$side/state",
    "rendezvousURL": "ws://127.0.0.1:$PORT/ws",
    // Two daemons on one machine reach each other over loopback host candidates.
    "iceInterfaces": "loopback",
    "logFormat": "text"
}
EOF
  HOME="$WORK/$side" XDG_RUNTIME_DIR="$WORK/$side/run" "$BIN/syncd" --config "$WORK/$side/syncd.json" > "$WORK/$side/syncd.log" 2>&1 &
  pids+=($!)
done
for side in alpha beta; do wait_for 30 ctl "$side" id; done
ID_A=$(ctl alpha id); ID_B=$(ctl beta id)
echo "alpha: $ID_A"; echo "beta:  $ID_B"

echo; echo "== 3. pairing with a code =="
ctl alpha pair > "$WORK/pair-alpha.out" 2>&1 &
pair_pid=$!
wait_for 20 grep -q "syncctl pair " "$WORK/pair-alpha.out"
CODE=$(grep "syncctl pair " "$WORK/pair-alpha.out" | awk '{print $NF}')
echo "alpha: syncctl pair            -> code $CODE"
echo "beta:  syncctl pair $CODE"
ctl beta pair "$CODE" | sed 's/^/       /'
wait "$pair_pid" || { echo "demo: pairing failed on alpha:" >&2; cat "$WORK/pair-alpha.out" >&2; exit 1; }

echo; echo "== 4. a folder of sample files, shared =="
mkdir -p "$WORK/alpha/Shared/photos" "$WORK/alpha/Shared/notes" "$WORK/beta/Shared"
for i in $(seq 1 24); do head -c $(( (RANDOM % 64 + 1) * 4096 )) /dev/urandom > "$WORK/alpha/Shared/photos/img-$i.raw"; done
for i in $(seq 1 10); do echo "note $i from alpha, $(date)" > "$WORK/alpha/Shared/notes/note-$i.txt"; done
head -c $((16 * 1024 * 1024)) /dev/urandom > "$WORK/alpha/Shared/video.bin"
echo "hello from beta" > "$WORK/beta/Shared/from-beta.txt"
ctl alpha folders add "$WORK/alpha/Shared" --id demo --with "$ID_B" >/dev/null
ctl beta folders add "$WORK/beta/Shared" --id demo --with "$ID_A" >/dev/null
echo "alpha: $(find "$WORK/alpha/Shared" -type f -not -path '*/.peersync*' | wc -l) files, $(du -sh --exclude=.peersync "$WORK/alpha/Shared" | cut -f1); beta: 1 file"
start=$(date +%s.%N)
wait_for 120 in_sync || { echo "demo: the folders did not converge; logs in $WORK" >&2; exit 1; }
echo "in sync after $(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')") s: $(tree_hashes "$WORK/alpha/Shared" | wc -l) files, SHA-256 identical on both sides"

echo; echo "== 5. syncctl status =="
wait_for 10 bash -c "\"$BIN/syncctl\" status --json --socket \"$WORK/alpha/run/peersync/syncd.sock\" | grep -q '\"connected\" : true'"
for side in alpha beta; do echo "-- $side"; ctl "$side" status; echo; done

STOP="kill ${pids[*]}"
echo "$STOP" > "$WORK/stop.sh"
if [ "$STOP_AT_END" = 1 ]; then
  echo "demo: done (stopping everything; logs and state are in $WORK)"
  exit 0
fi
keep=1
cat <<EOF
== The daemons keep running. Play with them: ==
  SYNCCTL_A="$BIN/syncctl --socket $WORK/alpha/run/peersync/syncd.sock"
  SYNCCTL_B="$BIN/syncctl --socket $WORK/beta/run/peersync/syncd.sock"
  echo hi > $WORK/alpha/Shared/hi.txt; sleep 1; cat $WORK/beta/Shared/hi.txt
  \$SYNCCTL_B watch          # live progress
  \$SYNCCTL_A status         # folders and the connected peer (type, RTT)
  rm $WORK/beta/Shared/notes/note-1.txt   # deletes sync too
  logs: $WORK/alpha/syncd.log $WORK/beta/syncd.log $WORK/rendezvous.log
== Stop them: ==
  bash $WORK/stop.sh
EOF
