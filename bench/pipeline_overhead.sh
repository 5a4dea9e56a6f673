#!/usr/bin/env bash
# Feature pipeline overhead on a throwaway PostgreSQL 15 (pg_virtualenv); see the .py file.
# Usage: bash bench/pipeline_overhead.sh [--rows N] [--runs R]   (after make install)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PGHOST:-}" ] && [ -n "${PGPORT:-}" ]; then
    exec /usr/bin/python3 bench/pipeline_overhead.py "$@"
fi
exec pg_virtualenv -v 15 /usr/bin/python3 bench/pipeline_overhead.py "$@"
