/**
 * Property tests (fast-check) for the shape rules: broadcasting against a naive reference,
 * reshape/transpose/permute round trips, slicing against Python's slice semantics, split/concat.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import * as cb from "../mod.ts";
import { test } from "./harness.ts";

const RUNS = { numRuns: 150 };

const shapeArb = (maxNd = 4, maxDim = 4) =>
  fc.array(fc.integer({ min: 0, max: maxDim }), { maxLength: maxNd });

/** A shape and one broadcast-compatible with it (leading dims dropped, some dims set to 1). */
const pairArb = shapeArb().chain((a) =>
  fc.tuple(
    fc.constant(a),
    fc.integer({ min: 0, max: a.length }),
    fc.array(fc.boolean(), { minLength: a.length, maxLength: a.length }),
  )
    .map(([a, skip, ones]) =>
      [a, a.slice(skip).map((d, i) => (ones[skip + i] ? 1 : d))] as [number[], number[]]
    )
);

const numel = (s: number[]) => s.reduce((p, q) => p * q, 1);
const iota = (n: number, scale = 1) => Float64Array.from({ length: n }, (_, i) => i * scale);

/** Row-major index -> multi-index. */
function unravel(k: number, shape: number[]): number[] {
  const idx = new Array(shape.length).fill(0);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return idx;
}

/** The element of a row-major `values` of `shape` that broadcasting maps to `outIdx`. */
function bget(values: Float64Array, shape: number[], outIdx: number[]): number {
  const pad = outIdx.length - shape.length;
  let flat = 0;
  for (let d = 0; d < shape.length; d++) flat = flat * shape[d] + (shape[d] === 1 ? 0 : outIdx[d + pad]);
  return values[flat];
}

test("props: broadcasting matches a naive reference, in either order", () => {
  fc.assert(
    fc.property(pairArb, fc.boolean(), ([sa, sb], swap) => {
      const [x, y] = swap ? [sb, sa] : [sa, sb];
      cb.scope(() => {
        const va = iota(numel(x), 0.5), vb = iota(numel(y), 100);
        const a = cb.tensor(va, { shape: x }), b = cb.tensor(vb, { shape: y });
        const r = a.sub(b);
        assert.deepEqual(r.shape, sa);
        const got = r.data as Float64Array;
        for (let k = 0; k < got.length; k++) {
          const idx = unravel(k, sa);
          assert.equal(got[k], bget(va, x, idx) - bget(vb, y, idx));
        }
      });
    }),
    RUNS,
  );
});

test("props: incompatible dims give SHAPE_MISMATCH", () => {
  fc.assert(
    fc.property(fc.integer({ min: 2, max: 6 }), fc.integer({ min: 2, max: 6 }), (p, q) => {
      fc.pre(p !== q);
      cb.scope(() => {
        assert.throws(() => cb.zeros([3, p]).add(cb.zeros([q])), { code: "SHAPE_MISMATCH" });
      });
    }),
    RUNS,
  );
});

/** A permutation of 0..n-1 and its inverse. */
const permArb = (n: number) =>
  fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }).map((p) => {
    const inv = new Array(n);
    p.forEach((v, i) => (inv[v] = i));
    return [p, inv];
  });

test("props: permute then its inverse, and transpose twice, give the tensor back", () => {
  fc.assert(
    fc.property(shapeArb(5).chain((s) => fc.tuple(fc.constant(s), permArb(s.length))), ([s, [p, inv]]) => {
      cb.scope(() => {
        const t = cb.tensor(iota(numel(s)), { shape: s });
        const back = t.permute(...p).permute(...inv);
        assert.deepEqual(back.shape, s);
        assert.deepEqual(back.toArray(), t.toArray());
        assert.deepEqual(t.transpose().transpose().toArray(), t.toArray());
      });
    }),
    RUNS,
  );
});

test("props: reshape keeps row-major order, also from non-contiguous views", () => {
  const arb = shapeArb(4).chain((s) =>
    fc.tuple(fc.constant(s), fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))
  );
  fc.assert(
    fc.property(arb, ([s, merge]) => {
      // a second shape with the same size: adjacent dims merged
      const s2: number[] = [];
      s.forEach((d, i) => (merge[i] && s2.length ? (s2[s2.length - 1] *= d) : s2.push(d)));
      cb.scope(() => {
        const v = iota(numel(s));
        const t = cb.tensor(v, { shape: s });
        assert.deepEqual(Array.from(t.reshape(s2).data as Float64Array), Array.from(v));
        const tt = t.transpose();
        const flat = tt.reshape(-1);
        const nested = tt.toArray();
        assert.deepEqual(
          flat.toArray(),
          Array.isArray(nested) ? (nested as unknown[]).flat(Infinity) : [nested],
        );
      });
    }),
    RUNS,
  );
});

