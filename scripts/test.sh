#!/usr/bin/env bash
# Runs every suite (Rust + C, Deno, Bun, Node), then prints one summary line over all of them.
#
# Quiet by default: one line per runner, and what failed in full (the failing tests' output, or a
# runner's whole output when it failed without reporting failures, e.g. a build error). Each
# runner's whole output is kept in a temp dir, where the counts are read from.
# COBALT_TEST_VERBOSE=1 prints every runner's whole output as it runs (as before).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# The counts below grep logs that may lack a line (a runner that crashed counts 0), so a pipeline's
# status is its last command's.
set +o pipefail
cd "$ROOT"
LOG="$(mktemp -d)"
trap 'rm -rf "$LOG"' EXIT
status=0
verbose=0
case "${COBALT_TEST_VERBOSE:-0}" in "" | 0 | false | no) ;; *) verbose=1 ;; esac
export COBALT_TEST_VERBOSE=$verbose # test-rust.sh reads it too

# run NAME CMD...: CMD's output into $LOG/NAME (and onto the terminal when verbose); CMD's status.
run() {
  local name=$1 rc=0
  shift
  [ $verbose = 1 ] && say "$name"
  if [ $verbose = 1 ]; then
    "$@" 2>&1 | tee "$LOG/$name"
    rc=${PIPESTATUS[0]}
  else
    "$@" >"$LOG/$name" 2>&1 || rc=$?
  fi
  return $rc
}

# report NAME RC FAILED SUMMARY EXTRACT...: the runner's line; when it failed, the EXTRACT command's
# output on its log (the failures), or the whole log when the extract finds nothing.
report() {
  local name=$1 rc=$2 failed=$3 summary=$4
  shift 4
  echo "$name: $summary"
  if [ "$rc" != 0 ] || [ "$failed" != 0 ]; then
    status=1
    [ $verbose = 1 ] && return 0 # already printed in full
    local part
    part="$("$@" <"$LOG/$name" || true)"
    if [ -n "$part" ]; then printf '%s\n' "$part"; else cat "$LOG/$name"; fi
    echo "$name: exit status $rc; its whole output was $(wc -l <"$LOG/$name") lines (COBALT_TEST_VERBOSE=1 prints it)"
  fi
}

sum() { awk '{s+=$1} END {print s+0}'; }
secs() { echo "$((SECONDS - $1)) s"; }

# ---- Rust and C ----------------------------------------------------------------------------------
t=$SECONDS rc=0
run rust bash scripts/test-rust.sh || rc=$?
rust_p=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$LOG/rust" | grep -oE '[0-9]+ passed' | sum)
rust_f=$(grep -oE '[0-9]+ failed;' "$LOG/rust" | sum)
c_p=$(grep -oE '^c: [0-9]+ passed' "$LOG/rust" | grep -oE '[0-9]+' | sum)
c_f=$(grep -oE '^c: [0-9]+ passed, [0-9]+ failed' "$LOG/rust" | grep -oE '[0-9]+ failed' | sum)
# cargo's "failures:" sections (each failing test's output, then the list), and the C checks.
rust_failures() {
  awk '/^failures:$/ {p = 1} p {print} /^test result:/ {p = 0} /CHECK\(.*\) failed|^c: / {print}' |
    grep -v '^c: [0-9]* passed, 0 failed$'
}
report rust "$rc" "$((rust_f + c_f))" \
  "$rust_p passed, $rust_f failed; c: $c_p passed, $c_f failed ($(secs $t))" rust_failures

