# shellcheck shell=bash
# Shell pieces shared by the bench scripts (run_serve_bench.sh, run_handoff_bench.sh). Source it
# after setting WORK (a temp dir the caller owns); it installs an EXIT trap that stops the servers
# started with start_server and removes WORK.

PIDS=()
bench_cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap bench_cleanup EXIT

# start_server NAME CMD... : runs CMD with stdout to $WORK/NAME.out, waits for its port; sets PORT, PID.
start_server() {
  local name=$1
  shift
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PID=$!
  PIDS+=("$PID")
  for _ in $(seq 1 300); do
    PORT=$(sed -n -e 's/^baton: listening on http:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' \
                  -e 's/^echo: listening on \([0-9]*\)$/\1/p' "$WORK/$name.out" | head -1)
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  echo "error: $name did not start:" >&2
  cat "$WORK/$name.err" >&2
  exit 1
}

stop_server() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# field KEY LINE : the value of KEY in a `key=value ...` result line.
field() { tr ' ' '\n' <<<"$2" | sed -n "s/^$1=//p"; }
