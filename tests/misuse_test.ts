/**
 * The misuse matrix: every public function of mod.ts and every Tensor member (found by
 * reflection; argument positions from the table in `misuse_child.ts`) called with bad values —
 * null, undefined, NaN, ±Infinity, -0, 2**31, 2**32, 2**53, 1.5, BigInts, strings, {}, [], Symbols,
 * functions, disposed tensors, wrong dtypes, huge and negative shapes, objects whose getters or
 * valueOf throw, Proxies, unknown option keys — and on odd receivers. The calls run in child
 * processes (chunks of calls each, 3 GB of writable memory at most), so a crash is caught and the
 * call that caused it named. Each call must return or throw TypeError / CobaltError (or the bad
 * value's own exception), never another error type, and never crash or hang; where the position
 * must refuse the value (an axis of 2**32, a dtype of {}, an unknown option key...) a normal return
 * is a finding too ("accepted").
 *
 * Environment:
 *   COBALT_MISUSE_FULL=1     also every bad value in every position on every odd receiver (~7x the
 *                            calls; by default odd receivers get valid arguments only)
 *   COBALT_MISUSE_FILTER=s   only calls whose id contains s
 *   COBALT_MISUSE_STRICT=1   report known failures as failures too
 *
 * Signatures: `fn#position=value:outcome` (outcome: accepted, error:NAME, crash:SIGNAL, hang) and
 * `fn@receiver:outcome`. Known ones are listed in `known_failures.ts`.
 */
import { fileURLToPath } from "node:url";
import { rmSync, writeFileSync } from "node:fs";
import process from "node:process";
import { join } from "node:path";
import { ext, test } from "./harness.ts";
import { type Call, calls, undescribed } from "./misuse_child.ts";
import {
  env,
  globMatch,
  knownFor,
  knownMatch,
  readLines,
  runChild,
  runtime,
  tail,
  tempDir,
} from "./tool_support.ts";

const FULL = env("COBALT_MISUSE_FULL") === "1";
const FILTER = env("COBALT_MISUSE_FILTER");
const STRICT = env("COBALT_MISUSE_STRICT") === "1";
const CHILD = fileURLToPath(new URL(`./misuse_child${ext}`, import.meta.url));
const CHUNK = 2500; // calls per child process
const CHILD_TIMEOUT_MS = 180_000;
const DATA_LIMIT_KB = 3_000_000;

interface Result {
  call: Call;
  outcome: string;
  detail: string;
}

/** Runs the calls (indices into `all`) in child processes; a crash ends a child, the rest go on. */
function runCalls(
  all: Call[],
  ids: number[],
  dir: string,
): { results: Result[]; ms: number; children: number } {
  const results: Result[] = [];
  let ms = 0;
  let children = 0;
  // calls that may corrupt memory run alone, each followed by a canary workload in the same child
  const alone = ids.filter((i) => all[i].isolate);
  let rest = ids.filter((i) => !all[i].isolate);
  const queue: number[][] = alone.map((i) => [i]);
  while (rest.length || queue.length) {
    const isolated = queue.length > 0;
    const chunk = isolated ? queue.shift()! : rest.slice(0, CHUNK);
    const idsFile = join(dir, `ids-${children}.txt`);
    const out = join(dir, `out-${children}.txt`);
    writeFileSync(idsFile, chunk.join(" "));
    children++;
    const args = isolated ? [idsFile, out, "canary"] : [idsFile, out];
    // Under AddressSanitizer (scripts/asan.sh) its shadow memory counts against `ulimit -d`: there
    // ASAN_OPTIONS' max_allocation_size_mb bounds allocations instead.
    const asan = (process.env.LD_PRELOAD ?? "").includes("asan");
    const r = runChild(CHILD, args, CHILD_TIMEOUT_MS, {
      cwd: dir,
      dataLimitKb: asan ? undefined : DATA_LIMIT_KB,
    });
    ms += r.ms;
    let begun: number | undefined;
    let done = 0;
    for (const line of readLines(out)) {
      const m = /^(begin|end) (\d+) ?(\S*) ?(.*)$/.exec(line);
      if (!m) continue;
      const i = Number(m[2]);
      if (m[1] === "begin") begun = i;
      else {
        results.push({ call: all[i], outcome: m[3], detail: m[4] });
        begun = undefined;
        done++;
      }
    }
    const advance = (n: number) => {
      if (!isolated) rest = rest.slice(n);
    };
    if (done === chunk.length && r.status === 0) {
      advance(chunk.length);
      continue;
    }
    if (begun === undefined) {
      // it died between calls (at exit, or before the first one)
      const what = r.timedOut ? "hang" : `crash:${r.signal ?? `exit ${r.status}`}`;
      if (done === 0) throw new Error(`misuse child failed to start (${what}):\n${tail(r.stderr, 30)}`);
      results.push({
        call: all[chunk[done - 1]],
        outcome: `${what}-after`,
        detail: tail(r.stderr, 6).replace(/\n/g, " | "),
      });
      advance(done);
      continue;
    }
    const what = r.timedOut ? "hang" : `crash:${r.signal ?? `exit ${r.status}`}`;
    results.push({ call: all[begun], outcome: what, detail: tail(r.stderr, 6).replace(/\n/g, " | ") });
    advance(chunk.indexOf(begun) + 1);
  }
  return { results, ms, children };
}

