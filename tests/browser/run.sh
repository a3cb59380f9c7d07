#!/usr/bin/env bash
# Browser tests (see run.mjs and workbench.mjs): builds build/site and build/web, then drives
# headless Debian Chromium through playwright-core. Exits non-zero and lists the failed checks
# on failure.
#   tests/browser/run.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/../.."
node tests/browser/run.mjs "$@"
exec node tests/browser/workbench.mjs
