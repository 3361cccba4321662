/**
 * `scope(fn)`: tensors created while `fn` runs (including after its `await`s, for an async `fn`) are
 * disposed when it ends, except those it returns, which move to the enclosing scope.
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** Anything a scope can own. */
export interface Owned {
  dispose(): void;
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

/** Collects the objects a scope's result hands back (arrays and plain objects, a few levels deep). */
function collect(v: unknown, out: Set<unknown>, depth: number): void {
  if (v === null || typeof v !== "object" || depth > 4 || out.has(v)) return;
  out.add(v);
  if (Array.isArray(v)) { for (const x of v) collect(x, out, depth + 1); }
  else if (Object.getPrototypeOf(v) === Object.prototype) {
    for (const x of Object.values(v)) collect(x, out, depth + 1);
  }
}

function end(frame: Frame, result: unknown, parent: Frame | undefined): void {
  const keep = new Set<unknown>();
  collect(result, keep, 0);
  for (const t of frame) {
    if (keep.has(t)) parent?.push(t);
    else t.dispose();
  }
  frame.length = 0;
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === "object" && typeof (v as PromiseLike<unknown>).then === "function";
}

/**
 * Runs `fn` and disposes every tensor created during it, except the ones it returns (directly, or
 * inside arrays and plain objects). Works for sync and async functions; scopes nest.
 *
 * @example
 * ```ts
 * const y = cb.scope(() => {
 *   const a = cb.ones([1000]);            // disposed when the scope ends
 *   return a.mul(2).sum();                 // returned: survives
 * });
 * const z = await cb.scope(async () => (await load()).exp());
 * ```
 */
export function scope<T>(fn: () => T): T {
  if (typeof fn !== "function") throw new TypeError("scope: expected a function");
  const parent = current();
  const frame: Frame = [];
  const prevSync = syncFrame;
  syncFrame = frame;
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
  if (isThenable(result)) {
    return (result as PromiseLike<unknown>).then(
      (v) => {
        asyncDepth--;
        end(frame, v, parent);
        return v;
      },
      (e) => {
        asyncDepth--;
        end(frame, undefined, parent);
        throw e;
      },
    ) as T;
  }
  asyncDepth--;
  end(frame, result, parent);
  return result;
}
