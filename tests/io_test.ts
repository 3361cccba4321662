/**
 * Saving and loading: round trips of every format and dtype, numpy interop both ways (numpy
 * writes, cobalt reads; cobalt writes, numpy reads), zero-copy memory-mapped safetensors, bad and
 * fuzzed input (only CobaltError "FORMAT", never a crash), async variants, Deno permissions.
 */
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as cb from "../mod.ts";
import { backend, gcUntil, nativeTest, runtime, test } from "./harness.ts";

/** The mmap settings to load files with: the WebAssembly backend never maps (mmap: true is refused there). */
const MMAP_MODES = backend === "native" ? [true, false] : [false];

// deno-lint-ignore no-explicit-any
const g = globalThis as any;
const root = fileURLToPath(new URL("..", import.meta.url));
const ALL: cb.DType[] = ["float32", "float64", "int32", "int64", "uint8", "bool", "float16", "bfloat16"];

function tmp(): string {
  return mkdtempSync(join(tmpdir(), "cobalt-io-"));
}

function sample(dtype: cb.DType, shape = [3, 4]): cb.Tensor {
  const n = shape.reduce((p, q) => p * q, 1);
  const step = dtype === "int32" || dtype === "int64" ? 3 : 1.5; // integer dtypes take integers
  const vals = Array.from(
    { length: n },
    (_, i) => (dtype === "bool" ? i % 3 === 0 : dtype === "uint8" ? (i * 37) % 256 : (i - 5) * step),
  );
  return cb.tensor(vals as number[], { dtype, shape });
}

function same(a: cb.Tensor, b: cb.Tensor, label = ""): void {
  assert.equal(a.dtype, b.dtype, label);
  assert.deepEqual(a.shape, b.shape, label);
  assert.deepEqual(a.toArray(), b.toArray(), label);
}