/** The finding a result is, if any: its signature. */
function finding(r: Result): string | undefined {
  const o = r.outcome;
  if (o === "ok") return r.call.refuse ? `${r.call.id}:accepted` : undefined;
  if (o === "TypeError" || o.startsWith("CobaltError:") || o === "UserError") return undefined;
  if (o === "setup") throw new Error(`misuse: ${r.call.id}: ${r.detail}`);
  return `${r.call.id}:${o}`;
}

test(`misuse: bad arguments give TypeError or CobaltError, never a crash (${runtime})`, () => {
  const all = calls(true);
  const known = knownFor("misuse");
  const pinned = new Set(known.flatMap((k) => k.repro as string[]));
  const ids: number[] = [];
  all.forEach((c, i) => {
    if (FILTER !== undefined && !c.id.includes(FILTER)) return;
    if (FULL || FILTER !== undefined || !c.recv || pinned.has(c.id)) ids.push(i);
  });
  const dir = tempDir("cobalt-misuse-");
  let run: ReturnType<typeof runCalls>;
  try {
    run = runCalls(all, ids, dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { results, ms, children } = run;
  const counts = new Map<string, number>();
  for (const r of results) {
    const k = r.outcome.startsWith("CobaltError") ? "CobaltError" : r.outcome.split(":")[0];
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const bySig = new Map<string, Result>();
  for (const r of results) {
    const s = finding(r);
    if (s !== undefined && !bySig.has(s)) bySig.set(s, r);
  }
  const unknown: string[] = [];
  const tolerated = new Map<string, number>();
  for (const [sig, r] of bySig) {
    const k = STRICT ? undefined : knownMatch(known, sig);
    if (k) tolerated.set(k.sig, (tolerated.get(k.sig) ?? 0) + 1);
    else unknown.push(`  ${sig}   [${runtime}] ${r.detail}`);
  }
  // a known failure must still occur among the calls it names
  const stale = known.filter((k) => {
    const named = results.filter((r) => (k.repro as string[]).includes(r.call.id));
    return named.length > 0 && !named.some((r) => {
      const s = finding(r);
      return s !== undefined && globMatch(k.sig, s);
    });
  });
  const missing = known.filter((k) => !results.some((r) => (k.repro as string[]).includes(r.call.id)));
  console.log(
    `misuse (${runtime}): ${results.length} calls${
      FULL ? " (full matrix)" : FILTER ? ` (filtered from ${all.length})` : ""
    } in ` +
      `${children} child processes, ${(ms / 1000).toFixed(1)} s; outcomes: ` +
      [...counts].map(([k, v]) => `${k} ${v}`).join(", ") +
      `; ${bySig.size} findings (${bySig.size - unknown.length} known, ${unknown.length} new)`,
  );
  const und = undescribed();
  if (und.length) console.log(`misuse: no PARAMS entry (called on generic positions): ${und.join(", ")}`);
  if (tolerated.size) {
    console.log(
      `known failures seen:\n${[...tolerated].map(([s, n]) => `  ${s} (${n} signatures)`).join("\n")}`,
    );
  }
  const errors: string[] = [];
  if (unknown.length) {
    errors.push(
      `${unknown.length} new finding(s) (fix them, or list them in tests/known_failures.ts):\n${
        unknown.join("\n")
      }`,
    );
  }
  if (stale.length && FILTER === undefined) {
    errors.push(
      `${stale.length} known failure(s) no longer fail: remove them from tests/known_failures.ts:\n` +
        stale.map((k) => `  ${k.sig}: ${k.note}`).join("\n"),
    );
  }
  if (missing.length && FILTER === undefined) {
    errors.push(
      `known failures whose repro names no call of the matrix:\n${
        missing.map((k) => `  ${k.sig}`).join("\n")
      }`,
    );
  }
  if (errors.length) throw new Error(errors.join("\n"));
}, { timeout: 900_000 });
