#!/usr/bin/env bash
# Runs every suite (Rust + C, Deno, Bun, Node), then prints one summary line over all of them.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
LOG="$(mktemp -d)"
status=0

say "Rust and C tests"
bash scripts/test-rust.sh 2>&1 | tee "$LOG/rust" || status=1
say "Deno tests"
# NO_COLOR keeps the summary line parseable.
NO_COLOR=1 deno test --allow-all --v8-flags=--expose-gc tests/ 2>&1 | tee "$LOG/deno" || status=1
say "Bun tests"
bun test tests/ 2>&1 | tee "$LOG/bun" || status=1
say "Node tests (the same files, compiled by tsc; koffi as the FFI)"
# Node 20 runs no TypeScript: the suite is compiled into out/ and run by node:test. The compiled
# loader is a package build, so it is pointed at the release library explicitly.
{ bash scripts/build-js.sh --tests out >/dev/null &&
  COBALT_LIB_PATH="$ROOT/rust/target/release/$(lib_file)" \
    node --expose-gc --test --test-concurrency=1 --test-reporter=tap out/tests/*_test.js; } 2>&1 |
  tee "$LOG/node" | grep -E '^not ok|^# (tests|pass|fail|skipped)' || status=1

sum() { awk '{s+=$1} END {print s+0}'; }
rust_p=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$LOG/rust" | grep -oE '[0-9]+ passed' | sum)
rust_f=$(grep -oE '[0-9]+ failed;' "$LOG/rust" | sum)
c_p=$(grep -oE '^c: [0-9]+ passed' "$LOG/rust" | grep -oE '[0-9]+' | sum)
c_f=$(grep -oE '^c: [0-9]+ passed, [0-9]+ failed' "$LOG/rust" | grep -oE '[0-9]+ failed' | sum)
deno_p=$(grep -oE '\| [0-9]+ passed' "$LOG/deno" | grep -oE '[0-9]+' | sum)
deno_f=$(grep -oE '\| [0-9]+ failed' "$LOG/deno" | grep -oE '[0-9]+' | sum)
bun_p=$(grep -oE '^ *[0-9]+ pass$' "$LOG/bun" | grep -oE '[0-9]+' | sum)
bun_f=$(grep -oE '^ *[0-9]+ fail$' "$LOG/bun" | grep -oE '[0-9]+' | sum)
node_p=$(grep -oE '^# pass [0-9]+' "$LOG/node" | grep -oE '[0-9]+' | sum)
node_f=$(grep -oE '^# (fail|cancelled) [0-9]+' "$LOG/node" | grep -oE '[0-9]+' | sum)
node_s=$(grep -oE '^# skipped [0-9]+' "$LOG/node" | grep -oE '[0-9]+' | sum)
# A runner that crashed before reporting counts as a failure.
for r in "$rust_p" "$deno_p" "$bun_p" "$c_p" "$node_p"; do [ "$r" -gt 0 ] || status=1; done
passed=$((rust_p + c_p + deno_p + bun_p + node_p))
failed=$((rust_f + c_f + deno_f + bun_f + node_f))
[ "$failed" -eq 0 ] || status=1
rm -rf "$LOG"
echo "by runner: rust $rust_p/$rust_f, c $c_p/$c_f, deno $deno_p/$deno_f, bun $bun_p/$bun_f, node $node_p/$node_f (passed/failed; node skipped $node_s, each with its reason)"
echo "tests: $passed passed, $failed failed"
exit $status
