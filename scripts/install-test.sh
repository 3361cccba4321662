#!/usr/bin/env bash
# Installs the packed npm packages (npm/tarballs, from scripts/pack-npm.mjs) the way users will,
# from a loopback registry (scripts/registry.mjs), in fresh projects with no Rust toolchain on
# PATH, empty HOME and their own npm/Bun/Deno caches, and runs tests/install/smoke.mjs in each:
#
#   npm    npm install cobalt-tensor koffi; node smoke.mjs; the .d.ts type-check under tsc
#   bun    bun add cobalt-tensor; bun smoke.mjs
#   deno   import from "npm:cobalt-tensor@<version>" (deno.json + .npmrc); deno run --allow-ffi ...
#   omit   npm install --omit=optional: the error must name the platform package and --omit=optional
#   url    Deno importing http://127.0.0.1:PORT/mod.ts (scripts/serve-url.mjs): a checksummed
#          download into COBALT_CACHE_DIR, no second download, a tampered library refused and not
#          cached, no --allow-net -> CobaltError PERMISSION
#   arm64  (INSTALL_ARM64=1, with dist/lib/linux-arm64-gnu) bun add + smoke under qemu-aarch64-static
#
# usage: scripts/install-test.sh [npm bun deno omit url arm64]   (default: all; arm64 needs INSTALL_ARM64=1)
# env:   KEEP=1 keeps the work directory; INSTALL_ARM64=1 adds the arm64 test.
# The last line is `install: N passed, M failed`; the exit status is non-zero on any failure.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'install-test: error: %s\n' "$*" >&2; exit 1; }
T0=$SECONDS

VERSION="$(node -p 'require("./package.json").version')"
HOST=linux-x64-gnu
PLATPKG="@cobalt-tensor/$HOST"
[ "$(uname -sm)" = "Linux x86_64" ] || die "the install tests run on linux x86_64 (this is $(uname -sm))"
for t in "cobalt-tensor-$VERSION.tgz" "cobalt-tensor-$HOST-$VERSION.tgz"; do
  [ -f "npm/tarballs/$t" ] || die "npm/tarballs/$t is missing: run \`node scripts/pack-npm.mjs\` (npm run pack) first"
done
SHA="$(node -p "require('./npm/release/manifest.json').files['$HOST'].sha256")"

