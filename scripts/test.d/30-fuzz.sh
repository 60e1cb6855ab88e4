#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each briefly. A crash, leak or
# sanitizer report fails the run; the reproducer is left in build-fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds="${BATON_FUZZ_SECONDS:-20}"
export CCACHE_BASEDIR="$PWD"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBATON_FUZZ=ON -DBATON_BENCH=OFF >/dev/null
targets=$(ninja -C build-fuzz -t targets all | sed -n 's/^\([a-z_]*_fuzz\): phony$/\1/p' |
  grep -v '^cmake_' | sort -u)
if [ -z "$targets" ]; then
  echo "no fuzz targets found" >&2
  exit 1
fi
ninja -C build-fuzz $targets
mkdir -p build-fuzz/artifacts
for t in $targets; do
  bin=$(find build-fuzz -type f -name "$t" -perm -u+x | head -n 1)
  if [ -z "$bin" ]; then
    echo "fuzz target $t was not built" >&2
    exit 1
  fi
  corpus="build-fuzz/corpus/$t"
  mkdir -p "$corpus"
  seeds="$(dirname "${bin#build-fuzz/}")/fuzz_corpus"   # seeds beside the code
  dirs=("$corpus")
  [ -d "$seeds" ] && dirs+=("$seeds")
  echo "-- $t (${seconds}s)"
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -artifact_prefix=build-fuzz/artifacts/ -print_final_stats=0 "${dirs[@]}" 2>&1 | tail -n 3
done