function python(args: string[]): string {
  const r = spawnSync("python3", [join(root, "tests/io_helper.py"), ...args], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test("io: every format round-trips every dtype it supports, views and empty tensors too", () => {
  const dir = tmp();
  try {
    cb.scope(() => {
      for (const dtype of ALL) {
        const t = sample(dtype);
        const views = {
          t,
          tr: t.transpose(),
          sl: t.slice(null, "::-2"),
          scalar: t.slice(1, 2),
          empty: t.slice("2:2"),
        };
        same(cb.fromBytes(cb.toBytes(t)), t, `bytes ${dtype}`);
        same(cb.fromBytes(t.toBytes()), t, `t.toBytes ${dtype}`);
        same(cb.fromObject(t.toObject()), t, `t.toObject ${dtype}`);
        for (const [k, v] of Object.entries(views)) {
          same(cb.fromBytes(cb.toBytes(v)), v, `bytes ${dtype} ${k}`);
        }
        const st = cb.decodeSafetensors(cb.encodeSafetensors(views, { dtype }));
        assert.deepEqual({ ...st.metadata }, { dtype }); // the map itself has a null prototype
        for (const [k, v] of Object.entries(views)) same(st.tensors[k], v, `safetensors ${dtype} ${k}`);
        cb.save(join(dir, `${dtype}.safetensors`), views);
        for (const mmap of MMAP_MODES) {
          const back = cb.load(join(dir, `${dtype}.safetensors`), { mmap }).tensors;
          for (const [k, v] of Object.entries(views)) same(back[k], v, `file ${dtype} ${k} mmap=${mmap}`);
        }
        if (dtype === "bfloat16") {
          assert.throws(() => cb.encodeNpy(t), { code: "DTYPE" });
          continue;
        }
        for (const [k, v] of Object.entries(views)) {
          same(cb.decodeNpy(cb.encodeNpy(v)), v, `npy ${dtype} ${k}`);
        }
        const z = cb.decodeNpz(cb.encodeNpz(views));
        for (const [k, v] of Object.entries(views)) same(z[k], v, `npz ${dtype} ${k}`);
      }
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("io: files numpy writes are read with the right values and dtypes", async () => {
  const dir = tmp();
  try {
    python(["write", dir]);
    const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"));
    await cb.scope(async () => {
      for (const [file, want] of Object.entries(expected) as [string, Record<string, unknown>][]) {
        if (file.endsWith(".npy")) {
          const t = cb.load(join(dir, file)).tensors.array;
          assert.equal(t.dtype, want.dtype, file);
          assert.deepEqual(t.shape, want.shape, file);
          const got = t.toArray();
          assert.deepEqual(Array.isArray(got) ? (got as unknown[]).flat(Infinity) : [got], want.values, file);
          if (file.includes("_F_") && t.ndim > 1) {
            assert.equal(t.isContiguous, false, "Fortran data is a transposed view");
          }
        } else {
          const loaded = file.startsWith("compressed")
            ? (await cb.loadAsync(join(dir, file))).tensors
            : cb.load(join(dir, file)).tensors;
          for (
            const [k, w] of Object.entries(want) as [
              string,
              { dtype: string; shape: number[]; values: number[] },
            ][]
          ) {
            assert.equal(loaded[k].dtype, w.dtype, `${file}:${k}`);
            assert.deepEqual(loaded[k].shape, w.shape);
            assert.deepEqual((loaded[k].toArray() as unknown[]).flat(Infinity), w.values);
          }
        }
      }
      assert.throws(() => cb.load(join(dir, "compressed.npz")), {
        code: "FORMAT",
        message: /compressed: load it with loadAsync/,
      });
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("io: files cobalt writes are read by numpy with the right values and dtypes", () => {
  const dir = tmp();
  try {
    const expected: Record<string, unknown> = {};
    cb.scope(() => {
      for (const dtype of ALL.filter((d) => d !== "bfloat16")) {
        const t = sample(dtype).transpose(); // non-contiguous on purpose
        cb.save(join(dir, `${dtype}.npy`), t);
        const flat = (t.toArray() as unknown[]).flat(Infinity);
        const np = dtype === "bool" ? "bool" : dtype;
        expected[`${dtype}.npy`] = { dtype: np, shape: t.shape, values: flat };
      }
      const named = { a: sample("float32"), b: sample("int64", [5]) };
      cb.save(join(dir, "named.npz"), named);
      cb.save(join(dir, "named.safetensors"), named, { metadata: { who: "cobalt" } });
      const entries = Object.fromEntries(
        Object.entries(named).map((
          [k, v],
        ) => [k, { dtype: v.dtype, shape: v.shape, values: (v.toArray() as unknown[]).flat(Infinity) }]),
      );
      expected["named.npz"] = entries;
      expected["named.safetensors"] = { __metadata__: { who: "cobalt" }, ...entries };
    });
    assert.deepEqual(JSON.parse(python(["read", dir])), expected);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test("io: small safetensors files are copied by default, so truncating the file cannot fault", () => {
  const dir = tmp();
  try {
    const path = join(dir, "small.safetensors");
    cb.scope(() => cb.save(path, { w: cb.arange(1000, { dtype: "float32" }) }));
    const base = cb.memory();
    const { tensors } = cb.load(path);
    assert.equal(cb.memory().externalBytes, base.externalBytes, "not mapped");
    truncateSync(path, 0);
    assert.equal(tensors.w.sum().item(), 499500);
    tensors.w.dispose();
  } finally {
    rmSync(dir, { recursive: true });
  }
});

nativeTest(
  "io: saving over a mapped file replaces it (new inode), so live views never fault",
  "no memory-mapped files (load reads and copies)",
  () => {
    const dir = tmp();
    try {
      const path = join(dir, "m.safetensors");
      cb.scope(() => cb.save(path, { w: cb.arange(4096, { dtype: "float32" }) }));
      const { tensors } = cb.load(path, { mmap: true });
      cb.scope(() => cb.save(path, { v: cb.ones([1]) })); // a much smaller file at the same path
      assert.equal(tensors.w.sum().item(), 4095 * 4096 / 2, "the old mapping is intact");
      assert.deepEqual(Object.keys(cb.load(path).tensors), ["v"]);
      assert.deepEqual(readdirSync(dir), ["m.safetensors"], "no temporary file left");
      tensors.w.dispose();
    } finally {
      rmSync(dir, { recursive: true });
    }
  },
);

nativeTest(
  "io: a file of 16 MiB or more is mapped by default",
  "no memory-mapped files (load reads and copies)",
  () => {
    const dir = tmp();
    try {
      const path = join(dir, "big.safetensors");
      cb.scope(() => cb.save(path, { w: cb.zeros([4 << 20]) }));
      const base = cb.memory();
      const { tensors } = cb.load(path);
      assert.ok(cb.memory().externalBytes >= base.externalBytes + (16 << 20), "mapped");
      assert.equal(cb.memory().bytes, base.bytes);
      tensors.w.dispose();
    } finally {
      rmSync(dir, { recursive: true });
    }
  },
);

nativeTest(
  "io: memory-mapped safetensors are zero-copy views that keep the mapping alive",
  "no memory-mapped files (load reads and copies)",
  async () => {
    const dir = tmp();
    try {
      const path = join(dir, "big.safetensors");
      cb.scope(() =>
        cb.save(path, { w: cb.rand([512, 512], { seed: 1 }), b: cb.arange(7, { dtype: "int64" }) })
      );
      const size = readFileSync(path).length;
      await gcUntil(() => false, 2);
      const base = cb.memory();
      const { tensors } = cb.load(path, { mmap: true });
      const now = cb.memory();
      assert.equal(now.bytes, base.bytes, "no native copy of the data");
      assert.equal(now.externalBytes, base.externalBytes + size, "the file is mapped");
      assert.equal(tensors.b.sum().item(), 21);
      tensors.w.slice(0).assign(5); // copy-on-write: the file does not change
      assert.equal(cb.scope(() => cb.load(path, { mmap: false }).tensors.w.slice(0, 0).item()) !== 5, true);
      tensors.b.dispose();
      assert.equal(cb.memory().externalBytes, base.externalBytes + size, "still mapped for w");
      tensors.w.dispose();
      assert.ok(
        await gcUntil(() => cb.memory().externalBytes <= base.externalBytes, 100),
        "unmapped once no view is left",
      );
    } finally {
      rmSync(dir, { recursive: true });
    }
  },
);

test("io: async save and load", async () => {
  const dir = tmp();
  try {
    await cb.scope(async () => {
      const t = sample("float64");
      for (const ext of ["npy", "npz", "safetensors", "cobalt"]) {
        const p = join(dir, `x.${ext}`);
        await cb.saveAsync(p, ext === "npy" || ext === "cobalt" ? t : { x: t });
        const back = (await cb.loadAsync(p)).tensors;
        same(back[ext === "npy" || ext === "cobalt" ? "array" : "x"], t, ext);
      }
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

nativeTest(
  "io: objects in cobalt's and onnxruntime's shapes",
  "copy: false cannot share JS memory (it is INVALID_ARGUMENT there)",
  () => {
    cb.scope(() => {
      const t = sample("float32");
      const o = cb.toObject(t);
      assert.equal(o.type, "float32");
      assert.deepEqual(o.dims, [3, 4]);
      assert.equal(o.data.buffer, t.data.buffer, "zero-copy for a contiguous tensor");
      same(cb.fromObject({ type: o.type, dims: o.dims, data: o.data }), t);
      same(
        cb.fromObject({ dtype: "int64", shape: [2], data: new BigInt64Array([1n, 2n]) }),
        cb.tensor([1, 2], { dtype: "int64" }),
      );
      assert.ok(
        cb.toObject(cb.ones([2], { dtype: "float16" })).data instanceof Uint16Array,
        "float16 as bits, like onnxruntime",
      );
      const buf = new Float32Array([1, 2, 3]);
      const adopted = cb.fromObject({ dtype: "float32", data: buf }, { copy: false });
      buf[0] = 9;
      assert.equal(adopted.sum().item(), 14);
      assert.throws(() => cb.fromObject({ type: "string", dims: [1], data: new Uint8Array(1) }), {
        code: "DTYPE",
      });
      assert.throws(() => cb.fromObject({ type: "float32", dims: [5], data: new Float32Array(2) }), {
        code: "SHAPE_MISMATCH",
      });
      assert.throws(() => cb.fromObject({ type: "float32" } as cb.TensorObject), TypeError);
    });
  },
);

function format(f: () => unknown, re?: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof cb.CobaltError, `expected a CobaltError, got ${e}`);
    assert.equal(e.code, "FORMAT", e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
}

test("io: bad input gives FORMAT naming the file and the problem", () => {
  const dir = tmp();
  try {
    cb.scope(() => {
      const npy = cb.encodeNpy(sample("float64"));
      const p = join(dir, "cut.npy");
      writeFileSync(p, npy.subarray(0, npy.length - 8));
      format(
        () => cb.load(p),
        new RegExp(
          `${
            p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
          }: truncated: shape \\(3, 4\\) of float64 needs 96 data bytes, the file has 88`,
        ),
      );
      format(() => cb.decodeNpy(new TextEncoder().encode("not numpy at all")), /bad magic/);
      /** The .npy bytes with `from` replaced by `to` in the header (its length field updated). */
      const editNpy = (from: string, to: string): Uint8Array => {
        const hlen = new DataView(npy.buffer).getUint16(8, true);
        const text = String.fromCharCode(...npy.subarray(10, 10 + hlen)).replace(from, to);
        const out = new Uint8Array(10 + text.length + npy.length - 10 - hlen);
        out.set(npy.subarray(0, 10));
        new DataView(out.buffer).setUint16(8, text.length, true);
        out.set(Uint8Array.from(text, (c) => c.charCodeAt(0)), 10);
        out.set(npy.subarray(10 + hlen), 10 + text.length);
        return out;
      };
      format(
        () => cb.decodeNpy(editNpy("(3, 4)", "(30000000000000, 4)")),
        /truncated: shape \(30000000000000, 4\) of float64 needs/,
      );
      format(() => cb.decodeNpy(editNpy("(3, 4)", "(3, -4)")), /invalid dimension/);
      format(() => cb.decodeNpy(editNpy("'<f8'", "'<c8'")), /unsupported dtype '<c8'/);
      format(() => cb.decodeNpy(editNpy("'shape'", "'shaep'")), /header is not a dict/);
      const st = cb.encodeSafetensors({ w: sample("float32") });
      const huge = st.slice();
      new DataView(huge.buffer).setBigUint64(0, 2n ** 60n, true);
      format(
        () => cb.decodeSafetensors(huge, "model.safetensors"),
        /^model\.safetensors: header size \d+ is larger than the file/,
      );
      const h = new TextDecoder().decode(
        st.subarray(8, 8 + Number(new DataView(st.buffer).getBigUint64(0, true))),
      );
      const rebuild = (json: string) => {
        const head = new TextEncoder().encode(json);
        const out = new Uint8Array(8 + head.length + 48);
        new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
        out.set(head, 8);
        return out;
      };
      format(() => cb.decodeSafetensors(rebuild(h.replace('"F32"', '"I8"'))), /unsupported dtype "I8"/);
      format(
        () => cb.decodeSafetensors(rebuild(h.replace("[0,48]", "[0,4800]"))),
        /fall outside the 48 data bytes/,
      );
      format(
        () => cb.decodeSafetensors(rebuild(h.replace("[0,48]", "[4,48]"))),
        /needs 48 bytes, data_offsets give 44/,
      );
      format(() => cb.decodeSafetensors(rebuild(h.replace("[3,4]", "[3,-4]"))), /invalid dimension/);
      format(() => cb.decodeSafetensors(rebuild("{not json")), /not valid UTF-8 JSON/);
      const z = cb.encodeNpz({ a: sample("int32") });
      const flipped = z.slice();
      flipped[200] ^= 0xff;
      format(() => cb.decodeNpz(flipped), /CRC mismatch|unsupported|truncated|bad magic/);
      format(() => cb.decodeNpz(z.subarray(0, 40)), /not a zip archive/);
      const b = cb.toBytes(sample("uint8"));
      const v2 = b.slice();
      v2[7] = 2;
      format(() => cb.fromBytes(v2), /unsupported version 2/);
      format(() => cb.fromBytes(b.subarray(0, b.length - 1)), /needs 12 data bytes, found 11/);
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
});

/** A small deterministic generator for the fuzzer. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

function mutate(src: Uint8Array, r: () => number): Uint8Array {
  const kind = r();
  if (kind < 0.25) return src.slice(0, Math.floor(r() * src.length)); // truncate
  const out = src.slice();
  const hot = Math.min(out.length, 160); // headers live at the front: hit them more
  const flips = 1 + Math.floor(r() * 4);
  for (let i = 0; i < flips; i++) {
    const at = r() < 0.7 ? Math.floor(r() * hot) : Math.floor(r() * out.length);
    out[at] = kind < 0.6 ? out[at] ^ (1 << Math.floor(r() * 8)) : Math.floor(r() * 256);
  }
  if (kind > 0.9) {
    // a plausible-looking digit change in a text header
    const i = out.findIndex((c, j) => j > 8 && c >= 0x30 && c <= 0x39);
    if (i > 0) out[i] = 0x39;
  }
  return out;
}

test("io: thousands of mutated files give FORMAT or a valid result, never anything else", async () => {
  const r = rng(20261126);
  const seeds = cb.scope(() => ({
    npy: cb.encodeNpy(sample("float64", [4, 5])),
    npz: cb.encodeNpz({ a: sample("int32"), b: sample("bool", [7]) }),
    safetensors: cb.encodeSafetensors({ a: sample("float32"), b: sample("bfloat16", [6]) }, { m: "x" }),
    cobalt: cb.toBytes(sample("int64", [2, 3])),
  }));
  const decoders: Record<string, (b: Uint8Array) => unknown> = {
    npy: (b) => cb.decodeNpy(b),
    npz: (b) => cb.decodeNpz(b),
    safetensors: (b) => cb.decodeSafetensors(b),
    cobalt: (b) => cb.fromBytes(b),
  };
  let ok = 0, rejected = 0;
  for (const [kind, src] of Object.entries(seeds)) {
    for (let i = 0; i < 1000; i++) {
      const bytes = mutate(src, r);
      try {
        cb.scope(() => void decoders[kind](bytes));
        ok++;
      } catch (e) {
        if (!(e instanceof cb.CobaltError) || e.code !== "FORMAT") {
          throw new Error(`${kind} mutation ${i}: expected FORMAT, got ${e}`, { cause: e });
        }
        rejected++;
      }
    }
  }
  // the async npz reader and the memory-mapped safetensors reader on files
  const dir = tmp();
  try {
    for (let i = 0; i < 150; i++) {
      const p = join(dir, `m${i}.safetensors`);
      writeFileSync(p, mutate(seeds.safetensors, r));
      try {
        cb.scope(() => void cb.load(p));
      } catch (e) {
        if (!(e instanceof cb.CobaltError) || e.code !== "FORMAT") {
          throw new Error(`mapped mutation ${i}: ${e}`);
        }
      }
      try {
        await cb.scope(async () => void (await cb.decodeNpzAsync(mutate(seeds.npz, r))));
      } catch (e) {
        if (!(e instanceof cb.CobaltError) || e.code !== "FORMAT") {
          throw new Error(`async npz mutation ${i}: ${e}`);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
  assert.ok(rejected > 1000 && ok > 100, `${rejected} rejected, ${ok} accepted`);
});

if (runtime === "deno") {
  test("io: Deno's read and write permissions apply", () => {
    const dir = tmp();
    try {
      const p = join(dir, "x.safetensors");
      cb.scope(() => cb.save(p, { x: cb.ones([2]) }));
      const code = `import * as cb from "./mod.ts";
const out = [];
for (const f of [() => cb.load(${JSON.stringify(p)}, { mmap: true }), () => cb.load(${
        JSON.stringify(p)
      }, { mmap: false }),
  () => cb.save(${JSON.stringify(join(dir, "y.npy"))}, cb.ones([1]))]) {
  try { f(); out.push("ok"); } catch (e) { out.push(e.code ?? e.name); }
}
console.log(JSON.stringify(out));`;
      // read access to the code only, not to the data directory; no write access
      const file = join(dir, "perm.ts");
      writeFileSync(file, code.replace('"./mod.ts"', JSON.stringify(join(root, "mod.ts"))));
      const r2 = spawnSync(g.Deno.execPath(), [
        "run",
        "--allow-ffi",
        "--allow-env",
        `--allow-read=${root}`,
        file,
      ], {
        cwd: root,
        encoding: "utf8",
      });
      assert.equal(r2.status, 0, r2.stderr);
      // The WebAssembly backend refuses mmap: true before it looks at the file.
      assert.deepEqual(JSON.parse(r2.stdout.trim()), [
        backend === "native" ? "PERMISSION" : "INVALID_ARGUMENT",
        "NotCapable",
        "NotCapable",
      ]);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
}
