#!/usr/bin/env bash
# Builds and runs the DTLS libFuzzer target. Usage: contrib/fuzz/run-dtls.sh [libFuzzer args…]
# Default: 20000 runs seeded from contrib/fuzz/corpus/dtls. Crashes land in contrib/fuzz/out/.
# (Kept separate from contrib/fuzz/run.sh so branches merge cleanly; fold it in as a `dtls` case.)
set -euo pipefail
cd "$(dirname "$0")/../.."
out=contrib/fuzz/out; mkdir -p "$out/corpus-dtls"
# DTLS plus the WireKit file it uses, as one module (their `import WireKit` removed).
tmp="$out/src-dtls"; rm -rf "$tmp"; mkdir -p "$tmp"
for f in $(find Sources/DTLS -name '*.swift') Sources/WireKit/Instant.swift; do
  sed '/^import WireKit/d' "$f" > "$tmp/$(basename "$f")"
done
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name Fuzz_dtls \
  "$tmp"/*.swift contrib/fuzz/FuzzDTLS.swift -I Sources/CShims/COpenSSL -lssl -lcrypto \
  -o "$out/fuzz-dtls" 2> >(grep -v "Cannot export local symbol" >&2)
args=("$@"); [ ${#args[@]} -eq 0 ] && args=(-runs=20000)
"$out/fuzz-dtls" -artifact_prefix="$out/" "${args[@]}" "$out/corpus-dtls" contrib/fuzz/corpus/dtls
