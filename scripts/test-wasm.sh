#!/usr/bin/env bash
# The WebAssembly backend in Deno, Bun, Node and headless Chromium (`npm run test:wasm`):
# tests/wasm_smoke.ts with COBALT_BACKEND=wasm against dist/wasm/cobalt.wasm (npm run build:wasm),
# then the browser bundle of it (npm run build:web) in Chromium (installed from apt when missing),
# and the demo page examples/web/ driven through its ?check run.
# Prints one line per runtime and "wasm: N passed, M failed".
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/cross-lib.sh"
cd "$ROOT"
[ -f dist/wasm/cobalt.wasm ] || die "no dist/wasm/cobalt.wasm: run npm run build:wasm first"
LOGS="$ROOT/rust/target/wasm-logs"
mkdir -p "$LOGS"
bash scripts/build-js.sh --tests out >/dev/null
# The compiled tree (out/) has no cobalt.wasm beside it: point every runtime at the build.
export COBALT_BACKEND=wasm COBALT_WASM_PATH="$ROOT/dist/wasm/cobalt.wasm"
passed=0 failed=0
run() { # NAME CMD...
  local name="$1" rc=0 line p f; shift
  "$@" >"$LOGS/$name.log" 2>&1 || rc=$?
  cat "$LOGS/$name.log"
  line="$(grep -E '^(wasm [a-z]+|browser): [0-9]+ passed, [0-9]+ failed' "$LOGS/$name.log" | tail -1)"
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then f=1; fi
  [ "${p:-0}" -gt 0 ] || f=$((f + 1)) # a runtime that never reported failed
  passed=$((passed + ${p:-0})) failed=$((failed + f))
}
run deno deno run --allow-read --allow-env tests/wasm_smoke.ts
run bun bun run tests/wasm_smoke.ts
run node node out/tests/wasm_smoke.js
command -v chromium >/dev/null || need_pkgs chromium
node scripts/build-web.mjs
run chromium node scripts/test-browser.mjs
run demo node scripts/demo-web.mjs --check # examples/web: every filter and the playground, in Chromium
# The project's whole suite on the WebAssembly backend, in each runtime (tests of native-only
# behaviour are registered as skipped there, with the reason; they are not counted as passed).
# WASM_SUITES=0 leaves them out (the smoke checks above still run).
suite() { # NAME PASSED-REGEX FAILED-REGEX CMD...
  local name="$1" pre="$2" fre="$3" rc=0 p f; shift 3
  "$@" >"$LOGS/$name.log" 2>&1 || rc=$?
  p=$(grep -oE "$pre" "$LOGS/$name.log" | tail -1 | grep -oE '[0-9]+' | head -1 || true)
  f=$(grep -oE "$fre" "$LOGS/$name.log" | tail -1 | grep -oE '[0-9]+' | head -1 || true)
  p=${p:-0} f=${f:-0}
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
  [ "$p" -gt 0 ] || f=$((f + 1))
  [ "$f" -eq 0 ] || tail -60 "$LOGS/$name.log"
  echo "wasm suite $name: $p passed, $f failed"
  passed=$((passed + p)) failed=$((failed + f))
}
if [ "${WASM_SUITES:-1}" != 0 ]; then
  export COBALT_LIB_PATH="${COBALT_LIB_PATH:-$ROOT/rust/target/release/libcobalt.so}" # the loader tests' children
  suite deno '[0-9]+ passed \|' '\| [0-9]+ failed' env NO_COLOR=1 deno test --allow-all --v8-flags=--expose-gc tests/
  suite bun '^ *[0-9]+ pass$' '^ *[0-9]+ fail$' bun test tests/
  suite node '^# pass [0-9]+' '^# fail [0-9]+' bash -c 'node --expose-gc --test --test-concurrency=1 out/tests/*_test.js'
fi
echo "wasm: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
