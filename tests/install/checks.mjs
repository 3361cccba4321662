// The checks of the install smoke tests, run on an imported cobalt module `cb`: tensor, add, sum,
// rand, a 256x256 matmul against plain JS, memory(), and where the library came from.
// Prints `runtime=`, `path=` and `memory=` lines; returns the number of failures.

const close = (a, b, tol = 1e-3) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b));

/** Runs the checks; returns how many failed (each printed as a FAIL line). */
export function smoke(cb) {
  let failures = 0;
  const check = (ok, what) => {
    if (!ok) {
      failures++;
      console.error(`FAIL ${what}`);
    }
  };
  const t0 = performance.now();
  console.log(`runtime=${cb.native.runtime}`);
  console.log(`path=${cb.native.path}`);
  check(
    cb.native.abiVersion() === cb.ABI_VERSION,
    `abiVersion ${cb.native.abiVersion()} != ${cb.ABI_VERSION}`,
  );

  // tensor, add, sum, a small matmul
  {
    const a = cb.tensor([[1, 2], [3, 4]]);
    const b = a.add(1);
    check(JSON.stringify(b.toArray()) === "[[2,3],[4,5]]", `add: ${JSON.stringify(b.toArray())}`);
    check(b.sum().item() === 14, `sum: ${b.sum().item()}`);
    const m = a.matmul(a);
    check(JSON.stringify(m.toArray()) === "[[7,10],[15,22]]", `matmul 2x2: ${JSON.stringify(m.toArray())}`);
    for (const t of [a, b, m]) t.dispose();
  }

  // rand, and a 256x256 matmul against plain JS
  {
    const n = 256;
    const a = cb.rand([n, n], { seed: 1 });
    const b = cb.rand([n, n], { seed: 2 });
    const A = a.data, B = b.data;
    check(A.length === n * n && A.every((x) => x >= 0 && x < 1), "rand: values in [0, 1)");
    const c = a.matmul(b);
    const C = c.data;
    let wrong = 0;
    const ref = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      ref.fill(0);
      for (let k = 0; k < n; k++) {
        const aik = A[i * n + k];
        for (let j = 0; j < n; j++) ref[j] += aik * B[k * n + j];
      }
      for (let j = 0; j < n; j++) if (!close(C[i * n + j], ref[j])) wrong++;
    }
    check(wrong === 0, `matmul ${n}x${n}: ${wrong} elements differ from plain JS`);
    const s = c.sum().item();
    let rs = 0;
    for (let i = 0; i < n * n; i++) rs += C[i];
    check(close(s, rs), `sum of the matmul: ${s} vs ${rs}`);
    for (const t of [a, b, c]) t.dispose();
  }

  // memory()
  {
    const m = cb.memory();
    check(typeof m.bytes === "number" && typeof m.tensors === "number", `memory(): ${JSON.stringify(m)}`);
    console.log(`memory=${JSON.stringify(m)}`);
  }

  console.log(`smoke: ${failures ? "FAILED" : "ok"} in ${(performance.now() - t0).toFixed(0)} ms`);
  return failures;
}

/** Exits with `code` in Node, Bun and Deno. */
export function exit(code) {
  if (globalThis.Deno) globalThis.Deno.exit(code);
  else globalThis.process.exit(code);
}
