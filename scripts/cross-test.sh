#!/usr/bin/env bash
# Tests the dist/ libraries of other platforms where this x86_64 machine can run them:
#
#   linux-arm64-gnu under qemu-user (multiarch libc6:arm64):
#     rust  cargo test --release --target aarch64-unknown-linux-gnu (runner qemu-aarch64-static)
#     c     rust/tests/c/abi_test.c against dist/lib/linux-arm64-gnu/libcobalt.so
#     bun   the project suite with arm64 Bun (npm @oven/bun-linux-aarch64) on the dist library
#   win32-x64 under wine (private prefix in .cache/, with a test-only bcryptprimitives.dll):
#     rust  cargo test --release --target x86_64-pc-windows-gnu (runner wine64)
#     c     rust/tests/c/abi_test.c against dist/lib/win32-x64/cobalt.dll
#   optional:
#     CROSS_WINDOWS_BUN=1  the project suite with Bun for Windows under wine
#     CROSS_RELEASE=1      the project suite with arm64 Deno under qemu (~13 min)
#
# CROSS_TARGETS="linux-arm64-gnu" (or "win32-x64") runs one platform. Needs the libraries from
# scripts/dist.sh (npm run dist). Prints one line per runner, then "cross: N passed, M failed";
# exits non-zero on any failure or on a runner that never reported.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/cross-lib.sh"
cd "$ROOT"

read -r -a TARGETS <<<"${CROSS_TARGETS:-linux-arm64-gnu win32-x64}"
has() { [[ " ${TARGETS[*]} " == *" $1 "* ]]; }
DIST="$ROOT/dist/lib"
LOGS="$ROOT/rust/target/cross-logs"
rm -rf "$LOGS" && mkdir -p "$LOGS"
T0=$SECONDS
for p in "${TARGETS[@]}"; do
  case "$p" in linux-arm64-gnu | win32-x64) ;; *) die "cross-test: no runner for $p" ;; esac
  [ -f "$DIST/$p/$(libfile_of "$p")" ] || die "no $DIST/$p/$(libfile_of "$p"): run scripts/dist.sh (npm run dist) first"
done

groups=()
has linux-arm64-gnu && groups+=(arm64)
has win32-x64 && groups+=(wine)
timed "setup: apt packages" setup_toolchains "${groups[@]}"
has linux-arm64-gnu && setup_zig
setup_vendor
ensure_lockfile

# --- result bookkeeping --------------------------------------------------------------------------
NAMES=() PASSED=() FAILED=() LINES=()
record() { # NAME PASSED FAILED LINE
  NAMES+=("$1") PASSED+=("$2") FAILED+=("$3") LINES+=("$4")
  echo "$4"
}
sum() { grep -oE '[0-9]+' | awk '{s+=$1} END {print s+0}'; }

