/**
 * Differential fuzzing against numpy: seeded random programs (1-4 ops over the eight dtypes, 0-size
 * and broadcast shapes, strided views, JS-number operands) run in cobalt in a child process
 * (`fuzz_child.ts`: a native crash is caught and pinned on one case), and every step is recomputed
 * by numpy in ONE python3 process per batch (`fuzz_oracle.py`, which also encodes cobalt's
 * documented differences from numpy).
 *
 * Environment:
 *   COBALT_FUZZ_SEED=N    the seed (default: fixed, so CI runs the same cases every time)
 *   COBALT_FUZZ_CASES=N   how many cases (default 3000: 10-25 s per runtime)
 *   COBALT_FUZZ_CASE=N    replay one case of the seed, printing its program
 *   COBALT_FUZZ_STRICT=1  report known failures as failures too
 *   COBALT_FUZZ_VERBOSE=1 print the repro of every known failure seen, not just its signature
 *
 * A finding's signature is `op(arg dtypes)[adopted]:kind` (kind: value, nan, inf, dtype, shape,
 * accepted (numpy refuses, cobalt returned), rejected:CODE (numpy computes, cobalt threw),
 * error-type:NAME (neither TypeError nor CobaltError), crash:SIGNAL, hang). Signatures listed in
 * `known_failures.ts` are tolerated while open; their repro programs are replayed on every run and
 * the run fails when one no longer fails.
 */
import { fileURLToPath } from "node:url";
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ext, test } from "./harness.ts";
import { type CaseRecord, programCode, type Step } from "./fuzz_child.ts";
import {
  env,
  envInt,
  knownFor,
  knownMatch,
  readLines,
  runChild,
  runtime,
  tail,
  tempDir,
} from "./tool_support.ts";
import type { KnownFailure } from "./known_failures.ts";

const SEED = envInt("COBALT_FUZZ_SEED", 20261129);
const CASES = envInt("COBALT_FUZZ_CASES", 3000);
const ONLY = env("COBALT_FUZZ_CASE");
const STRICT = env("COBALT_FUZZ_STRICT") === "1";
const VERBOSE = env("COBALT_FUZZ_VERBOSE") === "1";
const CHILD = fileURLToPath(new URL(`./fuzz_child${ext}`, import.meta.url));
const ORACLE = fileURLToPath(new URL("./fuzz_oracle.py", import.meta.url));
const BATCH = 2000; // cases per child process (one child normally runs them all)
const CHILD_TIMEOUT_MS = 240_000;

/** One mismatch between cobalt and numpy. */
interface Finding {
  case: number;
  seed: number;
  step: number;
  sig: string;
  detail: string;
  steps: Step[];
}

/** The steps step `j` depends on (and `j`), renumbered: the smallest program that shows it. */
export function minimal(steps: Step[], j: number): Step[] {
  const need = new Set<number>();
  const visit = (k: number) => {
    if (need.has(k)) return;
    need.add(k);
    for (const a of steps[k].a) {
      if ("t" in a) visit(a.t);
      if ("ts" in a) a.ts.forEach((r) => visit(r.t));
    }
  };
  visit(j);
  const order = [...need].sort((a, b) => a - b);
  const map = new Map(order.map((k, i) => [k, i]));
  const re = (r: { t: number; o?: number }) => (r.o ? { t: map.get(r.t)!, o: r.o } : { t: map.get(r.t)! });
  return order.map((k) => {
    const s = steps[k];
    return {
      op: s.op,
      kw: s.kw,
      a: s.a.map((a) => ("t" in a ? re(a) : "ts" in a ? { ts: a.ts.map(re) } : a)),
    };
  });
}

/** Runs cases (generated from the seed, or the given programs) in child processes; crashes become findings. */
function runCobalt(
  dir: string,
  mode: "gen" | "replay",
  range: [number, number],
  programs?: { case: number; seed: number; steps: Step[] }[],
): { records: CaseRecord[]; crashes: Finding[]; ms: number } {
  const records: CaseRecord[] = [];
  const crashes: Finding[] = [];
  let ms = 0;
  let next = range[0];
  let part = 0;
  while (next < range[1]) {
    const out = join(dir, `cobalt-${part}.jsonl`);
    const end = Math.min(range[1], next + BATCH);
    let args: string[];
    if (mode === "gen") args = ["gen", String(SEED), String(next), String(end), out];
    else {
      const input = join(dir, `programs-${part}.jsonl`);
      writeFileSync(input, programs!.slice(next, end).map((p) => JSON.stringify(p)).join("\n") + "\n");
      args = ["replay", input, out];
    }
    part++;
    const r = runChild(CHILD, args, CHILD_TIMEOUT_MS);
    ms += r.ms;
    let current: number | undefined;
    let trail: Step[] = [];
    let done = 0;
    for (const line of readLines(out)) {
      if (line.startsWith("begin ")) {
        current = Number(line.slice(6));
        trail = [];
      } else if (line.startsWith("step ")) trail.push(JSON.parse(line.slice(5)));
      else {
        records.push(JSON.parse(line));
        current = undefined;
        done++;
      }
    }
    if (r.status === 0 && !r.timedOut) {
      next = end;
      continue;
    }
    // The child died (or hung) inside `current`: the last step it began is the culprit.
    const what = r.timedOut ? "hang" : `crash:${r.signal ?? `exit ${r.status}`}`;
    const caseNo = current ?? (mode === "gen" ? next + done : programs![next + done]?.case ?? -1);
    const step = trail.length - 1;
    const last = trail[step];
    crashes.push({
      case: caseNo,
      seed: SEED,
      step,
      // the arguments' dtypes are unknown here (the step never returned): "(…)" stands for them
      sig: last ? `${last.op}${last.kw.fresh ? "+fresh" : ""}(…):${what}` : what,
      detail: `the child process ended (${what}) in this step; its stderr:\n${tail(r.stderr)}`,
      steps: trail,
    });
    next += done + 1;
  }
  return { records, crashes, ms };
}

