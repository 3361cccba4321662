/**
 * Failures the bug-finding tools (`fuzz_test.ts`, `misuse_test.ts`) know about and tolerate while
 * they are open. Each entry is keyed by a finding signature (a glob: `*` matches anything) and
 * carries a repro that the tools replay on every run: when a listed failure no longer occurs, the
 * run FAILS and asks for the entry to be removed, so this list only shrinks as fixes land.
 * @module
 */

/** One open failure. */
export interface KnownFailure {
  /** The tool that reports it. */
  tool: "fuzz" | "misuse";
  /** A glob over the signatures the tool prints, e.g. `max(float16):nan`. */
  sig: string;
  /** What is wrong, in one line. */
  note: string;
  /** Where it shows; both runtimes when omitted. */
  runtimes?: ("deno" | "bun")[];
  /**
   * fuzz: a minimal program (the `steps` the fuzzer prints), replayed on every run.
   * misuse: the call ids (`fn#arg=value`) the tool prints, always run in CI mode.
   */
  repro: unknown;
}

/** The open failures. */
export const KNOWN_FAILURES: KnownFailure[] = [];