# ---- Deno ----------------------------------------------------------------------------------------
t=$SECONDS rc=0
# NO_COLOR keeps the summary line parseable.
run deno env NO_COLOR=1 deno test --allow-all --v8-flags=--expose-gc tests/ || rc=$?
deno_p=$(grep -oE '\| [0-9]+ passed' "$LOG/deno" | grep -oE '[0-9]+' | sum)
deno_f=$(grep -oE '\| [0-9]+ failed' "$LOG/deno" | grep -oE '[0-9]+' | sum)
deno_i=$(grep -oE '\| [0-9]+ ignored' "$LOG/deno" | grep -oE '[0-9]+' | sum)
# Deno's ERRORS section (each failure in full), its FAILURES list and the summary line.
deno_failures() { sed -n '/^ ERRORS *$/,$p'; }
report deno "$rc" "$deno_f" "$deno_p passed, $deno_f failed, $deno_i ignored ($(secs $t))" deno_failures

# ---- Bun -----------------------------------------------------------------------------------------
t=$SECONDS rc=0
# --only-failures: the log holds the failures in full (and the tests' own output), not a line per pass.
only=(--only-failures)
[ $verbose = 1 ] && only=()
run bun bun test "${only[@]}" tests/ || rc=$?
bun_p=$(grep -oE '^ *[0-9]+ pass$' "$LOG/bun" | grep -oE '[0-9]+' | sum)
bun_f=$(grep -oE '^ *[0-9]+ fail$' "$LOG/bun" | grep -oE '[0-9]+' | sum)
bun_s=$(grep -oE '^ *[0-9]+ skip$' "$LOG/bun" | grep -oE '[0-9]+' | sum)
report bun "$rc" "$bun_f" "$bun_p passed, $bun_f failed, $bun_s skipped ($(secs $t))" cat

# ---- Node ----------------------------------------------------------------------------------------
# Node 20 runs no TypeScript: the suite is compiled into out/ and run by node:test. The compiled
# loader is a package build, so it is pointed at the release library explicitly.
t=$SECONDS rc=0
node_tests() {
  bash scripts/build-js.sh --tests out &&
    COBALT_LIB_PATH="$ROOT/rust/target/release/$(lib_file)" \
      node --expose-gc --test --test-concurrency=1 --test-reporter=tap out/tests/*_test.js
}
run node node_tests || rc=$?
node_p=$(grep -oE '^# pass [0-9]+' "$LOG/node" | grep -oE '[0-9]+' | sum)
node_f=$(grep -oE '^# (fail|cancelled) [0-9]+' "$LOG/node" | grep -oE '[0-9]+' | sum)
node_s=$(grep -oE '^# skipped [0-9]+' "$LOG/node" | grep -oE '[0-9]+' | sum)
# Each failed test's TAP block ("not ok" and its YAML diagnostics) after the "# " lines printed
# since the previous result (a test file's stderr, as when it fails to load), and the counts.
node_failures() {
  awk '
    /^(ok|not ok) / { if ($1 == "not") { for (i = 0; i < n; i++) print buf[i]; p = 1 } n = 0 }
    p { print }
    p && /^  \.\.\.$/ { p = 0 }
    /^# (tests|pass|fail|cancelled) [0-9]+$/ { print; next }
    /^# / && !/^# Subtest: / && !/^# (suites|skipped|todo|duration_ms) / { buf[n++] = $0 }
  '
}
report node "$rc" "$node_f" "$node_p passed, $node_f failed, $node_s skipped ($(secs $t))" node_failures

# ---- all -----------------------------------------------------------------------------------------
# A runner that crashed before reporting counts as a failure.
for r in "$rust_p" "$deno_p" "$bun_p" "$c_p" "$node_p"; do [ "$r" -gt 0 ] || status=1; done
passed=$((rust_p + c_p + deno_p + bun_p + node_p))
failed=$((rust_f + c_f + deno_f + bun_f + node_f))
[ "$failed" -eq 0 ] || status=1
echo "by runner: rust $rust_p/$rust_f, c $c_p/$c_f, deno $deno_p/$deno_f, bun $bun_p/$bun_f, node $node_p/$node_f (passed/failed; node skipped $node_s, each with its reason)"
echo "tests: $passed passed, $failed failed"
exit $status
