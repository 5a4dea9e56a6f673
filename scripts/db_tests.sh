#!/usr/bin/env bash
# Runs inside pg_virtualenv: pg_regress (make installcheck) then test/integration/*.
# Writes "passed failed" to build/db_counts.
set -uo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
passed=0
failed=0

make -s installcheck PG_CONFIG="$PG_CONFIG" >build/regress.log 2>&1
grep -E "^(test |     |ok |not ok )|\.\.\. " build/regress.log
p=$(grep -cE "\.\.\. ok" build/regress.log)
f=$(grep -cE "\.\.\. FAILED|\.\.\. failed" build/regress.log)
if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; tail -n 30 build/regress.log; fi
[ "$f" -gt 0 ] && [ -f build/regress/regression.diffs ] && head -n 80 build/regress/regression.diffs
passed=$((passed + p))
failed=$((failed + f))

for t in test/integration/test_*.py; do
    [ -e "$t" ] || continue
    if /usr/bin/python3 "$t" >build/"$(basename "$t" .py)".log 2>&1; then
        # --- robustness: "SKIP: reason" + exit 0 is a skip, counted neither passed nor failed
        if grep -q "^SKIP:" build/"$(basename "$t" .py)".log; then
            echo "integration $(basename "$t") ... skipped ($(grep -m1 "^SKIP:" \
                build/"$(basename "$t" .py)".log | cut -c7-))"
            continue
        fi
        # --- end robustness
        echo "integration $(basename "$t") ... ok"
        passed=$((passed + 1))
    else
        echo "integration $(basename "$t") ... FAILED"
        tail -n 30 build/"$(basename "$t" .py)".log
        failed=$((failed + 1))
    fi
done
echo "$passed $failed" >build/db_counts
