// The install smoke test: the installed cobalt-tensor in Node, Bun or Deno. scripts/install-test.sh
// copies it into a fresh project (for Deno with the specifier rewritten to npm:cobalt-tensor@<version>).
import * as cb from "cobalt-tensor";
import { exit, smoke } from "./checks.mjs";

exit(smoke(cb) ? 1 : 0);
