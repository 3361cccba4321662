/**
 * Saving and loading: safetensors (with zero-copy memory-mapped loading), numpy .npy and .npz,
 * cobalt's own self-describing bytes (`toBytes`/`fromBytes`), and plain-object hand-off in the
 * `{ dtype, shape, data }` / onnxruntime `{ type, data, dims }` shapes.
 *
 * Files go through `node:fs`, so Deno's `--allow-read`/`--allow-write` apply; the memory-mapped
 * path opens the file natively and asks Deno's permission first. Every malformed input (truncated,
 * corrupt, lying headers, out-of-range offsets, unknown dtypes) throws CobaltError "FORMAT" naming
 * the source and the problem, after checking sizes against the bytes actually there, so a lying
 * header never causes a large allocation.
 *
 * Hardening: the maps returned have a null prototype, so every name (even "__proto__") is an own
 * data property; bool data is normalised to the bytes 0 and 1 as it enters; `.npz` entry names that
 * could escape a directory when extracted are refused on write; only regular files are read.
 * @module
 */
import { readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { lib } from "./load.ts";
import { CobaltError } from "./errors.ts";
import {
  type DType,
  DTYPE_BY_CODE,
  DTYPES,
  hasNonBoolBytes,
  isDType,
  normaliseBool,
  supported,
  type TypedArray,
} from "./dtype.ts";
import { check, SHAPE, sym, writeShape } from "./core.ts";
import { adopt, copied, Tensor, wrap } from "./tensor.ts";
import { boolOption, checkOptions } from "./options.ts";
import { shapeArg, show } from "./ints.ts";

/** Named tensors, as stored in a safetensors or .npz file. */
export type TensorMap = Record<string, Tensor>;

/** A map with no prototype: any name, "__proto__" included, is an own data property. */
function emptyMap<T>(): Record<string, T> {
  return Object.create(null);
}

/** A null-prototype lookup table (user strings never find Object.prototype's members). */
function table<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(emptyMap<T>(), entries));
}

/** Checks that `tensors` is a record of tensors (not a bare tensor, not an array). */
function checkRecord(tensors: unknown, op: string): void {
  if (tensors instanceof Tensor) {
    throw new TypeError(`${op}: expected a record of tensors, e.g. { weight: t }, got a bare Tensor`);
  }
  if (tensors === null || typeof tensors !== "object" || Array.isArray(tensors)) {
    throw new TypeError(`${op}: expected a record of tensors, e.g. { weight: t }, got ${show(tensors)}`);
  }
}

const LOAD_KEYS = ["format", "mmap"] as const;
const SAVE_KEYS = ["format", "metadata"] as const;
const FROM_OBJECT_KEYS = ["copy"] as const;

/** What `load` returns: the tensors and (safetensors) the metadata map. */
export interface Loaded {
  /** The tensors by name (`.npy` files give one, named "array"). */
  tensors: TensorMap;
  /** The safetensors `__metadata__` map (empty for other formats). */
  metadata: Record<string, string>;
}

/** Options of `load`. */
export interface LoadOptions {
  /** "safetensors", "npy", "npz" or "cobalt"; default: from the file's extension. */
  format?: Format;
  /**
   * safetensors only: `true` maps the file and returns zero-copy views into it; `false` reads and
   * copies. Default: map files of 16 MiB and more, copy smaller ones (see "memory-mapped files").
   * The WebAssembly backend never maps (`true` is an error there).
   */
  mmap?: boolean;
}

/** Options of `save`. */
export interface SaveOptions {
  /** "safetensors", "npy", "npz" or "cobalt"; default: from the file's extension. */
  format?: Format;
  /** safetensors only: the `__metadata__` string map. */
  metadata?: Record<string, string>;
}

/** The file formats. */
export type Format = "safetensors" | "npy" | "npz" | "cobalt";

function bad(source: string, problem: string, cause?: unknown): never {
  throw new CobaltError("FORMAT", `${source}: ${problem}`, cause === undefined ? undefined : { cause });
}

const enc = new TextEncoder();
const dec = new TextDecoder("utf-8", { fatal: true });

function numel(shape: number[]): number {
  return shape.reduce((p, q) => p * q, 1);
}

function checkShape(shape: unknown, source: string): number[] {
  if (!Array.isArray(shape) || shape.length > 32) bad(source, `invalid shape ${JSON.stringify(shape)}`);
  for (const d of shape) {
    if (typeof d !== "number" || !Number.isSafeInteger(d) || d < 0) {
      bad(source, `invalid dimension ${JSON.stringify(d)}`);
    }
  }
  if (!Number.isSafeInteger(numel(shape as number[]))) {
    bad(source, `shape ${JSON.stringify(shape)} is too large`);
  }
  return shape as number[];
}

/** A contiguous tensor copying `bytes` (exactly numel * size of them); bool bytes become 0 or 1. */
function fromRaw(bytes: Uint8Array, dtype: DType, shape: number[]): Tensor {
  if (dtype === "bool" && hasNonBoolBytes(bytes)) {
    bytes = bytes.slice();
    normaliseBool(bytes);
  }
  const nd = writeShape(shape, "load");
  return copied(bytes, dtype, nd);
}

