#!/usr/bin/env bash
# Handoff benchmark of `baton serve` with bench/handoff_bench, and in the same run the
# plain bot turn (bench/loadgen) at the same rate as the baseline. Builds the targets, creates
# AGENTS agents with `baton agent add` on a temp data dir, starts `baton serve` on the Contoso bot,
# runs (1) loadgen: RATE "hello" turns/s for DURATION s, (2) handoff_bench: RATE escalations/s
# ("talk to an agent") for DURATION s, the agents accepting every offer; prints a table.
# Goal: handoff → offer p99 ≤ 20 ms at 500 handoffs/s. Not part of CI.
#
#   bench/run_handoff_bench.sh                       # from the source root; build dir ./build
#   RATE=1000 DURATION=20 AGENTS=20 bench/run_handoff_bench.sh
#   HANDLING=accept-close bench/run_handoff_bench.sh # agents also end (close) and wrap up
#   BASELINE=0 SKIP_BUILD=1 bench/run_handoff_bench.sh
#
# Each handoff uses a fresh Direct Line conversation (created before the clock starts), so the run
# holds RATE x DURATION customer sockets. With HANDLING accept or none the conversations stay with
# the agents: AGENTS x CAPACITY must be at least RATE x DURATION (checked).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
RATE=${RATE:-500}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
AGENTS=${AGENTS:-10}
CAPACITY=${CAPACITY:-1000}
HANDLING=${HANDLING:-accept}
BASELINE=${BASELINE:-1}
BASELINE_CONVERSATIONS=${BASELINE_CONVERSATIONS:-500}
DRAIN=${DRAIN:-15}
SERVE_ARGS=${SERVE_ARGS:-}
BENCH_ARGS=${BENCH_ARGS:-}
SECRET=bench-secret-$$
PASSWORD=bench-password-$$

cd "$ROOT"
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  ninja -C "$BUILD" -j2 baton loadgen handoff_bench >&2
fi
HANDOFFS=$(awk "BEGIN { printf \"%d\", $RATE * $DURATION + 0.5 }")
if [ "$HANDLING" != accept-close ] && [ $((AGENTS * CAPACITY)) -lt "$HANDOFFS" ]; then
  echo "error: $AGENTS agents x capacity $CAPACITY < $HANDOFFS handoffs; raise AGENTS or CAPACITY" >&2
  exit 2
fi
ulimit -n "$(ulimit -Hn)" || true

WORK=$(mktemp -d /tmp/baton-handoff-bench-XXXXXX)
# shellcheck source=bench/bench_lib.sh
source "$ROOT/bench/bench_lib.sh"

echo "== creating $AGENTS agents (capacity $CAPACITY)" >&2
for i in $(seq 1 "$AGENTS"); do
  "$BUILD/baton" agent add "bench-agent-$i" --name "Bench Agent $i" --capacity "$CAPACITY" \
    --password-stdin --data "$WORK/data" <<<"$PASSWORD" >&2
done

# shellcheck disable=SC2086 # SERVE_ARGS is a word list on purpose
start_server serve "$BUILD/baton" serve examples/contoso --listen 127.0.0.1:0 --data "$WORK/data" \
  --secret "$SECRET" --rate-limit 100000000 --session-rate-limit 0 --max-connections-per-address 0 \
  $SERVE_ARGS
SERVE_PID=$PID

# cpu_ticks PID : user + system CPU of a process so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICK=$(getconf CLK_TCK)
# run_measured NAME READY_PATTERN CMD... : runs a generator, counts the server's CPU from the
# generator's READY_PATTERN line on stderr (set-up done, sending starts) to its exit; sets LINE_OUT
# (its result line) and CPU_TICKS.
run_measured() {
  local name=$1 pattern=$2 gen t0
  shift 2
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  gen=$!
  until grep -q "$pattern" "$WORK/$name.err" || ! kill -0 "$gen" 2>/dev/null; do sleep 0.05; done
  t0=$(cpu_ticks "$SERVE_PID")
  wait "$gen" || { cat "$WORK/$name.err" >&2; exit 1; }
  CPU_TICKS=$(($(cpu_ticks "$SERVE_PID") - t0))
  LINE_OUT=$(tail -1 "$WORK/$name.out")
  grep -v "$pattern" "$WORK/$name.err" >&2 || true
}
# per_op_ms TICKS COUNT : server CPU ms per operation.
per_op_ms() { awk "BEGIN { printf \"%.2f\", $1 * 1000 / $TICK / ($2 > 0 ? $2 : 1) }"; }

