#!/usr/bin/env bash
# Netlab scenarios with ice-probe (ICEAgent on real sockets) between psl-dA and psl-dB.
#   contrib/netlab/scenarios.sh [--probe PATH] [--only REGEX]
# Writes one row per scenario to $LAB_DIR/results.tsv; contrib/netlab/report.sh prints it.
# Exit status 1 when a scenario fails (or the lab cannot be built: that is a failure too).
#
# Scenarios:
#   nat-X-Y     A behind NAT X, B behind NAT Y (all 10 pairs of the 4 RFC 4787 types); connects,
#               directly unless both sides filter by port and one maps per destination
#               (port-restricted/symmetric, symmetric/symmetric): then through coturn. (These two
#               once failed: relayed checks to the peer's private host address made coturn, which
#               has no route there, close the allocation's relay socket; the agent no longer
#               relays to private-scope peers from a public TURN server.)
#   relay-X     both behind NAT X, iceTransportPolicy relay: connects through coturn.
#   lossy       port-restricted both sides, 100 ms RTT (50 ms each way, 5 ms jitter), 10% loss
#               each way; connects and carries the ping stream.
#   rebind      A port-restricted, B full-cone; A's NAT changes its mapping mid-session
#               (new port range + conntrack flush); ICE recovers without a restart (peer-reflexive
#               candidate, the controlling side renominates), recovery = longest gap in the pings.
#   rebind-pr   the same with B port-restricted too: B drops A's new mapping and A's TURN
#               allocation belongs to the old one, so only an ICE restart recovers: A (controlling)
#               restarts when `disconnected` and exchanges new credentials and candidates with B
#               over ice-probe's signalling files; the new generation connects through B's relay.
# Hook for daemons: a scenario is a function that sets NATs/netem and starts two programs
# with lab_exec A|B; swap ice-probe for syncd + syncctl when they exist.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lab.sh
. "$HERE/lab.sh"
PROBE=""; ONLY="."
while [ $# -gt 0 ]; do
  case $1 in
    --probe) PROBE=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "$PROBE" ]; then
  PROBE="$ROOT/.build/debug/ice-probe"
  (cd "$ROOT" && swift build --product ice-probe 2>&1 | grep -E "error|Compiling|Build" >&2) || true
fi
[ -x "$PROBE" ] || { echo "netlab: no ice-probe at $PROBE (swift build --product ice-probe)" >&2; exit 1; }

lab_check || exit 1
trap lab_down EXIT INT TERM
lab_up || { echo "netlab: could not build the lab" >&2; exit 1; }
RESULTS=$LAB_DIR/results.tsv
printf 'scenario\tresult\tconnect_ms\tpair\tpath\tpings/pongs\trecovery_ms\tnotes\n' > "$RESULTS"
failures=0

field() { sed -nE "s/.* $2=([^ ]*).*/\1/p" <<<"$1"; }

# probe_pair NAME SECONDS [extra probe args] — runs A (controlling) and B, leaves $A_OUT/$B_OUT.
probe_pair() {
  local name=$1 secs=$2; shift 2
  SIG=$LAB_DIR/sig-$name; rm -rf "$SIG"; mkdir -p "$SIG"
  local common=(--dir "$SIG" --stun $LAB_PUB1:3478 --turn $LAB_PUB1:3478 --turn-user $LAB_TURN_USER
                --turn-pass $LAB_TURN_PASS --seconds "$secs" "$@")
  lab_exec A "$PROBE" --name A --peer B --role controlling --bind "$(lab_dev A)" --seed 11 "${common[@]}" \
    > "$SIG/A.out" 2> "$SIG/A.err" &
  PID_A=$!
  lab_exec B "$PROBE" --name B --peer A --role controlled --bind "$(lab_dev B)" --seed 22 "${common[@]}" \
    > "$SIG/B.out" 2> "$SIG/B.err" &
  PID_B=$!
}
probe_wait() { wait "$PID_A"; wait "$PID_B"; A_OUT=$(cat "$SIG/A.out"); B_OUT=$(cat "$SIG/B.out"); }

