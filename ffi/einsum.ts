/**
 * numpy `einsum`: Einstein summation over any number of operands, with implicit and explicit
 * output, repeated labels (diagonals, traces), `...` broadcasting and size-1 broadcasting of a
 * label. Nothing here loops over elements: a repeated label is a strided view, a label no one else
 * needs is summed away first, and the operands are then contracted two at a time (greedily, the
 * pair with the smallest result first) through `matmul` (or a broadcast multiply and a sum when one
 * side of the product is a vector, where a batch of matrix-vector products would be slower).
 * @module
 */
import { CobaltError } from "./errors.ts";
import type { DType } from "./dtype.ts";
import { scope } from "./scope.ts";
import { fmtShape, Tensor } from "./tensor.ts";
import * as ops from "./ops.ts";
import { REDUCE_OP } from "./opcodes.ts";

/** An operand on its way through the contraction: a tensor and one label per dim. */
interface Term {
  t: Tensor;
  labels: string[];
  /** Whether `t` is a result computed here (not an input or a view of one). */
  fresh: boolean;
}

const bad = (msg: string): never => {
  throw new CobaltError("INVALID_ARGUMENT", `einsum: ${msg}`);
};

/** numpy's result type of two dtypes (the native core's rule, `DType::promote`). */
function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  const rank: DType[] = ["bool", "uint8", "int32", "int64", "float16", "bfloat16", "float32", "float64"];
  const [lo, hi] = rank.indexOf(a) <= rank.indexOf(b) ? [a, b] : [b, a];
  if (lo === "bool" || lo === "uint8") return hi;
  if (lo === "int32") return hi === "int64" || hi === "float64" ? hi : "float64";
  if (lo === "int64") return "float64";
  if (lo === "float16" && hi === "bfloat16") return "float32";
  return hi;
}

/** The labels of one term of the subscripts: letters, with "..." as the one token `"..."`. */
function parseTerm(s: string, what: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.length;) {
    if (s.startsWith("...", i)) {
      if (out.includes("...")) bad(`${what} ${JSON.stringify(s)} has more than one "..."`);
      out.push("...");
      i += 3;
    } else if (/[A-Za-z]/.test(s[i]!)) {
      out.push(s[i]!);
      i++;
    } else {
      bad(`${what} ${JSON.stringify(s)}: ${JSON.stringify(s[i])} is not a letter or "..."`);
    }
  }
  return out;
}

/** `x`'s dims in the order of `labels` (each of which `x` has). */
function permuteTo(x: Term, labels: string[]): Tensor {
  const perm = labels.map((l) => x.labels.indexOf(l));
  return perm.every((p, i) => p === i) ? x.t : x.t.permute(...perm);
}

/** Sums away the dims of `x` whose labels no one needs later; merges repeated labels (diagonals). */
function simplify(x: Term, needed: (l: string) => boolean): Term {
  let { t, labels, fresh } = x;
  // a label twice in one operand: the diagonal, as a strided view (stride = the two strides' sum)
  for (let p = 0; p < labels.length; p++) {
    for (let q = labels.length - 1; q > p; q--) {
      if (labels[q] !== labels[p]) continue;
      const shape = t.shape, strides = t.strides;
      if (shape[p] !== shape[q]) {
        bad(`label ${labels[p]} is repeated on dims of sizes ${shape[p]} and ${shape[q]} in one operand`);
      }
      strides[p] = strides[p]! + strides[q]!;
      shape.splice(q, 1);
      strides.splice(q, 1);
      t = ops.stridedView(t, shape, strides);
      labels = labels.filter((_, i) => i !== q);
    }
  }
  const lonely = labels.flatMap((l, i) => (needed(l) ? [] : [i]));
  if (lonely.length) {
    t = ops.reduce(REDUCE_OP.sum, "einsum", t, lonely, undefined);
    labels = labels.filter((_, i) => !lonely.includes(i));
    fresh = true;
  }
  return { t, labels, fresh };
}