BASE_LINE=""
BASE_CPU=""
if [ "$BASELINE" = 1 ]; then
  echo "== baseline: loadgen, $RATE plain turns/s" >&2
  run_measured loadgen "sockets open after" "$BUILD/bench/loadgen" --mode serve --port "$PORT" \
    --secret "$SECRET" --conversations "$BASELINE_CONVERSATIONS" --rate "$RATE" \
    --duration "$DURATION" --warmup "$WARMUP" --text hello
  BASE_LINE=$LINE_OUT
  echo "$BASE_LINE" >&2
  BASE_CPU=$(per_op_ms "$CPU_TICKS" "$(field replies "$BASE_LINE")")
fi

echo "== handoffs: handoff_bench, $RATE handoffs/s, $AGENTS agents, $HANDLING" >&2
# shellcheck disable=SC2086 # BENCH_ARGS is a word list on purpose
run_measured handoff "conversations open after" "$BUILD/bench/handoff_bench" --port "$PORT" \
  --secret "$SECRET" --agents "$AGENTS" --password "$PASSWORD" --rate "$RATE" \
  --duration "$DURATION" --warmup "$WARMUP" --handling "$HANDLING" --drain "$DRAIN" $BENCH_ARGS
LINE=$LINE_OUT
echo "$LINE" >&2
HANDOFF_CPU=$(per_op_ms "$CPU_TICKS" "$(field sent "$LINE")")
RSS=$(awk '/^VmRSS:/ { print $2 }' "/proc/$SERVE_PID/status" 2>/dev/null || echo -1)
kill -0 "$SERVE_PID" 2>/dev/null || { echo "error: baton serve died:" >&2; tail "$WORK/serve.err" >&2; exit 1; }
stop_server "$SERVE_PID"
# The server's own count of what it wrote (logged at shutdown): batches and transactions per handoff.
STORE_LINE=$(grep -o 'store: [0-9]* batches committed.*' "$WORK/serve.err" | tail -1 || true)

echo
echo "baton handoff benchmark — $(date -u '+%Y-%m-%d %H:%M UTC') — $(nproc) cores, $(uname -r)," \
     "load avg $(cut -d' ' -f1-3 /proc/loadavg); $AGENTS agents, $HANDLING; server RSS ${RSS} KiB"
printf '%-34s %8s %8s %9s %9s %9s %9s %8s\n' measure rate per_s p50_ms p99_ms p99.9_ms max_ms missing
if [ -n "$BASE_LINE" ]; then
  printf '%-34s %8s %8s %9s %9s %9s %9s %8s\n' "plain turn: send → reply (loadgen)" \
    "$(field rate "$BASE_LINE")" "$(field turns_per_s "$BASE_LINE")" "$(field p50_ms "$BASE_LINE")" \
    "$(field p99_ms "$BASE_LINE")" "$(field p999_ms "$BASE_LINE")" "$(field max_ms "$BASE_LINE")" \
    "$(field unanswered "$BASE_LINE")"
fi
printf '%-34s %8s %8s %9s %9s %9s %9s %8s\n' "escalation: send → bot reply" "$(field rate "$LINE")" \
  "" "$(field reply_p50_ms "$LINE")" "$(field reply_p99_ms "$LINE")" \
  "$(field reply_p999_ms "$LINE")" "$(field reply_max_ms "$LINE")" "$(field missing_replies "$LINE")"
printf '%-34s %8s %8s %9s %9s %9s %9s %8s\n' "handoff: send → offer on agent WS" "$(field rate "$LINE")" \
  "$(field offers_per_s "$LINE")" "$(field offer_p50_ms "$LINE")" "$(field offer_p99_ms "$LINE")" \
  "$(field offer_p999_ms "$LINE")" "$(field offer_max_ms "$LINE")" "$(field missing_offers "$LINE")"
printf '%-34s %8s %8s %9s %9s\n' "hub share: offer − reply (same one)" "" "" \
  "$(field gap_p50_ms "$LINE")" "$(field gap_p99_ms "$LINE")"
echo "server CPU per plain turn ${BASE_CPU:-?} ms, per handoff ${HANDOFF_CPU} ms (while sending and draining; agent actions included)"
echo "sent=$(field sent "$LINE") acked=$(field acked "$LINE") offered=$(field offered "$LINE")" \
     "accepted=$(field accepted "$LINE")"
echo "errors: post=$(field post_errors "$LINE") accept=$(field accept_errors "$LINE")" \
     "end=$(field end_errors "$LINE") setup=$(field setup_errors "$LINE")" \
     "stream=$(field stream_errors "$LINE") reoffers=$(field reoffers "$LINE")" \
     "withdrawn=$(field withdrawn "$LINE") closed_agent_streams=$(field closed_agent_streams "$LINE")"
echo "server ${STORE_LINE:-store: (no statistics logged)}"
