#!/usr/bin/env bash
# Kept for muscle memory: contrib/fuzz/fuzz.sh is the entry point.
# Usage: run.sh [sdp|signaling|pairing|…] [libFuzzer args…]   (default 50000 runs)
target="${1:-sdp}"; shift || true
[ $# -eq 0 ] && set -- -runs=50000
exec "$(dirname "$0")/fuzz.sh" --run "$target" "$@"
