#!/usr/bin/env bash
# The style and consistency gates CI runs before the tests (`npm run lint`); each one must pass:
#   generated files up to date (npm run gen -- --check), cargo fmt --check, cargo clippy -D warnings
#   (scripts/lint-rust.sh), deno check, deno lint, deno fmt --check, and the JSDoc examples type-checked
#   and run (deno test --doc). Prints "lint: N passed, M failed" last.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
passed=0
failed=()
gate() { # gate NAME COMMAND...
  local name="$1"; shift
  say "lint: $name"
  if "$@"; then passed=$((passed + 1)); else failed+=("$name"); fi
}
gate "generated files" deno run --allow-read --allow-write --allow-run --allow-env scripts/gen.ts --check
if [ -f scripts/lint-rust.sh ]; then gate "rust fmt + clippy" bash scripts/lint-rust.sh
else gate "cargo fmt" bash -c 'cd rust && cargo fmt --check'; fi
# examples/web/ is a browser page (its cobalt.js is copied beside it when served): checked by running it
# in Chromium (npm run demo:web -- --check, part of npm run test:wasm), not here.
gate "deno check" deno check mod.ts web.ts tests/*.ts bench/*.ts examples/*.ts scripts/*.ts
gate "deno lint" deno lint
gate "deno fmt" deno fmt --check
gate "doc examples" env NO_COLOR=1 deno test --doc --allow-all --v8-flags=--expose-gc mod.ts ffi/
[ "${#failed[@]}" -eq 0 ] || echo "lint failed: ${failed[*]}"
echo "lint: $passed passed, ${#failed[@]} failed"
[ "${#failed[@]}" -eq 0 ]
