#!/usr/bin/env bash
# Sets up everything PeerSync's tests need (Debian packages, the aiortc virtualenv) and runs
# every test: unit, simulated-network, loopback and interop. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash contrib/setup.sh

mkdir -p test-output
echo "test: building (debug, with tests)" >&2
swift build --build-tests 2>&1 | tee test-output/build.log | grep -E "error:|warning:|Compiling|Build complete" | grep -v "^\[" || true
if ! grep -q "Build complete" test-output/build.log; then
  echo "test: the build failed; see test-output/build.log" >&2
  grep -E "error:" test-output/build.log | head -50 >&2
  exit 1
fi
# Our own code builds without warnings (dependencies' warnings are theirs).
if grep -E "^$(pwd)/(Sources|Tests|Benchmarks)/.*warning:" test-output/build.log | sort -u | head -50 | grep .; then
  echo "test: the build has warnings in PeerSync's own code (above); fix them" >&2
  exit 1
fi

export PEERSYNC_PYTHON="$(pwd)/.venv/bin/python"
echo "test: running swift test" >&2
# The media interop tests measure real-time audio (a tone's pitch, packets per second) from
# aiortc and Chromium peers: they run in a second pass of their own, so the CPU-heavy tests
# (daemons, simulated networks) do not share the two cores with them.
realtime="MediaInteropTests"
set +e
swift test --skip "$realtime" 2>&1 | tee test-output/test.log | grep -vE "^(✔|◇|↳) "
status=${PIPESTATUS[0]}
echo "test: running the real-time media interop tests on their own" >&2
swift test --skip-build --filter "$realtime" 2>&1 | tee test-output/test-realtime.log | grep -vE "^(✔|◇|↳) "
[ "${PIPESTATUS[0]}" -eq 0 ] || status=1
set -e
# One plain closing line: Swift Testing's totals of both passes (XCTest only reports its own,
# usually empty, run).
total=0; failed=0
for log in test-output/test.log test-output/test-realtime.log; do
  n=$(grep -E "Test run with [0-9]+ tests?" "$log" | tail -1 | sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p')
  total=$((total + ${n:-0}))
  failed=$((failed + $(grep -cE "^✘ Test .* failed after" "$log" || true)))
done
summary="Test run with $total tests: $((total - failed)) passed, $failed failed"
echo "$summary"
echo "swift-testing: $((total - failed)) passed, $failed failed"
# The system tier (fuzz smoke + network lab, needs root): PEERSYNC_SYSTEM_TESTS=0 skips it.
if [ "$status" -eq 0 ] && [ "${PEERSYNC_SYSTEM_TESTS:-1}" != 0 ]; then
  PEERSYNC_BIN="${PEERSYNC_BIN:-$PWD/.build/debug}" contrib/system-tests.sh || status=1   # just built: no rebuilds
  # The closing lines stay the test runner's totals.
  echo "$summary"
  echo "swift-testing: $((total - failed)) passed, $failed failed"
  [ "$status" -eq 0 ] || echo "test: the system tier failed (see above)" >&2
fi
exit "$status"