/** Checks recorded cases with numpy in one python3 process. */
function oracle(dir: string, records: CaseRecord[]): { findings: Finding[]; stats: Record<string, number> } {
  const input = records.map((r) => JSON.stringify(r)).join("\n") + "\n";
  const file = join(dir, "oracle-in.jsonl");
  writeFileSync(file, input);
  const r = spawnSync("python3", [ORACLE], { input, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) {
    throw new Error(`fuzz_oracle.py failed (exit ${r.status}):\n${tail(r.stderr ?? "", 30)}`);
  }
  const out = JSON.parse(r.stdout) as {
    cases: { case: number; seed: number; findings: { step: number; sig: string; detail: string }[] }[];
    stats: Record<string, number>;
  };
  const byCase = new Map(records.map((c) => [c.case, c]));
  const findings: Finding[] = [];
  for (const c of out.cases) {
    for (const f of c.findings) {
      findings.push({ ...f, case: c.case, seed: c.seed, steps: byCase.get(c.case)!.steps });
    }
  }
  return { findings, stats: out.stats };
}

/** How a finding is reported: the signature, where, what, and a JS repro of the minimal program. */
function describe(f: Finding): string {
  const prog = f.step >= 0 ? minimal(f.steps, f.step) : f.steps;
  return [
    `  ${f.sig}   [${runtime}; replay: COBALT_FUZZ_SEED=${f.seed} COBALT_FUZZ_CASE=${f.case}]`,
    `    ${f.detail.split("\n").join("\n    ")}`,
    `    repro: ${programCode(prog)}`,
    `    program: ${JSON.stringify(prog)}`,
  ].join("\n");
}

/** Groups findings by signature: known ones tolerated, the others returned as failures. */
function triage(findings: Finding[], known: KnownFailure[]) {
  const bySig = new Map<string, Finding[]>();
  for (const f of findings) bySig.set(f.sig, [...(bySig.get(f.sig) ?? []), f]);
  const unknown: string[] = [];
  const tolerated: string[] = [];
  for (const [sig, fs] of [...bySig].sort()) {
    const k = STRICT ? undefined : knownMatch(known, sig);
    if (k) {
      tolerated.push(
        VERBOSE ? `${describe(fs[0])}\n    known: ${k.note}` : `  ${sig} (${fs.length}) -> ${k.sig}`,
      );
    } else unknown.push(`${describe(fs[0])}${fs.length > 1 ? `\n    (${fs.length} cases)` : ""}`);
  }
  return { unknown, tolerated, bySig };
}

test(`fuzz: random programs agree with numpy (${runtime})`, () => {
  const dir = tempDir("cobalt-fuzz-");
  const t0 = performance.now();
  const range: [number, number] = ONLY !== undefined ? [Number(ONLY), Number(ONLY) + 1] : [0, CASES];
  let records: CaseRecord[],
    crashes: Finding[],
    ms: number,
    findings: Finding[],
    stats: Record<string, number>;
  let t1: number;
  try {
    ({ records, crashes, ms } = runCobalt(dir, "gen", range));
    t1 = performance.now();
    ({ findings, stats } = oracle(dir, records));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const t2 = performance.now();
  if (ONLY !== undefined && records[0]) {
    console.log(`case ${ONLY} of seed ${SEED}:\n  ${programCode(records[0].steps)}`);
  }
  const all = [...crashes, ...findings];
  const { unknown, tolerated, bySig } = triage(all, knownFor("fuzz"));
  console.log(
    `fuzz (${runtime}): seed ${SEED}, ${records.length} cases, ${stats.ops} ops checked against numpy ` +
      `(${stats.both_refuse} refused by both), ${all.length} findings in ${bySig.size} signatures ` +
      `(${tolerated.length} known, ${unknown.length} new); cobalt ${(ms / 1000).toFixed(1)} s, ` +
      `numpy ${((t2 - t1) / 1000).toFixed(1)} s, total ${((t2 - t0) / 1000).toFixed(1)} s`,
  );
  if (tolerated.length) console.log(`known failures seen:\n${tolerated.join("\n")}`);
  if (unknown.length) {
    throw new Error(
      `${unknown.length} new finding signature(s) (fix them, or list them in tests/known_failures.ts):\n` +
        unknown.join("\n"),
    );
  }
}, { timeout: 600_000 });

test(`fuzz: every known failure still fails (${runtime})`, () => {
  const known = knownFor("fuzz");
  if (known.length === 0) return;
  const dir = tempDir("cobalt-fuzz-known-");
  const programs = known.map((k, i) => ({ case: i, seed: -1, steps: k.repro as Step[] }));
  let all: Finding[];
  try {
    const { records, crashes } = runCobalt(dir, "replay", [0, programs.length], programs);
    all = [...crashes, ...oracle(dir, records).findings];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const fixed = known.filter((k, i) => !all.some((f) => f.case === i && knownMatch([k], f.sig)));
  if (fixed.length) {
    throw new Error(
      `${fixed.length} known failure(s) no longer fail: remove them from tests/known_failures.ts:\n` +
        fixed.map((k) => `  ${k.sig}: ${k.note}`).join("\n"),
    );
  }
}, { timeout: 300_000 });
