#!/usr/bin/env bash
# Builds the STUN decoder fuzz target with libFuzzer + AddressSanitizer and runs it.
# Usage: contrib/fuzz/run-stun-fuzz.sh [RUNS]   (default 200000 inputs; 0 = until a crash)
# Only WireKit and STUN are compiled (with swiftc, outside SwiftPM), so this takes seconds.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS="${1:-200000}"
OUT=contrib/fuzz/out
mkdir -p "$OUT/modules" "$OUT/cplatform" "$OUT/corpus"
FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -g)

# CPlatform (C): a module map and objects.
cat > "$OUT/cplatform/module.modulemap" <<MAP
module CPlatform { header "$(pwd)/Sources/CPlatform/include/CPlatform.h"  export * }
MAP
clang -O2 -fsanitize=address -c Sources/CPlatform/crc32c.c -ISources/CPlatform/include -o "$OUT/crc32c.o"
clang -O2 -fsanitize=address -c Sources/CPlatform/mmsg.c -ISources/CPlatform/include -o "$OUT/mmsg.o"

swiftc "${FLAGS[@]}" -module-name WireKit -emit-module -emit-module-path "$OUT/modules/WireKit.swiftmodule" \
  -I "$OUT/cplatform" -c Sources/WireKit/*.swift -o "$OUT/WireKit.o" -wmo
swiftc "${FLAGS[@]}" -module-name STUN -emit-module -emit-module-path "$OUT/modules/STUN.swiftmodule" \
  -I "$OUT/modules" -I "$OUT/cplatform" -Xcc -fmodule-map-file=Sources/CShims/COpenSSL/module.modulemap \
  -c $(find Sources/STUN -name '*.swift') -o "$OUT/STUN.o" -wmo
swiftc "${FLAGS[@]}" -I "$OUT/modules" -I "$OUT/cplatform" -Xcc -fmodule-map-file=Sources/CShims/COpenSSL/module.modulemap \
  contrib/fuzz/STUNFuzz.swift "$OUT/WireKit.o" "$OUT/STUN.o" "$OUT/crc32c.o" "$OUT/mmsg.o" -lssl -lcrypto -o "$OUT/stun-fuzz"

cp -n contrib/fuzz/corpus/stun/* "$OUT/corpus/" 2>/dev/null || true
"$OUT/stun-fuzz" -runs="$RUNS" -max_len=1500 "$OUT/corpus" contrib/fuzz/corpus/stun
