#!/usr/bin/env bash
# Builds libcobalt with AddressSanitizer into rust/target/asan and runs the Deno and Bun suites
# against it (COBALT_LIB_PATH), with GCC's libasan preloaded (a cdylib does not bring the ASan
# runtime itself, and the runtimes' own binaries are not instrumented).
#
#   npm run test:asan                      build + every TS test file under both runtimes
#   bash scripts/asan.sh tests/fuzz_test.ts  build + only these test files
#   ASAN_SKIP_BUILD=1 bash scripts/asan.sh   reuse the last ASan build
#
# No nightly toolchain is needed: RUSTC_BOOTSTRAP=1 lets the installed stable rustc take
# -Zsanitizer=address; if it refuses, Debian's rustc-web is installed and used instead.
# ASan reports (from the runtimes and every child process they start) go to files in a temp dir;
# the script prints the head of each and fails if there is any, or if a suite fails.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
T0=$SECONDS

# ---- what it needs ------------------------------------------------------------------------------
find_libasan() {
  local p
  for p in /usr/lib/x86_64-linux-gnu/libasan.so.8 /usr/lib/aarch64-linux-gnu/libasan.so.8 \
    "$(gcc -print-file-name=libasan.so.8 2>/dev/null || true)"; do
    [ -n "$p" ] && [ -f "$p" ] && { echo "$p"; return; }
  done
}
LIBASAN="$(find_libasan)"
if [ -z "$LIBASAN" ]; then
  say "installing libasan8 (GCC's AddressSanitizer runtime)"
  apt_install libasan8
  LIBASAN="$(find_libasan)"
  [ -n "$LIBASAN" ] || die "libasan.so.8 not found after installing libasan8"
fi
command -v cargo >/dev/null || die "cargo not found"

HOST="$(rustc -vV | sed -n 's/^host: //p')"
TARGET_DIR="$ROOT/rust/target/asan"
LIB="$TARGET_DIR/$HOST/release/libcobalt.so"

# ---- build ----------------------------------------------------------------------------------------
build() { # build [rustc]
  local flags="-Zsanitizer=address -Cforce-frame-pointers=yes -Cdebuginfo=1"
  local rustc="${1:-rustc}"
  # rustc >= 1.86 refuses to link crates built with and without a sanitizer unless told to (std is not instrumented)
  if "$rustc" -C help 2>/dev/null | grep -q unsafe-allow-abi-mismatch; then
    flags="$flags -Cunsafe-allow-abi-mismatch=sanitizer"
  fi
  # --target keeps RUSTFLAGS away from build scripts and proc macros; the target dir keeps the
  # instrumented build apart from the release one.
  RUSTC="$rustc" RUSTC_BOOTSTRAP=1 RUSTFLAGS="$flags" \
    bash "$ROOT/scripts/cargo.sh" build --release --lib --target "$HOST" --target-dir "$TARGET_DIR"
}
if [ "${ASAN_SKIP_BUILD:-}" != "1" ] || [ ! -f "$LIB" ]; then
  say "building libcobalt with AddressSanitizer ($TARGET_DIR)"
  if ! build; then
    say "the installed rustc refused -Zsanitizer=address: trying Debian's rustc-web"
    [ -x /usr/bin/rustc ] && /usr/bin/rustc -vV | grep -q web || apt_install rustc-web
    build /usr/bin/rustc || die "no rustc here builds with -Zsanitizer=address"
  fi
fi
[ -f "$LIB" ] || die "no library at $LIB"
nm -D "$LIB" | grep __asan_ >/dev/null || die "$LIB is not instrumented (no __asan_ symbols)"
T_BUILD=$((SECONDS - T0))

# ---- run ------------------------------------------------------------------------------------------
REPORTS="$(mktemp -d)"
export COBALT_LIB_PATH="$LIB"
export LD_PRELOAD="$LIBASAN${LD_PRELOAD:+:$LD_PRELOAD}"
# handle_segv=0 and allow_user_segv_handler=1: the runtimes install their own SIGSEGV handlers
# (V8 and JSC use faults on purpose); allocator_may_return_null=1: cobalt reports OUT_OF_MEMORY
# for impossible sizes instead of ASan aborting; detect_leaks=0: the runtimes free little at exit.
# max_allocation_size_mb: an impossible size fails (cobalt says OUT_OF_MEMORY) before it takes the machine.
export ASAN_OPTIONS="detect_leaks=0:handle_segv=0:allow_user_segv_handler=1:verify_asan_link_order=0:allocator_may_return_null=1:max_allocation_size_mb=3072:log_path=$REPORTS/asan:log_exe_name=1"
FILES=("$@")
[ ${#FILES[@]} -gt 0 ] || FILES=(tests/)

status=0
deno_ok=FAILED
bun_ok=FAILED
say "Deno tests against the ASan build"
T1=$SECONDS
NO_COLOR=1 deno test --allow-all --v8-flags=--expose-gc "${FILES[@]}" 2>&1 | tee "$REPORTS/deno.log" | grep -E '^(ok|FAILED) \||=> |^error' || true
if grep -qE '^ok \|' "$REPORTS/deno.log"; then deno_ok=passed; else status=1; fi
T_DENO=$((SECONDS - T1))
say "Bun tests against the ASan build"
T2=$SECONDS
# NOTE: Bun's alternate signal stack is not 8-byte aligned, and ASan's __asan_handle_no_return (run
# before every unwind, e.g. a Rust panic caught at the ABI boundary) aborts on it with
# "CHECK failed: asan_poisoning.cpp:35". A no-op replacement, preloaded first, skips that stack
# unpoisoning for the Bun run only (a caught panic may then leave stale stack poison behind).
BUN_PRELOAD="$LD_PRELOAD"
if command -v cc >/dev/null; then
  printf 'void __asan_handle_no_return(void) {}\n' >"$REPORTS/noreturn.c"
  cc -shared -fPIC -o "$REPORTS/noreturn.so" "$REPORTS/noreturn.c" && BUN_PRELOAD="$REPORTS/noreturn.so:$LD_PRELOAD"
fi
LD_PRELOAD="$BUN_PRELOAD" bun test "${FILES[@]}" 2>&1 | tee "$REPORTS/bun.log" | grep -E '^ *[0-9]+ (pass|fail)$|^\(fail\)' || true
if grep -qE '^ *0 fail$' "$REPORTS/bun.log"; then bun_ok=passed; else status=1; fi
T_BUN=$((SECONDS - T2))

# ---- report ---------------------------------------------------------------------------------------
shopt -s nullglob
reports=()
for r in "$REPORTS"/asan.*; do # warnings ("failed to allocate", expected) are not reports
  grep -qE 'ERROR: AddressSanitizer|CHECK failed' "$r" && reports+=("$r")
done
if [ ${#reports[@]} -gt 0 ]; then
  status=1
  say "${#reports[@]} AddressSanitizer report(s):"
  for r in "${reports[@]}"; do
    echo "--- $(basename "$r")"
    # the error line, the access, and the first frames of each stack
    grep -E 'ERROR: AddressSanitizer|CHECK failed|^(READ|WRITE) of size|^ +#[0-4] |freed by thread|previously allocated by|is located' "$r" | head -24 || true
  done
else
  say "no AddressSanitizer reports"
fi
echo "asan: build ${T_BUILD}s, deno ${T_DENO}s (${deno_ok}), bun ${T_BUN}s (${bun_ok}), total $((SECONDS - T0))s;" \
  "${#reports[@]} ASan report(s); logs in $REPORTS"
exit $status
