#!/usr/bin/env bash
# What a turn costs on disk with SQLite: `baton serve examples/contoso` under bench/loadgen at RATE
# turns/s for DURATION s over CONVERSATIONS conversations, a clean stop (the WAL checkpointed and
# truncated), then SQLite's dbstat per table and index, and bytes per customer turn. Not part of CI.
#
#   bench/run_storage_bench.sh                      # from the source root; build dir ./build
#   BUILD=build-rel RATE=2000 DURATION=10 bench/run_storage_bench.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
RATE=${RATE:-2000}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5}
CONVERSATIONS=${CONVERSATIONS:-1000}
SECRET=bench-secret-$$

cd "$ROOT"
ninja -C "$BUILD" -j2 loadgen baton >&2
WORK=$(mktemp -d /tmp/baton-storage-XXXXXX)
# shellcheck source=bench/bench_lib.sh
source "$ROOT/bench/bench_lib.sh"

start_server serve "$BUILD/baton" serve examples/contoso --listen 127.0.0.1:0 --data "$WORK/data" \
  --secret "$SECRET" --rate-limit 100000000 --session-rate-limit 0 --max-connections-per-address 0
line=$("$BUILD/bench/loadgen" --mode serve --port "$PORT" --secret "$SECRET" \
  --conversations "$CONVERSATIONS" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" | tail -1)
echo "$line" >&2
stop_server "$PID"

DB="$WORK/data/baton.db"
# A customer's message: its sender (role user) comes right before the conversation; a bot reply's
# user is its recipient, after it.
turns=$(sqlite3 "$DB" "SELECT count(*) FROM activities WHERE type = 'message' AND body LIKE '%\"role\":\"user\"},\"conversation\":%'")
activities=$(sqlite3 "$DB" "SELECT count(*) FROM activities")
echo
echo "storage per stored turn — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores; $turns customer turns, $activities activities"
printf '%-34s %12s %10s\n' "b-tree" bytes per_turn
sqlite3 -separator ' ' "$DB" "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 8" |
  while read -r name bytes; do
    printf '%-34s %12s %10s\n' "$name" "$bytes" "$((bytes / turns))"
  done
file=$(stat -c %s "$DB")
printf '%-34s %12s %10s\n' "baton.db (file)" "$file" "$((file / turns))"
printf '%-34s %12s\n' "activity body, average bytes" \
  "$(sqlite3 "$DB" "SELECT CAST(avg(length(body)) AS INTEGER) FROM activities")"
