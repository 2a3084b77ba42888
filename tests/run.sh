#!/usr/bin/env bash
# The whole test suite, from a fresh Debian bookworm machine: system packages (Mesa's lavapipe
# for WebGPU in Node, Chromium for the page), npm packages, typecheck, build, then vitest.
# This is the README's test command; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/setup/install-system-deps.sh
npm ci --no-audit --no-fund --loglevel=error
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

echo "== typecheck"
npm run --silent typecheck
echo "== build"
npm run --silent build
echo "== tests"
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json "$@" || status=$?
node tests/setup/summary.mjs test-results/vitest.json || status=1
exit "$status"
