#!/usr/bin/env bash
# Benchmarks syncd-rendezvous on loopback: N concurrent authenticated WebSocket clients, memory
# per idle connection, relayed signals/s with p50/p99 latency. Usage:
#   contrib/rendezvous-bench.sh [--connections 10000] [--pairs 500] [--window 4] [--duration 5]
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 || ulimit -n "$(ulimit -Hn)"
swift build -c release --product syncd-rendezvous 2>&1 | grep -E "error:|Compiling|Build complete" | tail -3
swift build -c release --product rendezvous-bench 2>&1 | grep -E "error:|Compiling|Build complete" | tail -3
exec .build/release/rendezvous-bench "$@"
