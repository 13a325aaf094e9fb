#!/usr/bin/env bash
# The main job: sets up what PeerSync needs and runs the most complete thing that exists.
# Today that is the foundation: the CRC/byte-path benchmark and the simulated-network demo.
# When syncd lands this becomes the local demo (a rendezvous server and two paired daemons).
set -euo pipefail
cd "$(dirname "$0")/.."
bash contrib/setup.sh
echo "demo: building (release)" >&2
swift build -c release 2>&1 | grep -E "error:|Build complete" || true
echo "== WireKit hot path ==" >&2
.build/release/wirekit-bench
if [ -x .build/release/netsim-demo ]; then
  echo "== NetSim: simulated transfer over a lossy, rate-capped link ==" >&2
  .build/release/netsim-demo
fi
