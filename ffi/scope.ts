/**
 * `scope(fn)`: tensors created while `fn` runs (including after its `await`s, for an async `fn`) are
 * disposed when it ends, except those it returns, which move to the enclosing scope.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { CobaltError } from "./errors.ts";

/** Anything a scope can own. */
export interface Owned {
  dispose(): void;
}

let isTensor: (x: unknown) => boolean = () => false;
let disposeByScope: (t: Owned) => void = (t) => t.dispose();

/**
 * @internal Installs the Tensor brand check and the disposal that records "a scope did it" (for
 * the DISPOSED message). tensor.ts imports this module, not the reverse.
 */
export function setTensorHooks(check: (x: unknown) => boolean, dispose: (t: Owned) => void): void {
  isTensor = check;
  disposeByScope = dispose;
}

type Frame = Owned[];

// The frame of the synchronous scope now running, if any: the cheap common path.
let syncFrame: Frame | undefined;
// Async scopes in flight; while there are some, continuations find their frame through ALS.
let asyncDepth = 0;
const als = new AsyncLocalStorage<Frame>();

function current(): Frame | undefined {
  return syncFrame ?? (asyncDepth > 0 ? als.getStore() : undefined);
}

/** Registers a new tensor with the innermost active scope (called by every tensor constructor). */
export function track(t: Owned): void {
  const f = syncFrame ?? (asyncDepth > 0 ? als.getStore() : undefined);
  if (f !== undefined) f.push(t);
}

// Tensors marked with `keep`: never disposed by a scope.
const kept = new WeakSet<object>();

/**
 * Collects everything reachable from a scope's result: arrays, plain objects, class instances (own
 * enumerable properties), Maps (keys and values) and Sets, at any depth. TypedArrays and buffers
 * are leaves. NOTE: private (#) fields and closures are invisible to it: use `keep` for those.
 */
function collect(root: unknown, out: Set<unknown>): void {
  const stack = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || (typeof v !== "object" && typeof v !== "function") || out.has(v)) continue;
    out.add(v);
    if (typeof v === "function" || ArrayBuffer.isView(v) || v instanceof ArrayBuffer) continue;
    if (Array.isArray(v)) { for (const x of v) stack.push(x); }
    else if (v instanceof Map) { for (const [k, x] of v) stack.push(k, x); }
    else if (v instanceof Set) { for (const x of v) stack.push(x); }
    else for (const x of Object.values(v)) stack.push(x);
  }
}

function end(frame: Frame, result: unknown, parent: Frame | undefined): void {
  const keep = new Set<unknown>();
  collect(result, keep);
  for (const t of frame) {
    if (kept.has(t)) continue;
    if (keep.has(t)) parent?.push(t);
    else disposeByScope(t);
  }
  frame.length = 0;
}

/**
 * Exempts `t` from every scope: it is never disposed when a scope ends (dispose it yourself, or
 * leave it to the GC). Returns `t`. Use it for tensors a scope stores somewhere its return value
 * does not reach (a closure, a private field, a global).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const cache: cb.Tensor[] = [];
 * cb.scope(() => { cache.push(cb.keep(cb.ones([3]))); }); // survives the scope
 * ```
 */
export function keep<T extends Owned>(t: T): T {
  if (!isTensor(t)) throw new TypeError("keep: expected a Tensor");
  if ((t as unknown as { disposed: boolean }).disposed) {
    throw new CobaltError("DISPOSED", "keep: the tensor was disposed already");
  }
  kept.add(t);
  return t;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === "object" && typeof (v as PromiseLike<unknown>).then === "function";
}

/**
 * Runs `fn` and disposes every tensor created during it, except the ones it returns (anything
 * reachable from its result: arrays, objects, class instances, Maps, Sets, at any depth) and those
 * marked with `cb.keep(t)`. Returned tensors move to the enclosing scope. Works for sync and async
 * functions; scopes nest. A tensor used after its scope disposed it throws "DISPOSED" saying so.
 *
 * Pass an `async` function for asynchronous work: its scope follows it across `await`s. A plain
 * function that returns a Promise (`() => t.expAsync().then(...)`) has only the tensors it created
 * before returning scoped; those its callbacks create later are not (left to `dispose` or the GC).
 *
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const y = cb.scope(() => {
 *   const a = cb.ones([1000]);            // disposed when the scope ends
 *   return a.mul(2).sum();                 // returned: survives
 * });
 * const z = await cb.scope(async () => (await cb.ones([2]).expAsync()).mul(2)); // async functions too
 * ```
 */
export function scope<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError("scope: expected a function");
  const parent = current();
  const frame: Frame = [];
  const prevSync = syncFrame;
  syncFrame = frame;
  // Only an async function's continuations need AsyncLocalStorage to find their frame: a sync
  // function runs entirely under `syncFrame`, and `als.run` would cost ~0.4 µs a call in Deno.
  if (!isAsyncFunction(fn)) {
    let result: T;
    try {
      result = fn();
    } catch (e) {
      syncFrame = prevSync;
      end(frame, undefined, parent);
      throw e;
    }
    syncFrame = prevSync;
    if (!isThenable(result)) {
      end(frame, result, parent);
      return result;
    }
    // A plain function that returned a promise: what it created so far is scoped, and ends with it.
    return settle(result, frame, parent, false);
  }
  asyncDepth++;
  let result: T;
  try {
    result = als.run(frame, fn);
  } catch (e) {
    syncFrame = prevSync;
    asyncDepth--;
    end(frame, undefined, parent);
    throw e;
  }
  syncFrame = prevSync;
  if (isThenable(result)) return settle(result, frame, parent, true);
  asyncDepth--;
  end(frame, result, parent);
  return result;
}

/** Whether `fn` is an `async` function (or async arrow), whose body continues after its `await`s. */
function isAsyncFunction(fn: unknown): boolean {
  return (fn as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] === "AsyncFunction";
}

/** Ends `frame` when `result` settles (the scope of an async function, or one returning a promise). */
function settle<T>(result: T, frame: Frame, parent: Frame | undefined, counted: boolean): T {
  return (result as PromiseLike<unknown>).then(
    (v) => {
      if (counted) asyncDepth--;
      end(frame, v, parent);
      return v;
    },
    (e) => {
      if (counted) asyncDepth--;
      end(frame, undefined, parent);
      throw e;
    },
  ) as T;
}
