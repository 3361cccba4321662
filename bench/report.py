"""Combines the JSON lines of the workload runs (stdin) into bench/results.md and bench/chart.svg.
Every figure is a ratio against baselines measured in the same run."""
import json
import os
import re
import sys

runs = [json.loads(line) for line in sys.stdin if line.strip().startswith("{")]
by = {r["runtime"]: r["ms"] for r in runs}
spreads = {r["runtime"]: r.get("spread", {}) for r in runs}
mems = {r["runtime"]: r.get("mem", {}) for r in runs if r.get("mem")}
numpy = next(v for k, v in by.items() if k.startswith("numpy") and "add 16M" in v)
numpy1 = next((v for k, v in by.items() if k.startswith("numpy") and "matmul 256 (1 thread)" in v), {})
numpy = {**numpy, **numpy1}
peak = by.pop("peak", {})
order = ("cobalt", "plain JS", "TF.js")
cols = sorted((k for k in by if not k.startswith("numpy")), key=lambda k: [k.startswith(p) for p in order].index(True))
rows = ["tiny add (4 elements)", "add 1M", "add 16M", "mul 16M", "sum 16M", "softmax 4096x1024",
        "transpose+contiguous 4096²"] + [f"matmul {n}{t}" for n in (256, 512, 1024, 2048) for t in ("", " (1 thread)")] + [
    "einsum bij,bjk->bik 64x128²", "batched matmul 64x128² (einsum's baseline)",
    "einsum ij,kj->ik 512 (a transposed operand)"]
rows += ["linalg.solve 1024 f64", "linalg.inv 1024 f64", "linalg.svd 512 f64", "linalg.eigh 512 f64"]
bw = numpy.get("bandwidth GB/s", float("nan"))
here = os.path.dirname(os.path.abspath(__file__))


def fmt(ms):
    return "–" if ms is None else (f"{ms * 1e6:.0f} ns" if ms < 0.01 else f"{ms:.2f} ms")


rows.append("conv2d 32x64x64x64 3x3")  # numpy side: im2col (sliding_window_view) + matmul
rows += ["dgemm 1024", "batched matmul 4096x(16x16)", "matmul 1024 a @ b.T", "add 2048² contiguous",
         "add 2048² a + b.T", "add 2048² a + column (broadcast)", "add 2048² a + row (broadcast)",
         "add (4 elements) left to the GC", "scope around a sync function", "t.data of a fresh 4-element result",
         "async add (4 elements, awaited)"]


def spread_of(runtime, row):
    """" [min–max]" of a figure's timing, when the run recorded it."""
    sp = spreads.get(runtime, {}).get(row)
    return f" [{fmt(sp[0])}–{fmt(sp[1])}]" if sp else ""
lines = [f"Machine bandwidth (STREAM-like copy/add, all cores, numpy): **{bw:.1f} GB/s**; numpy's OpenBLAS "
         f"kernel: **{numpy.get('openblas kernel', '?')}**.", "",
         "| workload | numpy | " + " | ".join(cols) + " |", "|---|---|" + "---|" * len(cols)]
np_name = next(k for k in by if k.startswith("numpy") and "add 16M" in by[k])
for r in rows:
    base = numpy.get(r)
    cells = []
    for c in cols:
        v = by[c].get(r)
        cells.append(fmt(v) + spread_of(c, r) + (f" ({base / v:.2f}x)" if v and base else ""))
    lines.append(f"| {r} | {fmt(base)}{spread_of(np_name, r)} | " + " | ".join(cells) + " |")
lines += ["", "(x) = numpy's time / this time: above 1 is faster than numpy. 16M = 2^24 float32 elements. "
          "Each figure is the median of at least 5 rounds, [min–max] of those rounds; every column comes "
          "from the same run."]
if mems:
    lines += ["", "| peak memory above the start (MB) | " + " | ".join(mems) + " |", "|---|" + "---|" * len(mems)]
    for k in sorted({k for m in mems.values() for k in m}):
        lines.append(f"| {k} | " + " | ".join(f"{m.get(k, float('nan')):.0f}" for m in mems.values()) + " |")
extra = []
for c in cols:
    ms = by[c]
    if "add 16M" in ms and c.startswith("cobalt"):
        gbs = 3 * 4 * (1 << 24) / ms["add 16M"] / 1e6
        sgb = 4 * (1 << 24) / ms["sum 16M"] / 1e6
        extra.append(f"- {c}: add 16M into a new tensor {gbs:.1f} GB/s = {gbs / bw:.2f} of bandwidth; "
                     f"sum 16M {sgb:.1f} GB/s = {sgb / bw:.2f}; matmul 2048 "
                     f"{2 * 2048 ** 3 / ms['matmul 2048'] / 1e6:.0f} GFLOP/s.")
