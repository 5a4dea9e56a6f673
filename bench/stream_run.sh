#!/usr/bin/env bash
# The stream engine benchmark (also `make bench-stream`): bench/stream_bench.py on a throwaway
# cluster with a private install, as bench/run.sh runs the k-means benchmark.
#   bench/stream_run.sh [--rows 10000000] [--also 30000000]
set -euo pipefail
cd "$(dirname "$0")/.."
CSEG_BENCH_SCRIPT=bench/stream_bench.py exec bash bench/run.sh "$@"
