#!/usr/bin/env node
// A loopback web server for the URL-import test: serves the TypeScript sources a URL/JSR import
// reads (npm/jsr/: mod.ts, ffi/*.ts with the release ffi/binaries.ts) and the release assets
// (npm/release/ under /release/). It rewrites the manifest's baseUrl to its own /release/, so the
// download goes to it, and sends .ts as application/typescript (Deno refuses other types).
//
// usage: node scripts/serve-url.mjs [--port N] [--src DIR] [--release DIR] [--log FILE]
// Prints "serve-url: http://127.0.0.1:PORT/" on stdout once listening.
// Control: GET /-/tamper/on (release files served with their last byte flipped), /-/tamper/off,
//          GET /-/log (the request log as JSON).
import { createServer } from "node:http";
import { appendFileSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const TYPES = {
  ".ts": "application/typescript; charset=utf-8",
  ".mts": "application/typescript; charset=utf-8",
  ".js": "application/javascript; charset=utf-8",
  ".mjs": "application/javascript; charset=utf-8",
  ".json": "application/json",
  ".md": "text/markdown; charset=utf-8",
};

const o = { port: 0, src: join(ROOT, "npm/jsr"), release: join(ROOT, "npm/release"), log: undefined };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === "--port") o.port = Number(argv[++i]);
  else if (a === "--src") o.src = argv[++i];
  else if (a === "--release") o.release = argv[++i];
  else if (a === "--log") o.log = argv[++i];
  else {
    console.error(`serve-url: unknown argument ${a}`);
    process.exit(2);
  }
}

let tamper = false;
const log = [];

/** `rel` inside `dir`, or undefined if it escapes it or is not a file. */
function file(dir, rel) {
  const p = normalize(join(dir, rel));
  if (p !== dir && !p.startsWith(dir.endsWith(sep) ? dir : dir + sep)) return undefined;
  try {
    return statSync(p).isFile() ? p : undefined;
  } catch {
    return undefined;
  }
}

const server = createServer((req, res) => {
  const origin = `http://${req.headers.host}`;
  const url = new URL(req.url, origin);
  const path = decodeURIComponent(url.pathname);
  let status = 200, body, type = "application/octet-stream", note = "";
  if (path === "/-/tamper/on" || path === "/-/tamper/off") {
    tamper = path.endsWith("/on");
    body = `tamper ${tamper ? "on" : "off"}\n`;
    type = "text/plain";
  } else if (path === "/-/log") {
    body = JSON.stringify(log);
    type = "application/json";
  } else {
    const [dir, rel] = path.startsWith("/release/") ? [o.release, path.slice(9)] : [o.src, path.slice(1)];
    const p = file(dir, rel);
    if (!p) {
      status = 404;
      body = "not found\n";
      type = "text/plain";
    } else {
      body = readFileSync(p);
      type = TYPES[extname(p)] ?? type;
      if (dir === o.src && rel === "ffi/binaries.ts") {
        body = Buffer.from(
          body.toString("utf8").replace(/("?baseUrl"?:\s*)"[^"]*"/, `$1"${origin}/release/"`),
        );
      }
      if (dir === o.release && tamper && body.length) {
        body = Buffer.from(body);
        body[body.length - 1] ^= 1;
        note = " (tampered)";
      }
    }
  }
  res.writeHead(status, { "content-type": type, "content-length": body.length, "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : body);
  const line = {
    t: new Date().toISOString(),
    method: req.method,
    path,
    status,
    bytes: body.length,
    tampered: !!note,
  };
  if (!path.startsWith("/-/")) log.push(line);
  if (o.log) appendFileSync(o.log, JSON.stringify(line) + "\n");
  process.stderr.write(`serve-url: ${req.method} ${path} ${status} ${body.length}${note}\n`);
});
server.listen(
  o.port,
  "127.0.0.1",
  () => console.log(`serve-url: http://127.0.0.1:${server.address().port}/`),
);
for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => server.close(() => process.exit(0)));
