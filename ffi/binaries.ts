/**
 * The prebuilt libraries of this release: what the npm platform packages carry and what a URL or
 * JSR import downloads, each pinned by SHA-256. Written by `scripts/pack-npm.mjs` at release time
 * (`npm run dist && npm run pack`); in a source checkout `files` is empty and the library comes from
 * `rust/target/release`.
 * @module
 */

/** One prebuilt library. */
export interface Binary {
  /** The file name inside the platform package (`libcobalt.so`, `cobalt.dll`, `libcobalt.dylib`). */
  file: string;
  /** Its SHA-256, lowercase hex. */
  sha256: string;
  /** Its size in bytes. */
  bytes: number;
}

/** The release manifest. */
export const manifest: {
  version: string;
  abi: number;
  baseUrl: string;
  files: Record<string, Binary>;
} = {
  version: "0.3.0",
  abi: 6,
  baseUrl: "https://github.com/cobalt-tensor/cobalt/releases/download/v0.3.0/",
  files: {},
};