if [ $# -gt 0 ]; then TESTS="$*"; else TESTS="npm bun deno omit url"; [ "${INSTALL_ARM64:-}" = 1 ] && TESTS="$TESTS arm64"; fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/cobalt-install-XXXXXX")"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  if [ "${KEEP:-}" = 1 ]; then echo "install-test: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# ---- a PATH with node, npm, deno, bun and the basic tools, but no cargo/rustc ------------------------
BIN="$WORK/bin"
mkdir -p "$BIN"
for t in sh bash env cat ls mkdir rm cp mv ln tar gzip uname grep sed head tail id dirname basename readlink \
  chmod sha256sum find sort wc tr cut true false sleep mktemp touch cmp; do
  p="$(type -P "$t")" && ln -s "$p" "$BIN/$t"
done
ln -s "$(readlink -f "$(command -v node)")" "$BIN/node"
ln -s "$(readlink -f "$(command -v npm)")" "$BIN/npm"
DENO_BIN="$(readlink -f node_modules/.bin/deno)" && [ -x "$DENO_BIN" ] || die "deno is missing: npm ci"
BUN_BIN="$(readlink -f node_modules/.bin/bun)" && [ -x "$BUN_BIN" ] || die "bun is missing: npm ci"
ln -s "$DENO_BIN" "$BIN/deno"
ln -s "$BUN_BIN" "$BIN/bun"

# ---- the registry -------------------------------------------------------------------------------------
REGLOG="$WORK/registry.log"
: > "$REGLOG"
# Start a server script, wait for its "<name>: http://127.0.0.1:PORT/" line, and set URL.
start_server() { # name logfile script args...
  local name="$1" out="$WORK/$1.out"; shift
  node "$@" > "$out" 2> "$WORK/$name.err" &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    URL="$(sed -n "s|^$name: \(http://127.0.0.1:[0-9]*/\)$|\1|p" "$out")"
    [ -n "$URL" ] && return 0
    kill -0 "${PIDS[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  cat "$WORK/$name.err" >&2
  die "$name did not start"
}
start_server registry scripts/registry.mjs --port 0 --log "$REGLOG"
REG="$URL"
say "registry at $REG ($(ls npm/tarballs | tr '\n' ' '))"

# Runs a command in a clean environment for project dir $1: own HOME, caches, registry; no Rust.
run_clean() {
  local d="$1"; shift
  mkdir -p "$d/home" "$d/tmp"
  env -i PATH="$BIN" HOME="$d/home" TMPDIR="$d/tmp" LANG=C.UTF-8 NO_COLOR=1 TERM=dumb \
    XDG_CACHE_HOME="$d/home/.cache" \
    npm_config_cache="$d/npm-cache" npm_config_userconfig="$d/home/.npmrc" \
    npm_config_globalconfig="$d/home/npmrc-global" npm_config_registry="$REG" \
    npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false npm_config_loglevel=warn \
    BUN_INSTALL="$d/home/.bun" BUN_INSTALL_CACHE_DIR="$d/bun-cache" BUN_CONFIG_REGISTRY="$REG" \
    DENO_DIR="$d/deno-dir" NPM_CONFIG_REGISTRY="$REG" DENO_NO_UPDATE_CHECK=1 \
    "$@"
}

# A fresh project: package.json, .npmrc, the smoke program.
project() { # dir
  local d="$1"
  mkdir -p "$d/proj"
  printf '{ "name": "cobalt-smoke", "private": true, "type": "module" }\n' > "$d/proj/package.json"
  printf 'registry=%s\n' "$REG" > "$d/proj/.npmrc"
  cp tests/install/smoke.mjs tests/install/checks.mjs "$d/proj/"
}

PASS=0; FAIL=0; RESULTS=()
pass() { PASS=$((PASS + 1)); RESULTS+=("PASS $1"); printf 'install: PASS %s\n' "$1"; }
fail() { FAIL=$((FAIL + 1)); RESULTS+=("FAIL $1: $2"); printf 'install: FAIL %s: %s\n' "$1" "$2"; }
mark() { wc -l < "$REGLOG"; }
# The names of the tarballs fetched through the registry since log line $1, sorted, one per line.
fetched() { tail -n +"$(($1 + 1))" "$REGLOG" | node -e '
  const names = new Set();
  for (const l of require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean)) {
    const r = JSON.parse(l);
    if ((r.kind === "tarball" || r.kind === "proxy-tarball") && r.status === 200) names.add(r.name);
  }
  console.log([...names].sort().join("\n"));'; }
# Checks the fetched set: exactly cobalt-tensor + the host package of ours, others only from $3.
check_fetched() { # test since allowed-extra-regex
  local got ours extra
  got="$(fetched "$2")"
  ours="$(grep -E '^(cobalt-tensor|@cobalt-tensor/.*)$' <<<"$got" | tr '\n' ' ')"
  extra="$(grep -vE '^(cobalt-tensor|@cobalt-tensor/.*)$' <<<"$got" | grep -vE "^(${3:-\$^})$" | grep . | tr '\n' ' ')"
  echo "  fetched: $(tr '\n' ' ' <<<"$got")"
  if [ "$ours" != "$PLATPKG cobalt-tensor " ]; then fail "$1 registry" "fetched our tarballs: '$ours' (want $PLATPKG cobalt-tensor)"; return; fi
  if [ -n "$extra" ]; then fail "$1 registry" "unexpected tarballs: $extra"; return; fi
  pass "$1 registry (only cobalt-tensor + $PLATPKG${3:+ + $3})"
}
# Checks the smoke output: exit 0, the library inside the installed platform package, its sha256.
check_smoke() { # test status outfile path-glob
  local path
  path="$(sed -n 's/^path=//p' "$3")"
  if [ "$2" != 0 ]; then fail "$1 smoke" "exit $2: $(grep -E 'FAIL|rror' "$3" | head -3 | tr '\n' ' ')"; return; fi
  # shellcheck disable=SC2053
  if [[ "$path" != $4 ]]; then fail "$1 smoke" "library loaded from $path, not $4"; return; fi
  if [ "$(sha256sum "$path" | cut -c1-64)" != "$SHA" ]; then fail "$1 smoke" "$path is not the packed library"; return; fi
  pass "$1 smoke ($(sed -n 's/^runtime=//p' "$3"), $(sed -n 's/^smoke: //p' "$3"), ${path#"$WORK/"})"
}
timed() { local s=$SECONDS; "$@"; echo "  ($((SECONDS - s)) s)"; }

# ---- npm + Node ---------------------------------------------------------------------------------------
test_npm() {
  local d="$WORK/npm" m st
  project "$d"; m=$(mark)
  say "npm: npm install cobalt-tensor koffi"
  run_clean "$d" sh -c 'command -v cargo rustc' > /dev/null && { fail npm "cargo/rustc on the clean PATH"; return; }
  if ! (cd "$d/proj" && run_clean "$d" npm install --no-audit --no-fund cobalt-tensor koffi) > "$d/install.log" 2>&1; then
    fail "npm install" "$(tail -5 "$d/install.log" | tr '\n' ' ')"; return
  fi
  pass "npm install ($(ls "$d/proj/node_modules/@cobalt-tensor" | tr '\n' ' '))"
  check_fetched npm "$m" 'koffi|@koromix/koffi-linux-x64'
  st=0; (cd "$d/proj" && run_clean "$d" node smoke.mjs) > "$d/smoke.out" 2>&1 || st=$?
  sed 's/^/  /' "$d/smoke.out"
  check_smoke "npm/node" "$st" "$d/smoke.out" "$d/proj/node_modules/$PLATPKG/libcobalt.so"
  # The published .d.ts, type-checked as a TypeScript user of the package sees them.
  cat > "$d/proj/types.ts" <<'EOF'
import * as cb from "cobalt-tensor";
const a: cb.Tensor = cb.tensor([[1, 2], [3, 4]]);
const s: number = a.matmul(a).sum().item();
const m: cb.MemoryInfo = cb.memory();
export const out: [number, number, string] = [s, m.bytes, cb.native.path];
EOF
  # Symbol.dispose (Tensor implements Disposable) needs lib esnext.disposable, or @types/node.
  printf '{ "compilerOptions": { "strict": true, "noEmit": true, "target": "es2022", "lib": ["es2022", "esnext.disposable"], "module": "nodenext", "types": [] }, "files": ["types.ts"] }\n' \
    > "$d/proj/tsconfig.json"
  if (cd "$d/proj" && "$ROOT/node_modules/.bin/tsc" -p tsconfig.json) > "$d/tsc.log" 2>&1; then
    pass "npm types (tsc --strict, nodenext, lib es2022 + esnext.disposable, no @types/node)"
  else
    fail "npm types" "$(head -5 "$d/tsc.log" | tr '\n' ' ')"
  fi
  # The WebAssembly entry point of the installed package, in Node (its cobalt.wasm is in dist/).
  cat > "$d/proj/web.mjs" <<'EOF'
import * as cb from "cobalt-tensor/web";
const a = cb.tensor([[1, 2], [3, 4]]);
const s = a.matmul(a).sum().item();
if (cb.native.backend !== "wasm" || s !== 54) throw new Error(`backend ${cb.native.backend}, sum ${s}`);
console.log(`web: ${cb.native.backend} ${s} ${cb.native.path}`);
EOF
  local web
  if web="$(cd "$d/proj" && run_clean "$d" node web.mjs 2>&1)" &&
    grep -qE '^web: wasm 54 .*/node_modules/cobalt-tensor/dist/cobalt\.wasm$' <<<"$web"; then
    pass "npm/node cobalt-tensor/web (${web#"web: "})"
  else
    fail "npm/node cobalt-tensor/web" "$(tr '\n' ' ' <<<"$web" | cut -c1-300)"
  fi
  # Informational: plain es2022 without @types/node.
  sed -i 's/, "esnext.disposable"//' "$d/proj/tsconfig.json"
  (cd "$d/proj" && "$ROOT/node_modules/.bin/tsc" -p tsconfig.json) > "$d/tsc2.log" 2>&1 &&
    echo "  types: lib es2022 alone also type-checks" ||
    echo "  types: note: with lib es2022 alone and no @types/node: $(grep -m1 error "$d/tsc2.log" | cut -c1-160)"
}

# ---- Bun ----------------------------------------------------------------------------------------------
test_bun() {
  local d="$WORK/bun" m st
  project "$d"; m=$(mark)
  say "bun: bun add cobalt-tensor"
  if ! (cd "$d/proj" && run_clean "$d" bun add cobalt-tensor) > "$d/install.log" 2>&1; then
    fail "bun add" "$(tail -5 "$d/install.log" | tr '\n' ' ')"; return
  fi
  pass "bun add ($(grep -E 'installed|packages' "$d/install.log" | tail -1 | tr -s ' '))"
  check_fetched bun "$m"
  st=0; (cd "$d/proj" && run_clean "$d" bun smoke.mjs) > "$d/smoke.out" 2>&1 || st=$?
  sed 's/^/  /' "$d/smoke.out"
  check_smoke "bun" "$st" "$d/smoke.out" "$d/proj/node_modules/$PLATPKG/libcobalt.so"
}

# ---- Deno (npm: specifier) ----------------------------------------------------------------------------
test_deno() {
  local d="$WORK/deno" m st perms
  project "$d"; m=$(mark)
  rm "$d/proj/package.json"
  # Deno reads .npmrc only beside a config file; nodeModulesDir none: the global npm cache.
  printf '{ "nodeModulesDir": "none" }\n' > "$d/proj/deno.json"
  sed -i "s|from \"cobalt-tensor\"|from \"npm:cobalt-tensor@$VERSION\"|" "$d/proj/smoke.mjs"
  say "deno: import * as cb from \"npm:cobalt-tensor@$VERSION\""
  st=0; (cd "$d/proj" && run_clean "$d" deno run --allow-ffi --allow-read --allow-env smoke.mjs) \
    > "$d/smoke.out" 2>&1 || st=$?
  sed 's/^/  /' "$d/smoke.out"
  check_fetched deno "$m"
  check_smoke "deno" "$st" "$d/smoke.out" "$d/deno-dir/npm/*/$PLATPKG/$VERSION/libcobalt.so"
  # Which permissions are really needed (informational; the packages are cached now).
  for perms in "--allow-ffi" "--allow-ffi --allow-read" "--allow-ffi --allow-env" "--allow-ffi --allow-read --allow-env"; do
    st=0; (cd "$d/proj" && run_clean "$d" deno run --no-prompt $perms smoke.mjs) > "$d/perm.out" 2>&1 || st=$?
    echo "  deno permissions: $perms -> exit $st $( [ $st = 0 ] || grep -m1 -oE '(NotCapable|PermissionDenied|CobaltError)[^.]*' "$d/perm.out" | head -1)"
  done
}

# ---- npm --omit=optional: the error names the missing package -----------------------------------------
# koffi itself cannot be installed with --omit=optional (its binary is an optional dependency, and
# its install script then tries to build from source with CMake). So koffi is installed normally
# one directory up, where Node's resolution finds it, and the project omits optional dependencies.
test_omit() {
  local d="$WORK/omit" st
  project "$d"
  say "omit: npm install --omit=optional cobalt-tensor (koffi in the parent directory)"
  printf '{ "name": "koffi-holder", "private": true }\n' > "$d/package.json"
  printf 'registry=%s\n' "$REG" > "$d/.npmrc"
  if ! (cd "$d" && run_clean "$d" npm install --no-audit --no-fund koffi) > "$d/koffi.log" 2>&1; then
    fail "omit koffi install" "$(tail -5 "$d/koffi.log" | tr '\n' ' ')"; return
  fi
  if ! (cd "$d/proj" && run_clean "$d" npm install --no-audit --no-fund --omit=optional cobalt-tensor) > "$d/install.log" 2>&1; then
    fail "omit install" "$(tail -5 "$d/install.log" | tr '\n' ' ')"; return
  fi
  if [ -e "$d/proj/node_modules/$PLATPKG" ] || [ -e "$d/node_modules/$PLATPKG" ]; then
    fail omit "$PLATPKG was installed despite --omit=optional"; return
  fi
  for rt in node bun; do
    st=0; (cd "$d/proj" && run_clean "$d" $rt smoke.mjs) > "$d/$rt.out" 2>&1 || st=$?
    if [ $st = 0 ]; then fail "omit $rt" "loaded without the platform package: $(grep path= "$d/$rt.out")"
    elif grep -q -- "$PLATPKG" "$d/$rt.out" && grep -q -- "--omit=optional" "$d/$rt.out"; then
      pass "omit $rt (error names $PLATPKG and --omit=optional)"
      grep -m1 -A3 "CobaltError" "$d/$rt.out" | sed 's/^/  /'
    else
      fail "omit $rt" "error does not name $PLATPKG and --omit=optional: $(grep -m3 -iE 'error|cobalt' "$d/$rt.out" | tr '\n' ' ')"
    fi
  done
}

# ---- URL import with a checksummed download -----------------------------------------------------------
test_url() {
  local d="$WORK/url" SRV st cache sum16 base
  [ -f npm/jsr/mod.ts ] && [ -f npm/release/SHA256SUMS ] || { fail url "npm/jsr or npm/release missing: run pack-npm"; return; }
  mkdir -p "$d/proj"
  cp tests/install/url.mjs tests/install/checks.mjs "$d/proj/"
  : > "$d/serve.log"
  start_server serve-url scripts/serve-url.mjs --port 0 --log "$d/serve.log"
  SRV="$URL"
  local hostport="${SRV#http://}"; hostport="${hostport%/}"
  say "url: deno run ... $SRV""mod.ts"
  sum16="${SHA:0:16}"
  # deno run with the flags a user gives a URL import; COBALT_CACHE_DIR=$2.
  url_run() { # out cache net(yes|no)
    local net=(--allow-net="$hostport")
    [ "$3" = no ] && net=()
    (cd "$d/proj" && run_clean "$d" env COBALT_MOD_URL="${SRV}mod.ts" COBALT_CACHE_DIR="$2" \
      deno run --no-prompt --allow-import="$hostport" "${net[@]}" --allow-ffi --allow-env \
      --allow-read="$2" --allow-write="$2" url.mjs) > "$1" 2>&1
  }
  downloads() { grep -c '"path":"/release/' "$d/serve.log"; }
  # 1. First run downloads and caches.
  cache="$d/cache1"
  st=0; url_run "$d/run1.out" "$cache" yes || st=$?
  sed 's/^/  /' "$d/run1.out"
  check_smoke "url first run" "$st" "$d/run1.out" "$cache/$sum16/*"
  local n1; n1=$(downloads)
  if [ "$n1" = 1 ]; then pass "url first run downloaded once ($(grep '"/release/' "$d/serve.log" | sed 's/.*"path":"\([^"]*\)".*/\1/'))"
  else fail "url first run" "$n1 downloads of /release/ (want 1)"; fi
  # 2. Second run: from the cache.
  st=0; url_run "$d/run2.out" "$cache" yes || st=$?
  check_smoke "url second run" "$st" "$d/run2.out" "$cache/$sum16/*"
  if [ "$(downloads)" = "$n1" ]; then pass "url second run did not download"; else fail "url second run" "downloaded again"; fi
  # 3. A tampered library is refused and not cached.
  node -e "fetch('${SRV}-/tamper/on').then(r => r.text())" > /dev/null
  cache="$d/cache-tampered"
  st=0; url_run "$d/run3.out" "$cache" yes || st=$?
  node -e "fetch('${SRV}-/tamper/off').then(r => r.text())" > /dev/null
  sed 's/^/  /' "$d/run3.out"
  if [ $st = 0 ]; then fail "url tampered" "a tampered library was loaded"
  elif ! grep -q 'cobalt=true' "$d/run3.out"; then fail "url tampered" "not a CobaltError: $(grep -m1 error= "$d/run3.out")"
  elif [ -n "$(find "$cache" -type f 2>/dev/null)" ]; then fail "url tampered" "left files in the cache: $(find "$cache" -type f | tr '\n' ' ')"
  else pass "url tampered library refused ($(sed -n 's/^error=\(.*\) cobalt.*/\1/p' "$d/run3.out")), nothing cached"; fi
  # 4. Without --allow-net: CobaltError PERMISSION.
  cache="$d/cache-nonet"
  st=0; url_run "$d/run4.out" "$cache" no || st=$?
  sed 's/^/  /' "$d/run4.out"
  if grep -q 'code=PERMISSION cobalt=true' "$d/run4.out"; then pass "url without --allow-net: CobaltError PERMISSION"
  else fail "url without --allow-net" "want CobaltError PERMISSION: $(head -2 "$d/run4.out" | tr '\n' ' ')"; fi
}