/** The product of `a` and `b` summed over their shared labels that `keep` does not keep. */
function contract(a: Term, b: Term, keep: (l: string) => boolean, size: Map<string, number>): Term {
  const batch = a.labels.filter((l) => b.labels.includes(l) && keep(l));
  const sum = a.labels.filter((l) => b.labels.includes(l) && !keep(l));
  const am = a.labels.filter((l) => !b.labels.includes(l));
  const bn = b.labels.filter((l) => !a.labels.includes(l));
  const count = (ls: string[]) => ls.reduce((p, l) => p * size.get(l)!, 1);
  const [m, n, k] = [count(am), count(bn), count(sum)]; // m and n at most (see below)
  // a summed label of size 1 on one side and n on the other counts n times
  const full = (x: Term, order: string[]) => {
    const t = permuteTo(x, order);
    const want = order.map((l, i) => (sum.includes(l) ? size.get(l)! : t.shape[i]!));
    return want.every((d, i) => d === t.shape[i]) ? t : t.expand(want);
  };
  if (sum.length === 0 || m === 1 || n === 1) {
    // broadcast multiply over [batch, am, bn, sum], then sum the last |sum| dims
    const ta = full(a, [...batch, ...am, ...sum]);
    const tb = full(b, [...batch, ...bn, ...sum]);
    const nb = batch.length;
    const one = (k: number) => Array<number>(k).fill(1);
    const va = ta.reshape([
      ...ta.shape.slice(0, nb + am.length),
      ...one(bn.length),
      ...ta.shape.slice(nb + am.length),
    ]);
    const vb = tb.reshape([...tb.shape.slice(0, nb), ...one(am.length), ...tb.shape.slice(nb)]);
    let r = va.mul(vb);
    if (sum.length) {
      const axes = sum.map((_, i) => nb + am.length + bn.length + i);
      r = ops.reduce(REDUCE_OP.sum, "einsum", r, axes, undefined);
    }
    return { t: r, labels: [...batch, ...am, ...bn], fresh: true };
  }
  // matmul: [batch..., M, K] @ [batch..., K, N] (batch dims broadcast in matmul)
  const ta = full(a, [...batch, ...am, ...sum]);
  const tb = full(b, [...batch, ...sum, ...bn]);
  const nb = batch.length;
  // a kept label may be 1 here and larger in an operand still to come: the dims' own sizes
  const ams = ta.shape.slice(nb, nb + am.length), bns = tb.shape.slice(nb + sum.length);
  const prod = (s: number[]) => s.reduce((p, q) => p * q, 1);
  const r = ta.reshape([...ta.shape.slice(0, nb), prod(ams), k]).matmul(
    tb.reshape([...tb.shape.slice(0, nb), k, prod(bns)]),
  );
  const shape = [...r.shape.slice(0, nb), ...ams, ...bns];
  return { t: r.reshape(shape), labels: [...batch, ...am, ...bn], fresh: true };
}

/**
 * numpy `einsum`: sums of products of the operands' elements over the labels `subscripts` gives
 * their dims, e.g. `"ij,jk->ik"` (a matrix product), `"bij,bjk->bik"` (batched), `"ii->i"` (the
 * diagonal), `"ii"` (the trace), `"i,j->ij"` (outer), `"...ij->...ji"` (batched transpose).
 *
 * - Labels are letters; `...` stands for the remaining dims, which broadcast (right-aligned)
 *   across operands; a dim of size 1 broadcasts against the same label's size elsewhere.
 * - Without `->`, the output is `...` followed by the labels that appear once, in alphabetical
 *   order (uppercase first), as in numpy.
 * - A label repeated in one operand takes its diagonal; a label not in the output is summed.
 * - The result has the operands' promoted dtype (numpy's `result_type`); it never shares memory
 *   with an operand. Contractions run through the matmul kernels, pairwise in a greedy order.
 *
 * Errors: a malformed `subscripts`, a term count or dims that do not match the operands, an output
 * label that is repeated or appears in no input (INVALID_ARGUMENT); sizes of a label that disagree
 * (SHAPE_MISMATCH).
 * @param subscripts The labels of each operand's dims, comma-separated, then optionally `->` and
 *   the output's labels.
 * @param operands The tensors, one per term of `subscripts`.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const a = cb.tensor([[1, 2], [3, 4]]), b = cb.tensor([[5, 6], [7, 8]]);
 * cb.einsum("ij,jk->ik", a, b).toArray(); // [[19, 22], [43, 50]]
 * cb.einsum("ii", a).item(); // 5 (the trace)
 * cb.einsum("ij->ji", a).toArray(); // [[1, 3], [2, 4]]
 * cb.einsum("bi,bi->b", a, b).toArray(); // [17, 53] (row-wise dot products)
 * ```
 */
