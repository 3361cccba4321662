#!/usr/bin/env bash
# Release libraries for every platform, built on this x86_64 Debian machine (`npm run dist`):
#
#   dist/lib/linux-x64-gnu/libcobalt.so     glibc >= 2.17, linked by zig cc
#   dist/lib/linux-arm64-gnu/libcobalt.so   glibc >= 2.17, linked by zig cc
#   dist/lib/win32-x64/cobalt.dll           x86_64-pc-windows-gnu, std from -Zbuild-std, mingw-w64
#   dist/lib/darwin-arm64/libcobalt.dylib   linked by zig against its libSystem stubs (ad-hoc signed)
#   dist/lib/darwin-x64/libcobalt.dylib     the same for x86_64
#   dist/lib/SHA256SUMS, dist/lib/manifest.json
#
# Every library is checked: its cobalt_* exports equal the functions cobalt.h declares; it needs
# only system libraries (glibc <= 2.17; system DLLs; libSystem); cobalt_abi_version() equals
# COBALT_ABI_VERSION (called natively, under qemu-user and under wine; read from the disassembly
# for macOS, which nothing here can run). The macOS dylibs are built but cannot be run here.
#
# DIST_TARGETS="linux-x64-gnu win32-x64" builds a subset (default: all five). Toolchains are
# installed on first use (apt, npm pack into .cache/); see scripts/cross-lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$ROOT/scripts/cross-lib.sh"
cd "$ROOT"

ALL_TARGETS="linux-x64-gnu linux-arm64-gnu win32-x64 darwin-arm64 darwin-x64"
read -r -a TARGETS <<<"${DIST_TARGETS:-$ALL_TARGETS}"
for p in "${TARGETS[@]}"; do triple_of "$p" >/dev/null; done
has() { [[ " ${TARGETS[*]} " == *" $1 "* ]]; }
OUT="$ROOT/dist/lib"
T0=$SECONDS

# --- toolchains ---------------------------------------------------------------------------------
groups=()
has linux-arm64-gnu && groups+=(arm64)
has win32-x64 && groups+=(wine)
timed "setup: apt packages" setup_toolchains "${groups[@]}"
if has linux-x64-gnu || has linux-arm64-gnu || has darwin-arm64 || has darwin-x64; then
  timed "setup: zig (npm pack)" setup_zig
fi
setup_vendor
ensure_lockfile
has win32-x64 && timed "setup: wine prefix" setup_wine
LLVM=/usr/lib/llvm-22/bin
VERSION="$(node -p 'require("./package.json").version')"
ABI="$(header_abi)"
[ -n "$ABI" ] || die "COBALT_ABI_VERSION not found in rust/include/cobalt.h"
mapfile -t DECLARED < <(header_functions)
[ "${#DECLARED[@]}" -gt 25 ] || die "parsed only ${#DECLARED[@]} functions from cobalt.h"
PROBE_DIR="$ROOT/rust/target/abi-probe"
mkdir -p "$PROBE_DIR"

# zig's directory of libSystem stubs stands in for the macOS SDK (it even has an SDKSettings.json);
# with SDKROOT set rustc does not look for xcrun. zigcc-macos drops the -isysroot it gets.
MAC_SDK="$CACHE/zig/package/lib/libc/darwin"

# --- build --------------------------------------------------------------------------------------
# build PLATFORM: cargo build --lib for its triple into rust/target/dist-PLATFORM; prints the path.
# Warnings are checked in its log (zero on every target); RUSTFLAGS stay unset so that
# scripts/cross-test.sh reuses this build.
build() {
  local p="$1" triple; triple="$(triple_of "$p")"
  local args=(build --release --lib --target "$triple" --target-dir "target/dist-$p")
  local env=()
  case "$p" in
    linux-x64-gnu)
      env+=(ZIG_TARGET=x86_64-linux-gnu.2.17 CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER="$ROOT/scripts/zig/zigcc-linux") ;;
    linux-arm64-gnu)
      env+=(ZIG_TARGET=aarch64-linux-gnu.2.17 CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER="$ROOT/scripts/zig/zigcc-linux") ;;
    win32-x64)
      env+=(RUSTC_BOOTSTRAP=1); args+=(-Zbuild-std=std,panic_unwind) ;;
    darwin-arm64)
      env+=(RUSTC_BOOTSTRAP=1 MACOSX_DEPLOYMENT_TARGET=11.0 ZIG_TARGET=aarch64-macos.11.0 SDKROOT="$MAC_SDK"
        CARGO_TARGET_AARCH64_APPLE_DARWIN_LINKER="$ROOT/scripts/zig/zigcc-macos")
      args+=(-Zbuild-std=std,panic_unwind) ;;
    darwin-x64)
      env+=(RUSTC_BOOTSTRAP=1 MACOSX_DEPLOYMENT_TARGET=10.12 ZIG_TARGET=x86_64-macos.10.12 SDKROOT="$MAC_SDK"
        CARGO_TARGET_X86_64_APPLE_DARWIN_LINKER="$ROOT/scripts/zig/zigcc-macos")
      args+=(-Zbuild-std=std,panic_unwind) ;;
  esac
  say "building $p ($triple)"
  (export "${env[@]}"; xcargo "${args[@]}") >&2
}

