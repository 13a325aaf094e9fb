#!/usr/bin/env bash
# Benchmarks syncd-rendezvous on loopback: N concurrent authenticated WebSocket clients, memory
# per idle connection, relayed signals/s with p50/p99 latency (overall and by second), and the
# server's CPU per relayed signal. The server is a child that exits with the bench. Usage:
#   contrib/rendezvous-bench.sh [--connections 10000] [--pairs 200] [--duration 5]
#                               [--window 4 | --rate 20000] [--server-threads 0] [--client-threads 1]
#                               [--warmup 0]
# --window N: closed loop, N signals in flight per pair (latency = in-flight / throughput).
# --rate R:   open loop, R signals/s offered in total (the latency figure for a target rate).
# --warmup S: relay S seconds first and report them on their own line (not in the measured figures).
# Release builds go to .build-release so they do not disturb the debug build in .build.
set -euo pipefail
cd "$(dirname "$0")/.."
ulimit -n 65536 || ulimit -n "$(ulimit -Hn)"
swift build -c release --scratch-path .build-release --product syncd-rendezvous 2>&1 | grep -E "error:|complete" | tail -3
swift build -c release --scratch-path .build-release --product rendezvous-bench 2>&1 | grep -E "error:|complete" | tail -3
exec .build-release/release/rendezvous-bench "$@"
