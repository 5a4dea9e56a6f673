#!/usr/bin/env bash
# Developer loop: builds customer_seg, installs it into build/dev-install (never into the
# system directories, so several checkouts can work side by side), starts a private throwaway
# PostgreSQL 15 cluster that loads the extension from there (Debian's extension_destdir) and
# runs the pg_regress files and integration tests named on the command line.
#
#   scripts/dev_check.sh kmeans trigger test/integration/test_security.py
#   scripts/dev_check.sh --all          # every regress file and integration test
#
# Regress names are files of sql/ without .sql ("setup" is always run first). Ends with
# "N passed, N failed" like scripts/test.sh.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
DEST=$ROOT/build/dev-install
mkdir -p build

regress=()
pytests=()
if [ "${1:-}" = "--all" ]; then
    for f in sql/*.sql; do n=$(basename "$f" .sql); [ "$n" = setup ] || regress+=("$n"); done
    pytests=(test/integration/test_*.py)
else
    for a in "$@"; do
        case "$a" in
            *.py) pytests+=("$a") ;;
            *) regress+=("$a") ;;
        esac
    done
fi

make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG" >build/dev-make.log 2>&1 || {
    grep -E "error|Error" build/dev-make.log | head -n 40
    echo "0 passed, 1 failed"
    exit 1
}
grep -E "warning" build/dev-make.log | head -n 20
rm -rf "$DEST"
make -s install DESTDIR="$DEST" PG_CONFIG="$PG_CONFIG" >/dev/null || {
    echo "0 passed, 1 failed"
    exit 1
}

# Runs inside the private cluster.
inner() {
    local passed=0 failed=0
    if [ "${#regress[@]}" -gt 0 ]; then
        mkdir -p build/regress
        make -s installcheck PG_CONFIG="$PG_CONFIG" REGRESS="setup ${regress[*]}" \
            >build/dev-regress.log 2>&1
        grep -E "\.\.\. " build/dev-regress.log
        p=$(grep -cE "\.\.\. ok" build/dev-regress.log)
        f=$(grep -cE "\.\.\. FAILED|\.\.\. failed" build/dev-regress.log)
        if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; tail -n 30 build/dev-regress.log; fi
        [ "$f" -gt 0 ] && [ -f build/regress/regression.diffs ] &&
            head -n 120 build/regress/regression.diffs
        passed=$((passed + p))
        failed=$((failed + f))
    fi
    for t in "${pytests[@]}"; do
        log=build/dev-$(basename "$t" .py).log
        if /usr/bin/python3 "$t" >"$log" 2>&1; then
            echo "integration $(basename "$t") ... ok$(grep -m1 '^SKIP:' "$log" | sed 's/^/ /')"
            passed=$((passed + 1))
        else
            echo "integration $(basename "$t") ... FAILED"
            tail -n 40 "$log"
            failed=$((failed + 1))
        fi
    done
    echo "$passed passed, $failed failed" | tee build/dev-summary.txt
    [ "$failed" -eq 0 ]
}
export -f inner
export PG_CONFIG
regress_list="${regress[*]:-}"
pytest_list="${pytests[*]:-}"
rm -f build/dev-summary.txt
pg_virtualenv -t -v 15 -o "extension_destdir=$DEST" bash -c "
    cd '$ROOT'
    regress=($regress_list)
    pytests=($pytest_list)
    $(declare -f inner)
    inner"
rc=$?
# The summary again as the last line: pg_virtualenv prints "Dropping cluster ..." after it.
cat build/dev-summary.txt 2>/dev/null || echo "0 passed, 1 failed"
[ "$rc" -eq 0 ] && grep -q " 0 failed" build/dev-summary.txt
