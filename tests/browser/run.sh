#!/usr/bin/env bash
# Browser tests (see run.mjs, hostile.mjs, workbench.mjs, compare.mjs, labels.mjs and perf.mjs):
# builds build/site and build/web, then drives headless Debian Chromium through playwright-core
# (labels.mjs and perf.mjs also run the native CLI, build/native/src/cli/sightline: to read
# exports back, and to compare the engine's plan).
# Every test file runs even when an earlier one failed; exits non-zero when any failed (each
# lists its failed checks).
#   tests/browser/run.sh [--no-build]
set -uo pipefail
cd "$(dirname "$0")/../.."
status=0
node tests/browser/run.mjs "$@" || status=1
node tests/browser/hostile.mjs || status=1
node tests/browser/workbench.mjs || status=1
node tests/browser/compare.mjs || status=1
node tests/browser/labels.mjs || status=1
node tests/browser/labels.mjs --single-thread || status=1
node tests/browser/perf.mjs || status=1
node tests/browser/perf.mjs --single-thread || status=1
exit $status
