#!/usr/bin/env bash
# Runs every test: the core's GoogleTest suite (ctest), the pg_regress suite and the
# integration tests against a throwaway PostgreSQL 15. Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p build
passed=0
failed=0

# Adds the counts of one stage.
count() { passed=$((passed + $1)); failed=$((failed + $2)); }

if ! bash scripts/install_deps.sh; then
    echo "0 passed, 1 failed"
    exit 1
fi

echo "== core unit tests (ctest)"
if cmake -S . -B build/core -DCMAKE_BUILD_TYPE=RelWithDebInfo >build/cmake.log 2>&1 &&
   cmake --build build/core -j"$(nproc)" >>build/cmake.log 2>&1; then
    ctest --test-dir build/core -j"$(nproc)" --output-on-failure >build/ctest.log 2>&1
    grep -E "tests passed|Failed|\*\*\*" build/ctest.log | tail -n 20
    line=$(grep -E "tests passed, [0-9]+ tests failed out of" build/ctest.log | tail -n 1)
    total=$(echo "$line" | sed -E 's/.* out of ([0-9]+).*/\1/')
    bad=$(echo "$line" | sed -E 's/.* ([0-9]+) tests failed.*/\1/')
    if [ -n "$line" ]; then count $((total - bad)) "$bad"; else count 0 1; fi
else
    tail -n 40 build/cmake.log
    count 0 1
fi

# --- robustness: fuzz targets, one test each (scripts/fuzz.sh; about a minute in all) -------
echo "== fuzz targets (${CSEG_FUZZ_SECONDS:-12} s each, clang + ASan + UBSan)"
bash scripts/fuzz.sh "${CSEG_FUZZ_SECONDS:-12}"
if [ -f build/fuzz_counts ]; then
    read -r p f <build/fuzz_counts
    count "$p" "$f"
else
    count 0 1
fi
# --- end robustness -----------------------------------------------------------------------

echo "== extension build"
if bash scripts/build_install.sh >build/make.log 2>&1; then
    grep -E "warning|error" build/make.log | head -n 20
    echo "== SQL tests (pg_regress + integration) on a throwaway cluster"
    rm -f build/db_counts
    pg_virtualenv -v 15 bash scripts/db_tests.sh
    if [ -f build/db_counts ]; then
        read -r p f <build/db_counts
        count "$p" "$f"
    else
        count 0 1
    fi
else
    tail -n 40 build/make.log
    count 0 1
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