# rust_result NAME LOG EXIT: the cargo test totals; a run that did not finish counts as a failure.
rust_result() {
  local name="$1" log="$2" rc="$3" p f
  p=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$log" | grep -oE '[0-9]+ passed' | sum)
  f=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed; [0-9]+ failed;' "$log" | grep -oE '[0-9]+ failed' | sum)
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; tail -30 "$log" >&2; fi
  [ "$f" -eq 0 ] || grep -E '^test .* FAILED$|^---- ' "$log" >&2 || true
  record "$name" "$p" "$f" "test result: $([ "$f" -eq 0 ] && echo ok || echo FAILED). $p passed; $f failed; [$name]"
}
c_result() {
  local name="$1" log="$2" rc="$3" line p f
  line="$(grep -E '^c: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)"
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; tail -30 "$log" >&2; fi
  record "$name" "${p:-0}" "$f" "c: ${p:-0} passed, $f failed [$name]"
}
bun_result() {
  local name="$1" log="$2" rc="$3" p f
  p=$(grep -E '^ *[0-9]+ pass$' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  f=$(grep -E '^ *[0-9]+ fail$' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; tail -30 "$log" >&2; fi
  [ "$f" -eq 0 ] || grep -E '^\(fail\)' "$log" >&2 || true
  record "$name" "$p" "$f" "bun: $p pass, $f fail [$name]"
}
deno_result() {
  local name="$1" log="$2" rc="$3" line p f
  line="$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$log" | tail -1)"
  p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+' || echo 0)
  if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; tail -30 "$log" >&2; fi
  [ "$f" -eq 0 ] || sed -n '/^ERRORS/,$p' "$log" | grep -E '=> ' >&2 || true
  record "$name" "${p:-0}" "$f" "${line:-FAILED | 0 passed | $f failed} [$name]"
}
# run LOG CMD...: output to LOG (and the terminal with CROSS_VERBOSE=1); returns the exit code.
run() {
  local log="$1"; shift
  if [ -n "${CROSS_VERBOSE:-}" ]; then "$@" 2>&1 | tee "$log"; return "${PIPESTATUS[0]}"; fi
  "$@" >"$log" 2>&1
}

# --- Rust test builds -----------------------------------------------------------------------------
# Same target dirs and linkers as dist.sh: the library build is reused and only the tests compile.
# rust_tests_* [--no-run]
arm64_env() {
  export ZIG_TARGET=aarch64-linux-gnu.2.17
  export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER="$ROOT/scripts/zig/zigcc-linux"
  export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="$QEMU_ARM64"
}
rust_tests_arm64() {
  (arm64_env; xcargo test --release --target aarch64-unknown-linux-gnu --target-dir target/dist-linux-arm64-gnu "$@")
}
rust_tests_win() {
  # WINAPI_NO_BUNDLED_LIBRARIES: Debian strips winapi's bundled import libraries (proptest's
  # tempfile pulls winapi); mingw-w64's own import libraries serve instead.
  (export RUSTC_BOOTSTRAP=1 WINAPI_NO_BUNDLED_LIBRARIES=1 CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$WINE"
    xcargo test --release --target x86_64-pc-windows-gnu -Zbuild-std=std,panic_unwind --target-dir target/dist-win32-x64 "$@")
}
# cobalt compiles as one codegen unit (one core each), so both test builds go at once.
if has linux-arm64-gnu && has win32-x64; then
  say "compiling the arm64 and win32 Rust tests in parallel"
  t0=$SECONDS
  rust_tests_arm64 --no-run >"$LOGS/build-rust-arm64.log" 2>&1 &
  rust_tests_win --no-run >"$LOGS/build-rust-win.log" 2>&1 &
  wait || true
  STEP_TIMES+=("$(printf '%-34s %4ds' "rust test builds (parallel)" $((SECONDS - t0)))")
fi

# --- linux-arm64 under qemu-user -----------------------------------------------------------------
# Child processes that the suites spawn (process.execPath is the arm64 bun) need the kernel to
# hand aarch64 ELF files to qemu: register binfmt_misc if qemu-user-static's service did not.
ensure_binfmt() {
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] && return 0
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  [ -e /proc/sys/fs/binfmt_misc/register ] || $sudo mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc 2>/dev/null || true
  if [ -e /proc/sys/fs/binfmt_misc/register ] && [ -f /usr/lib/binfmt.d/qemu-aarch64.conf ]; then
    grep -v '^#' /usr/lib/binfmt.d/qemu-aarch64.conf | $sudo tee /proc/sys/fs/binfmt_misc/register >/dev/null 2>&1 || true
  fi
  [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ] ||
    say "warning: no binfmt_misc for aarch64: tests that spawn a child runtime will fail"
}
# `cc` for the arm64 suites: the load test compiles a stand-in library with `cc`, which must
# produce an arm64 .so for the arm64 runtime to load it.
ARM64_BIN="$CACHE/arm64-bin"
arm64_cc_shim() {
  mkdir -p "$ARM64_BIN"
  printf '#!/bin/sh\nexec aarch64-linux-gnu-gcc "$@"\n' >"$ARM64_BIN/cc"
  chmod +x "$ARM64_BIN/cc"
}

if has linux-arm64-gnu; then
  LIB="$DIST/linux-arm64-gnu/libcobalt.so"
  say "linux-arm64: Rust tests under qemu"
  t0=$SECONDS rc=0
  # Same target dir and linker as dist.sh: the library build is reused, only the tests compile.
  rust_tests_arm64 >"$LOGS/rust-arm64.log" 2>&1 || rc=$?
  STEP_TIMES+=("$(printf '%-34s %4ds' "rust tests, arm64 (qemu)" $((SECONDS - t0)))")
  rust_result "rust linux-arm64-gnu (qemu)" "$LOGS/rust-arm64.log" "$rc"

  say "linux-arm64: C ABI test under qemu against $LIB"
  t0=$SECONDS rc=0
  mkdir -p rust/target/c-cross
  run "$LOGS/c-arm64.log" bash -c "aarch64-linux-gnu-gcc -std=c11 -O1 -Wall -Wextra -Werror -I rust/include rust/tests/c/abi_test.c \
    -L '$DIST/linux-arm64-gnu' -Wl,-rpath,'$DIST/linux-arm64-gnu' -lcobalt -lpthread -lm -o rust/target/c-cross/abi_test_arm64 &&
    RUST_BACKTRACE=0 $QEMU_ARM64 rust/target/c-cross/abi_test_arm64" || rc=$?
  STEP_TIMES+=("$(printf '%-34s %4ds' "c test, arm64 (qemu)" $((SECONDS - t0)))")
  c_result "c linux-arm64-gnu (qemu)" "$LOGS/c-arm64.log" "$rc"

  say "linux-arm64: Bun suite under qemu"
  t0=$SECONDS rc=0
  npm_tool @oven/bun-linux-aarch64@1.4.5 bun-linux-arm64
  ensure_binfmt
  arm64_cc_shim
  BUN_ARM64="$CACHE/bun-linux-arm64/package/bin/bun"
  # COBALT_CHILD_DATA_LIMIT=none: an emulated child cannot start under `ulimit -d` (see tool_support.ts);
  # the memory limit takes its place, so a call that would allocate for real (arange(2**32)) is refused.
  PATH="$ARM64_BIN:$PATH" COBALT_LIB_PATH="$LIB" COBALT_CHILD_DATA_LIMIT=none COBALT_MEMORY_LIMIT=4G run "$LOGS/bun-arm64.log" "$QEMU_ARM64" "$BUN_ARM64" test tests/ || rc=$?
  STEP_TIMES+=("$(printf '%-34s %4ds' "bun suite, arm64 (qemu)" $((SECONDS - t0)))")
  bun_result "bun linux-arm64-gnu (qemu)" "$LOGS/bun-arm64.log" "$rc"

  if [ "${CROSS_RELEASE:-}" = 1 ]; then
    say "linux-arm64: Deno suite under qemu (CROSS_RELEASE=1; ~13 min)"
    t0=$SECONDS rc=0
    npm_tool @deno/linux-arm64-glibc@2.9.6 deno-linux-arm64
    DENO_ARM64="$CACHE/deno-linux-arm64/package/deno"
    PATH="$ARM64_BIN:$PATH" NO_COLOR=1 COBALT_LIB_PATH="$LIB" COBALT_CHILD_DATA_LIMIT=none COBALT_MEMORY_LIMIT=4G run "$LOGS/deno-arm64.log" \
      "$QEMU_ARM64" "$DENO_ARM64" test --allow-all --v8-flags=--expose-gc tests/ || rc=$?
    STEP_TIMES+=("$(printf '%-34s %4ds' "deno suite, arm64 (qemu)" $((SECONDS - t0)))")
    deno_result "deno linux-arm64-gnu (qemu)" "$LOGS/deno-arm64.log" "$rc"
  fi
