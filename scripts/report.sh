#!/usr/bin/env bash
# `make report`: writes seg_report's HTML page for any model to a file, through psql against
# the server in the PG* environment variables (or REPORT_DB). Variables:
#   REPORT_MODEL     SQL expression giving the segmodel, e.g. "seg_model('mall')" (the active
#                    version of a registered model; the default when REPORT_NAME is set) or
#                    "(SELECT model FROM mall_segments)"
#   REPORT_NAME      a registry name: shorthand for REPORT_MODEL="seg_model('<name>')"
#   REPORT_SOURCE    the table or view the rows come from (required)
#   REPORT_FEATURES  its feature columns, comma-separated, in the model's order (required)
#   REPORT_OUT       the file to write (default: report.html)
#   REPORT_DB        the database (default: $PGDATABASE, else psql's default)
set -euo pipefail
model="${REPORT_MODEL:-}"
if [ -z "$model" ] && [ -n "${REPORT_NAME:-}" ]; then
    model="seg_model(:'name')"  # the registered name travels as a quoted psql variable
fi
if [ -z "$model" ] || [ -z "${REPORT_SOURCE:-}" ] || [ -z "${REPORT_FEATURES:-}" ]; then
    echo "usage: make report REPORT_SOURCE=table REPORT_FEATURES=col1,col2,... \\" >&2
    echo "                   (REPORT_NAME=registered_model | REPORT_MODEL='sql expression')" >&2
    echo "                   [REPORT_OUT=report.html] [REPORT_DB=database]" >&2
    exit 2
fi
out="${REPORT_OUT:-report.html}"
db_args=()
if [ -n "${REPORT_DB:-}" ]; then db_args=(-d "$REPORT_DB"); fi
# The name, source and features travel as psql variables (quoted by psql with :'...'), the
# model expression as SQL: it is the caller's own query.
query="SELECT seg_report(${model}, :'source', string_to_array(:'features', ','))"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
printf '%s\n' "$query" | psql -X -q -At -v ON_ERROR_STOP=1 "${db_args[@]}" \
    -v name="${REPORT_NAME:-}" -v source="$REPORT_SOURCE" -v features="$REPORT_FEATURES" \
    -o "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "report written to $(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
