#!/usr/bin/env bash
# Proves the repository stands alone: clones the commit under test (HEAD) into an empty temporary
# directory with nothing beside it, and there configures, builds the `baton` target, measures the
# NLU on the in-repo CLINC150 data and validates the example bots. Also fails when any tracked file
# names a path outside the repository. Run first by scripts/test; uncommitted changes are not seen.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Nothing tracked may read or cite the sibling folder our machines keep beside the checkout.
# (The pattern is split so that this file does not match itself.)
outside='\.\./'"shared|/work/"'shared'
if git grep -n -I -E "$outside" -- . ; then
  echo "standalone: the files above name a path outside the repository" >&2
  exit 1
fi

work="$(mktemp -d /tmp/baton-standalone.XXXXXX)"
trap 'rm -rf "$work"' EXIT
clone="$work/baton"
git clone --quiet --no-hardlinks "$root" "$clone" 2>/dev/null || {
  mkdir -p "$clone"
  git archive HEAD | tar -x -C "$clone"   # a shallow source repository cannot always be cloned
}
if [ -d "$clone/.git" ]; then
  git -C "$clone" checkout --quiet --detach "$(git rev-parse HEAD)"
fi
echo "standalone: $(git rev-parse --short HEAD) in $clone (nothing beside it: $(ls -A "$work"))"

cd "$clone"
# Same compiler cache as the main build: paths are made relative to each tree's root, so the main
# build that follows reuses these objects.
export CCACHE_BASEDIR="$clone"
export CCACHE_NOHASHDIR=1
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBATON_BENCH=OFF >/dev/null
cmake --build build -j "$(nproc)" --target baton >/dev/null
./build/baton check examples/*/
./build/baton nlu-eval --data datasets/clinc150/data_full.json --intents 20 --few-shot 10 >/dev/null
echo "standalone: configure, build, check and nlu-eval passed in a clone with nothing beside it"
