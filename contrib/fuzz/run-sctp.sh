#!/usr/bin/env bash
# Kept for muscle memory: contrib/fuzz/fuzz.sh is the entry point. Usage: run-sctp.sh [SECONDS] [libFuzzer args…]
secs="${1:-60}"; shift || true
exec "$(dirname "$0")/fuzz.sh" --run sctp -max_total_time="$secs" "$@"
