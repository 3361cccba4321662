// The demo page of cobalt's WebAssembly build (see README "In the browser"). Served by
// `npm run demo:web`, which puts cobalt.js and cobalt.wasm beside this file.
import * as cb from "./cobalt.js";

const $ = (id) => document.getElementById(id);
$("status").textContent =
  `cobalt ${
    cb.ABI_VERSION ? `ABI ${cb.ABI_VERSION}` : ""
  } · backend: ${cb.native.backend} · runtime: ${cb.native.runtime} · ` +
  `threads: ${cb.numThreads()} · module: ${cb.native.path.split("/").pop()}`;

const ms = (t0) => (performance.now() - t0).toFixed(1) + " ms";

// ---- image filters -------------------------------------------------------------------------
const src = $("src"), dst = $("dst");

function testPattern() {
  src.width = 480;
  src.height = 320;
  const g = src.getContext("2d");
  const grad = g.createLinearGradient(0, 0, 480, 320);
  grad.addColorStop(0, "#f83");
  grad.addColorStop(1, "#38f");
  g.fillStyle = grad;
  g.fillRect(0, 0, 480, 320);
  g.fillStyle = "#fff";
  g.font = "bold 64px sans-serif";
  g.fillText("cobalt", 120, 150);
  for (let i = 0; i < 12; i++) {
    g.strokeStyle = `hsl(${i * 30},80%,40%)`;
    g.lineWidth = 3;
    g.beginPath();
    g.arc(60 + i * 32, 240, 14, 0, 2 * Math.PI);
    g.stroke();
  }
}

function loadImage(file) {
  const img = new Image();
  img.onload = () => {
    const scale = Math.min(1, 800 / Math.max(img.width, img.height));
    src.width = Math.round(img.width * scale);
    src.height = Math.round(img.height * scale);
    src.getContext("2d").drawImage(img, 0, 0, src.width, src.height);
    apply();
  };
  img.src = URL.createObjectURL(file);
}

function kernel(name) {
  if (name === "blur") {
    const g = cb.arange(-3, 4, { dtype: "float32" }).square().mul(-1 / (2 * 1.5 * 1.5)).exp();
    const k2 = g.reshape([7, 1]).matmul(g.reshape([1, 7]));
    return k2.div(k2.sum());
  }
  if (name === "sharpen") return cb.tensor([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]);
  if (name === "emboss") return cb.tensor([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]);
  throw new Error(name);
}

function apply() {
  const name = $("filter").value;
  const { width: w, height: h } = src;
  const pixels = src.getContext("2d").getImageData(0, 0, w, h);
  const t0 = performance.now();
  const out = cb.scope(() => {
    // (H, W, 4) uint8 -> (3, H, W) float32 in 0..1
    const rgba = cb.tensor(new Uint8Array(pixels.data.buffer), { shape: [h, w, 4], dtype: "uint8" });
    const rgb = rgba.slice(":", ":", "0:3").astype("float32").div(255).permute(2, 0, 1).contiguous();
    let res;
    if (name === "gray") {
      const m = cb.tensor([[0.299, 0.587, 0.114], [0.299, 0.587, 0.114], [0.299, 0.587, 0.114]]);
      res = m.matmul(rgb.reshape([3, h * w])).reshape([3, h, w]);
    } else if (name === "edges") {
      const gray = cb.tensor([[0.299, 0.587, 0.114]]).matmul(rgb.reshape([3, h * w])).reshape([1, 1, h, w]);
      const sx = cb.tensor([[[[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]]]);
      const gx = cb.conv2d(gray, sx, { padding: 1 });
      const gy = cb.conv2d(gray, sx.permute(0, 1, 3, 2), { padding: 1 });
      res = gx.square().add(gy.square()).sqrt().mul(2).reshape([1, h, w]).expand([3, h, w]);
    } else {
      const k = kernel(name);
      const ks = k.shape[0];
      // one filter per channel: groups = 3
      const weight = k.reshape([1, 1, ks, ks]).expand([3, 1, ks, ks]).contiguous();
      res = cb.conv2d(rgb.reshape([1, 3, h, w]), weight, { padding: "same", groups: 3 }).reshape([3, h, w]);
    }
    // back to (H, W, 4) uint8 with opaque alpha
    const rgbOut = res.clip(0, 1).mul(255).round().permute(1, 2, 0);
    const alpha = cb.full([h, w, 1], 255);
    return cb.concat([rgbOut, alpha], 2).astype("uint8").data.slice();
  });
  const elapsed = ms(t0);
  dst.width = w;
  dst.height = h;
  dst.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(out.buffer), w, h), 0, 0);
  $("ftime").textContent = `${name}: ${elapsed} for ${w}×${h} (${cb.memory().tensors} tensors alive)`;
}

