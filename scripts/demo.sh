#!/usr/bin/env bash
# The main job: install what is needed, build and install customer_seg, start a throwaway
# PostgreSQL 15, load the mall customers, fit 5 segments, print one row per segment and write
# their HTML report (seg_report) to build/mall_customers_report.html.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install_deps.sh
bash scripts/build_install.sh
mkdir -p build
pg_virtualenv -v 15 psql -X -q -v ON_ERROR_STOP=1 -f scripts/demo.sql
echo
echo "The mall customers' report (seg_report: sizes, profiles, charts; opens offline in any"
echo "browser): $PWD/build/mall_customers_report.html"