/** The contiguous little-endian bytes of `t` (a view when already contiguous, else a copy). */
function rawBytes(t: Tensor, op: string, name?: string): Uint8Array {
  if (!(t instanceof Tensor)) {
    throw new TypeError(
      `${op}: expected a Tensor${name === undefined ? "" : ` for "${name}"`}, got ${show(t)}`,
    );
  }
  const c = t.isContiguous ? t : t.contiguous();
  const v = c.data;
  const out = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  if (c !== t) c.dispose(); // the data view keeps the copy's memory alive
  return out;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

// ---- safetensors ---------------------------------------------------------------------------------

const SAFETENSORS_DTYPES = table<DType>({
  F32: "float32",
  F64: "float64",
  I32: "int32",
  I64: "int64",
  U8: "uint8",
  BOOL: "bool",
  F16: "float16",
  BF16: "bfloat16",
});
const SAFETENSORS_NAMES = table(
  Object.fromEntries(Object.entries(SAFETENSORS_DTYPES).map(([k, v]) => [v, k])),
) as Record<
  DType,
  string
>;
const MAX_HEADER = 100 << 20;

interface StEntry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/** Parses a safetensors header; `read(offset, len)` gives bytes of a file of `total` bytes. */
function parseSafetensorsHeader(
  read: (offset: number, len: number) => Uint8Array,
  total: number,
  source: string,
): { entries: StEntry[]; metadata: Record<string, string>; dataStart: number } {
  if (total < 8) bad(source, `truncated: ${total} bytes, a safetensors file starts with 8`);
  const first = read(0, 8);
  const n = Number(new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true));
  if (n > MAX_HEADER || n > total - 8) {
    bad(source, `header size ${n} is larger than the file (${total} bytes) allows`);
  }
  let header: unknown;
  try {
    header = JSON.parse(dec.decode(read(8, n)));
  } catch (e) {
    bad(source, "header is not valid UTF-8 JSON", e);
  }
  if (header === null || typeof header !== "object" || Array.isArray(header)) {
    bad(source, "header is not a JSON object");
  }
  const dataStart = 8 + n;
  const dataLen = total - dataStart;
  const entries: StEntry[] = [];
  const metadata = emptyMap<string>();
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (v === null || typeof v !== "object" || Array.isArray(v)) {
        bad(source, "__metadata__ is not an object");
      }
      for (const [k, s] of Object.entries(v as Record<string, unknown>)) {
        if (typeof s !== "string") bad(source, `__metadata__ value of "${k}" is not a string`);
        metadata[k] = s;
      }
      continue;
    }
    const e = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (e === null || typeof e !== "object") bad(source, `tensor "${name}": entry is not an object`);
    const dtype = SAFETENSORS_DTYPES[String(e.dtype)];
    if (dtype === undefined) bad(source, `tensor "${name}": unsupported dtype ${JSON.stringify(e.dtype)}`);
    const shape = checkShape(e.shape, `${source}: tensor "${name}"`);
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((x) => Number.isSafeInteger(x) && x >= 0)) {
      bad(source, `tensor "${name}": invalid data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (begin > end || end > dataLen) {
      bad(source, `tensor "${name}": data_offsets [${begin}, ${end}] fall outside the ${dataLen} data bytes`);
    }
    const need = numel(shape) * DTYPES[dtype].size;
    if (end - begin !== need) {
      bad(
        source,
        `tensor "${name}": shape ${
          JSON.stringify(shape)
        } of ${dtype} needs ${need} bytes, data_offsets give ${end - begin}`,
      );
    }
    entries.push({ name, dtype, shape, begin, end });
  }
  return { entries, metadata, dataStart };
}

/**
 * The safetensors bytes of named tensors (any dtype), with an optional string metadata map.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const bytes = cb.encodeSafetensors({ w: cb.ones([2, 2]) }, { author: "me" });
 * ```
 */
export function encodeSafetensors(tensors: TensorMap, metadata?: Record<string, string>): Uint8Array {
  const op = "encodeSafetensors";
  checkRecord(tensors, op);
  const header = emptyMap<unknown>(); // a tensor named "__proto__" stays an own key
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
      throw new TypeError(`${op}: metadata must be a record of strings, got ${show(metadata)}`);
    }
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") {
        throw new TypeError(`${op}: metadata value of "${k}" must be a string`);
      }
    }
    header.__metadata__ = metadata;
  }
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    if (name === "__metadata__") throw new TypeError(`${op}: "__metadata__" is reserved`);
    const bytes = rawBytes(t, op, name);
    header[name] = {
      dtype: SAFETENSORS_NAMES[t.dtype],
      shape: t.shape,
      data_offsets: [offset, offset + bytes.length],
    };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + enc.encode(json).length) % 8)) % 8); // data starts 8-byte aligned
  const head = enc.encode(json);
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, BigInt(head.length), true);
  return concatBytes([size, head, ...parts]);
}

/**
 * Tensors from safetensors bytes (copied).
 * @param bytes The file's bytes.
 * @param source What the bytes are, for error messages (default "safetensors bytes").
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const bytes = cb.encodeSafetensors({ w: cb.ones([2]) }, { note: "hi" });
 * const { tensors, metadata } = cb.decodeSafetensors(bytes); // tensors.w, metadata.note
 * ```
 */
