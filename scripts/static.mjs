// The static file serving shared by scripts/test-browser.mjs and scripts/demo-web.mjs: the files
// of one directory, with the content types a page of cobalt's browser build needs.
import { readFileSync } from "node:fs";
import { extname, join, normalize } from "node:path";

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm" };

/** Answers `req` with the file under `root` its path names (index.html for "/"), or 404. */
export function serveFile(root, req, res) {
  const rel = normalize(decodeURIComponent(new URL(req.url, "http://x").pathname)).replace(/^\/+/, "") ||
    "index.html";
  try {
    const data = readFileSync(join(root, rel));
    res.writeHead(200, { "content-type": TYPES[extname(rel)] ?? "application/octet-stream" });
    res.end(data);
  } catch {
    res.writeHead(404).end();
  }
}