# --- checks -------------------------------------------------------------------------------------
FAILS=()
fail() { printf 'FAIL %s: %s\n' "$1" "$2" >&2; FAILS+=("$1: $2"); }
ok() { printf '  ok   %s\n' "$*" >&2; }

# check_exports PLATFORM FILE: the exported cobalt_* functions are exactly those of cobalt.h.
check_exports() {
  local p="$1" f="$2" all
  case "$p" in
    linux-*) all="$("$LLVM/llvm-nm" -D --defined-only --format=just-symbols "$f")" ;;
    win32-*) all="$("$LLVM/llvm-readobj" --coff-exports "$f" | awk '$1=="Name:" {print $2}')" ;;
    darwin-*) all="$("$LLVM/llvm-objdump" --macho --exports-trie "$f" | awk 'NR>1 && $2 ~ /^_/ {print substr($2,2)}')" ;;
  esac
  local got; got="$(grep -E '^cobalt_' <<<"$all" | sort -u)"
  local diff; diff="$(comm -3 <(printf '%s\n' "${DECLARED[@]}") <(printf '%s\n' "$got"))"
  if [ -n "$diff" ]; then
    fail "$p" "exports differ from cobalt.h (left: header only, right: library only): $(tr '\n\t' ' +' <<<"$diff")"
  else
    ok "$p: $(wc -l <<<"$got") cobalt_* exports = cobalt.h ($(grep -cvE '^(cobalt_|$)' <<<"$all" || true) other exported symbols)"
  fi
}

# check_deps PLATFORM FILE: only system libraries; glibc symbol versions <= 2.17.
check_deps() {
  local p="$1" f="$2"
  case "$p" in
    linux-*)
      local needed glibc
      needed="$("$LLVM/llvm-readobj" --needed-libs "$f" | awk '/^  / {print $1}' | tr '\n' ' ')"
      glibc="$("$LLVM/llvm-objdump" -T "$f" | grep -oE 'GLIBC_[0-9.]+' | sort -uV | tail -1)"
      if [ "$(printf '%s\n' "$glibc" GLIBC_2.17 | sort -V | tail -1)" != GLIBC_2.17 ]; then
        fail "$p" "needs $glibc (> GLIBC_2.17)"
      else
        ok "$p: highest symbol version $glibc; NEEDED: $needed"
      fi
      local bad; bad="$(tr ' ' '\n' <<<"$needed" | grep -vE '^(libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|ld-linux-(x86-64|aarch64)\.so\.[12])?$' || true)"
      [ -z "$bad" ] || fail "$p" "needs non-system libraries: $bad"
      ;;
    win32-*)
      local dlls bad
      dlls="$("$LLVM/llvm-readobj" --coff-imports "$f" | awk '$1=="Name:" {print $2}' | sort -uf | tr '\n' ' ')"
      bad="$(tr ' ' '\n' <<<"$dlls" | grep -viE '^(kernel32|ntdll|msvcrt|userenv|ws2_32|advapi32|bcrypt|bcryptprimitives|api-ms-win-[a-z0-9-]+)\.dll$|^$' || true)"
      if [ -n "$bad" ]; then fail "$p" "imports non-system DLLs: $bad"; else ok "$p: imports only system DLLs: $dlls"; fi
      ;;
    darwin-*)
      local hdr type dylibs minos id sig
      hdr="$("$LLVM/llvm-objdump" --macho --private-headers "$f")"
      type="$(grep -A1 -m1 'magic' <<<"$hdr" | tail -1 | awk '{print $1, $2, $5}')"
      dylibs="$(awk '/cmd LC_LOAD_DYLIB/ {getline; getline; print $2}' <<<"$hdr" | tr '\n' ' ')"
      # LC_BUILD_VERSION (minos) or, for older deployment targets, LC_VERSION_MIN_MACOSX (version)
      minos="$(awk '/cmd LC_BUILD_VERSION/ {f=1} /cmd LC_VERSION_MIN_MACOSX/ {g=1}
        (f && $1=="minos") || (g && $1=="version") {print $2; exit}' <<<"$hdr")"
      id="$(awk '/cmd LC_ID_DYLIB/ {getline; getline; print $2; exit}' <<<"$hdr")"
      sig="$(grep -q 'cmd LC_CODE_SIGNATURE' <<<"$hdr" && echo yes || echo no)"
      [[ "$type" == *DYLIB* ]] || fail "$p" "not a Mach-O dylib: $type"
      [ "$dylibs" = "/usr/lib/libSystem.B.dylib " ] || fail "$p" "loads more than libSystem: $dylibs"
      [ "$p" != darwin-arm64 ] || [ "$sig" = yes ] || fail "$p" "arm64 dylib has no code signature"
      ok "$p: Mach-O ($type), install name $id, minos ${minos:-?}, code signature: $sig, loads: $dylibs"
      ;;
  esac
}