export function decodeSafetensors(bytes: Uint8Array, source: string = "safetensors bytes"): Loaded {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("decodeSafetensors: expected a Uint8Array");
  const { entries, metadata, dataStart } = parseSafetensorsHeader(
    (o, n) => bytes.subarray(o, o + n),
    bytes.length,
    source,
  );
  const tensors = emptyMap<Tensor>();
  for (const e of entries) {
    tensors[e.name] = fromRaw(bytes.subarray(dataStart + e.begin, dataStart + e.end), e.dtype, e.shape);
  }
  return { tensors, metadata };
}

function checkReadPermission(path: string): void {
  // deno-lint-ignore no-explicit-any
  const D = (globalThis as any).Deno;
  if (lib.runtime !== "deno" || !D?.permissions?.querySync) return;
  const st = D.permissions.querySync({ name: "read", path });
  if (st.state !== "granted") {
    throw new CobaltError("PERMISSION", `reading ${path} needs --allow-read (the file is mapped natively)`);
  }
}

/** The largest byte of `len` bytes at `offset` of a mapped file (native, no copy). */
function maxByte(mapped: Tensor, offset: number, len: number): number {
  const nd = writeShape([len], "load");
  const v = wrap(
    sym.cobalt_reinterpret(mapped.handle, DTYPES.uint8.code, SHAPE, nd, offset),
    "uint8",
  );
  const m = v.max();
  try {
    return m.item();
  } finally {
    m.dispose();
    v.dispose();
  }
}

/** Refuses what is not a regular file (a FIFO or a device would block or never end; a directory). */
function checkRegular(path: string, isFile: boolean): void {
  if (!isFile) {
    throw new CobaltError(
      "INVALID_ARGUMENT",
      `load: ${path} is not a regular file (a directory, FIFO or device)`,
    );
  }
}

/** Zero-copy: the tensors are views into a private mapping of the file, which stays mapped while any is alive. */
/** Files smaller than this are read and copied, not mapped, by default (a mapping costs more than
 * a copy there, and a copy cannot fault when the file is truncated). */
const MMAP_MIN = 16 << 20;

function useMmap(path: string, mmap: unknown, op: string): boolean {
  if (mmap !== undefined) {
    const on = boolOption(mmap, op, "mmap", true);
    if (on && lib.backend === "wasm") {
      throw new CobaltError(
        "INVALID_ARGUMENT",
        `${op}: mmap: true maps a file into native memory, which the WebAssembly backend has not: ` +
          "leave mmap unset (the file is read and copied)",
      );
    }
    return on;
  }
  if (lib.backend === "wasm") return false; // no mappings in WebAssembly: read and copy
  try {
    return statSync(path).size >= MMAP_MIN;
  } catch {
    return false; // the read path reports the error
  }
}

function mapSafetensors(path: string): Loaded {
  checkReadPermission(path);
  checkRegular(path, statSync(path).isFile());
  const p = enc.encode(path);
  const mapped = wrap(sym.cobalt_map_file(p, p.length), "uint8");
  // Read the few header bytes by copying them out: a `data` view of the mapping would keep it
  // mapped until the view is collected.
  const read = (offset: number, len: number): Uint8Array => {
    const nd = writeShape([len], "load");
    const v = wrap(
      sym.cobalt_reinterpret(mapped.handle, DTYPES.uint8.code, SHAPE, nd, offset),
      "uint8",
    );
    const out = new Uint8Array(len);
    try {
      if (len > 0) check(sym.cobalt_copy_out(v.handle, out));
    } finally {
      v.dispose();
    }
    return out;
  };
  try {
    const { entries, metadata, dataStart } = parseSafetensorsHeader(read, mapped.size, path);
    // NOTE: a file that shrinks under a mapping makes reads of the lost pages fault (SIGBUS). Refuse
    // a file whose size changed since it was mapped (the views are not handed out yet).
    if (statSync(path).size !== mapped.size) {
      throw new CobaltError("FORMAT", `load: ${path} changed size while it was being mapped; load it again`);
    }
    const tensors = emptyMap<Tensor>();
    for (const e of entries) {
      const at = dataStart + e.begin;
      if (e.dtype === "bool" && e.end > e.begin && maxByte(mapped, at, e.end - e.begin) > 1) {
        // NOTE: a bool byte other than 0 and 1: copy (normalised) rather than write to the mapping
        tensors[e.name] = fromRaw(read(at, e.end - e.begin), e.dtype, e.shape);
      } else if (at % DTYPES[e.dtype].size === 0) {
        const nd = writeShape(e.shape, "load");
        tensors[e.name] = wrap(
          sym.cobalt_reinterpret(mapped.handle, DTYPES[e.dtype].code, SHAPE, nd, at),
          e.dtype,
        );
      } else {
        tensors[e.name] = fromRaw(read(at, e.end - e.begin), e.dtype, e.shape); // unaligned: copy
      }
    }
    return { tensors, metadata };
  } finally {
    mapped.dispose(); // the views keep the mapping alive
  }
}

// ---- npy -------------------------------------------------------------------------------------------

