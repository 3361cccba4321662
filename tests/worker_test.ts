/**
 * Tensors handed to Workers without copying: the native storage is shared through the atomic
 * refcount and each side disposes its own reference. Web Workers in Deno and Bun; Node 20 has no
 * Web `Worker`, so there the same tests run on `worker_threads` through a four-member shim.
 */
import assert from "node:assert/strict";
import * as cb from "../mod.ts";
import { ext, gcUntil, live, nativeTest } from "./harness.ts";

/** The part of a Web Worker these tests use. */
type W = Pick<Worker, "postMessage" | "terminate" | "onmessage" | "onerror">;

/** A `worker_threads` Worker behind the Web Worker members these tests use (Node). */
async function nodeWorker(url: URL): Promise<W> {
  const { Worker: NodeWorker } = await import("node:" + "worker_threads");
  const w = new NodeWorker(url);
  return {
    postMessage: (m: unknown) => w.postMessage(m),
    terminate: () => void w.terminate(),
    set onmessage(f: (e: { data: unknown }) => void) {
      w.removeAllListeners("message");
      w.on("message", (data: unknown) => f({ data }));
    },
    set onerror(f: (e: { message: string }) => void) {
      w.removeAllListeners("error");
      w.on("error", (e: Error) => f({ message: e.message }));
    },
  } as unknown as W;
}

/** A started worker, once it said it is ready for messages. */
async function worker(): Promise<W> {
  const url = new URL(`./worker_helper${ext}`, import.meta.url);
  const w = typeof Worker === "function" ? new Worker(url.href, { type: "module" }) : await nodeWorker(url);
  await reply(w);
  return w;
}

function reply(w: W): Promise<{ kind: string; sum?: number }> {
  return new Promise((resolve, reject) => {
    w.onmessage = (e) => resolve(e.data);
    w.onerror = (e) => reject(new Error(`worker failed: ${(e as ErrorEvent).message}`));
  });
}

nativeTest(
  "workers: a worker reads and writes a shared tensor without a copy",
  "each Worker has its own instance; tensors are not shared between Workers",
  async () => {
    const base = cb.memory();
    const t = cb.arange(10, { dtype: "float64" });
    const view = t.data as Float64Array;
    const w = await worker();
    try {
      const done = reply(w);
      w.postMessage({ kind: "sum-and-mark", tensor: cb.share(t) });
      const r = await done;
      assert.equal(r.sum, 45);
      assert.equal(view[0], -1, "the worker wrote into the same memory");
    } finally {
      w.terminate();
    }
    t.dispose();
    assert.equal(cb.memory().tensors, base.tensors + 1, "only the data view's reference is left");
  },
);

nativeTest(
  "workers: two workers and the main thread hammer retain/release on one tensor",
  "each Worker has its own instance; tensors are not shared between Workers",
  async () => {
    await gcUntil(() => false, 3); // let earlier tests' garbage go first
    const base = cb.memory();
    const t = cb.rand([256], { seed: 3 });
    const ws = await Promise.all([worker(), worker()]);
    const rounds = 20_000;
    try {
      const replies = ws.map((w) => {
        const r = reply(w);
        w.postMessage({ kind: "hammer", tensor: cb.share(t), rounds });
        return r;
      });
      for (let i = 0; i < rounds; i++) cb.fromShared(cb.share(t)).dispose();
      await Promise.all(replies);
    } finally {
      ws.forEach((w) => w.terminate());
    }
    assert.equal(cb.native.refcount(t), 1, "every reference taken was given back");
    t.dispose();
    assert.deepEqual(live(cb.memory()), live(base));
  },
);

nativeTest(
  "workers: adopted JS memory is copied once when shared; shared objects are checked",
  "each Worker has its own instance; tensors are not shared between Workers",
  () => {
    const buf = new Float32Array([1, 2, 3]);
    const t = cb.tensor(buf, { copy: false });
    const s = cb.share(t);
    const u = cb.fromShared(s);
    buf[0] = 100;
    assert.deepEqual(u.toArray(), [1, 2, 3], "the shared copy does not see later JS writes");
    u.dispose();
    t.dispose();
    assert.throws(() => cb.fromShared({} as cb.SharedTensor), TypeError);
    assert.throws(() => cb.fromShared({ cobalt: "shared-tensor", token: 12345, dtype: "float32" }), {
      code: "INVALID_ARGUMENT",
    });
  },
);

nativeTest(
  "workers: tensors a terminated worker never disposed are released",
  "each Worker has its own instance; tensors are not shared between Workers",
  async () => {
    await gcUntil(() => false, 2);
    const base = live(cb.memory());
    const t = cb.arange(10);
    const w = await worker();
    const done = reply(w);
    w.postMessage({ kind: "leak", tensor: cb.share(t) });
    assert.equal((await done).sum, 3);
    assert.ok(cb.memory().tensors > base.tensors + 1, "the worker's tensors are alive");
    w.terminate();
    t.dispose();
    const ok = await gcUntil(() => cb.memory().tensors <= base.tensors, 100);
    assert.ok(ok, `${cb.memory().tensors - base.tensors} tensors left after the worker was terminated`);
    assert.deepEqual(live(cb.memory()), base);
  },
);