# ---- arm64 Bun under qemu -----------------------------------------------------------------------------
test_arm64() {
  local d="$WORK/arm64" st qemu bun
  qemu="$(command -v qemu-aarch64-static)" || { fail arm64 "qemu-aarch64-static not installed"; return; }
  [ -f "npm/tarballs/cobalt-tensor-linux-arm64-gnu-$VERSION.tgz" ] || { fail arm64 "no linux-arm64-gnu package (dist/lib/linux-arm64-gnu)"; return; }
  # The arm64 Bun binary, from npm (cached under npm/.cache across runs).
  bun="$ROOT/npm/.cache/bun-linux-aarch64/package/bin/bun"
  if [ ! -x "$bun" ]; then
    local bv; bv="$("$BUN_BIN" --version)"
    mkdir -p "$ROOT/npm/.cache/bun-linux-aarch64"
    (cd "$ROOT/npm/.cache/bun-linux-aarch64" && npm pack --silent "@oven/bun-linux-aarch64@$bv" > /dev/null && tar xzf oven-bun-linux-aarch64-*.tgz && chmod +x package/bin/bun) ||
      { fail arm64 "could not fetch @oven/bun-linux-aarch64@$bv"; return; }
  fi
  ln -sf "$qemu" "$BIN/qemu-aarch64-static"
  project "$d"; local m; m=$(mark)
  say "arm64: qemu-aarch64-static bun add cobalt-tensor"
  if ! (cd "$d/proj" && run_clean "$d" qemu-aarch64-static "$bun" add cobalt-tensor) > "$d/install.log" 2>&1; then
    fail "arm64 bun add" "$(tail -5 "$d/install.log" | tr '\n' ' ')"; return
  fi
  local got; got="$(fetched "$m" | tr '\n' ' ')"
  echo "  fetched: $got"
  if [ "$got" = "@cobalt-tensor/linux-arm64-gnu cobalt-tensor " ]; then pass "arm64 registry (only cobalt-tensor + @cobalt-tensor/linux-arm64-gnu)"
  else fail "arm64 registry" "fetched $got"; fi
  st=0; (cd "$d/proj" && run_clean "$d" qemu-aarch64-static "$bun" smoke.mjs) > "$d/smoke.out" 2>&1 || st=$?
  sed 's/^/  /' "$d/smoke.out"
  if [ $st = 0 ] && grep -q "^path=$d/proj/node_modules/@cobalt-tensor/linux-arm64-gnu/libcobalt.so$" "$d/smoke.out"; then
    pass "arm64 bun smoke ($(sed -n 's/^smoke: //p' "$d/smoke.out"))"
  else fail "arm64 bun smoke" "exit $st: $(grep -m3 -E 'FAIL|rror|path=' "$d/smoke.out" | tr '\n' ' ')"; fi
}

for t in $TESTS; do
  case "$t" in
    npm|bun|deno|omit|url|arm64) s=$SECONDS; "test_$t"; echo "  ($t: $((SECONDS - s)) s)" ;;
    *) die "unknown test $t (npm bun deno omit url arm64)" ;;
  esac
done

echo
echo "registry tarball fetches:"
node -e '
  const rows = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean).map(JSON.parse);
  const c = {};
  for (const r of rows) if (r.kind.endsWith("tarball")) c[`${r.name}@${r.version} (${r.kind})`] = (c[`${r.name}@${r.version} (${r.kind})`] ?? 0) + 1;
  for (const [k, n] of Object.entries(c)) console.log(`  ${n}x ${k}`);' "$REGLOG"
for r in "${RESULTS[@]}"; do echo "  $r"; done
echo "install: $PASS passed, $FAIL failed ($((SECONDS - T0)) s)"
[ "$FAIL" = 0 ]