$("apply").onclick = apply;
$("filter").onchange = apply;
$("file").onchange = (e) => e.target.files[0] && loadImage(e.target.files[0]);
const drop = $("drop");
drop.ondragover = (e) => {
  e.preventDefault();
  drop.classList.add("over");
};
drop.ondragleave = () => drop.classList.remove("over");
drop.ondrop = (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const f = e.dataTransfer.files[0];
  if (f) loadImage(f);
};
testPattern();
apply();

// ---- matmul and softmax ----------------------------------------------------------------------
function best(f, reps = 3) {
  let t = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    f();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

function row(op, n, tc, tj, ok) {
  const tr = document.createElement("tr");
  for (
    const v of [
      op,
      n,
      tc.toFixed(2) + " ms",
      tj.toFixed(2) + " ms",
      (tj / tc).toFixed(1) + "x",
      ok ? "same" : "DIFFERS",
    ]
  ) {
    const td = document.createElement("td");
    td.textContent = v;
    tr.appendChild(td);
  }
  $("results").tBodies[0].prepend(tr);
}

$("mm").onclick = () => {
  const n = Number($("n").value);
  cb.scope(() => {
    const a = cb.rand([n, n], { seed: 1 }), b = cb.rand([n, n], { seed: 2 });
    const tc = best(() => a.matmul(b).dispose());
    const A = a.data.slice(), B = b.data.slice(), C = new Float32Array(n * n);
    const js = () => {
      C.fill(0);
      for (let i = 0; i < n; i++) {
        for (let k = 0; k < n; k++) {
          const v = A[i * n + k];
          for (let j = 0; j < n; j++) C[i * n + j] += v * B[k * n + j];
        }
      }
    };
    const tj = best(js, n >= 1024 ? 1 : 3);
    const c = a.matmul(b).data;
    let ok = true;
    for (let i = 0; i < n * n; i += 97) ok &&= Math.abs(c[i] - C[i]) <= 1e-3 * Math.abs(C[i]) + 1e-3;
    row("matmul", n, tc, tj, ok);
  });
};

$("sm").onclick = () => {
  const n = Number($("n").value);
  cb.scope(() => {
    const a = cb.randn([n, n], { seed: 3 });
    const tc = best(() => a.softmax(1).dispose());
    const A = a.data.slice(), S = new Float32Array(n * n);
    const js = () => {
      for (let i = 0; i < n; i++) {
        let m = -Infinity, s = 0;
        for (let j = 0; j < n; j++) m = Math.max(m, A[i * n + j]);
        for (let j = 0; j < n; j++) s += S[i * n + j] = Math.exp(A[i * n + j] - m);
        for (let j = 0; j < n; j++) S[i * n + j] /= s;
      }
    };
    const tj = best(js);
    const s = a.softmax(1).data;
    let ok = true;
    for (let i = 0; i < n * n; i += 31) ok &&= Math.abs(s[i] - S[i]) <= 1e-5;
    row("softmax", n, tc, tj, ok);
  });
};

// ?check: run every filter and both playground ops, then post what the page shows (for
// `npm run demo:web -- --check`, which drives headless Chromium).
if (new URLSearchParams(location.search).has("check")) {
  const report = { lines: [], failed: 0 };
  try {
    for (const f of ["blur", "sharpen", "edges", "emboss", "gray"]) {
      $("filter").value = f;
      apply();
      const px = dst.getContext("2d").getImageData(0, 0, dst.width, dst.height).data;
      let sum = 0;
      for (let i = 0; i < px.length; i += 4) sum += px[i] + px[i + 1] + px[i + 2];
      const ok = dst.width === src.width && sum > 0;
      if (!ok) report.failed++;
      report.lines.push(`${ok ? "ok  " : "FAIL"} filter ${$("ftime").textContent}`);
    }
    $("n").value = "256";
    $("mm").onclick();
    $("sm").onclick();
    for (const tr of $("results").tBodies[0].rows) {
      const cells = [...tr.cells].map((c) => c.textContent);
      const ok = cells[5] === "same";
      if (!ok) report.failed++;
      report.lines.push(`${ok ? "ok  " : "FAIL"} ${cells.join(" | ")}`);
    }
  } catch (e) {
    report.failed++;
    report.lines.push(`FAIL ${e && e.stack || e}`);
  }
  report.passed = report.lines.length - report.failed;
  await fetch("/results", { method: "POST", body: JSON.stringify(report) });
}