export function einsum(subscripts: string, ...operands: Tensor[]): Tensor {
  if (typeof subscripts !== "string") {
    throw new TypeError(`einsum: subscripts must be a string like "ij,jk->ik", got ${typeof subscripts}`);
  }
  operands.forEach((t, i) => {
    if (!(t instanceof Tensor)) throw new TypeError(`einsum: operand ${i} is not a Tensor`);
  });
  const spec = subscripts.replace(/\s+/g, "");
  const arrow = spec.indexOf("->");
  if (arrow !== spec.lastIndexOf("->")) bad(`${JSON.stringify(subscripts)} has more than one "->"`);
  const lhs = arrow < 0 ? spec : spec.slice(0, arrow);
  const terms = lhs.split(",").map((s) => parseTerm(s, "input"));
  if (terms.length !== operands.length) {
    bad(`${JSON.stringify(subscripts)} has ${terms.length} input term(s) for ${operands.length} operand(s)`);
  }
  // "..." expands to labels "…0".."…E-1", right-aligned across operands
  const ell = terms.map((term, i) => {
    const letters = term.filter((l) => l !== "...").length;
    const nd = operands[i]!.ndim;
    const e = nd - letters;
    if (e < 0 || (e > 0 && !term.includes("..."))) {
      bad(
        `operand ${i} has shape ${fmtShape(operands[i]!.shape)} (${nd} dims) for the term ${
          JSON.stringify(term.join(""))
        }`,
      );
    }
    return e;
  });
  const E = Math.max(0, ...ell);
  const dots = (e: number) => Array.from({ length: e }, (_, j) => `…${E - e + j}`);
  const labelsOf = terms.map((term, i) => term.flatMap((l) => (l === "..." ? dots(ell[i]!) : [l])));
  const size = new Map<string, number>();
  labelsOf.forEach((ls, i) =>
    ls.forEach((l, d) => {
      const s = operands[i]!.shape[d]!, seen = size.get(l);
      if (seen === undefined || seen === 1) size.set(l, s);
      else if (s !== seen && s !== 1) {
        throw new CobaltError(
          "SHAPE_MISMATCH",
          `einsum: label ${l.startsWith("…") ? "..." : l} has size ${seen} and ${s} (operand ${i}, shape ${
            fmtShape(operands[i]!.shape)
          })`,
        );
      }
    })
  );
  let out: string[];
  if (arrow >= 0) {
    const term = parseTerm(spec.slice(arrow + 2), "output");
    if (E > 0 && !term.includes("...")) {
      bad(
        `the operands have "..." dims but the output ${JSON.stringify(spec.slice(arrow + 2))} has no "..."`,
      );
    }
    out = term.flatMap((l) => (l === "..." ? dots(E) : [l]));
    for (const l of term) {
      if (l === "...") continue;
      if (term.indexOf(l) !== term.lastIndexOf(l)) bad(`output label ${l} appears more than once`);
      if (!size.has(l)) bad(`output label ${l} appears in no input`);
    }
  } else {
    const counts = new Map<string, number>();
    for (const ls of labelsOf) for (const l of ls) counts.set(l, (counts.get(l) ?? 0) + 1);
    const once = [...counts].filter(([l, c]) => c === 1 && !l.startsWith("…")).map(([l]) => l);
    out = [...dots(E), ...once.sort()];
  }
  const dtype = operands.map((t) => t.dtype).reduce(promote, operands[0]?.dtype ?? "float32");
  if (operands.length === 0) bad("needs at least one operand");

  return scope(() => {
    let live: Term[] = operands.map((t, i) => ({ t, labels: labelsOf[i]!, fresh: false }));
    const neededBy = (skip: Term[]) => (l: string) =>
      out.includes(l) || live.some((x) => !skip.includes(x) && x.labels.includes(l));
    live = live.map((x) => simplify(x, neededBy([x])));
    while (live.length > 1) {
      // the pair whose result is smallest
      let best: [number, number] = [0, 1], bestSize = Infinity;
      for (let i = 0; i < live.length; i++) {
        for (let j = i + 1; j < live.length; j++) {
          const keep = neededBy([live[i]!, live[j]!]);
          const ls = new Set([...live[i]!.labels, ...live[j]!.labels].filter(keep));
          const n = [...ls].reduce((p, l) => p * size.get(l)!, 1);
          if (n < bestSize) [best, bestSize] = [[i, j], n];
        }
      }
      const [a, b] = [live[best[0]]!, live[best[1]]!];
      const keep = neededBy([a, b]);
      const rest = live.filter((x) => x !== a && x !== b);
      const r = contract(a, b, keep, size);
      live = [...rest, r];
      live[live.length - 1] = simplify(r, neededBy([r]));
    }
    const last = live[0]!;
    let r = permuteTo(last, out);
    if (r.dtype !== dtype) r = r.astype(dtype);
    else if (!last.fresh) r = r.clone();
    return r;
  });
}
