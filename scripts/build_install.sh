#!/usr/bin/env bash
# Builds customer_seg.so with PGXS and installs it into the local PostgreSQL 15.
set -euo pipefail
cd "$(dirname "$0")/.."
export PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config
make -s -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
