#!/usr/bin/env bash
# Fuzzes the SCTP packet/chunk parsers with libFuzzer + AddressSanitizer.
#   contrib/fuzz/run-sctp.sh [seconds]      (default 60; extra args go to libFuzzer)
# The parser sources are compiled into one module with the target (their `import WireKit`
# lines are dropped), so no SwiftPM build is needed. Crashes land in contrib/fuzz/out/.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN="${1:-60}"; shift || true
OUT=contrib/fuzz/out; BUILD="$OUT/build-sctp"
mkdir -p "$BUILD/src" "$OUT/corpus-sctp"
cp Sources/WireKit/ByteReader.swift Sources/WireKit/ByteWriter.swift Sources/WireKit/WireParseError.swift \
   Sources/WireKit/CRC32.swift Sources/SCTP/SCTPParseError.swift Sources/SCTP/TSN.swift Sources/SCTP/Chunks/*.swift \
   contrib/fuzz/SCTPChunkFuzz.swift "$BUILD/src/"
sed -i '/^import WireKit$/d' "$BUILD"/src/*.swift
clang -O1 -g -fsanitize=fuzzer-no-link,address -ISources/CPlatform/include -c Sources/CPlatform/crc32c.c -o "$BUILD/crc32c.o"
mkdir -p "$BUILD/include"
cat > "$BUILD/include/module.modulemap" <<MAP
module CPlatform { header "$(pwd)/Sources/CPlatform/include/CPlatform.h" export * }
MAP
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name SCTPFuzz -I "$BUILD/include" \
  "$BUILD"/src/*.swift "$BUILD/crc32c.o" -o "$BUILD/sctp-fuzz"
cp -n contrib/fuzz/corpus-sctp/* "$OUT/corpus-sctp/" 2>/dev/null || true
"$BUILD/sctp-fuzz" -max_total_time="$SECONDS_TO_RUN" -max_len=4096 -artifact_prefix="$OUT/" "$@" "$OUT/corpus-sctp"
