// The WebAssembly build in headless Chromium (`npm run test:browser`, after npm run build:web):
// serves a directory (default dist/web-test/) on a loopback port, opens a page of it (default
// index.html) in `chromium --headless`, and waits for the page to POST its report
// ({ lines, passed, failed }: tests/wasm_smoke.ts bundled, or the demo page's ?check run). Prints the
// page's lines and "browser: N passed, M failed"; exits 1 on any failure, or when no report came.
//   node scripts/test-browser.mjs [DIR] [PAGE]
import { createServer } from "node:http";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveFile } from "./static.mjs";

const root = process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), "..", "dist/web-test");
const page = process.argv[3] ?? "index.html";
const TIMEOUT_MS = Number(process.env.COBALT_BROWSER_TIMEOUT ?? 120_000);
const chromium = process.env.CHROMIUM ?? "chromium";
try {
  statSync(join(root, "index.html"));
} catch {
  console.error(`test-browser: no ${join(root, "index.html")}: run npm run build:web first`);
  process.exit(1);
}

let finish;
const report = new Promise((resolve) => (finish = resolve));
const server = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/results") {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      res.end("ok");
      finish(JSON.parse(body));
    });
    return;
  }
  serveFile(root, req, res);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/${page}`;
const profile = mkdtempSync(join(tmpdir(), "cobalt-chromium-"));
const args = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-extensions",
  `--user-data-dir=${profile}`,
  "--remote-debugging-port=0", // keeps the browser open until the report arrives
  "--enable-logging=stderr", // the page's console messages (CONSOLE lines) for a failed run
  url,
];
const browser = spawn(chromium, args, { stdio: ["ignore", "ignore", "pipe"] });
let stderr = "";
browser.stderr.on("data", (c) => (stderr += c));
const exited = new Promise((r) => browser.on("exit", (code) => r({ exited: code })));
const timer = new Promise((r) => setTimeout(() => r({ timeout: true }), TIMEOUT_MS));
const got = await Promise.race([report, exited, timer]);
browser.kill("SIGKILL");
await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
server.close();
try {
  rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
} catch { /* a helper process may still write there; it is a temporary directory */ }
let passed = 0, failed = 1;
if (got.lines) {
  for (const l of got.lines) console.log(l);
  if (got.error) console.log(got.error);
  passed = got.passed;
  failed = got.failed;
} else {
  console.log(
    got.timeout ? `no report from ${url} within ${TIMEOUT_MS} ms` : `chromium exited (${got.exited})`,
  );
  console.log(stderr.split("\n").filter((l) => /CONSOLE|Uncaught/.test(l)).slice(-20).join("\n"));
}
const version = (stderr.match(/Chrom(e|ium)\/[\d.]+/) ?? [""])[0];
console.log(`browser: ${passed} passed, ${failed} failed${version ? ` (${version})` : ""}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
