#!/usr/bin/env bash
# Runs a benchmark command against a throwaway PostgreSQL cluster: initdb into a temp directory
# (as `postgres` when run as root), a server on a Unix socket there only (no TCP) with fsync=on and
# synchronous_commit=on, a fresh database `bench`, and BATON_STORE naming it — which `baton serve`
# and `baton agent` read when no --store is given. The cluster is stopped and removed afterwards.
#
#   bench/with_postgres.sh bench/run_serve_bench.sh
#   SCENARIOS=serve SERVE_IDLE=0 bench/with_postgres.sh bench/run_serve_bench.sh
#   bench/with_postgres.sh bench/run_handoff_bench.sh
#   PG_ARGS="-c shared_buffers=1GB" bench/with_postgres.sh ...   # more server settings
#
# The server settings beyond the defaults (shared_buffers=256MB, max_wal_size=4GB so that no
# checkpoint is forced by WAL volume during a run) are what docs/BENCHMARKS.md reports.
set -euo pipefail

BINDIR=${BATON_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
PG_ARGS=${PG_ARGS:-}
DIR=$(mktemp -d /tmp/baton-pg-bench-XXXXXX)

as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$DIR"
fi
cleanup() {
  as_owner "$BINDIR/pg_ctl" stop -D "$DIR/data" -m fast >/dev/null 2>&1 || true
  rm -rf "$DIR"
}
trap cleanup EXIT

as_owner "$BINDIR/initdb" -D "$DIR/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
  >"$DIR/initdb.log"
# shellcheck disable=SC2086 # PG_ARGS is a word list on purpose
as_owner "$BINDIR/pg_ctl" start -w -D "$DIR/data" -l "$DIR/server.log" \
  -o "-k $DIR -c listen_addresses= -c fsync=on -c synchronous_commit=on -c shared_buffers=256MB -c max_wal_size=4GB $PG_ARGS" \
  >/dev/null
as_owner "$BINDIR/psql" -X -q -h "$DIR" -U postgres -d postgres -c "CREATE DATABASE bench"
export BATON_STORE="host=$DIR dbname=bench user=postgres"
echo "== PostgreSQL $("$BINDIR/postgres" --version | awk '{print $3}') at $DIR (fsync=on, synchronous_commit=on, shared_buffers=256MB, max_wal_size=4GB $PG_ARGS)" >&2
"$@"
