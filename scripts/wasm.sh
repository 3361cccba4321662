#!/usr/bin/env bash
# The WebAssembly build of the core (`npm run build:wasm`): dist/wasm/cobalt.wasm.
#
# Debian's rustc-web has no wasm32 std, so std is compiled from rust-web-src (-Zbuild-std, with
# RUSTC_BOOTSTRAP=1 on the pinned compiler) and linked by rust-lld (lld-22). Flags:
#   +simd128              the portable kernels compile to 128-bit WebAssembly SIMD
#   --max-memory=4 GiB    a declared maximum, which toResizableBuffer() needs (views survive growth)
#   +exception-handling   with panic=unwind: a Rust panic is caught at the ABI guard and becomes
#                         COBALT_PANIC as natively, instead of a trap that kills the instance
# The thread pool runs inline on wasm32 without atomics (rust/src/pool.rs). wasm-opt (Debian's
# binaryen) then optimises the module; the sizes are printed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/cross-lib.sh"
cd "$ROOT"
T0=$SECONDS
need_pkgs "${PKGS_RUST[@]}" lld-22 binaryen
mapfile -t crates < <(debian_crates)
need_pkgs "${crates[@]}"
setup_vendor
ensure_lockfile
# --deps: the toolchain, crates and lockfile only (CI then builds in the background while other
# steps run, and nothing else writes these meanwhile).
[ "${1:-}" = --deps ] && exit 0
OUT="$ROOT/dist/wasm"
mkdir -p "$OUT"
say "building cobalt.wasm (wasm32-unknown-unknown, simd128, exception handling)"
LOGF="$ROOT/rust/target/wasm-build.log"
mkdir -p "$(dirname "$LOGF")"
rc=0
(export RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C target-feature=+simd128,+exception-handling -C panic=unwind -C link-arg=--max-memory=4294967296"
  xcargo build --release --lib --target wasm32-unknown-unknown -Zbuild-std=std,panic_unwind,panic_abort \
    --target-dir target/wasm) >"$LOGF" 2>&1 || rc=$?
# Everything but progress lines and the one expected note (exception-handling is an unstable feature).
grep -vE '^\s*(Compiling|Finished)|exception-handling|not stably supported|^\s*\|?\s*$|^\s*= note|generated 1 warning' "$LOGF" >&2 || true
[ "$rc" -eq 0 ] || die "the wasm build failed (exit $rc; log: $LOGF)"
built="$ROOT/rust/target/wasm/wasm32-unknown-unknown/release/cobalt.wasm"
say "wasm-opt -O3"
wasm-opt -O3 --all-features --strip-debug --strip-producers "$built" -o "$OUT/cobalt.wasm.tmp"
mv "$OUT/cobalt.wasm.tmp" "$OUT/cobalt.wasm"
raw=$(stat -c %s "$built") opt=$(stat -c %s "$OUT/cobalt.wasm") gz=$(gzip -9 -c "$OUT/cobalt.wasm" | wc -c)
mb() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1048576 }'; }
echo "wasm: dist/wasm/cobalt.wasm $(mb "$opt") ($(mb "$gz") gzipped; $(mb "$raw") before wasm-opt), in $((SECONDS - T0))s"
