#!/usr/bin/env bash
# Kept for muscle memory: contrib/fuzz/fuzz.sh is the entry point. Usage: run-sync-fuzz.sh [RUNS]
exec "$(dirname "$0")/fuzz.sh" --run sync -runs="${1:-200000}"