row() {  # row SCENARIO PASS|FAIL NOTES
  local pair path
  pair="$(field "$A_OUT" local)/$(field "$A_OUT" remote)"
  case $pair in *relay*) path=relayed ;; */-|-/*) path=- ;; *) path=direct ;; esac
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(field "$A_OUT" connect_ms)" "$pair" "$path" \
    "$(field "$A_OUT" pings)/$(field "$A_OUT" pongs)" "${RECOVERY:--}" "$3" >> "$RESULTS"
  [ "$2" = PASS ] || [ "$2" = XFAIL ] || { failures=$((failures + 1)); echo "netlab: $1 FAILED ($3); logs in $SIG" >&2; }
  echo "netlab: $1 $2 ${3}" >&2
}

connected() { case $(field "$1" state) in connected|completed) return 0 ;; *) return 1 ;; esac; }

scenario_nat() {
  local x=$1 y=$2 expect=direct
  case "$x/$y" in port-restricted/symmetric|symmetric/port-restricted|symmetric/symmetric) expect=relayed ;; esac
  lab_nat A "$x"; lab_nat B "$y"
  RECOVERY=""
  probe_pair "nat-$x-$y" 4; probe_wait
  local path; case "$(field "$A_OUT" local)/$(field "$A_OUT" remote)" in *relay*) path=relayed ;; *) path=direct ;; esac
  if connected "$A_OUT" && connected "$B_OUT" && [ "$(field "$A_OUT" pongs)" -gt 0 ] && [ "$path" = "$expect" ]; then
    row "nat-$x-$y" PASS "expected $expect"
  else
    row "nat-$x-$y" FAIL "expected $expect, got $path, A=$(field "$A_OUT" state) B=$(field "$B_OUT" state)"
  fi
}

# scenario_relay NAT — both sides behind NAT, relay-only policy: through coturn.
scenario_relay() {
  lab_nat A "$1"; lab_nat B "$1"
  RECOVERY=""
  probe_pair "relay-$1" 4 --relay-only; probe_wait
  if connected "$A_OUT" && connected "$B_OUT" && [ "$(field "$A_OUT" pongs)" -gt 0 ] && [ "$(field "$A_OUT" local)" = relay ]; then
    row "relay-$1" PASS "iceTransportPolicy relay, through coturn"
  else
    row "relay-$1" FAIL "A=$(field "$A_OUT" state) B=$(field "$B_OUT" state)"
  fi
}

scenario_lossy() {
  lab_nat A port-restricted; lab_nat B port-restricted
  lab_netem A delay 50ms 5ms loss 10% seed 5; lab_netem B delay 50ms 5ms loss 10% seed 6
  RECOVERY=""
  probe_pair lossy 8; probe_wait
  lab_netem A off; lab_netem B off
  local pings pongs; pings=$(field "$A_OUT" pings); pongs=$(field "$A_OUT" pongs)
  # Round trips cross two 10% lossy hops: ~81% expected; accept 60–95%.
  if connected "$A_OUT" && connected "$B_OUT" && [ "$pongs" -ge $((pings * 60 / 100)) ] && [ "$pongs" -le $((pings * 95 / 100 + 1)) ]; then
    row lossy PASS "10% loss each way, 100 ms RTT: $((pongs * 100 / (pings > 0 ? pings : 1)))% round trips"
  else
    row lossy FAIL "A=$(field "$A_OUT" state) B=$(field "$B_OUT" state) pings=$pings pongs=$pongs"
  fi
}

# scenario_rebind NAME NAT_B [probe args] — A's mapping changes 4 s in.
scenario_rebind() {
  local name=$1 natb=$2; shift 2
  lab_nat A port-restricted; lab_nat B "$natb"
  probe_pair "$name" 16 --fast-consent "$@"
  sleep 4
  lab_rebind A
  probe_wait
  RECOVERY=$(field "$A_OUT" longest_gap_ms)
  local quiet; quiet=$(field "$A_OUT" last_pong_ago_ms)
  if connected "$A_OUT" && connected "$B_OUT" && [ "$quiet" -ge 0 ] && [ "$quiet" -lt 1000 ] && [ "$RECOVERY" -gt 300 ]; then
    row "$name" PASS "mapping moved to 20000-29999; pair changes $(field "$A_OUT" pair_changes), ICE restarts $(field "$A_OUT" restarts)"
  else
    row "$name" FAIL "A=$(field "$A_OUT" state) B=$(field "$B_OUT" state) last pong ${quiet} ms before the end"
  fi
  RECOVERY=""
}

start=$(date +%s)
types=(full-cone restricted port-restricted symmetric)
for i in 0 1 2 3; do
  for j in $(seq "$i" 3); do
    grep -qE "$ONLY" <<<"nat-${types[$i]}-${types[$j]}" && scenario_nat "${types[$i]}" "${types[$j]}"
  done
done
for t in port-restricted symmetric; do grep -qE "$ONLY" <<<"relay-$t" && scenario_relay "$t"; done
grep -qE "$ONLY" <<<lossy && scenario_lossy
grep -qE "$ONLY" <<<rebind && scenario_rebind rebind full-cone --no-restart
grep -qE "$ONLY" <<<rebind-pr && scenario_rebind rebind-pr port-restricted
echo "netlab: scenarios took $(( $(date +%s) - start )) s" >&2
"$HERE/report.sh" "$RESULTS"
[ "$failures" -eq 0 ]
