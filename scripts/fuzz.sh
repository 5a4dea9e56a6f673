#!/usr/bin/env bash
# Builds the libFuzzer targets (test/fuzz/fuzz_*.cpp, clang + ASan + UBSan, build/fuzz) and
# runs each for SECONDS (default 12) from its seed corpus test/fuzz/corpus/<target>/.
# Prints one "fuzz <target> ... ok|FAILED" line per target and writes "passed failed" to
# build/fuzz_counts. A crash, leak, sanitizer report, timeout (> 10 s per input), memory
# blow-up (> 1 GB in one malloc, > 2 GB RSS) or broken round trip fails the target; the
# input is saved as build/fuzz/artifacts/<target>-crash-*. Usage: scripts/fuzz.sh [SECONDS]
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-12}"
mkdir -p build
rm -f build/fuzz_counts

if ! CXX=clang++ cmake -S . -B build/fuzz -DCSEG_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        >build/fuzz_build.log 2>&1 ||
   ! cmake --build build/fuzz -j"$(nproc)" >>build/fuzz_build.log 2>&1; then
    tail -n 30 build/fuzz_build.log
    echo "fuzz build ... FAILED"
    echo "0 1" >build/fuzz_counts
    exit 1
fi
grep -E "warning:" build/fuzz_build.log | grep -v "Wunknown-warning-option" | head -n 10

passed=0
failed=0
mkdir -p build/fuzz/artifacts
for seeds in test/fuzz/corpus/*/; do
    target=$(basename "$seeds")
    bin=build/fuzz/$target
    log=build/fuzz/$target.log
    if [ ! -x "$bin" ]; then
        echo "fuzz $target ... FAILED (no executable built for this corpus)"
        failed=$((failed + 1))
        continue
    fi
    work=build/fuzz/work/$target   # the grown corpus; the seeds in test/ stay untouched
    mkdir -p "$work"
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
        -max_len=16384 -print_final_stats=1 -artifact_prefix="build/fuzz/artifacts/$target-" \
        "$work" "$seeds" >"$log" 2>&1
    rc=$?
    runs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+).*/\1/p' "$log" | tail -n 1)
    corpus=$(ls "$work" | wc -l)
    if [ "$rc" -eq 0 ] && [ -n "$runs" ] && [ "$runs" -gt 0 ]; then
        echo "fuzz $target ... ok ($runs executions in ${seconds} s, corpus $corpus)"
        passed=$((passed + 1))
    else
        echo "fuzz $target ... FAILED (exit $rc)"
        grep -E "ERROR|invariant|SUMMARY|Test unit written" "$log" | head -n 10
        failed=$((failed + 1))
    fi
done
echo "$passed $failed" >build/fuzz_counts
[ "$failed" -eq 0 ]