fi

# --- win32-x64 under wine ------------------------------------------------------------------------
if has win32-x64; then
  DLL="$DIST/win32-x64/cobalt.dll"
  timed "setup: wine prefix" setup_wine
  say "win32-x64: Rust tests under wine"
  t0=$SECONDS rc=0
  rust_tests_win >"$LOGS/rust-win.log" 2>&1 || rc=$?
  STEP_TIMES+=("$(printf '%-34s %4ds' "rust tests, win32 (wine)" $((SECONDS - t0)))")
  rust_result "rust win32-x64 (wine)" "$LOGS/rust-win.log" "$rc"

  say "win32-x64: C ABI test under wine against $DLL"
  t0=$SECONDS rc=0
  mkdir -p rust/target/c-cross
  # The DLL is found through WINEPATH (the dist directory), not copied next to the program.
  run "$LOGS/c-win.log" bash -c "x86_64-w64-mingw32-gcc -std=c11 -O1 -Wall -Wextra -Werror -I rust/include rust/tests/c/abi_test.c \
    -L '$DIST/win32-x64' -lcobalt -static-libgcc -Wl,-Bstatic -lpthread -Wl,-Bdynamic -lm -o rust/target/c-cross/abi_test.exe &&
    RUST_BACKTRACE=0 WINEPATH='$(winpath "$DIST/win32-x64")' $WINE rust/target/c-cross/abi_test.exe" || rc=$?
  tr -d '\r' <"$LOGS/c-win.log" >"$LOGS/c-win.log.tmp" && mv "$LOGS/c-win.log.tmp" "$LOGS/c-win.log"
  STEP_TIMES+=("$(printf '%-34s %4ds' "c test, win32 (wine)" $((SECONDS - t0)))")
  c_result "c win32-x64 (wine)" "$LOGS/c-win.log" "$rc"

  if [ "${CROSS_WINDOWS_BUN:-}" = 1 ]; then
    say "win32-x64: Bun-for-Windows suite under wine (CROSS_WINDOWS_BUN=1)"
    t0=$SECONDS rc=0
    npm_tool @oven/bun-windows-x64@1.4.5 bun-windows-x64
    COBALT_LIB_PATH="$(winpath "$DLL")" run "$LOGS/bun-win.log" "$WINE" "$CACHE/bun-windows-x64/package/bin/bun.exe" test tests/ || rc=$?
    tr -d '\r' <"$LOGS/bun-win.log" >"$LOGS/bun-win.log.tmp" && mv "$LOGS/bun-win.log.tmp" "$LOGS/bun-win.log"
    STEP_TIMES+=("$(printf '%-34s %4ds' "bun suite, win32 (wine)" $((SECONDS - t0)))")
    bun_result "bun win32-x64 (wine)" "$LOGS/bun-win.log" "$rc"
  fi
fi

# --- summary -------------------------------------------------------------------------------------
say "step times (logs in rust/target/cross-logs/)"; print_times
passed=0 failed=0 status=0 by=()
for i in "${!NAMES[@]}"; do
  passed=$((passed + PASSED[i])) failed=$((failed + FAILED[i]))
  [ "${PASSED[i]}" -gt 0 ] || status=1 # a runner that never reported failed
  by+=("${NAMES[i]} ${PASSED[i]}/${FAILED[i]}")
done
[ "$failed" -eq 0 ] || status=1
[ "${#NAMES[@]}" -gt 0 ] || status=1
echo "cross by runner: $(IFS=,; echo "${by[*]}" | sed 's/,/, /g') (passed/failed), in $((SECONDS - T0))s"
echo "cross: $passed passed, $failed failed"
exit $status
