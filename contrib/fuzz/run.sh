#!/usr/bin/env bash
# Builds and runs the libFuzzer targets. Usage: contrib/fuzz/run.sh [sdp] [libFuzzer args…]
# Default: 50000 runs seeded from the committed corpus (the real SDP fixtures).
# Crashes land in contrib/fuzz/out/; turn each into a named regression test.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${1:-sdp}"; shift || true
out=contrib/fuzz/out; mkdir -p "$out/corpus-$target"
case "$target" in
  sdp)
    sources=(Sources/SDP/*.swift contrib/fuzz/FuzzSDP.swift)
    seeds=Tests/SDPTests/Fixtures ;;
  *) echo "unknown fuzz target: $target" >&2; exit 2 ;;
esac
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name "Fuzz_$target" \
  "${sources[@]}" -o "$out/fuzz-$target" 2> >(grep -v "Cannot export local symbol" >&2)
args=("$@"); [ ${#args[@]} -eq 0 ] && args=(-runs=50000)
"$out/fuzz-$target" -artifact_prefix="$out/" "${args[@]}" "$out/corpus-$target" "$seeds"
