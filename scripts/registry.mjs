#!/usr/bin/env node
// A loopback npm registry for the install tests: serves the packages in npm/tarballs/*.tgz and
// proxies everything else (koffi, @koromix/*, ...) to https://registry.npmjs.org, rewriting the
// proxied tarball URLs to itself so that every download is logged here.
//
// usage: node scripts/registry.mjs [--port N] [--tarballs DIR] [--log FILE] [--upstream URL] [--offline]
//   --port N       0 (the default, or $COBALT_REGISTRY_PORT) picks a free port
//   --log FILE     appends one JSON line per request: {t, method, path, status, kind, name, version}
//                  kind: "packument" | "tarball" (ours) | "proxy-packument" | "proxy-tarball" | "proxy" | "missing"
//   --offline      answers 404 instead of proxying
// Prints "registry: http://127.0.0.1:PORT/" on stdout once listening. GET /-/cobalt/log returns the log.
//
// The packuments carry name, versions (with os, cpu, libc, optionalDependencies, peerDependencies,
// peerDependenciesMeta, engines and dist {tarball, integrity (sha512), shasum (sha1)}), dist-tags
// and `time` set to 2000-01-01, so Deno's minimum-dependency-age policy does not hold them back.
import { createServer } from "node:http";
import { createHash } from "node:crypto";
import { appendFileSync, readdirSync, readFileSync, watch } from "node:fs";
import { gunzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OLD = "2000-01-01T00:00:00.000Z";
// Fields of a package.json that an installer reads from the packument.
const FIELDS = [
  "name",
  "version",
  "description",
  "license",
  "type",
  "main",
  "types",
  "exports",
  "bin",
  "os",
  "cpu",
  "libc",
  "engines",
  "dependencies",
  "optionalDependencies",
  "peerDependencies",
  "peerDependenciesMeta",
  "preferUnplugged",
];

function args(argv) {
  const o = {
    port: Number(process.env.COBALT_REGISTRY_PORT ?? 0),
    tarballs: join(ROOT, "npm/tarballs"),
    log: undefined,
    upstream: "https://registry.npmjs.org",
    offline: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--port") o.port = Number(argv[++i]);
    else if (a === "--tarballs") o.tarballs = argv[++i];
    else if (a === "--log") o.log = argv[++i];
    else if (a === "--upstream") o.upstream = argv[++i].replace(/\/$/, "");
    else if (a === "--offline") o.offline = true;
    else if (a === "-h" || a === "--help") {
      console.log(readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n").slice(1, 15).join("\n"));
      process.exit(0);
    } else {
      console.error(`registry: unknown argument ${a}`);
      process.exit(2);
    }
  }
  if (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535) {
    console.error("registry: --port must be 0..65535");
    process.exit(2);
  }
  return o;
}

/** package/package.json out of a .tgz (a ustar archive, gzipped). */
function packageJson(tgz) {
  const tar = gunzipSync(tgz);
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const str = (a, n) => h.subarray(a, a + n).toString("latin1").replace(/\0.*$/s, "");
    const name = (str(345, 155) ? str(345, 155) + "/" : "") + str(0, 100);
    const size = parseInt(str(124, 12).trim() || "0", 8);
    const body = off + 512;
    if (/^[^/]+\/package\.json$/.test(name)) {
      return JSON.parse(tar.subarray(body, body + size).toString("utf8"));
    }
    off = body + Math.ceil(size / 512) * 512;
  }
  throw new Error("no package/package.json in the tarball");
}

/** name -> {versions: {version: {manifest, file, data}}} from the .tgz files. */
function scan(dir) {
  const pkgs = new Map();
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".tgz")).sort()) {
    const data = readFileSync(join(dir, f));
    const pj = packageJson(data);
    const manifest = Object.fromEntries(FIELDS.filter((k) => pj[k] !== undefined).map((k) => [k, pj[k]]));
    const entry = pkgs.get(pj.name) ?? { versions: {} };
    entry.versions[pj.version] = {
      manifest,
      file: f,
      data,
      integrity: "sha512-" + createHash("sha512").update(data).digest("base64"),
      shasum: createHash("sha1").update(data).digest("hex"),
    };
    pkgs.set(pj.name, entry);
  }
  return pkgs;
}

