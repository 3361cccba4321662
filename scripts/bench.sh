#!/usr/bin/env bash
# Runs bench/overhead.ts under Deno, Bun and Node and bench/overhead.py under numpy in one go, and prints a
# Markdown table: ns per call and the ratio numpy/cobalt (> 1 means cobalt is faster).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
# --json: also write bench/results.json (machine-readable: every runtime's figures and spreads)
JSON=0
for arg in "$@"; do
  case "$arg" in
    --json) JSON=1 ;;
    *) echo "bench.sh: unknown argument $arg (takes --json)" >&2 && exit 2 ;;
  esac
done
OUT="$(mktemp -d)"
say "numpy"
python3 bench/overhead.py >"$OUT/numpy.json"
say "Deno"
deno run --allow-ffi --allow-env bench/overhead.ts >"$OUT/deno.json"
say "Bun"
bun bench/overhead.ts >"$OUT/bun.json"
say "Node (koffi; the tsc build in out/)"
bash scripts/build-js.sh --tests out >/dev/null
COBALT_LIB_PATH="$ROOT/rust/target/release/$(lib_file)" node --expose-gc out/bench/overhead.js >"$OUT/node.json"
python3 - "$OUT" <<'PY'
import json, sys, os
d = sys.argv[1]
np_ = json.load(open(os.path.join(d, "numpy.json")))
runs = [json.load(open(os.path.join(d, f))) for f in ("deno.json", "bun.json", "node.json")]
rows = [
    ("no-op call (numpy column: Python calling len(()))", "noop"),
    ("create + dispose, 4 elements (np.zeros(4))", "create_dispose"),
    ("from JS array + dispose, 4 elements (np.array([...]))", "from_array_dispose"),
    ("a.add(b) + dispose, 4 elements (a + b)", "add_dispose"),
    ("a.add(b) left to the GC, 4 elements (a + b)", "add_gc"),
    ("a.add(1) + dispose, 4 elements (a + 1.0)", "add_scalar_dispose"),
    ("take t.data, 4 elements (a.data)", "data_small_only"),
    ("take t.data, 16M elements (a.data)", "data_16m_only"),
]
head = "| operation | numpy ns | " + " | ".join(f"{r['runtime']} ns | numpy/{r['runtime']}" for r in runs) + " |"
print("\n" + np_["runtime"] + ", measured in the same run\n")
print(head)
print("|" + "---|" * (2 + 2 * len(runs)))
for label, k in rows:
    cells = [f"{np_['ns'][k]:.0f}"]
    for r in runs:
        v = r["ns"][k]
        cells += [f"{v:.0f}", f"{np_['ns'][k] / v:.2f}x"]
    print(f"| {label} | " + " | ".join(cells) + " |")
PY
rm -rf "$OUT"

say "async vs sync (Deno, Bun, Node)"
OUT="$(mktemp -d)"
deno run --allow-ffi --allow-env bench/async.ts >"$OUT/deno.json"
bun bench/async.ts >"$OUT/bun.json"
COBALT_LIB_PATH="$ROOT/rust/target/release/$(lib_file)" node out/bench/async.js >"$OUT/node.json"
python3 - "$OUT" <<'PY'
import json, sys, os
d = sys.argv[1]
rows = [json.load(open(os.path.join(d, f))) for f in ("deno.json", "bun.json", "node.json")]
print("\n| runtime | add 4 el. sync | add 4 el. async (await) | 2048² matmul sync: time / longest event-loop stall | async: time / longest stall |")
print("|---|---|---|---|---|")
for r in rows:
    s, a = r["matmul2048_sync"], r["matmul2048_async"]
    print(f"| {r['runtime']} ({r['threads']} threads) | {r['add_sync_ns']:.0f} ns | {r['add_async_us']:.1f} µs | "
          f"{s['totalMs']:.0f} ms / {s['stallMs']:.0f} ms | {a['totalMs']:.0f} ms / {a['stallMs']:.1f} ms |")
PY
rm -rf "$OUT"

say "workloads: cobalt (Deno, Bun), plain JS, numpy (all threads and 1)"
OUT="$(mktemp -d)"
{
  deno run -A bench/workloads.ts
  bun bench/workloads.ts
  deno run -A bench/workloads.ts --plain-js
  # the machine's measured peak float32 FLOP/s (FMA chains in registers), for GEMM as a fraction
  bash scripts/cargo.sh run --quiet --release --example peak_flops
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 bench/workloads.py
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 python3 bench/workloads.py
  # TensorFlow.js in Node (its own package.json, installed only here, not by npm ci at the top);
  # a time limit each, since its cpu backend takes about 40 s for one 2048² matmul
  if command -v node >/dev/null && (cd bench/tfjs && npm ci --no-audit --no-fund --silent >&2); then
    timeout 300 node bench/tfjs/workloads.mjs wasm 2>/dev/null || say "TF.js wasm: failed or timed out" >&2
    timeout 600 node bench/tfjs/workloads.mjs cpu 2>/dev/null || say "TF.js cpu: failed or timed out" >&2
  else
    say "TF.js skipped: node or the npm registry is not available" >&2
  fi
} >"$OUT/all.jsonl"
python3 bench/report.py <"$OUT/all.jsonl"
if [ "$JSON" = 1 ]; then
  # every runtime's figures (ms, spread, mem) as one JSON array
  python3 -c 'import json, sys; print(json.dumps([json.loads(l) for l in sys.stdin if l.startswith("{")], indent=1))' \
    <"$OUT/all.jsonl" >bench/results.json
  deno fmt -q bench/results.json # the lint step checks every JSON file's formatting
  echo "wrote bench/results.json"
fi
rm -rf "$OUT"
echo "wrote bench/results.md and bench/chart.svg"