# abi_of PLATFORM FILE: cobalt_abi_version() of the library, by running it where it runs.
abi_of() {
  local p="$1" f="$2" src="$ROOT/scripts/abi-probe.c"
  case "$p" in
    linux-x64-gnu)
      cc -O1 -o "$PROBE_DIR/probe-x64" "$src" -ldl && "$PROBE_DIR/probe-x64" "$f" ;;
    linux-arm64-gnu)
      aarch64-linux-gnu-gcc -O1 -o "$PROBE_DIR/probe-arm64" "$src" -ldl && "$QEMU_ARM64" "$PROBE_DIR/probe-arm64" "$f" ;;
    win32-x64)
      x86_64-w64-mingw32-gcc -O1 -o "$PROBE_DIR/probe.exe" "$src" &&
        "$WINE" "$PROBE_DIR/probe.exe" "$(winpath "$f")" | tr -d '\r' ;;
    darwin-arm64)
      # mov w0, #N ; ret
      "$LLVM/llvm-objdump" --macho -d --no-show-raw-insn --dis-symname _cobalt_abi_version "$f" |
        grep -oiE 'mov[[:space:]]+w0, #(0x)?[0-9a-f]+' | head -1 | grep -oiE '#(0x)?[0-9a-f]+$' | tr -d '#' |
        xargs -r printf '%d\n' ;;
    darwin-x64)
      # mov eax, N ; ret (possibly inside a frame-pointer prologue)
      "$LLVM/llvm-objdump" --macho -d --no-show-raw-insn --x86-asm-syntax=intel --dis-symname _cobalt_abi_version "$f" |
        grep -oiE 'mov[[:space:]]+eax, (0x)?[0-9a-f]+' | head -1 | grep -oiE '(0x)?[0-9a-f]+$' | xargs -r printf '%d\n' ;;
  esac
}
check_abi() {
  local p="$1" f="$2" got how=called
  case "$p" in darwin-*) how="read from the disassembly of" ;; esac
  got="$(abi_of "$p" "$f" 2>&1 | tail -1)" || true
  if [ "$got" = "$ABI" ]; then ok "$p: cobalt_abi_version() = $got ($how; cobalt.h says $ABI)"
  else fail "$p" "cobalt_abi_version() gave '${got}', cobalt.h says $ABI"; fi
}

strip_lib() {
  case "$1" in
    linux-*) "$LLVM/llvm-strip" --strip-all "$2" ;;
    win32-*) x86_64-w64-mingw32-strip --strip-all "$2" ;;
    darwin-x64) "$LLVM/llvm-strip" -x "$2" ;;     # local symbols only; the export trie stays
    darwin-arm64) ;;                              # never: stripping breaks zig's ad-hoc signature
  esac
}

