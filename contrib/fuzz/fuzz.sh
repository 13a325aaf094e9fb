#!/usr/bin/env bash
# The one entry point for PeerSync's libFuzzer targets (Swift `-sanitize=fuzzer,address`).
#
#   contrib/fuzz/fuzz.sh --list                      targets, what they cover, their seed corpus
#   contrib/fuzz/fuzz.sh --smoke [SECONDS]           build all, run each SECONDS (default 20); CI tier
#   contrib/fuzz/fuzz.sh --long TARGET [SECONDS]     run one target long (default 3600 s; 0 = forever)
#   contrib/fuzz/fuzz.sh --build TARGET              only build contrib/fuzz/out/bin/fuzz-TARGET
#   contrib/fuzz/fuzz.sh --run TARGET [libFuzzer args…]   build, then run with these arguments
#
# Targets are built with swiftc outside SwiftPM (only the modules a target needs, -O, ASan),
# so no package build is needed. Working corpora grow in contrib/fuzz/out/corpus-TARGET (not
# committed); committed seeds are read-only inputs. A crash leaves contrib/fuzz/out/crash-…:
# turn it into a named regression test in the owning module's test target, then fix it.
# Long runs on all cores: add `-jobs=N -workers=N` after `--run TARGET`.
set -euo pipefail
export SWIFT_BACKTRACE=${SWIFT_BACKTRACE:-enable=no}  # the Swift backtracer trips ASan after a fatalError
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
OUT=contrib/fuzz/out
LIB=$OUT/lib
BIN=$OUT/bin
FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -g)
SHIMS=(-I "$LIB/cplatform" -I "$LIB/csha256" -Xcc "-fmodule-map-file=$ROOT/Sources/CShims/COpenSSL/module.modulemap"
       -Xcc "-fmodule-map-file=$ROOT/Sources/CShims/CZstd/module.modulemap")
TARGETS=(stun sctp dcep demux dtls sdp signaling websocket pairing sync rtp)

describe() {
  case "$1" in
    stun)      echo "STUN decoder, integrity check, re-encode round trip (Sources/STUN)|contrib/fuzz/corpus/stun" ;;
    sctp)      echo "SCTP packet and chunk parsers, CRC-32C resealed, round trip (Sources/SCTP/Chunks)|contrib/fuzz/corpus-sctp" ;;
    dcep)      echo "DCEP OPEN/ACK parser, round trip (Sources/DataChannel/DCEPMessage)|contrib/fuzz/corpus/dcep" ;;
    demux)     echo "RFC 7983 PacketKind + ICEAgent datagram input: STUN checks, TURN responses, ChannelData (WireKit, ICE)|contrib/fuzz/corpus/demux" ;;
    dtls)      echo "DTLS record filter and an established endpoint fed hostile datagrams; device ID / fingerprint parsers (Sources/DTLS)|contrib/fuzz/corpus/dtls" ;;
    sdp)       echo "SDP parser, write/parse round trip (Sources/SDP)|Tests/SDPTests/Fixtures" ;;
    signaling) echo "rendezvous JSON frames from client and server (Sources/Signaling)|contrib/fuzz/corpus/signaling" ;;
    websocket) echo "WebSocket frame reader of the rendezvous server: headers, masking, fragments, limits; writer round trip (Sources/Signaling/WebSocket)|contrib/fuzz/corpus/websocket" ;;
    pairing)   echo "pairing (SPAKE2) messages (Sources/Pairing)|contrib/fuzz/corpus/pairing" ;;
    rtp)       echo "RTP packets and RTCP compound packets, round trip (Sources/RTP)|contrib/fuzz/corpus/rtp" ;;
    sync)      echo "sync frames, frame assembler, path policy, .syncignore rules (SyncProtocol, SyncFS)|contrib/fuzz/corpus/sync" ;;
    *) echo "unknown fuzz target: $1 (see --list)" >&2; exit 2 ;;
  esac
}
seeds() { describe "$1" | cut -d'|' -f2; }
maxlen() { case "$1" in sdp|signaling|sync|sctp|websocket) echo 8192 ;; demux) echo 4096 ;; *) echo 1500 ;; esac; }

quiet() { "$@" 2> >(grep -v "Cannot export local symbol" >&2); }

# A Swift module (object + .swiftmodule) in $LIB, rebuilt when a source is newer.
module() {
  local name=$1; shift
  local obj="$LIB/$name.o"
  if [ -f "$obj" ] && [ -z "$(find "$@" -newer "$obj" 2>/dev/null | head -1)" ]; then return; fi
  quiet swiftc "${FLAGS[@]}" -module-name "$name" -emit-module -emit-module-path "$LIB/modules/$name.swiftmodule" \
    -I "$LIB/modules" "${SHIMS[@]}" -wmo -c "$@" -o "$obj"
}

