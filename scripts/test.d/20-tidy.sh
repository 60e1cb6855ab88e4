#!/usr/bin/env bash
# clang-tidy with the curated .clang-tidy over every C++ source of src/, tests/ and bench/, using a
# clang build directory's compile database (configured only; nothing is built). Any warning fails.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CC=clang CXX=clang++ cmake -S . -B build-tidy -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBATON_JEMALLOC=OFF -DBATON_FUZZ=ON >/dev/null
files=$(git ls-files 'src/*.cpp' 'tests/*.cpp' 'bench/*.cpp')
out="build-tidy/clang-tidy.log"
# run-clang-tidy runs the files in parallel and prints each file's diagnostics together.
run-clang-tidy -quiet -p build-tidy -j "$(nproc)" $files >"$out" 2>&1 || true
if grep -E '(warning|error): ' "$out" | grep -v '^[0-9]* warnings? generated' >/dev/null; then
  grep -E -A3 '(warning|error): ' "$out" | head -n 200
  echo "clang-tidy: $(grep -cE '(warning|error): ' "$out") diagnostics (full log: $out)" >&2
  exit 1
fi
echo "clang-tidy: $(echo "$files" | wc -w) files clean"
