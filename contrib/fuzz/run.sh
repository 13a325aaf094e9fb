#!/usr/bin/env bash
# Builds and runs the libFuzzer targets. Usage: contrib/fuzz/run.sh [sdp|signaling|pairing|rtp] [libFuzzer args…]
# Default: 50000 runs seeded from the committed corpus (SDP: the real fixtures; others: contrib/fuzz/corpus/).
# Crashes land in contrib/fuzz/out/; turn each into a named regression test.
set -euo pipefail
cd "$(dirname "$0")/../.."
target="${1:-sdp}"; shift || true
extra=()
out=contrib/fuzz/out; mkdir -p "$out/corpus-$target"
case "$target" in
  sdp)
    sources=(Sources/SDP/*.swift contrib/fuzz/FuzzSDP.swift)
    seeds=Tests/SDPTests/Fixtures ;;
  signaling)
    sources=(Sources/Signaling/*.swift contrib/fuzz/FuzzSignaling.swift)
    seeds=contrib/fuzz/corpus/signaling ;;
  pairing)
    # Pairing plus the WireKit files it uses, as one module (their `import WireKit` removed).
    tmp="$out/src-pairing"; rm -rf "$tmp"; mkdir -p "$tmp"
    for f in Sources/Pairing/*.swift Sources/WireKit/{ByteReader,ByteWriter,Instant,WireParseError}.swift; do
      sed '/^import WireKit/d' "$f" > "$tmp/$(basename "$f")"
    done
    sources=("$tmp"/*.swift contrib/fuzz/FuzzPairing.swift)
    extra=(-I Sources/CShims/COpenSSL -lssl -lcrypto)
    seeds=contrib/fuzz/corpus/pairing ;;
  rtp)
    # RTP/RTCP plus the WireKit files they use, as one module (their `import WireKit` removed).
    tmp="$out/src-rtp"; rm -rf "$tmp"; mkdir -p "$tmp"
    for f in Sources/RTP/*.swift Sources/RTP/RTCP/*.swift Sources/WireKit/{ByteReader,ByteWriter,Instant,WireParseError}.swift; do
      sed '/^import WireKit/d' "$f" > "$tmp/$(basename "$f")"
    done
    sources=("$tmp"/*.swift contrib/fuzz/FuzzRTP.swift)
    seeds=contrib/fuzz/corpus/rtp ;;
  *) echo "unknown fuzz target: $target" >&2; exit 2 ;;
esac
swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name "Fuzz_$target" \
  "${sources[@]}" "${extra[@]}" -o "$out/fuzz-$target" 2> >(grep -v "Cannot export local symbol" >&2)
args=("$@"); [ ${#args[@]} -eq 0 ] && args=(-runs=50000)
"$out/fuzz-$target" -artifact_prefix="$out/" "${args[@]}" "$out/corpus-$target" "$seeds"
