#!/usr/bin/env bash
# Load benchmark of `baton serve` with bench/loadgen, beside the bare Beast echo server
# as the transport's limit. Builds the targets, starts each server with a temp data dir, runs the
# scenarios, prints a results table. Not part of CI (it takes a few minutes and wants the machine).
#
#   bench/run_serve_bench.sh                 # from the source root; build dir ./build
#   BUILD=build-rel DURATION=20 IDLE_N=20000 bench/run_serve_bench.sh
#   SCENARIOS=echo bench/run_serve_bench.sh  # only the transport baseline
#   SCENARIOS=serve SERVE_IDLE=0 bench/with_postgres.sh bench/run_serve_bench.sh  # on PostgreSQL
#
# Scenarios: (1) echo at RATE msgs/s, (2) echo at 4 x MAX_RATE (throughput ceiling; sends are
# skipped while MAX_INFLIGHT turns are unanswered, so the backlog stays bounded), (3) serve at RATE
# msgs/s for DURATION s (latency target: p99 <= 20 ms at 2,000/s), (4) serve at MAX_RATE (durable
# turns/s target: >= 5,000; same in-flight cap), (5) IDLE_N idle connected conversations on a fresh server (target:
# <= 12 KiB each; 50,000 held). The open-file limit is raised to the hard limit; each idle
# conversation costs one descriptor in the loadgen and one in the server, so when the limit is below
# IDLE_N + 500, IDLE_N is capped to fit and the cap is printed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
RATE=${RATE:-2000}
MAX_RATE=${MAX_RATE:-12000}
MAX_INFLIGHT=${MAX_INFLIGHT:-2000}   # saturation scenarios: cap on unanswered turns
DURATION=${DURATION:-20}
WARMUP=${WARMUP:-5}
CONVERSATIONS=${CONVERSATIONS:-1000}
IDLE_N=${IDLE_N:-50000}
LOADGEN_THREADS=${LOADGEN_THREADS:-1}
SERVE_ARGS=${SERVE_ARGS:-}
SCENARIOS=${SCENARIOS:-echo serve}   # which groups to run
SERVE_IDLE=${SERVE_IDLE:-1}          # 0: the serve group without its idle-connections scenario
SECRET=bench-secret-$$

cd "$ROOT"
TARGETS="loadgen echo_server"
[[ " $SCENARIOS " == *" serve "* ]] && TARGETS="$TARGETS baton"
# shellcheck disable=SC2086
ninja -C "$BUILD" -j2 $TARGETS >&2

ulimit -n "$(ulimit -Hn)" || true
FD_LIMIT=$(ulimit -n)
if [ "$IDLE_N" -gt $((FD_LIMIT - 500)) ]; then
  echo "note: open-file limit is $FD_LIMIT (hard); idle scenario capped from $IDLE_N to $((FD_LIMIT - 500))" >&2
  IDLE_N=$((FD_LIMIT - 500))
fi

WORK=$(mktemp -d /tmp/baton-bench-XXXXXX)
# shellcheck source=bench/bench_lib.sh
source "$ROOT/bench/bench_lib.sh"

RESULTS=()
# run_loadgen LABEL ARGS... : runs loadgen, keeps its result line.
run_loadgen() {
  local label=$1
  shift
  echo "== $label: loadgen $*" >&2
  local line
  line=$("$BUILD/bench/loadgen" "$@" | tail -1)
  echo "$line" >&2
  RESULTS+=("$label|$line")
}

if [[ " $SCENARIOS " == *" echo "* ]]; then
start_server echo "$BUILD/bench/echo_server" --listen 127.0.0.1:0 --threads 1
ECHO_PID=$PID
run_loadgen "echo ${RATE}/s" --mode echo --port "$PORT" --conversations "$CONVERSATIONS" \
  --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --threads "$LOADGEN_THREADS"
run_loadgen "echo max" --mode echo --port "$PORT" --conversations "$CONVERSATIONS" \
  --rate "$((MAX_RATE * 4))" --duration 10 --warmup 3 --threads "$LOADGEN_THREADS" \
  --max-inflight "$MAX_INFLIGHT"
run_loadgen "echo idle" --mode echo --port "$PORT" --conversations "$IDLE_N" --rate 0 --hold 2 \
  --server-pid "$ECHO_PID" --setup-concurrency 256
stop_server "$ECHO_PID"
fi

if [[ " $SCENARIOS " == *" serve "* ]]; then
# shellcheck disable=SC2086 # SERVE_ARGS is a word list on purpose
start_server serve "$BUILD/baton" serve examples/contoso --listen 127.0.0.1:0 --data "$WORK/data" \
  --secret "$SECRET" --rate-limit 100000000 --session-rate-limit 0 --max-connections-per-address 0 \
  $SERVE_ARGS
SERVE_PID=$PID
run_loadgen "serve ${RATE}/s" --mode serve --port "$PORT" --secret "$SECRET" \
  --conversations "$CONVERSATIONS" --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" \
  --threads "$LOADGEN_THREADS"
run_loadgen "serve max" --mode serve --port "$PORT" --secret "$SECRET" \
  --conversations "$CONVERSATIONS" --rate "$MAX_RATE" --duration 15 --warmup 5 \
  --threads "$LOADGEN_THREADS" --max-inflight "$MAX_INFLIGHT"
stop_server "$SERVE_PID"

if [ "$SERVE_IDLE" = 1 ]; then
start_server serve-idle "$BUILD/baton" serve examples/contoso --listen 127.0.0.1:0 \
  --data "$WORK/data-idle" --secret "$SECRET" --rate-limit 100000000 --session-rate-limit 0 \
  --max-connections-per-address 0 $SERVE_ARGS
SERVE_PID=$PID
run_loadgen "serve idle" --mode serve --port "$PORT" --secret "$SECRET" \
  --conversations "$IDLE_N" --rate 0 --hold 5 --server-pid "$SERVE_PID" --setup-concurrency 256
stop_server "$SERVE_PID"
fi
fi

echo
echo "baton serve benchmark — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores, $(uname -r)," \
     "load avg $(cut -d' ' -f1-3 /proc/loadavg), open-file limit $FD_LIMIT"
printf '%-16s %8s %9s %10s %9s %9s %9s %10s %8s %8s\n' scenario convs open rate turns/s \
  p50_ms p99_ms p99.9_ms unansw KiB/conv
for r in "${RESULTS[@]}"; do
  label=${r%%|*}
  line=${r#*|}
  printf '%-16s %8s %9s %10s %9s %9s %9s %10s %8s %8s\n' "$label" "$(field conversations "$line")" \
    "$(field still_open "$line")" "$(field rate "$line")" "$(field turns_per_s "$line")" \
    "$(field p50_ms "$line")" "$(field p99_ms "$line")" "$(field p999_ms "$line")" \
    "$(field unanswered "$line")" "$(field kib_per_conv "$line")"
done
