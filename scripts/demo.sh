#!/usr/bin/env bash
# Runs examples/demo.ts under Deno, Bun and Node (Node runs the tsc build in out/).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
say "demo under Deno"
deno run --allow-ffi --allow-env=COBALT_LIB_PATH --allow-read --allow-write examples/demo.ts
say "demo under Bun"
bun examples/demo.ts
say "demo under Node"
bash scripts/build-js.sh --tests out >/dev/null
COBALT_LIB_PATH="$ROOT/rust/target/release/$(lib_file)" node out/examples/demo.js
