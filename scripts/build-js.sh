#!/usr/bin/env bash
# Compiles the TypeScript sources to ESM .js (+ .d.ts) with tsc (tsconfig.build.json).
#
#   scripts/build-js.sh                 mod.ts + ffi/*.ts -> npm/cobalt-tensor/dist/  (.js + .d.ts)
#   scripts/build-js.sh --out DIR       the same into DIR
#   scripts/build-js.sh --tests DIR     mod.ts + ffi/*.ts + tests/*.ts -> DIR/{mod.js,ffi/,tests/},
#                                       with tests/fixtures/ and tests/*.py and *.json copied beside the tests,
#                                       DIR/package.json {"type":"module"} and
#                                       DIR/node_modules -> the repo's node_modules (for koffi).
#
# tsc rewrites `./x.ts` imports to `./x.js`, and wraps computed dynamic imports (load.ts's
# "./bun" + ".ts") in __rewriteRelativeImportExtension(), so they work compiled too.
# Deno's types are not on npm: `deno types` writes them to npm/.build/deno.d.ts.
# Exits non-zero on any type error (tsc still emits; the output is then not to be shipped).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$PATH"
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

out="$ROOT/npm/cobalt-tensor/dist"
tests=0
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    --tests) tests=1; out="${2:?--tests needs a directory}"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) die "unknown argument: $1 (see --help)" ;;
  esac
done
mkdir -p "$out"
out="$(cd "$out" && pwd)"
case "$ROOT/" in "$out/"*) die "refusing to build into $out: it contains the repository" ;; esac

# Clear a previous build, but only one of ours (marked), never an unrelated directory.
if [ -n "$(ls -A "$out")" ]; then
  [ -f "$out/.cobalt-build" ] || die "$out is not empty and not a previous build-js output; remove it first"
  find "$out" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
fi

command -v tsc >/dev/null || die "tsc not found: run npm ci"
command -v deno >/dev/null || die "deno not found: run npm ci"

build="$ROOT/npm/.build"
mkdir -p "$build"
deno types > "$build/deno.d.ts.tmp" && mv "$build/deno.d.ts.tmp" "$build/deno.d.ts"

# A config per build beside deno.d.ts: paths inside are relative to it.
rel() { node -e 'console.log(require("path").relative(process.argv[1], process.argv[2]) || ".")' "$build" "$1"; }
r="$(rel "$ROOT")"
cfg="$build/tsconfig.$([ $tests = 1 ] && echo tests || echo lib).json"
if [ $tests = 1 ]; then
  include="[\"$r/ffi/*.ts\", \"$r/tests/*.ts\", \"$r/bench/overhead.ts\", \"$r/bench/async.ts\", \"$r/examples/*.ts\"]"
  decl=false
else
  include="[\"$r/ffi/*.ts\"]"
  decl=true
fi
cat > "$cfg" <<EOF
{
  "extends": "$r/tsconfig.build.json",
  "compilerOptions": { "rootDir": "$r", "outDir": "$(rel "$out")", "declaration": $decl },
  "files": ["$r/mod.ts", "$r/web.ts", "deno.d.ts"],
  "include": $include
}
EOF

say "tsc -p ${cfg#"$ROOT/"} -> $out"
start=$SECONDS
status=0
tsc -p "$cfg" || status=$?
touch "$out/.cobalt-build"
[ $status = 0 ] || die "tsc reported type errors (exit $status)"

if [ $tests = 1 ]; then
  # Non-TS files the tests read relative to their own URL.
  mkdir -p "$out/tests"
  cp -R "$ROOT/tests/fixtures" "$out/tests/"
  for f in "$ROOT"/tests/*.py "$ROOT"/tests/*.json; do [ -e "$f" ] && cp "$f" "$out/tests/"; done
  printf '{ "type": "module", "private": true }\n' > "$out/package.json"
  # node would find the repo's node_modules by walking up, but tests also use DIR/node_modules
  # (koffi copied into a bare install, the other runtime's binary).
  [ -e "$out/node_modules" ] || ln -s "$ROOT/node_modules" "$out/node_modules"
fi
say "built $(find "$out" -name '*.js' -not -path '*/node_modules/*' | wc -l) .js files in $((SECONDS - start)) s"