/** Python's `range(*slice(start, stop, step).indices(n))`, by walking. */
function pyRange(n: number, start: number | null, stop: number | null, step: number): number[] {
  const out: number[] = [];
  const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + n : v, lo), hi);
  if (step > 0) {
    const b = start === null ? 0 : norm(start, 0, n);
    const e = stop === null ? n : norm(stop, 0, n);
    for (let i = b; i < e; i += step) out.push(i);
  } else {
    const b = start === null ? n - 1 : norm(start, -1, n - 1);
    const e = stop === null ? -1 : norm(stop, -1, n - 1);
    for (let i = b; i > e; i += step) out.push(i);
  }
  return out;
}

const boundArb = fc.option(fc.integer({ min: -7, max: 7 }), { nil: null });
const stepArb = fc.integer({ min: -3, max: 3 }).filter((s) => s !== 0);

test("props: slice follows Python's slicing on every dim", () => {
  const arb = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }).chain((s) =>
    fc.tuple(
      fc.constant(s),
      fc.array(fc.tuple(boundArb, boundArb, stepArb), { minLength: s.length, maxLength: s.length }),
    )
  );
  fc.assert(
    fc.property(arb, ([s, specs]) => {
      cb.scope(() => {
        const v = iota(numel(s));
        const t = cb.tensor(v, { shape: s });
        const r = t.slice(...specs.map(([b, e, st]) => [b, e, st] as [number | null, number | null, number]));
        const ranges = specs.map(([b, e, st], d) => pyRange(s[d], b, e, st));
        assert.deepEqual(r.shape, ranges.map((x) => x.length));
        const got = r.contiguous().data as Float64Array;
        const strides = s.map((_, d) => numel(s.slice(d + 1)));
        let k = 0;
        const walk = (d: number, off: number): void => {
          if (d === s.length) {
            assert.equal(got[k++], v[off]);
            return;
          }
          for (const i of ranges[d]) walk(d + 1, off + i * strides[d]);
        };
        walk(0, 0);
      });
    }),
    RUNS,
  );
});

test("props: a slice of a slice equals slicing the copy", () => {
  fc.assert(
    fc.property(boundArb, boundArb, stepArb, boundArb, boundArb, stepArb, (b1, e1, s1, b2, e2, s2) => {
      cb.scope(() => {
        const t = cb.arange(12, { dtype: "int32" });
        const twice = t.slice([b1, e1, s1]).slice([b2, e2, s2]);
        const copied = cb.tensor(t.slice([b1, e1, s1]).toArray() as number[], { dtype: "int32" }).slice([
          b2,
          e2,
          s2,
        ]);
        assert.deepEqual(twice.toArray(), copied.toArray());
      });
    }),
    RUNS,
  );
});

test("props: concat of a split gives the tensor back", () => {
  const arb = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 }).chain((s) =>
    fc.tuple(
      fc.constant(s),
      fc.integer({ min: 0, max: s.length - 1 }),
      fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 3 }),
    )
  );
  fc.assert(
    fc.property(arb, ([s, axis, cuts]) => {
      cb.scope(() => {
        const t = cb.tensor(iota(numel(s)), { shape: s });
        const parts = t.split([...cuts].sort((x, y) => x - y), axis);
        assert.deepEqual(cb.concat(parts, axis).toArray(), t.toArray());
      });
    }),
    RUNS,
  );
});

test("props: reducing several axes equals reducing them one by one", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 4 }), (s) => {
      cb.scope(() => {
        const t = cb.tensor(iota(numel(s), 0.25), { shape: s });
        const all = t.sum([0, 1]);
        const step = t.sum(1).sum(0);
        const a = all.data as Float64Array, b = step.data as Float64Array;
        for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-9 * Math.abs(a[i]) + 1e-9);
        assert.equal(t.max().item(), (numel(s) - 1) * 0.25);
      });
    }),
    RUNS,
  );
});
