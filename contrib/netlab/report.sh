#!/usr/bin/env bash
# Prints the netlab results tables: contrib/netlab/report.sh [RESULTS.tsv…]
# (default: $LAB_DIR/results.tsv from scenarios.sh (ice-probe) and $LAB_DIR/daemon-results.tsv
# from daemon-scenarios.sh (whole daemons), whichever exist; LAB_DIR defaults to /tmp/peersync-netlab).
d=${LAB_DIR:-/tmp/peersync-netlab}
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  for f in "$d/results.tsv" "$d/daemon-results.tsv"; do [ -f "$f" ] && files+=("$f"); done
fi
[ ${#files[@]} -gt 0 ] || { echo "report: no results in $d; run contrib/netlab/scenarios.sh or daemon-scenarios.sh" >&2; exit 1; }
for f in "${files[@]}"; do
  [ -f "$f" ] || { echo "report: no results at $f" >&2; exit 1; }
  column -t -s $'\t' "$f"
  echo "$(grep -c $'\tPASS\t' "$f") passed, $(grep -c $'\tFAIL\t' "$f") failed, $(grep -c $'\tXFAIL\t' "$f") known failures"
  echo
done