const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const NPY_DTYPES = table<DType>({
  f4: "float32",
  f8: "float64",
  i4: "int32",
  i8: "int64",
  u1: "uint8",
  b1: "bool",
  f2: "float16",
});
const NPY_DESCR: Partial<Record<DType, string>> = table({
  float32: "<f4",
  float64: "<f8",
  int32: "<i4",
  int64: "<i8",
  uint8: "|u1",
  bool: "|b1",
  float16: "<f2",
});

function parseNpyHeader(text: string, source: string): { descr: string; fortran: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    bad(
      source,
      `npy header is not a dict with descr, fortran_order and shape: ${JSON.stringify(text.slice(0, 120))}`,
    );
  }
  const dims = shapeText.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const shape = dims.map((d) => (/^\d+L?$/.test(d) ? Number(d.replace("L", "")) : NaN));
  return { descr, fortran: fortran === "True", shape: checkShape(shape, source) };
}

/**
 * A tensor from .npy bytes: every supported dtype, C or Fortran order (Fortran data comes back as a
 * transposed view, no copy), little or big endian.
 * @param bytes The file's bytes.
 * @param source What the bytes are, for error messages (default "npy bytes").
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const bytes = cb.encodeNpy(cb.arange(3)); // or readFileSync("a.npy")
 * cb.decodeNpy(bytes).toArray(); // [0, 1, 2]
 * ```
 */
export function decodeNpy(bytes: Uint8Array, source: string = "npy bytes"): Tensor {
  if (bytes.length < 10 || !NPY_MAGIC.every((b, i) => bytes[i] === b)) {
    bad(source, "not a .npy file (bad magic)");
  }
  const major = bytes[6]!;
  if (major < 1 || major > 3) bad(source, `unsupported .npy version ${major}.${bytes[7]}`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenSize) bad(source, "truncated header");
  const hlen = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  const start = 8 + lenSize;
  if (start + hlen > bytes.length) {
    bad(source, `header of ${hlen} bytes runs past the end of the file (${bytes.length} bytes)`);
  }
  let text: string;
  try {
    text = (major === 3 ? dec : new TextDecoder("latin1")).decode(bytes.subarray(start, start + hlen));
  } catch (e) {
    bad(source, "header is not valid text", e);
  }
  const { descr, fortran, shape } = parseNpyHeader(text, source);
  const m = /^([<>|=])([a-z])(\d+)$/.exec(descr);
  const dtype = m ? NPY_DTYPES[m[2]! + m[3]!] : undefined;
  if (m === null || dtype === undefined || !isDType(dtype)) bad(source, `unsupported dtype '${descr}'`);
  const size = DTYPES[dtype].size;
  const need = numel(shape) * size;
  const dataStart = start + hlen;
  if (bytes.length - dataStart < need) {
    bad(
      source,
      `truncated: shape (${shape.join(", ")}) of ${dtype} needs ${need} data bytes, the file has ${
        bytes.length - dataStart
      }`,
    );
  }
  const raw = bytes.subarray(dataStart, dataStart + need);
  let t = fromRaw(raw, dtype, fortran ? [...shape].reverse() : shape);
  if (m[1] === ">" && size > 1) {
    const s = wrap(sym.cobalt_byteswap(t.handle), dtype);
    t.dispose();
    t = s;
  }
  if (fortran && shape.length > 1) {
    const v = t.transpose();
    t.dispose(); // the view keeps the storage
    return v;
  }
  return t;
}

/**
 * The .npy bytes (version 1.0, little endian, C order) of a tensor. bfloat16 has no numpy dtype
 * and is refused (use safetensors).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const bytes = cb.encodeNpy(cb.ones([2, 2])); // writeFileSync("a.npy", bytes): numpy.load reads it
 * ```
 */
export function encodeNpy(t: Tensor): Uint8Array {
  if (!(t instanceof Tensor)) throw new TypeError(`encodeNpy: expected a Tensor, got ${show(t)}`);
  const descr = NPY_DESCR[t.dtype];
  if (descr === undefined) {
    throw new CobaltError(
      "DTYPE",
      `encodeNpy: ${t.dtype} has no numpy dtype; save it as safetensors or astype("float32") ` +
        `(.npy supports: ${Object.keys(NPY_DESCR).join(", ")})`,
    );
  }
  const s = t.shape;
  const shapeText = s.length === 1 ? `(${s[0]},)` : `(${s.join(", ")})`;
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const pad = (64 - ((10 + dict.length + 1) % 64)) % 64;
  dict += " ".repeat(pad) + "\n";
  const head = new Uint8Array(10 + dict.length);
  head.set(NPY_MAGIC);
  head[6] = 1;
  head[7] = 0;
  new DataView(head.buffer).setUint16(8, dict.length, true);
  head.set(enc.encode(dict), 10);
  return concatBytes([head, rawBytes(t, "encodeNpy")]);
}