# every op at 1M elements against the plain-JS loop (target: at least 5x)
plain = next((v for k, v in by.items() if k.startswith("plain JS")), {})
ones = [k for k in plain if k.startswith("1M ")]
cob = [c for c in cols if c.startswith("cobalt")]
table1m = []
if ones and cob:
    table1m = ["", "Every op at 1M float32 elements against the plain-JS loop a user would write (Deno), "
               "target at least 5x:", "",
               "| op (1M elements) | plain JS | " + " | ".join(f"{c} | speed-up" for c in cob) + " |",
               "|---|---|" + "---|---|" * len(cob)]
    below = []
    for k in ones:
        cells = []
        for c in cob:
            v = by[c].get(k)
            if v:
                ratio = plain[k] / v
                cells += [fmt(v), f"{ratio:.1f}x" + ("" if ratio >= 5 else " (below 5x)")]
                if ratio < 5:
                    below.append(f"{k[3:]} in {c} ({ratio:.1f}x)")
            else:
                cells += ["–", "–"]
        table1m.append(f"| {k[3:]} | {fmt(plain[k])} | " + " | ".join(cells) + " |")
    table1m += ["", f"{len(ones)} ops; below 5x: " + (", ".join(below) if below else "none") + "."]
if peak:
    flops = 2 * 2048 ** 3 / 1e6
    pk, pk1 = peak["peak GFLOP/s all"], peak["peak GFLOP/s 1 thread"]
    extra.append(f"- measured peak ({peak['simd']} FMA chains): {pk:.0f} GFLOP/s on all cores, {pk1:.0f} on one. "
                 "matmul 2048 as a fraction of it: " + "; ".join(
                     f"{c} {flops / by[c]['matmul 2048'] / pk:.2f} (1 thread {flops / by[c]['matmul 2048 (1 thread)'] / pk1:.2f})"
                     for c in cols if c.startswith("cobalt") and "matmul 2048 (1 thread)" in by[c])
                 + f"; numpy {flops / numpy['matmul 2048'] / pk:.2f} (1 thread "
                 f"{flops / numpy.get('matmul 2048 (1 thread)', float('nan')) / pk1:.2f}).")
out_lines = lines + [""] + extra + table1m
open(os.path.join(here, "results.md"), "w").write("\n".join(out_lines) + "\n")
print("\n".join(out_lines))

# a bar chart of speed relative to numpy (log scale), per workload and runtime
w, rowh, left = 900, 18, 230
chart_rows = [r for r in rows if r in numpy]
colors = ["#2b6cb0", "#38a169", "#d69e2e", "#805ad5", "#e53e3e", "#718096"]
h = 60 + len(chart_rows) * (rowh * len(cols) + 10)
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
       f'<text x="{left}" y="16" font-size="13">speed relative to numpy (log scale; the line is numpy)</text>']
import math
scale = (w - left - 20) / 6  # 1e-3 .. 1e3
x1 = left + 3 * scale
svg.append(f'<line x1="{x1}" y1="24" x2="{x1}" y2="{h - 10}" stroke="#000"/>')
for i, lab in enumerate(["0.001x", "0.01x", "0.1x", "1x", "10x", "100x", "1000x"]):
    svg.append(f'<text x="{left + i * scale - 12}" y="36" fill="#555">{lab}</text>')
y = 48
for r in chart_rows:
    svg.append(f'<text x="4" y="{y + rowh * len(cols) / 2 + 4}">{r}</text>')
    for j, c in enumerate(cols):
        v = by[c].get(r)
        if v:
            ratio = numpy[r] / v
            xr = left + (math.log10(max(min(ratio, 999), 0.0011)) + 3) * scale
            a, b = sorted([x1, xr])
            svg.append(f'<rect x="{a:.1f}" y="{y}" width="{max(b - a, 1):.1f}" height="{rowh - 3}" fill="{colors[j % 6]}"/>')
            svg.append(f'<text x="{b + 3:.1f}" y="{y + 12}" fill="#333">{ratio:.2f}x</text>')
        y += rowh
    y += 10
for j, c in enumerate(cols):
    svg.append(f'<rect x="{w - 200}" y="{44 + j * 14}" width="10" height="10" fill="{colors[j % 6]}"/>'
               f'<text x="{w - 185}" y="{53 + j * 14}">{c}</text>')
svg.append("</svg>")
open(os.path.join(here, "chart.svg"), "w").write("\n".join(svg) + "\n")
