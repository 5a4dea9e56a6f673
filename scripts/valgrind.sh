#!/usr/bin/env bash
# `make valgrind`: memory safety outside the 20-minute test command.
#   1. The core's unit tests built with AddressSanitizer + UBSan (CMake CSEG_SANITIZE=ON,
#      build/asan); any report aborts the test.
#   2. The pg_regress suite against a throwaway server running under valgrind memcheck
#      (no leak check: PostgreSQL frees by memory context); errors are counted from the logs,
#      PostgreSQL-internal false positives suppressed by test/valgrind/postgres.supp.
# Logs: build/asan_ctest.log, build/valgrind/. Ends with "memory checks: clean" or a summary
# of what was found, and exits non-zero if anything was. Usage: scripts/valgrind.sh
# [--asan-only | --valgrind-only] [pg_regress test names...]
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# PG_CONFIG selects the server (default: Debian's PostgreSQL 15).
export PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
PGBIN=$("$PG_CONFIG" --bindir)
mode=all
case "${1:-}" in
    --asan-only) mode=asan; shift ;;
    --valgrind-only) mode=valgrind; shift ;;
esac
bash scripts/install_deps.sh --extras || exit 1
mkdir -p build
problems=0

# Runs the unit tests under ASan + UBSan; adds to $problems.
asan_stage() {
    echo "== unit tests under ASan + UBSan (build/asan)"
    if ! cmake -S . -B build/asan -DCSEG_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
            >build/asan_build.log 2>&1 ||
       ! cmake --build build/asan -j"$(nproc)" >>build/asan_build.log 2>&1; then
        tail -n 30 build/asan_build.log
        problems=$((problems + 1))
        return
    fi
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build/asan -j"$(nproc)" --output-on-failure >build/asan_ctest.log 2>&1
    grep -E "tests passed|ERROR: AddressSanitizer|runtime error|LeakSanitizer" \
        build/asan_ctest.log | sort | uniq -c | head -n 20
    local reports
    reports=$(grep -cE "ERROR: AddressSanitizer|runtime error:|ERROR: LeakSanitizer" \
              build/asan_ctest.log)
    if ! grep -q "100% tests passed" build/asan_ctest.log || [ "$reports" -gt 0 ]; then
        echo "ASan/UBSan: $reports sanitizer reports, see build/asan_ctest.log"
        problems=$((problems + 1))
    else
        echo "ASan/UBSan: clean"
    fi
}

# Runs pg_regress against a server under valgrind; adds to $problems.
valgrind_stage() {
    echo "== pg_regress with the server under valgrind memcheck"
    if ! { make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" && make -s install PG_CONFIG="$PG_CONFIG"; } \
            >build/make.log 2>&1; then
        tail -n 30 build/make.log
        problems=$((problems + 1))
        return
    fi
    local work port logdir
    work=$(mktemp -d /tmp/cseg_valgrind.XXXXXX)
    chown postgres:postgres "$work"
    port=$((55000 + RANDOM % 5000))
    logdir=$ROOT/build/valgrind
    rm -rf "$logdir"
    mkdir -p "$logdir"
    chown postgres:postgres "$logdir"
    runuser -u postgres -- "$PGBIN/initdb" -D "$work/data" -A trust -U postgres \
        >"$logdir/initdb.log" 2>&1 || { cat "$logdir/initdb.log"; problems=$((problems + 1)); return; }
    # The postmaster and every backend it forks run under memcheck.
    runuser -u postgres -- valgrind --quiet --tool=memcheck --leak-check=no \
        --track-origins=yes --read-var-info=no --num-callers=40 --trace-children=no \
        --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END --gen-suppressions=all \
        --suppressions="$ROOT/test/valgrind/postgres.supp" \
        --log-file="$logdir/valgrind.%p.log" \
        "$PGBIN/postgres" -D "$work/data" -p "$port" -k "$work" -c listen_addresses= \
        -c max_parallel_workers_per_gather=2 -c jit=off \
        >"$logdir/postgres.log" 2>&1 &
    local up=0
    for _ in $(seq 1 300); do
        if "$PGBIN/pg_isready" -q -h "$work" -p "$port"; then up=1; break; fi
        sleep 1
    done
    if [ "$up" -ne 1 ]; then
        echo "the server did not start under valgrind"; tail -n 20 "$logdir/postgres.log"
        problems=$((problems + 1))
        return
    fi
    # Every regress file that has its expected output (pg_regress stops at one without).
    local names=("$@")
    if [ ${#names[@]} -eq 0 ]; then
        for f in sql/*.sql; do
            n=$(basename "$f" .sql)
            [ "$n" != setup ] && [ -f "expected/$n.out" ] && names+=("$n")
        done
    fi
    local tests=(REGRESS="setup ${names[*]}")
    PGHOST=$work PGPORT=$port PGUSER=postgres \
        make -s installcheck PG_CONFIG="$PG_CONFIG" "${tests[@]}" >"$logdir/regress.log" 2>&1
    grep -E "\.\.\. |tests (passed|failed)" "$logdir/regress.log"
    cp -f build/regress/regression.diffs "$logdir/" 2>/dev/null
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/data" stop -m fast -t 600 >/dev/null 2>&1
    wait
    local errors crashes
    errors=$(cat "$logdir"/valgrind.*.log 2>/dev/null | grep -c "VALGRINDERROR-BEGIN")
    crashes=$(grep -cE "terminated by signal|was terminated" "$logdir/postgres.log")
    echo "valgrind: $errors errors in $(ls "$logdir"/valgrind.*.log | wc -l) process logs," \
         "$crashes backend crashes"
    if [ "$errors" -gt 0 ]; then
        # The first customer_seg frame (or the top frame) of each error, most frequent first.
        for f in "$logdir"/valgrind.*.log; do
            awk '/VALGRINDERROR-BEGIN/{e=1; what=""; where=""; next}
                 /VALGRINDERROR-END/{e=0; print what " @ " where; next}
                 e && what=="" && /==[0-9]+== [A-Z]/{sub(/^==[0-9]+== /, ""); what=$0}
                 e && where=="" && /customer_seg\.so|cseg/{sub(/^==[0-9]+== +/, ""); where=$0}' "$f"
        done | sort | uniq -c | sort -rn | head -n 20
    fi
    if [ "$errors" -gt 0 ] || [ "$crashes" -gt 0 ] || grep -q "FAILED\|failed (ignored)" "$logdir/regress.log"; then
        problems=$((problems + 1))
    fi
    rm -rf "$work"
}

[ "$mode" != valgrind ] && asan_stage
[ "$mode" != asan ] && valgrind_stage "$@"
if [ "$problems" -eq 0 ]; then
    echo "memory checks: clean"
else
    echo "memory checks: $problems stage(s) reported problems"
fi
[ "$problems" -eq 0 ]
