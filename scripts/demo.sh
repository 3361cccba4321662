#!/usr/bin/env bash
# Runs examples/demo.ts under Deno and under Bun.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
say "demo under Deno"
deno run --allow-ffi --allow-env=COBALT_LIB_PATH --allow-read --allow-write examples/demo.ts
say "demo under Bun"
bun examples/demo.ts