// ---- npz (zip) -------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/**
 * The .npz bytes (an uncompressed zip of .npy files, as `numpy.savez` writes) of named tensors.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const bytes = cb.encodeNpz({ x: cb.ones([3]) }); // writeFileSync("a.npz", bytes)
 * ```
 */
export function encodeNpz(tensors: TensorMap): Uint8Array {
  checkRecord(tensors, "encodeNpz");
  const files: Uint8Array[] = [], central: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    checkEntryName(name);
    if (!(t instanceof Tensor)) {
      throw new TypeError(`encodeNpz: expected a Tensor for "${name}", got ${show(t)}`);
    }
    const data = encodeNpy(t);
    const fname = enc.encode(`${name}.npy`);
    if (data.length >= 0xffffffff || offset >= 0xffffffff) {
      throw new CobaltError("FORMAT", "npz: archives over 4 GiB are not supported");
    }
    const crc = crc32(data);
    const local = new Uint8Array(30 + fname.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, fname.length, true);
    local.set(fname, 30);
    const cd = new Uint8Array(46 + fname.length);
    const cv = new DataView(cd.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, fname.length, true);
    cv.setUint32(42, offset, true);
    cd.set(fname, 46);
    files.push(local, data);
    central.push(cd);
    offset += local.length + data.length;
  }
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, central.length, true);
  ev.setUint16(10, central.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, offset, true);
  return concatBytes([...files, ...central, end]);
}

/**
 * Refuses an .npz entry name that an unzip tool could write outside its directory: an absolute path
 * ("/x", "\\x", "C:x"), a ".." segment, or a NUL (which truncates names in C tools).
 */
function checkEntryName(name: string): void {
  const why = name.includes("\0")
    ? "contains a NUL character"
    : /^[/\\]/.test(name) || /^[a-zA-Z]:/.test(name)
    ? "is an absolute path"
    : name.split(/[/\\]/).includes("..")
    ? `has a ".." segment`
    : undefined;
  if (why !== undefined) {
    throw new CobaltError(
      "INVALID_ARGUMENT",
      `encodeNpz: the name ${JSON.stringify(name)} ${why}; an archive entry must stay inside its directory`,
    );
  }
}

interface ZipEntry {
  name: string;
  method: number;
  data: Uint8Array;
  crc: number;
  size: number;
}

function readZip(bytes: Uint8Array, source: string): ZipEntry[] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65535); i--) {
    if (dv.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) bad(source, "not a zip archive (no end of central directory)");
  const count = dv.getUint16(eocd + 10, true);
  const cdSize = dv.getUint32(eocd + 12, true);
  const cdOff = dv.getUint32(eocd + 16, true);
  if (cdOff + cdSize > eocd) bad(source, "central directory runs past its end record");
  const out: ZipEntry[] = [];
  let p = cdOff;
  for (let i = 0; i < count; i++) {
    if (p + 46 > eocd || dv.getUint32(p, true) !== 0x02014b50) {
      bad(source, `corrupt central directory entry ${i}`);
    }
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    const csize = dv.getUint32(p + 20, true);
    const size = dv.getUint32(p + 24, true);
    const nlen = dv.getUint16(p + 28, true),
      xlen = dv.getUint16(p + 30, true),
      clen = dv.getUint16(p + 32, true);
    const local = dv.getUint32(p + 42, true);
    if (p + 46 + nlen > eocd) bad(source, `corrupt central directory entry ${i}`);
    const name = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nlen));
    if (csize === 0xffffffff || size === 0xffffffff || local === 0xffffffff) {
      bad(source, `"${name}": zip64 entries are not supported`);
    }
    if (local + 30 > bytes.length || dv.getUint32(local, true) !== 0x04034b50) {
      bad(source, `"${name}": bad local header`);
    }
    const start = local + 30 + dv.getUint16(local + 26, true) + dv.getUint16(local + 28, true);
    if (start + csize > bytes.length) bad(source, `"${name}": data runs past the end of the archive`);
    if (method !== 0 && method !== 8) bad(source, `"${name}": unsupported compression method ${method}`);
    if (method === 0 && csize !== size) bad(source, `"${name}": stored entry sizes disagree`);
    out.push({ name, method, data: bytes.subarray(start, start + csize), crc, size });
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

function npzName(name: string): string {
  return name.endsWith(".npy") ? name.slice(0, -4) : name;
}

function checkCrc(e: ZipEntry, data: Uint8Array, source: string): void {
  if (crc32(data) !== e.crc) bad(source, `"${e.name}": CRC mismatch (corrupt data)`);
}

/**
 * Tensors from .npz bytes (an uncompressed archive; `numpy.savez_compressed` files need
 * `decodeNpzAsync`).
 * @param bytes The file's bytes.
 * @param source What the bytes are, for error messages (default "npz bytes").
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const bytes = cb.encodeNpz({ x: cb.ones([3]) }); // or readFileSync("a.npz")
 * const { x } = cb.decodeNpz(bytes); // x: a Tensor of shape [3]
 * ```
 */
export function decodeNpz(bytes: Uint8Array, source: string = "npz bytes"): TensorMap {
  const out = emptyMap<Tensor>();
  for (const e of readZip(bytes, source)) {
    if (e.method !== 0) bad(source, `"${e.name}" is compressed: load it with loadAsync / decodeNpzAsync`);
    npzEntry(out, e, e.data, source);
  }
  return out;
}

/**
 * Adds one archive member (its stored or inflated bytes) to `out`. decodeNpz and decodeNpzAsync
 * differ only in how they get those bytes: inflating is asynchronous in every runtime
 * (DecompressionStream), so compressed archives need the async twin; the rest is this one function.
 */
