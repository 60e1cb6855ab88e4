#!/usr/bin/env bash
# Does retention's sweep disturb turns? Each round starts `baton serve` twice on a fresh data dir,
# once without retention and once with `--retain conversations=WINDOW` swept every second
# (alternated, so both see the same machine), fills it with FILL conversations (one turn each),
# waits until those are nearly idle past the window, then measures turn latency at RATE/s for
# DURATION s while the sweep deletes them. Prints each run's p50/p99/p99.9 and what the sweep
# deleted. Not part of CI.
#
#   bench/run_retention_bench.sh
#   ROUNDS=5 FILL=10000 bench/run_retention_bench.sh
#   bench/with_postgres.sh bench/run_retention_bench.sh   # on PostgreSQL
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
ROUNDS=${ROUNDS:-3}
FILL=${FILL:-5000}
WINDOW=${WINDOW:-20}
RATE=${RATE:-2000}
DURATION=${DURATION:-20}
SECRET=bench-secret-$$

cd "$ROOT"
ninja -C "$BUILD" -j2 loadgen baton >&2
ulimit -n "$(ulimit -Hn)" || true
WORK=$(mktemp -d /tmp/baton-retention-bench-XXXXXX)
# shellcheck source=bench/bench_lib.sh
source "$ROOT/bench/bench_lib.sh"

ROWS=()
run() {
  local round=$1 mode=$2
  local args=()
  [ "$mode" = retention ] && args=(--retain "conversations=${WINDOW}s" --retention-interval 1s)
  touch "$WORK/$mode-$round.out"  # start_server reads it at once, maybe before the shell made it
  start_server "$mode-$round" "$BUILD/baton" serve examples/contoso --listen 127.0.0.1:0 \
    --data "$WORK/data-$mode-$round" --secret "$SECRET" --rate-limit 100000000 \
    --session-rate-limit 0 --max-connections-per-address 0 "${args[@]}"
  local pid=$PID
  "$BUILD/bench/loadgen" --mode serve --port "$PORT" --secret "$SECRET" --conversations "$FILL" \
    --rate "$FILL" --duration 1 --warmup 0 --setup-concurrency 256 >/dev/null
  sleep $((WINDOW - 3))
  local line
  line=$("$BUILD/bench/loadgen" --mode serve --port "$PORT" --secret "$SECRET" \
    --conversations 1000 --rate "$RATE" --duration "$DURATION" --warmup 3 | tail -1)
  stop_server "$pid"
  local swept
  swept=$( (grep -o 'retention: deleted [0-9]* conversations' "$WORK/$mode-$round.err" || true) |
          awk '{s += $3} END {print s + 0}')
  ROWS+=("$round|$mode|$(field turns_per_s "$line")|$(field p50_ms "$line")|$(field p99_ms "$line")|$(field p999_ms "$line")|$swept")
}

for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) = 1 ]; then run "$round" none; run "$round" retention
  else run "$round" retention; run "$round" none; fi
done

echo
echo "retention benchmark — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores, load avg" \
     "$(cut -d' ' -f1-3 /proc/loadavg); ${FILL} idle conversations, ${RATE}/s for ${DURATION} s"
printf '%-6s %-10s %9s %8s %8s %9s %8s\n' round sweep turns/s p50_ms p99_ms p99.9_ms deleted
for r in "${ROWS[@]}"; do
  IFS='|' read -r round mode tps p50 p99 p999 swept <<<"$r"
  printf '%-6s %-10s %9s %8s %8s %9s %8s\n' "$round" "$mode" "$tps" "$p50" "$p99" "$p999" "$swept"
done
