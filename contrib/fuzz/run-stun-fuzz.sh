#!/usr/bin/env bash
# Kept for muscle memory: contrib/fuzz/fuzz.sh is the entry point. Usage: run-stun-fuzz.sh [RUNS]
exec "$(dirname "$0")/fuzz.sh" --run stun -runs="${1:-200000}"
