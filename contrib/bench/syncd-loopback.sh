#!/usr/bin/env bash
# Times one initial sync between two syncd daemons on loopback (rendezvous + WebRTC), a single
# file of $MB MiB (default 64) of random bytes; prints wall time, CPU seconds and RSS of each
# daemon. Uses the binaries of `swift build` (debug) unless BIN is set (e.g. .build/release).
# Not the issue's full benchmark (mixed dataset, Syncthing and rsync side by side): a quick probe.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-$(swift build --show-bin-path)}
MB=${MB:-64}
W=$(mktemp -d /tmp/peersync-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$W"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN/syncd-rendezvous" --host 127.0.0.1 --port "$PORT" > "$W/rendezvous.log" 2>&1 &
declare -A PID
for s in a b; do
  mkdir -p "$W/$s/run"; chmod 700 "$W/$s/run"
  printf '{"deviceName":"%s","stateDirectory":"%s","rendezvousURL":"ws://127.0.0.1:%s/ws","iceInterfaces":"loopback","logFormat":"text"}\n' \
    "$s" "$W/$s/state" "$PORT" > "$W/$s/syncd.json"
  HOME="$W/$s" XDG_RUNTIME_DIR="$W/$s/run" "$BIN/syncd" --config "$W/$s/syncd.json" > "$W/$s.log" 2>&1 &
  PID[$s]=$!
done
ctl() { local s=$1; shift; "$BIN/syncctl" "$@" --socket "$W/$s/run/peersync/syncd.sock"; }
until ctl a id >/dev/null 2>&1 && ctl b id >/dev/null 2>&1; do sleep 0.2; done
A=$(ctl a id); B=$(ctl b id)
ctl a devices add "$B" >/dev/null; ctl b devices add "$A" >/dev/null
mkdir -p "$W/a/S"; head -c $((MB * 1024 * 1024)) /dev/urandom > "$W/a/S/big.bin"
ctl a folders add "$W/a/S" --id bench --with "$B" >/dev/null
t0=$(date +%s.%N)
ctl b folders add "$W/b/S" --id bench --with "$A" >/dev/null
until [ -f "$W/b/S/big.bin" ] && cmp -s "$W/a/S/big.bin" "$W/b/S/big.bin"; do sleep 0.1; done
t1=$(date +%s.%N)
echo "syncd-loopback: $MB MiB in $(python3 -c "print(round($t1 - $t0, 2))") s (bin $BIN, load $(cut -d' ' -f1 /proc/loadavg))"
for s in a b; do
  read -r utime stime < <(awk '{print $14, $15}' "/proc/${PID[$s]}/stat")
  echo "  syncd $s: CPU $(python3 -c "print(round(($utime + $stime) / $(getconf CLK_TCK), 2))") s, RSS $(awk '/VmHWM/ {print $2, $3}' "/proc/${PID[$s]}/status") peak"
done
