#!/usr/bin/env bash
# Makes a fresh clone ready: npm packages (deno, bun, typescript), a C compiler, the release build.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
if [ ! -x node_modules/.bin/deno ] || [ ! -x node_modules/.bin/bun ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "installing npm packages (deno, bun, bun-types, typescript)"
  npm ci --no-audit --no-fund --loglevel=error
fi
command -v cc >/dev/null || { say "installing a C compiler (for the C ABI test)"; apt_install gcc libc6-dev; }
bash "$ROOT/scripts/build.sh"
