#!/usr/bin/env bash
# `npm test`: the whole suite, as CI runs it. Builds first (the CLI tests run the built
# bin, the end-to-end tests load the built renderer), checks lint and types, then runs
# every test project inside a working Secret Service (scripts/with-keyring.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$1" >&2; }

step "build (electron-vite)"
npx electron-vite build >/dev/null
step "lint"
npx eslint .
step "type check"
npx tsc --noEmit -p tsconfig.node.json
npx tsc --noEmit -p tsconfig.web.json
step "tests (unit, integration, e2e)"
bash scripts/with-keyring.sh npx vitest run "$@"