const cmpSemver = (a, b) => {
  const pa = a.split(/[.-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  const pb = b.split(/[.-]/).map((x) => (/^\d+$/.test(x) ? Number(x) : x));
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return (pa.length > 3 ? -1 : 0) - (pb.length > 3 ? -1 : 0);
};

function packument(name, entry, base) {
  const versions = {};
  const time = { created: OLD, modified: OLD };
  for (const [v, e] of Object.entries(entry.versions)) {
    versions[v] = {
      ...e.manifest,
      _id: `${name}@${v}`,
      dist: { tarball: `${base}${tarballPath(name, v)}`, integrity: e.integrity, shasum: e.shasum },
    };
    time[v] = OLD;
  }
  const stable = Object.keys(versions).filter((v) => !v.includes("-")).sort(cmpSemver);
  const latest = stable.at(-1) ?? Object.keys(versions).sort(cmpSemver).at(-1);
  return { _id: name, name, "dist-tags": { latest }, versions, time, modified: OLD };
}

/** The tarball path the way registry.npmjs.org spells it: /@scope/name/-/name-1.0.0.tgz. */
const tarballPath = (name, version) => `${name}/-/${name.split("/").pop()}-${version}.tgz`;

function main() {
  const o = args(process.argv.slice(2));
  let pkgs = scan(o.tarballs);
  const log = [];
  const record = (rec) => {
    const line = { t: new Date().toISOString(), ...rec };
    log.push(line);
    if (o.log) appendFileSync(o.log, JSON.stringify(line) + "\n");
    process.stderr.write(
      `registry: ${line.method} ${line.path} ${line.status} ${line.kind}` +
        `${line.name ? ` ${line.name}${line.version ? "@" + line.version : ""}` : ""}\n`,
    );
  };
  // Re-read the tarballs when they change (pack-npm while the registry runs).
  try {
    let timer;
    watch(o.tarballs, () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        try {
          pkgs = scan(o.tarballs);
        } catch { /* a half-written tarball: the next event re-reads */ }
      }, 200);
    });
  } catch { /* no fs.watch: fine */ }

  const server = createServer(async (req, res) => {
    const base = `http://${req.headers.host ?? `127.0.0.1:${server.address().port}`}/`;
    const url = new URL(req.url, base);
    const path = decodeURIComponent(url.pathname).replace(/^\/+/, "");
    const send = (status, body, type, rec) => {
      res.writeHead(status, {
        "content-type": type,
        "content-length": Buffer.byteLength(body),
        "cache-control": "no-store",
      });
      res.end(req.method === "HEAD" ? undefined : body);
      record({ method: req.method, path: url.pathname, status, ...rec });
    };
    try {
      if (path === "-/cobalt/log") return send(200, JSON.stringify(log), "application/json", { kind: "log" });
      if (path === "-/ping") return send(200, "{}", "application/json", { kind: "ping" });
      // Ours: a packument, or a tarball.
      const m = /^((?:@[^/]+\/)?[^/@]+)(?:\/-\/(.+\.tgz))?$/.exec(path);
      const entry = m && pkgs.get(m[1]);
      if (entry && (req.method === "GET" || req.method === "HEAD")) {
        if (!m[2]) {
          return send(200, JSON.stringify(packument(m[1], entry, base)), "application/json", {
            kind: "packument",
            name: m[1],
          });
        }
        const hit = Object.entries(entry.versions).find(([v]) =>
          tarballPath(m[1], v) === `${m[1]}/-/${m[2]}`
        );
        if (!hit) {
          return send(404, JSON.stringify({ error: "not found" }), "application/json", {
            kind: "missing",
            name: m[1],
          });
        }
        return send(200, hit[1].data, "application/octet-stream", {
          kind: "tarball",
          name: m[1],
          version: hit[0],
        });
      }
      if (o.offline) {
        return send(404, JSON.stringify({ error: "not found (offline)" }), "application/json", {
          kind: "missing",
          name: m?.[1],
        });
      }
      // Anything else: upstream, with its tarball URLs pointed back here.
      const headers = {};
      for (const h of ["accept", "npm-command", "user-agent", "content-type", "npm-session"]) {
        if (req.headers[h]) headers[h] = req.headers[h];
      }
      const body = req.method === "GET" || req.method === "HEAD"
        ? undefined
        : await new Promise((resolve) => {
          const chunks = [];
          req.on("data", (c) => chunks.push(c)).on("end", () => resolve(Buffer.concat(chunks)));
        });
      const up = await fetch(o.upstream + url.pathname + url.search, {
        method: req.method,
        headers,
        body,
        redirect: "follow",
      });
      const type = up.headers.get("content-type") ?? "application/octet-stream";
      let data = Buffer.from(await up.arrayBuffer());
      const isTarball = /\/-\/[^/]+\.tgz$/.test(path);
      if (type.includes("json") && !isTarball) {
        data = Buffer.from(data.toString("utf8").replaceAll(o.upstream + "/", base));
      }
      const tm = /^((?:@[^/]+\/)?[^/]+)\/-\/.*?-(\d+\.\d+\.\d+[^/]*)\.tgz$/.exec(path);
      return send(up.status, data, type, {
        kind: isTarball ? "proxy-tarball" : m && !m[2] ? "proxy-packument" : "proxy",
        name: tm?.[1] ?? m?.[1],
        version: tm?.[2],
      });
    } catch (e) {
      if (!res.headersSent) {
        send(502, JSON.stringify({ error: String(e) }), "application/json", {
          kind: "error",
          error: String(e),
        });
      } else res.destroy();
    }
  });
  server.listen(o.port, "127.0.0.1", () => {
    const names = [...pkgs.entries()].map(([n, e]) => `${n}@${Object.keys(e.versions).join(",")}`);
    console.error(`registry: serving ${names.join(" ")}`);
    console.log(`registry: http://127.0.0.1:${server.address().port}/`);
  });
  for (const s of ["SIGINT", "SIGTERM"]) process.on(s, () => server.close(() => process.exit(0)));
}

main();
