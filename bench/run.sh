#!/usr/bin/env bash
# The side-by-side benchmark against scikit-learn (also `make bench`): builds customer_seg,
# installs it into build/bench-install (never into the system directories, so a benchmark
# does not disturb other installs), starts a throwaway PostgreSQL 15 cluster that loads the
# extension from there (Debian's extension_destdir), and runs bench/bench.py, which writes
# bench/results/latest.md.
#
#   bench/run.sh [--rows N] [--repeat R] [--quick] [--set 'customer_seg.threads = 1'] [--out F]
#
# Environment: CSEG_BENCH_NO_BUILD=1 skips the build (uses build/bench-install as it is);
# CSEG_BENCH_PGOPTS adds postgresql.conf settings ("guc=value guc=value").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
DEST=$ROOT/build/bench-install

bash scripts/install_deps.sh
if [ "${CSEG_BENCH_NO_BUILD:-}" != 1 ]; then
    echo "== building customer_seg and installing it into build/bench-install"
    make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
    rm -rf "$DEST"
    make -s install DESTDIR="$DEST" PG_CONFIG="$PG_CONFIG" >/dev/null
    # Without the SQL aggregate silhouette(float8[], int) the benchmark times the core's
    # silhouette through the metrics benchmark instead.
    if ! grep -qs "CREATE AGGREGATE silhouette" src/sql/*.sql; then
        echo "== building bench/silhouette_bench (no SQL silhouette aggregate yet)"
        cmake -S bench -B build/bench -DCMAKE_BUILD_TYPE=Release >build/bench-cmake.log 2>&1 &&
            cmake --build build/bench --target silhouette_bench -j"$(nproc)" \
                >>build/bench-cmake.log 2>&1 ||
            echo "   (failed, see build/bench-cmake.log; silhouette will be listed as pending)"
    fi
fi

PGOPTS=(-o "extension_destdir=$DEST")
for opt in ${CSEG_BENCH_PGOPTS:-}; do PGOPTS+=(-o "$opt"); done
echo "== benchmark on a throwaway PostgreSQL 15 cluster"
# -t: a private temporary cluster, so a concurrent test run's cluster is never in the way.
# CSEG_BENCH_SCRIPT: another benchmark script to run the same way (bench/stream_run.sh).
pg_virtualenv -t -v 15 "${PGOPTS[@]}" /usr/bin/python3 "$ROOT/${CSEG_BENCH_SCRIPT:-bench/bench.py}" "$@"