function npzEntry(out: TensorMap, e: ZipEntry, data: Uint8Array, source: string): void {
  checkCrc(e, data, source);
  out[npzName(e.name)] = decodeNpy(data, `${source}: ${e.name}`); // plain keys: "../x", "__proto__" too
}

async function inflate(data: Uint8Array, size: number, source: string): Promise<Uint8Array> {
  // deno-lint-ignore no-explicit-any
  const DS = (globalThis as any).DecompressionStream;
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DS("deflate-raw"));
  const reader = (stream as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > size) bad(source, `inflates past its declared size of ${size} bytes`);
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof CobaltError) throw e;
    bad(source, "corrupt deflate data", e);
  }
  if (total !== size) bad(source, `inflates to ${total} bytes, the archive says ${size}`);
  return concatBytes(chunks);
}

/**
 * Tensors from .npz bytes, compressed (`numpy.savez_compressed`) or not.
 * @param bytes The file's bytes.
 * @param source What the bytes are, for error messages (default "npz bytes").
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const bytes = cb.encodeNpz({ x: cb.ones([3]) }); // or a numpy.savez_compressed file
 * const { x } = await cb.decodeNpzAsync(bytes);
 * ```
 */
export async function decodeNpzAsync(bytes: Uint8Array, source: string = "npz bytes"): Promise<TensorMap> {
  const out = emptyMap<Tensor>();
  for (const e of readZip(bytes, source)) {
    npzEntry(out, e, e.method === 0 ? e.data : await inflate(e.data, e.size, `${source}: ${e.name}`), source);
  }
  return out;
}

// ---- cobalt's own bytes ------------------------------------------------------------------------------

const CB_MAGIC = [0x93, 0x43, 0x4f, 0x42, 0x41, 0x4c, 0x54]; // \x93COBALT
const CB_VERSION = 1;

/**
 * Self-describing bytes of a tensor (any dtype): `\x93COBALT`, a version byte (1), the dtype code,
 * ndim, 5 reserved bytes, ndim little-endian uint64 dims, then the row-major little-endian data at an
 * 8-byte aligned offset. `cb.fromBytes` reads them back; later versions will keep reading version 1.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const t = cb.tensor([1.5, 2]);
 * cb.fromBytes(cb.toBytes(t)).toArray(); // [1.5, 2]
 * ```
 */
export function toBytes(t: Tensor): Uint8Array {
  if (!(t instanceof Tensor)) throw new TypeError("toBytes: expected a Tensor");
  const s = t.shape;
  const head = new Uint8Array(16 + 8 * s.length);
  head.set(CB_MAGIC);
  head[7] = CB_VERSION;
  head[8] = DTYPES[t.dtype].code;
  head[9] = s.length;
  const dv = new DataView(head.buffer);
  s.forEach((d, i) => dv.setBigUint64(16 + 8 * i, BigInt(d), true));
  return concatBytes([head, rawBytes(t, "toBytes")]);
}

/**
 * A tensor from `toBytes` output (copied).
 * @param bytes Bytes made by `toBytes` (or `Tensor.toBytes`).
 * @param source What the bytes are, for error messages (default "cobalt bytes").
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const bytes = cb.tensor([[1, 2]]).toBytes();
 * cb.fromBytes(bytes).shape; // [1, 2]
 * ```
 */
