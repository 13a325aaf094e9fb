#!/usr/bin/env bash
# Kept for muscle memory: contrib/fuzz/fuzz.sh is the entry point. Usage: run-dtls.sh [RUNS]
exec "$(dirname "$0")/fuzz.sh" --run dtls -runs="${1:-20000}"
