// The browser demo (`npm run demo:web`): examples/web/ with the browser build beside it in
// dist/demo-web/, served on http://127.0.0.1:8080 (PORT to change) until interrupted.
//   --check   open it in headless Chromium instead, run every filter and the playground, and
//             report (scripts/test-browser.mjs)
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/demo-web");
if (!existsSync(join(root, "dist/web/cobalt.js"))) {
  console.error("demo-web: no dist/web/cobalt.js: run npm run build:wasm && npm run build:web first");
  process.exit(1);
}
mkdirSync(out, { recursive: true });
for (const f of readdirSync(join(root, "examples/web"))) {
  copyFileSync(join(root, "examples/web", f), join(out, f));
}
for (const f of ["cobalt.js", "cobalt.wasm"]) copyFileSync(join(root, "dist/web", f), join(out, f));

if (process.argv.includes("--check")) {
  try {
    execFileSync("node", [join(root, "scripts/test-browser.mjs"), out, "index.html?check"], {
      stdio: "inherit",
    });
  } catch {
    process.exit(1);
  }
} else {
  const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };
  const port = Number(process.env.PORT ?? 8080);
  createServer((req, res) => {
    const rel = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^\/+/, "") ||
      "index.html";
    try {
      const data = readFileSync(join(out, rel));
      res.writeHead(200, { "content-type": TYPES[extname(rel)] ?? "application/octet-stream" });
      res.end(data);
    } catch {
      res.writeHead(404).end();
    }
  }).listen(port, "127.0.0.1", () => console.log(`cobalt demo: http://127.0.0.1:${port}/ (Ctrl-C to stop)`));
}
