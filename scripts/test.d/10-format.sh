#!/usr/bin/env bash
# Every C++ file is clang-format clean.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
files=$(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src tests bench -name '*.[ch]pp')
bad=0
for f in $files; do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not clang-format clean: $f"
    bad=1
  fi
done
exit $bad