export function fromBytes(bytes: Uint8Array, source: string = "cobalt bytes"): Tensor {
  if (!(bytes instanceof Uint8Array)) throw new TypeError("fromBytes: expected a Uint8Array");
  if (bytes.length < 16 || !CB_MAGIC.every((b, i) => bytes[i] === b)) {
    bad(source, "not cobalt tensor bytes (bad magic)");
  }
  if (bytes[7] !== CB_VERSION) {
    bad(source, `unsupported version ${bytes[7]} (this cobalt reads version ${CB_VERSION})`);
  }
  const dtype = DTYPE_BY_CODE[bytes[8]!];
  if (dtype === undefined) bad(source, `unknown dtype code ${bytes[8]}`);
  const nd = bytes[9]!;
  if (nd > 32 || bytes.length < 16 + 8 * nd) bad(source, `truncated: ${nd} dims declared`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape = checkShape(
    Array.from({ length: nd }, (_, i) => Number(dv.getBigUint64(16 + 8 * i, true))),
    source,
  );
  const start = 16 + 8 * nd;
  const need = numel(shape) * DTYPES[dtype].size;
  if (bytes.length - start !== need) {
    bad(
      source,
      `shape (${shape.join(", ")}) of ${dtype} needs ${need} data bytes, found ${bytes.length - start}`,
    );
  }
  return fromRaw(bytes.subarray(start), dtype, shape);
}

// ---- plain objects ---------------------------------------------------------------------------------

/** A tensor as a plain object: cobalt's `{ dtype, shape, data }` or onnxruntime's `{ type, dims, data }`. */
export interface TensorObject {
  /** cobalt's dtype name. */
  dtype?: DType;
  /** onnxruntime's type name (the same names for the dtypes both have). */
  type?: string;
  /** The dims. */
  shape?: readonly number[];
  /** onnxruntime's name for the dims. */
  dims?: readonly number[];
  /** Row-major elements. */
  data: ArrayBufferView;
}

/**
 * `{ dtype, shape, data }` plus onnxruntime's `{ type, dims }` keys, so the object can be handed to
 * `new ort.Tensor(o.type, o.data, o.dims)` and to most JS ML libraries. `data` is a zero-copy view
 * when the tensor is contiguous (float16 data is a Uint16Array of the bits, as onnxruntime expects).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const { type, data, dims } = cb.toObject(cb.zeros([2, 3])); // "float32", Float32Array(6), [2, 3]
 * ```
 */
export function toObject(
  t: Tensor,
): { dtype: DType; type: string; shape: number[]; dims: number[]; data: TypedArray } {
  if (!(t instanceof Tensor)) throw new TypeError("toObject: expected a Tensor");
  let data = t.data;
  if (t.dtype === "float16" && !(data instanceof Uint16Array)) {
    data = new Uint16Array(data.buffer, data.byteOffset, data.length);
  }
  const shape = t.shape;
  return { dtype: t.dtype, type: t.dtype, shape, dims: shape, data };
}

/**
 * A tensor from `{ dtype, shape, data }` or onnxruntime's `{ type, dims, data }` (copied, or
 * adopted with `{ copy: false }` when the data has the dtype's layout). Bool data is normalised to
 * the bytes 0 and 1 (in place when adopted).
 * @param o The object: `{ dtype, shape, data }` or `{ type, dims, data }`.
 * @param opts `copy: false` adopts the data instead of copying it (default `{}`: copied).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * const t = cb.fromObject({ type: "float32", dims: [2], data: new Float32Array([1, 2]) });
 * ```
 */
export function fromObject(o: TensorObject, opts: { copy?: boolean } = {}): Tensor {
  const op = "fromObject";
  checkOptions(opts, FROM_OBJECT_KEYS, op);
  if (o === null || typeof o !== "object" || !ArrayBuffer.isView(o.data)) {
    throw new TypeError(
      "fromObject: expected { dtype, shape, data } or { type, dims, data } with a TypedArray",
    );
  }
  const dtype = o.dtype ?? o.type;
  if (!isDType(dtype)) {
    if (typeof dtype !== "string") {
      throw new TypeError(`${op}: dtype (or type) must be a string, got ${show(dtype)}`);
    }
    throw new CobaltError("DTYPE", `${op}: unsupported type ${JSON.stringify(dtype)} ${supported()}`);
  }
  const shape = shapeArg([...(o.shape ?? o.dims ?? [(o.data as Uint8Array).length])], op);
  const size = DTYPES[dtype].size;
  const d = o.data;
  if (d.byteLength !== numel(shape) * size) {
    throw new CobaltError(
      "SHAPE_MISMATCH",
      `fromObject: ${d.byteLength} bytes do not hold shape [${shape}] of ${dtype}`,
    );
  }
  const bytes = new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  if (boolOption(opts.copy, op, "copy", true) === false) {
    if (d.byteOffset % size !== 0) {
      throw new CobaltError("INVALID_ARGUMENT", "fromObject: data is not aligned for its dtype");
    }
    const nd = writeShape(shape, "fromObject");
    const arr = d as unknown as TypedArray;
    if (d.byteLength === 0) return fromRaw(bytes, dtype, shape);
    if (dtype === "bool") normaliseBool(bytes); // in place: the tensor is this memory
    return adopt(arr, dtype, nd);
  }
  return fromRaw(bytes, dtype, shape);
}

// ---- files -------------------------------------------------------------------------------------------

const FORMATS: readonly Format[] = ["safetensors", "npy", "npz", "cobalt"];

function formatOf(path: unknown, given: unknown, op: string): Format {
  if (typeof path !== "string") throw new TypeError(`${op}: path must be a string, got ${show(path)}`);
  if (given !== undefined) {
    if (typeof given !== "string") throw new TypeError(`${op}: format must be a string, got ${show(given)}`);
    if (!(FORMATS as readonly string[]).includes(given)) {
      throw new CobaltError(
        "INVALID_ARGUMENT",
        `${op}: unknown format ${JSON.stringify(given)} (formats: ${FORMATS.join(", ")})`,
      );
    }
    return given as Format;
  }
  const ext = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  if (ext === "safetensors" || ext === "npy" || ext === "npz") return ext;
  if (ext === "cobalt") return "cobalt";
  throw new TypeError(`${op}: cannot tell the format of "${path}" from its extension: pass { format }`);
}

/** `{ name: t }` in a null-prototype map. */
function one(name: string, t: Tensor): TensorMap {
  const m = emptyMap<Tensor>();
  m[name] = t;
  return m;
}

function decode(bytes: Uint8Array, format: Format, path: string): Loaded {
  switch (format) {
    case "safetensors":
      return decodeSafetensors(bytes, path);
    case "npy":
      return { tensors: one("array", decodeNpy(bytes, path)), metadata: emptyMap() };
    case "npz":
      return { tensors: decodeNpz(bytes, path), metadata: emptyMap() };
    case "cobalt":
      return { tensors: one("array", fromBytes(bytes, path)), metadata: emptyMap() };
  }
}

function encode(
  data: Tensor | TensorMap,
  format: Format,
  opts: SaveOptions | undefined,
  op: string,
): Uint8Array {
  checkOptions(opts, SAVE_KEYS, op);
  const single = data instanceof Tensor;
  if (!single) checkRecord(data, op);
  if (opts?.metadata !== undefined && format !== "safetensors") {
    throw new TypeError(`${op}: metadata is stored in safetensors files only, not .${format}`);
  }
  switch (format) {
    case "safetensors":
      return encodeSafetensors(single ? { array: data } : data, opts?.metadata);
    case "npz":
      return encodeNpz(single ? { arr_0: data } : data);
    case "npy":
    case "cobalt": {
      const list = single ? [data] : Object.values(data);
      const t = list[0];
      if (list.length !== 1 || t === undefined) {
        throw new TypeError(`${op}: a .${format} file holds one tensor, got ${list.length}`);
      }
      return format === "npy" ? encodeNpy(t) : toBytes(t);
    }
  }
}

/**
 * Loads a safetensors (memory-mapped, zero-copy, by default), .npy, .npz or cobalt file. Only
 * regular files are read: a directory, FIFO or device is refused (INVALID_ARGUMENT).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * import { tmpdir } from "node:os";
 * cb.save(`${tmpdir()}/model.safetensors`, { w: cb.ones([2, 2]) }, { metadata: { step: "1" } });
 * const { tensors, metadata } = cb.load(`${tmpdir()}/model.safetensors`); // tensors.w, metadata.step
 * cb.save(`${tmpdir()}/x.npy`, cb.arange(3));
 * cb.load(`${tmpdir()}/x.npy`).tensors.array.toArray(); // [0, 1, 2]: a .npy file's one tensor is "array"
 * ```
 * @param path The file; its extension gives the format unless `opts.format` does.
 * @param opts See `LoadOptions` (default `{}`: the format from the extension, `mmap` by file size).
 */
export function load(path: string, opts: LoadOptions = {}): Loaded {
  checkOptions(opts, LOAD_KEYS, "load");
  const format = formatOf(path, opts.format, "load");
  if (format === "safetensors" && useMmap(path, opts.mmap, "load")) return mapSafetensors(path);
  checkRegular(path, statSync(path).isFile());
  return decode(readFileSync(path), format, path);
}

/**
 * `load` with asynchronous file reading (and compressed .npz support). The memory-mapped
 * safetensors path maps the file (no read), so it is the same as `load`.
 * @param path The file; its extension gives the format unless `opts.format` does.
 * @param opts See `LoadOptions` (default `{}`: the format from the extension, `mmap` by file size).
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * import { tmpdir } from "node:os";
 * await cb.saveAsync(`${tmpdir()}/weights.npz`, { w: cb.ones([2]) });
 * const { tensors } = await cb.loadAsync(`${tmpdir()}/weights.npz`); // tensors.w
 * ```
 */
export async function loadAsync(path: string, opts: LoadOptions = {}): Promise<Loaded> {
  checkOptions(opts, LOAD_KEYS, "loadAsync");
  const format = formatOf(path, opts.format, "loadAsync");
  if (format === "safetensors" && useMmap(path, opts.mmap, "loadAsync")) return mapSafetensors(path);
  checkRegular(path, (await stat(path)).isFile());
  const bytes = await readFile(path);
  if (format === "npz") return { tensors: await decodeNpzAsync(bytes, path), metadata: emptyMap() };
  return decode(bytes, format, path);
}

/**
 * Saves one tensor or named tensors as safetensors, .npy (one tensor), .npz or cobalt bytes.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * import { tmpdir } from "node:os";
 * const w = cb.randn([4, 3]), b = cb.zeros([3]);
 * cb.save(`${tmpdir()}/model.safetensors`, { w, b }, { metadata: { step: "100" } });
 * cb.save(`${tmpdir()}/x.npy`, w);
 * ```
 */
export function save(path: string, data: Tensor | TensorMap, opts?: SaveOptions): void {
  const format = formatOf(path, opts?.format, "save");
  const bytes = encode(data, format, opts, "save");
  const tmp = tmpName(path);
  try {
    writeFileSync(tmp, bytes);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch { /* not created */ }
    throw e;
  }
}

// NOTE: files are written beside the target and renamed over it, never truncated in place: a
// memory-mapped `load` of the old file (views still alive) keeps the old inode and stays valid,
// where truncating it would make reads of its pages fault (SIGBUS).
function tmpName(path: string): string {
  return `${path}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`;
}

/**
 * `save` with asynchronous file writing.
 * @example
 * ```ts
 * import * as cb from "@cobalt-tensor/cobalt";
 * import { tmpdir } from "node:os";
 * await cb.saveAsync(`${tmpdir()}/x.npz`, { x: cb.arange(3) });
 * ```
 */
export async function saveAsync(path: string, data: Tensor | TensorMap, opts?: SaveOptions): Promise<void> {
  const format = formatOf(path, opts?.format, "saveAsync");
  const bytes = encode(data, format, opts, "saveAsync");
  const tmp = tmpName(path);
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}
