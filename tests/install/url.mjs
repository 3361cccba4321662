// The URL-import test: imports cobalt from COBALT_MOD_URL (http://127.0.0.1:PORT/mod.ts) in Deno,
// then runs the smoke checks. A failure to load prints `error=<name> code=<code>` and exits 3.
import { exit, smoke } from "./checks.mjs";

const url = Deno.env.get("COBALT_MOD_URL");
let cb;
try {
  cb = await import(url);
} catch (e) {
  console.log(`error=${e?.name} code=${e?.code} cobalt=${e?.constructor?.name === "CobaltError"}`);
  console.log(`message=${String(e?.message).split("\n").join(" | ")}`);
  exit(3);
}
exit(smoke(cb) ? 1 : 0);
