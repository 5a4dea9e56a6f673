#!/usr/bin/env bash
# The main job: install what is needed, build and install customer_seg, start a throwaway
# PostgreSQL 15, load the mall customers, fit 5 segments and print one row per segment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build_install.sh
pg_virtualenv -v 15 psql -X -q -v ON_ERROR_STOP=1 -f scripts/demo.sql