base() {
  mkdir -p "$LIB/modules" "$LIB/cplatform" "$BIN"
  cat > "$LIB/cplatform/module.modulemap" <<MAP
module CPlatform { header "$ROOT/Sources/CPlatform/include/CPlatform.h" export * }
MAP
  mkdir -p "$LIB/csha256"
  cat > "$LIB/csha256/module.modulemap" <<MAP
module CSHA256 { header "$ROOT/Sources/CShims/CSHA256/include/CSHA256.h" export * }
MAP
  for c in crc32c mmsg filesync; do
    [ "$LIB/$c.o" -nt "Sources/CPlatform/$c.c" ] || clang -O2 -fsanitize=address -ISources/CPlatform/include -c "Sources/CPlatform/$c.c" -o "$LIB/$c.o"
  done
  [ "$LIB/sha256.o" -nt Sources/CShims/CSHA256/CSHA256.c ] ||
    clang -O2 -fsanitize=address -ISources/CShims/CSHA256/include -c Sources/CShims/CSHA256/CSHA256.c -o "$LIB/sha256.o"
  module WireKit Sources/WireKit/*.swift
}

# One executable: module-less harness sources plus objects.
link() {
  local target=$1; shift
  quiet swiftc "${FLAGS[@]}" -module-name "Fuzz_$target" -I "$LIB/modules" "${SHIMS[@]}" "$@" -o "$BIN/fuzz-$target"
}

# Sources compiled into the harness's own module (their `import WireKit` removed).
inline_sources() {
  local dir="$OUT/src-$1"; shift
  rm -rf "$dir"; mkdir -p "$dir"
  for f in "$@"; do sed '/^import WireKit$/d' "$f" > "$dir/$(basename "$f")"; done
  echo "$dir"
}

build() {
  local t=$1
  describe "$t" > /dev/null
  base
  local C=("$LIB/crc32c.o" "$LIB/mmsg.o" "$LIB/filesync.o")
  case "$t" in
    stun)
      module STUN $(find Sources/STUN -name '*.swift')
      link stun contrib/fuzz/STUNFuzz.swift "$LIB/WireKit.o" "$LIB/STUN.o" "${C[@]}" -lssl -lcrypto ;;
    demux)
      module STUN $(find Sources/STUN -name '*.swift')
      module ICE $(find Sources/ICE -name '*.swift')
      link demux contrib/fuzz/FuzzDemux.swift "$LIB/WireKit.o" "$LIB/STUN.o" "$LIB/ICE.o" "${C[@]}" -lssl -lcrypto ;;
    dcep)
      link dcep Sources/DataChannel/DCEPMessage.swift Sources/DataChannel/DataChannelParseError.swift \
        contrib/fuzz/FuzzDCEP.swift "$LIB/WireKit.o" "${C[@]}" ;;
    sctp)
      local d; d=$(inline_sources sctp Sources/WireKit/{ByteReader,ByteWriter,WireParseError,CRC32,Instant}.swift \
        Sources/SCTP/SCTPParseError.swift Sources/SCTP/TSN.swift Sources/SCTP/Chunks/*.swift)
      link sctp "$d"/*.swift contrib/fuzz/SCTPChunkFuzz.swift "$LIB/crc32c.o" ;;
    dtls)
      local d; d=$(inline_sources dtls $(find Sources/DTLS -name '*.swift') Sources/WireKit/Instant.swift)
      link dtls "$d"/*.swift contrib/fuzz/FuzzDTLS.swift -lssl -lcrypto ;;
    sdp)
      link sdp Sources/SDP/*.swift contrib/fuzz/FuzzSDP.swift ;;
    signaling)
      # The wire protocol plus the DeviceID type it names, as one module (cross-module imports removed).
      local d; d=$(inline_sources signaling Sources/Signaling/Protocol/*.swift \
        Sources/DTLS/Identity/{DeviceID,DeviceIDParseError,CertificateFingerprint}.swift Sources/DTLS/OpenSSL/OpenSSLDigest.swift)
      sed -i '/^import DTLS$/d' "$d"/*.swift
      link signaling "$d"/*.swift contrib/fuzz/FuzzSignaling.swift -lssl -lcrypto ;;
    websocket)
      # SwiftNIO comes from the package's own debug build, uninstrumented (the coverage that
      # guides the fuzzer is the reader's); its objects go into one archive so that only what
      # the reader uses is linked.
      local nio; nio=$(swift build --show-bin-path)
      [ -f "$nio/Modules/NIOWebSocket.swiftmodule" ] || swift build --target Signaling >&2
      local maps=()
      for m in "$nio"/CNIO*.build/module.modulemap; do maps+=(-Xcc "-fmodule-map-file=$m"); done
      maps+=(-Xcc "-I$ROOT/.build/checkouts/swift-nio/Sources/CNIOAtomics/include"
             -Xcc "-I$ROOT/.build/checkouts/swift-atomics/Sources/_AtomicsShims/include")
      rm -f "$LIB/libnio.a"
      find "$nio"/{NIOCore,NIOWebSocket,NIOHTTP1,NIOPosix,NIO,NIOConcurrencyHelpers,_NIOBase64,_NIODataStructures,CNIOLinux,CNIOAtomics,CNIOSHA1,CNIOLLHTTP,CNIOPosix,DequeModule,InternalCollectionsUtilities,Atomics,_AtomicsShims}.build \
        -name '*.o' -print0 | xargs -0 ar rcs "$LIB/libnio.a"
      local d; d=$(inline_sources websocket Sources/Signaling/WebSocket/*.swift)
      link websocket -I "$nio/Modules" "${maps[@]}" "$d"/*.swift contrib/fuzz/FuzzWebSocket.swift "$LIB/libnio.a" ;;
    pairing)
      local d; d=$(inline_sources pairing Sources/Pairing/*.swift Sources/WireKit/{ByteReader,ByteWriter,Instant,WireParseError}.swift)
      link pairing "$d"/*.swift contrib/fuzz/FuzzPairing.swift -lssl -lcrypto ;;
    rtp)
      local d; d=$(inline_sources rtp $(find Sources/RTP -name '*.swift') Sources/WireKit/{ByteReader,ByteWriter,Instant,WireParseError}.swift)
      link rtp "$d"/*.swift contrib/fuzz/FuzzRTP.swift ;;
    sync)
      module SyncProtocol $(find Sources/SyncProtocol -name '*.swift')
      module SyncFS $(find Sources/SyncFS -name '*.swift')
      link sync contrib/fuzz/SyncFuzz.swift "$LIB/WireKit.o" "$LIB/SyncProtocol.o" "$LIB/SyncFS.o" "$LIB/sha256.o" "${C[@]}" -lssl -lcrypto -lzstd ;;
  esac
}

run() {
  local t=$1; shift
  mkdir -p "$OUT/corpus-$t"
  "$BIN/fuzz-$t" -max_len="$(maxlen "$t")" -artifact_prefix="$OUT/crash-$t-" "$@" "$OUT/corpus-$t" "$(seeds "$t")"
}

case "${1:---list}" in
  --list)
    printf '%-10s %-40s %s\n' TARGET SEEDS COVERS
    for t in "${TARGETS[@]}"; do
      IFS='|' read -r what dir <<<"$(describe "$t")"
      printf '%-10s %-40s %s\n' "$t" "$dir ($(ls "$dir" | wc -l))" "$what"
    done ;;
  --build) build "$2" ;;
  --run) t=$2; shift 2; build "$t"; run "$t" "$@" ;;
  --long)
    t=${2:?usage: fuzz.sh --long TARGET [SECONDS]}; secs=${3:-3600}
    build "$t"; run "$t" -max_total_time="$secs" -print_final_stats=1 ;;
  --smoke)
    secs=${2:-20}; failed=(); start=$(date +%s)
    for t in "${TARGETS[@]}"; do build "$t"; done
    built=$(date +%s)
    echo "fuzz: built ${#TARGETS[@]} targets in $((built - start)) s" >&2
    for t in "${TARGETS[@]}"; do
      log="$OUT/smoke-$t.log"
      if run "$t" -max_total_time="$secs" -print_final_stats=1 > "$log" 2>&1; then
        echo "fuzz: $t ok ($(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') inputs in ${secs} s)" >&2
      else
        echo "fuzz: $t FAILED; see $log and $OUT/crash-$t-*" >&2
        grep -E "Fatal error|ERROR: |SUMMARY" "$log" | head -5 >&2
        failed+=("$t")
      fi
    done
    echo "fuzz: smoke tier took $(( $(date +%s) - start )) s" >&2
    [ ${#failed[@]} -eq 0 ] || { echo "fuzz: failed targets: ${failed[*]}" >&2; exit 1; } ;;
  -h|--help) sed -n '2,16p' "$0" ;;
  *) echo "unknown option $1; see --help" >&2; exit 2 ;;
esac
