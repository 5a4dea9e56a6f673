#!/usr/bin/env bash
# Installs every Debian package that building, the demo, the tests and the benchmarks need.
# Idempotent: asks apt only when something is missing (and then runs apt-get update first).
set -euo pipefail

PACKAGES=(
    build-essential cmake pkg-config
    postgresql-15 postgresql-server-dev-15 postgresql-common postgresql-15-cron
    libeigen3-dev libgtest-dev libnanoflann-dev
    python3 python3-numpy python3-sklearn python3-psycopg2 libopenblas0-pthread
    clang libclang-rt-14-dev
    chromium  # the charts' real-browser test (test/integration/test_charts_browser.py)
)
# The extra for `make valgrind` is installed by that target itself.
if [ "${1:-}" = "--extras" ]; then
    PACKAGES+=(valgrind)
fi

missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