# --- per target ---------------------------------------------------------------------------------
# The cobalt crate compiles as one codegen unit (one core for ~2 min per target), so DIST_JOBS
# targets (default 2) build at once; the slowest (std from source) start first.
JOBS="${DIST_JOBS:-2}"
LOGS="$ROOT/rust/target/dist-logs"
rm -rf "$LOGS" && mkdir -p "$LOGS"
say "building ${TARGETS[*]} ($JOBS at a time; logs in rust/target/dist-logs/)"
for p in win32-x64 darwin-x64 darwin-arm64 linux-arm64-gnu linux-x64-gnu; do
  has "$p" || continue
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
  (
    t0=$SECONDS rc=0
    build "$p" >"$LOGS/$p.log" 2>&1 || rc=$?
    echo "$((SECONDS - t0)) $rc" >"$LOGS/$p.status"
    say "built $p in $((SECONDS - t0))s (exit $rc)"
  ) &
done
wait

SUMMARY=()
human() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1048576 }'; }
for p in "${TARGETS[@]}"; do
  read -r secs rc <"$LOGS/$p.status"
  STEP_TIMES+=("$(printf '%-34s %4ds' "build $p" "$secs")")
  say "checking $p"
  if [ "$rc" -ne 0 ]; then
    tail -40 "$LOGS/$p.log" >&2; fail "$p" "build failed (exit $rc, log: $LOGS/$p.log)"; continue
  fi
  # Zero warnings on every target (cargo's own "N warnings emitted" lines are not counted).
  if grep -qE '^warning' "$LOGS/$p.log"; then
    grep -E -A6 '^warning' "$LOGS/$p.log" >&2; fail "$p" "the build printed warnings"
  else
    ok "$p: built without warnings"
  fi
  file="$(libfile_of "$p")"
  built="$ROOT/rust/target/dist-$p/$(triple_of "$p")/release/$file"
  [ -f "$built" ] || { fail "$p" "no $built"; continue; }
  rm -rf "${OUT:?}/$p" && mkdir -p "$OUT/$p"
  cp "$built" "$OUT/$p/$file"
  unstripped=$(stat -c %s "$OUT/$p/$file")
  strip_lib "$p" "$OUT/$p/$file"
  size=$(stat -c %s "$OUT/$p/$file")
  check_exports "$p" "$OUT/$p/$file"
  check_deps "$p" "$OUT/$p/$file"
  check_abi "$p" "$OUT/$p/$file"
  note="stripped"; [ "$size" -eq "$unstripped" ] && note="not stripped"
  SUMMARY+=("$(printf '%-16s build %4ds  %-9s (%s; %s unstripped)' "$p" "$secs" "$(human "$size")" "$note" "$(human "$unstripped")")")
done

# --- checksums and manifest (every platform present under dist/lib) -----------------------------
say "writing dist/lib/SHA256SUMS and dist/lib/manifest.json"
(cd "$OUT" && find . -mindepth 2 -maxdepth 2 -type f ! -name '.*' | sed 's|^\./||' | sort | xargs -r sha256sum >SHA256SUMS)
VERSION="$VERSION" ABI="$ABI" OUT="$OUT" node -e '
  const fs = require("fs"), path = require("path");
  const out = process.env.OUT, platforms = {};
  for (const line of fs.readFileSync(path.join(out, "SHA256SUMS"), "utf8").split("\n").filter(Boolean)) {
    const [sha256, rel] = line.split(/\s+/);
    const [platform, file] = rel.split("/");
    platforms[platform] = { file, sha256, bytes: fs.statSync(path.join(out, rel)).size };
  }
  const m = { version: process.env.VERSION, abi: Number(process.env.ABI), platforms };
  fs.writeFileSync(path.join(out, "manifest.json"), JSON.stringify(m, null, 2) + "\n");
'
cat "$OUT/SHA256SUMS" >&2

echo "dist: cobalt $VERSION, ABI $ABI, in $((SECONDS - T0))s"
for l in "${SUMMARY[@]}"; do echo "  $l"; done
say "step times"; print_times
if [ "${#FAILS[@]}" -gt 0 ]; then
  printf 'dist FAILED:\n' >&2; printf '  %s\n' "${FAILS[@]}" >&2
  exit 1
fi
echo "dist: ${#TARGETS[@]} target(s) built and checked"
