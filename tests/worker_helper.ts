/**
 * The Worker used by worker_test.ts (not a test file): receives shared tensors and works on them.
 */
import * as cb from "../mod.ts";

// deno-lint-ignore no-explicit-any
const self_ = globalThis as any;

// A Web Worker (Deno, Bun) posts through its global scope; a Node worker_threads one through parentPort.
const port = typeof self_.postMessage === "function"
  ? undefined
  : (await import("node:" + "worker_threads")).parentPort;
const post = (m: unknown): void => port ? port.postMessage(m) : self_.postMessage(m);
const onMessage = (f: (e: { data: Any }) => void) =>
  port ? port.on("message", (data: Any) => f({ data })) : (self_.onmessage = f);
// deno-lint-ignore no-explicit-any
type Any = any;

onMessage((e) => {
  const msg = e.data;
  if (msg.kind === "sum-and-mark") {
    // use the tensor, then write into it: the main thread sees the write (same storage)
    const sum = cb.scope(() => {
      const t = cb.fromShared(msg.tensor); // owned by the scope, disposed at its end
      const s = t.sum().item();
      t.slice(0).assign(-1);
      return s;
    });
    post({ kind: "done", sum });
  } else if (msg.kind === "leak") {
    // tensors never disposed: some still referenced, some garbage; the worker is then terminated
    const held = [cb.fromShared(msg.tensor), cb.zeros([1000]), cb.ones([2, 3]).add(1)];
    for (let i = 0; i < 100; i++) cb.arange(100).mul(2);
    self_.held = held;
    post({ kind: "done", sum: held.length });
  } else if (msg.kind === "hammer") {
    const t = cb.fromShared(msg.tensor);
    for (let i = 0; i < msg.rounds; i++) cb.fromShared(cb.share(t)).dispose(); // retain + release
    t.dispose();
    post({ kind: "done" });
  }
});

// NOTE: say when the handler is in place: the module graph has a top-level await (the library
// loader), and a message posted before evaluation finishes can be lost in Bun.
post({ kind: "ready" });
