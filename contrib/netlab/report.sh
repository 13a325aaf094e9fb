#!/usr/bin/env bash
# Prints the netlab results table: contrib/netlab/report.sh [RESULTS.tsv]
# (default /tmp/peersync-netlab/results.tsv, written by contrib/netlab/scenarios.sh).
f=${1:-${LAB_DIR:-/tmp/peersync-netlab}/results.tsv}
[ -f "$f" ] || { echo "report: no results at $f; run contrib/netlab/scenarios.sh" >&2; exit 1; }
column -t -s $'\t' "$f"
echo "$(grep -c $'\tPASS\t' "$f") passed, $(grep -c $'\tFAIL\t' "$f") failed, $(grep -c $'\tXFAIL\t' "$f") known failures"
