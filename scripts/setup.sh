#!/usr/bin/env bash
# Installs every Debian package Baton's build, tests and benchmarks need, and the web packages
# from the committed lock file. Idempotent; run as root on Debian 12.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  clang clang-format clang-tidy libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libyaml-cpp-dev libsqlite3-dev sqlite3 libpq-dev postgresql libjemalloc-dev
  libspdlog-dev libfmt-dev libcli11-dev libsodium-dev libssl-dev openssl ca-certificates
  libstemmer-dev libutf8proc-dev libhowardhinnant-date-dev tzdata
  mythes-en-us mythes-de mythes-fr mythes-es
  libgtest-dev libgmock-dev libbenchmark-dev
  libsystemd-dev systemd strace
  nodejs npm chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# nodejs/npm may come from elsewhere on the machine (a newer Node); accept a working `node`.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
filtered=()
for p in "${missing[@]}"; do [ -n "$p" ] && filtered+=("$p"); done

if [ "${#filtered[@]}" -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  # The postgresql package would start (and enable) the system's cluster; the tests start
  # throwaway clusters of their own (src/store/pg_test_cluster.hpp, tests/lib/pgcluster.mjs), so
  # policy-rc.d tells the package scripts not to start services while installing.
  policy="/usr/sbin/policy-rc.d"
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get install -y --no-install-recommends "${filtered[@]}"
fi

if [ -f "$here/web/package-lock.json" ]; then
  (cd "$here/web" && npm ci --no-audit --no-fund)
fi
echo "setup: done"
