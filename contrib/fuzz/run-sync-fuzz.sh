#!/usr/bin/env bash
# Builds the sync frame / ignore-pattern fuzz target with libFuzzer + AddressSanitizer and runs it.
# Usage: contrib/fuzz/run-sync-fuzz.sh [RUNS]   (default 200000 inputs; 0 = until a crash)
# Only WireKit, SyncProtocol and SyncFS are compiled (swiftc, outside SwiftPM), so it takes seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${1:-200000}"
OUT=contrib/fuzz/out/sync
mkdir -p "$OUT/modules" "$OUT/cplatform" "$OUT/corpus"
FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -g)
SHIMS=(-Xcc -fmodule-map-file=Sources/CShims/COpenSSL/module.modulemap -Xcc -fmodule-map-file=Sources/CShims/CZstd/module.modulemap)

cat > "$OUT/cplatform/module.modulemap" <<MAP
module CPlatform { header "$(pwd)/Sources/CPlatform/include/CPlatform.h"  export * }
MAP
clang -O2 -fsanitize=address -c Sources/CPlatform/crc32c.c -ISources/CPlatform/include -o "$OUT/crc32c.o"
clang -O2 -fsanitize=address -c Sources/CPlatform/mmsg.c -ISources/CPlatform/include -o "$OUT/mmsg.o"
swiftc "${FLAGS[@]}" -module-name WireKit -emit-module -emit-module-path "$OUT/modules/WireKit.swiftmodule" \
  -I "$OUT/cplatform" -c Sources/WireKit/*.swift -o "$OUT/WireKit.o" -wmo
swiftc "${FLAGS[@]}" -module-name SyncProtocol -emit-module -emit-module-path "$OUT/modules/SyncProtocol.swiftmodule" \
  -I "$OUT/modules" -I "$OUT/cplatform" "${SHIMS[@]}" -c $(find Sources/SyncProtocol -name '*.swift') -o "$OUT/SyncProtocol.o" -wmo
swiftc "${FLAGS[@]}" -module-name SyncFS -emit-module -emit-module-path "$OUT/modules/SyncFS.swiftmodule" \
  -I "$OUT/modules" -I "$OUT/cplatform" "${SHIMS[@]}" -c $(find Sources/SyncFS -name '*.swift') -o "$OUT/SyncFS.o" -wmo
swiftc "${FLAGS[@]}" -I "$OUT/modules" -I "$OUT/cplatform" "${SHIMS[@]}" contrib/fuzz/SyncFuzz.swift \
  "$OUT/WireKit.o" "$OUT/SyncProtocol.o" "$OUT/SyncFS.o" "$OUT/crc32c.o" "$OUT/mmsg.o" -lssl -lcrypto -lzstd -o "$OUT/sync-fuzz"

"$OUT/sync-fuzz" -runs="$RUNS" -max_len=4096 "$OUT/corpus" contrib/fuzz/corpus/sync
