#!/usr/bin/env bash
# PeerSync system tier: the libFuzzer smoke run, the daemon scenarios and the network-lab
# scenarios (root needed).
#
#   contrib/system-tests.sh            fuzz smoke (each target FUZZ_SECONDS, default 20) + daemon + release + netlab
#   contrib/system-tests.sh --fuzz     only the fuzz smoke tier
#   contrib/system-tests.sh --daemon   only the daemon scenarios (contrib/system/daemon-scenarios.py;
#                                      DAEMON_SCENARIOS picks which, SCENARIO_KILLS the SIGKILL count,
#                                      DAEMON_HEAVY=1 the heavy variants: hostile-peer floods 1 000 000 entries)
#   contrib/system-tests.sh --release  only the release check: syncd, syncctl and syncd-rendezvous built as
#                                      the README installs them (release, Swift runtime linked in, lld with
#                                      syncd's code order, Package.swift leanLinking) run the daemon
#                                      scenarios sync and sigkill (table in $SYSTEM_DIR/release/)
#   contrib/system-tests.sh --netlab   only the netlab scenarios: ice-probe (contrib/netlab/scenarios.sh)
#                                      then whole daemons (contrib/netlab/daemon-scenarios.sh: 4 NAT
#                                      pairs, lossy, link down, TURN down); NETLAB_LONG=1 adds the other
#                                      6 NAT pairs and the mid-transfer mapping change
#   contrib/system-tests.sh --report   print the last tables again (daemon scenarios, netlab ICE, netlab daemons)
#
# contrib/test.sh calls this at its end (PEERSYNC_SYSTEM_TESTS=0 skips it). A machine that cannot
# host the lab (no root, no network namespaces, no nftables) FAILS here with the reason: the
# tier never passes silently. Long fuzzing: contrib/fuzz/fuzz.sh --long TARGET [SECONDS].
set -uo pipefail
cd "$(dirname "$0")/.."
mode=${1:-all}
case $mode in
  --report)
    for f in ${SYSTEM_DIR:-/tmp/peersync-system}/{,release/}daemon-results.tsv; do
      if [ -f "$f" ]; then column -t -s $'\t' "$f"; echo; fi
    done
    exec contrib/netlab/report.sh ;;
  all|--fuzz|--daemon|--release|--netlab) ;;
  *) sed -n '2,22p' "$0"; exit 2 ;;
esac
status=0; timings=()
if [ "$mode" = all ] || [ "$mode" = --fuzz ]; then
  t0=$(date +%s)
  echo "system: fuzz smoke tier" >&2
  SWIFT_BACKTRACE=enable=no contrib/fuzz/fuzz.sh --smoke "${FUZZ_SECONDS:-20}" || status=1
  timings+=("fuzz smoke: $(( $(date +%s) - t0 )) s")
fi
if [ "$mode" = all ] || [ "$mode" = --daemon ]; then
  t0=$(date +%s)
  echo "system: daemon scenarios" >&2
  [ -n "${PEERSYNC_BIN:-}" ] || for p in syncd syncctl syncd-rendezvous hostile-peer; do swift build --product "$p" 2>&1 | grep -E "error:|warning:" >&2; done
  python3 contrib/system/daemon-scenarios.py --only "${DAEMON_SCENARIOS:-control-socket,sync,intruder,rendezvous-restart,sigkill,disk-full,clock-jump,evil-fingerprint,evil-pairing,hostile-peer}" --kills "${SCENARIO_KILLS:-5}" ${DAEMON_HEAVY:+--heavy} || status=1
  timings+=("daemon scenarios: $(( $(date +%s) - t0 )) s")
fi
if [ "$mode" = all ] || [ "$mode" = --release ]; then
  t0=$(date +%s)
  echo "system: release build check" >&2
  rel_ok=1
  for p in syncd syncctl syncd-rendezvous; do
    swift build -c release --static-swift-stdlib --product "$p" > "/tmp/peersync-release-build-$p.log" 2>&1 \
      || { echo "system: the release build of $p failed:" >&2; grep -E "error" "/tmp/peersync-release-build-$p.log" | head -20 >&2; rel_ok=0; }
  done
  if [ $rel_ok = 1 ]; then
    SYSTEM_DIR="${SYSTEM_DIR:-/tmp/peersync-system}/release" PEERSYNC_BIN="$(swift build -c release --show-bin-path)" \
      python3 contrib/system/daemon-scenarios.py --only sync,sigkill --kills "${SCENARIO_KILLS:-5}" || status=1
  else
    status=1
  fi
  timings+=("release check: $(( $(date +%s) - t0 )) s")
fi
if [ "$mode" = all ] || [ "$mode" = --netlab ]; then
  t0=$(date +%s)
  echo "system: netlab tier" >&2
  probe=.build/debug/ice-probe
  if [ ! -x "$probe" ] || [ -n "$(find Sources/ice-probe Sources/ICE Sources/STUN Sources/WireKit -newer "$probe" -name '*.swift' | head -1)" ]; then
    swift build --product ice-probe 2>&1 | grep -E "error|warning:|Build" >&2
  fi
  contrib/netlab/scenarios.sh --probe "$probe" || status=1
  timings+=("netlab ice-probe: $(( $(date +%s) - t0 )) s")
  t1=$(date +%s)
  contrib/netlab/daemon-scenarios.sh ${NETLAB_LONG:+--long} || status=1
  timings+=("netlab daemons: $(( $(date +%s) - t1 )) s")
  timings+=("netlab: $(( $(date +%s) - t0 )) s")
fi
echo "system: results (again with contrib/system-tests.sh --report):" >&2
"$0" --report >&2 || true
printf 'system: %s\n' "${timings[@]}" >&2
[ $status -eq 0 ] && echo "system: all tiers passed" >&2 || echo "system: FAILED" >&2
exit $status
