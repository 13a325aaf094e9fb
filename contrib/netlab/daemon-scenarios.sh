#!/usr/bin/env bash
# Whole-daemon netlab scenarios (contrib/netlab/daemons.py): syncd-rendezvous in psl-pub, a syncd
# behind each NAT, synced through the lab's coturn.
#   contrib/netlab/daemon-scenarios.sh [--only REGEX] [--long]
# Default (CI) set: the 4 hard NAT pairs (full-cone/symmetric, port-restricted/port-restricted,
# port-restricted/symmetric, symmetric/symmetric) + lossy + link-down + rendezvous-restart + turn-none + turn-down.
# --long adds the other 6 NAT pairs and the mapping change (rebind). --only overrides both.
# Measured (debug build, 2 shared cores): default set 116 s, --long (14 scenarios) 165 s, plus ~5 s
# for the lab. Slowest: d-lossy ~50 s (2 MB at 10% loss/100 ms RTT), d-link-down ~27 s, d-rebind ~22 s.
# Binaries from PEERSYNC_BIN or .build/debug (built here unless PEERSYNC_BIN is set).
# Writes $LAB_DIR/daemon-results.tsv; contrib/netlab/report.sh prints it. Exit 1 on any failure.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lab.sh
. "$HERE/lab.sh"
ONLY='d-nat-(full-cone-symmetric|port-restricted-port-restricted|port-restricted-symmetric|symmetric-symmetric)|d-lossy|d-link-down|d-rendezvous-restart|d-turn-none|d-turn-down'
while [ $# -gt 0 ]; do
  case $1 in
    --only) ONLY=$2; shift 2 ;;
    --long) ONLY=.; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -z "${PEERSYNC_BIN:-}" ]; then
  for p in syncd syncctl syncd-rendezvous; do (cd "$ROOT" && swift build --product "$p" 2>&1 | grep -E "error:|warning:" >&2); done
fi
lab_check || exit 1
trap lab_down EXIT INT TERM
lab_up || { echo "netlab: could not build the lab" >&2; exit 1; }
python3 "$HERE/daemons.py" --only "$ONLY"
status=$?
"$HERE/report.sh" "$LAB_DIR/daemon-results.tsv"
exit $status
