#!/usr/bin/env bash
# THIRD_PARTY_NOTICES.md lists exactly the web packages web/package-lock.json installs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
node scripts/third-party-notices.mjs --check THIRD_PARTY_NOTICES.md
echo "notices: up to date"
