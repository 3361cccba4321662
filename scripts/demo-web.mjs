// The browser demo (`npm run demo:web`): examples/web/ with the browser build beside it in
// dist/demo-web/, served on http://127.0.0.1:8080 (PORT to change) until interrupted.
//   --check   open it in headless Chromium instead, run every filter and the playground, and
//             report (scripts/test-browser.mjs)
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { serveFile } from "./static.mjs";

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
  const port = Number(process.env.PORT ?? 8080);
  createServer((req, res) => serveFile(out, req, res))
    .listen(port, "127.0.0.1", () => console.log(`cobalt demo: http://127.0.0.1:${port}/ (Ctrl-C to stop)`));
}
