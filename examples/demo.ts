/**
 * A tour of cobalt: creation, ops with broadcasting, reductions, matmul, zero-copy views in and out,
 * and the three ways native memory is released. Runs unchanged under Deno, Bun and Node:
 *   deno run --allow-ffi examples/demo.ts      bun examples/demo.ts
 *   node out/examples/demo.js (after scripts/build-js.sh --tests out; npm run demo does both)
 */
import * as cb from "../mod.ts";

// deno-lint-ignore no-explicit-any
const Deno = (globalThis as any).Deno;

const line = (title: string) => console.log(`\n-- ${title}`);
console.log(`cobalt on ${cb.native.runtime}, library ${cb.native.path} (ABI ${cb.native.abiVersion()})`);
const start = cb.memory();

line("creation");
const a = cb.tensor([[1, 2, 3], [4, 5, 6]]);
console.log("a =", a, "shape", a.shape, a.dtype);
console.log("zeros:", cb.zeros([2, 2], { dtype: "float64" }).toArray());
console.log("arange(0, 1, 0.25):", cb.arange(0, 1, 0.25).toArray());

line("ops with numpy broadcasting");
using row = cb.tensor([10, 20, 30]);
using b = a.add(row).mul(0.5);
console.log("(a + [10, 20, 30]) * 0.5 =", b.toArray());
using e = cb.tensor([0, 1]).exp().neg();
console.log("-exp([0, 1]) =", e.toArray());

line("reductions and matmul");
console.log(
  "a.sum() =",
  a.sum().item(),
  " a.mean(0) =",
  a.mean(0).toArray(),
  " a.sum(1, keepdims) shape =",
  a.sum(1, { keepdims: true }).shape,
);
using m = a.matmul(a.transpose());
console.log("a @ a.T =", m.toArray());

line("views share storage");
using t = a.transpose();
console.log("a.transpose() is a view:", t.shape, "contiguous?", t.isContiguous, "strides", t.strides);
using flat = a.reshape(6);
flat.data[0] = 100;
console.log("writing through reshape(6).data changes a:", a.toArray());

line("zero-copy out: t.data is a view onto native memory");
const big = cb.ones([1 << 20]);
const view = big.data;
big.dispose(); // the view keeps the memory alive until it is collected
console.log(
  `view of ${view.length} floats after dispose(): view[0] = ${view[0]}, view[last] = ${
    view[view.length - 1]
  }`,
);

line("zero-copy in: adopt a JS buffer");
const buf = new Float32Array([1, 2, 3, 4]);
using adopted = cb.tensor(buf, { shape: [2, 2], copy: false });
buf[3] = 40;
console.log(
  "JS write seen natively:",
  adopted.toArray(),
  " adopted bytes in use:",
  cb.memory().externalBytes,
  "(no native copy)",
);

line("dtypes, promotion and slicing");
using ints = cb.arange(12, { dtype: "int32" }).reshape(3, 4);
console.log("int32 + float32 ->", ints.add(cb.ones([4])).dtype, "| int32 / 2 ->", ints.div(2).dtype);
console.log('ints.slice("::-1", "1:3") =', ints.slice("::-1", "1:3").toArray());
console.log("mask where > 5:", cb.where(ints.gt(5), ints, -1).toArray());
console.log("softmax of [1, 2, 3]:", cb.tensor([1, 2, 3], { dtype: "float64" }).softmax().toArray());
console.log("topk(2) of [3, 9, 1, 7]:", cb.tensor([3, 9, 1, 7]).topk(2).values.toArray());

line("off the JS thread");
let ticks = 0;
const timer = setInterval(() => ticks++, 1);
using big2 = cb.rand([512, 512], { seed: 1 });
using prod = await big2.matmulAsync(big2);
clearInterval(timer);
console.log(`matmulAsync of 512x512 -> ${prod.shape}; the event loop ticked ${ticks} times meanwhile`);

line("saving and loading");
const file = `${Deno?.makeTempDirSync?.() ?? "/tmp"}/demo.safetensors`;
cb.save(file, { ints, big2 }, { metadata: { demo: "yes" } });
const loaded = cb.load(file); // memory-mapped: zero-copy views into the file
console.log(
  "loaded",
  Object.keys(loaded.tensors),
  "metadata",
  loaded.metadata,
  "ints equal:",
  loaded.tensors.ints.eq(ints).all().item() === 1,
);

line("releasing: dispose, using, scope, GC");
const before = cb.memory().tensors;
const kept = cb.scope(() => {
  const x = cb.ones([1000]);
  const y = x.mul(2).add(1);
  return y.sum(); // only this survives the scope
});
console.log(`scope: ${cb.memory().tensors - before} tensor left (the returned sum = ${kept.item()})`);
kept.dispose();
a.dispose();
a.dispose(); // idempotent
try {
  a.sum();
} catch (err) {
  console.log("using a disposed tensor:", (err as cb.CobaltError).code, "-", (err as Error).message);
}
try {
  cb.tensor([1, 2, 3]).add(cb.tensor([1, 2]));
} catch (err) {
  console.log("bad shapes:", (err as cb.CobaltError).code, "-", (err as Error).message);
}
console.log("memory now:", cb.memory(), " at start:", start);
console.log("(tensors left without dispose are released by the garbage collector)");
