/**
 * The one symbol table of libcobalt, in `Deno.dlopen` form; `bun.ts` translates it for `bun:ffi`.
 * Each entry carries its C declaration (the header `rust/include/cobalt.h` is the manual).
 *
 * Types: "pointer" is an opaque handle or address, "buffer" a TypedArray passed by address.
 * NOTE: no 64-bit integer parameters on hot calls: Deno passes them as BigInt (slow path).
 * @module
 */
export const symbols = {
  /** uint32_t cobalt_abi_version(void) */
  cobalt_abi_version: { parameters: [], result: "u32" },
  /** const char* cobalt_status_str(int32_t code) */
  cobalt_status_str: { parameters: ["i32"], result: "pointer" },
  /** int32_t cobalt_last_status(void) */
  cobalt_last_status: { parameters: [], result: "i32" },
  /** int32_t cobalt_last_error(uint8_t* buf, int32_t cap) */
  cobalt_last_error: { parameters: ["buffer", "i32"], result: "i32" },
  /** int32_t cobalt_noop(void) */
  cobalt_noop: { parameters: [], result: "i32" },
  /** int32_t cobalt_debug_panic(void) */
  cobalt_debug_panic: { parameters: [], result: "i32" },
  /** void cobalt_retain(const cobalt_tensor* t) */
  cobalt_retain: { parameters: ["pointer"], result: "void" },
  /** void cobalt_release(const cobalt_tensor* t) */
  cobalt_release: { parameters: ["pointer"], result: "void" },
  /** int32_t cobalt_refcount(const cobalt_tensor* t) */
  cobalt_refcount: { parameters: ["pointer"], result: "i32" },
  /** cobalt_view_deallocator_fn cobalt_view_deallocator(void) */
  cobalt_view_deallocator: { parameters: [], result: "pointer" },
  /** int32_t cobalt_memory(int64_t out[4]) */
  cobalt_memory: { parameters: ["buffer"], result: "i32" },
  /** cobalt_tensor* cobalt_from_data(int32_t dtype, const int64_t* shape, int32_t ndim, const void* data) */
  cobalt_from_data: { parameters: ["i32", "buffer", "i32", "buffer"], result: "pointer" },
  /** cobalt_tensor* cobalt_from_external(int32_t dtype, const int64_t* shape, int32_t ndim, void* data,
   *                                      cobalt_release_fn release, void* ctx) */
  cobalt_from_external: {
    parameters: ["i32", "buffer", "i32", "buffer", "pointer", "pointer"],
    result: "pointer",
  },
  /** cobalt_tensor* cobalt_full(int32_t dtype, const int64_t* shape, int32_t ndim, double value) */
  cobalt_full: { parameters: ["i32", "buffer", "i32", "f64"], result: "pointer" },
  /** cobalt_tensor* cobalt_arange(int32_t dtype, double start, double stop, double step) */
  cobalt_arange: { parameters: ["i32", "f64", "f64", "f64"], result: "pointer" },
  /** cobalt_tensor* cobalt_linspace(int32_t dtype, double start, double stop, double n) */
  cobalt_linspace: { parameters: ["i32", "f64", "f64", "f64"], result: "pointer" },
  /** cobalt_tensor* cobalt_random(int32_t dtype, const int64_t* shape, int32_t ndim, uint32_t seed_lo,
   *                               uint32_t seed_hi, int32_t flags) */
  cobalt_random: { parameters: ["i32", "buffer", "i32", "u32", "u32", "i32"], result: "pointer" },
  /** int32_t cobalt_dtype(const cobalt_tensor* t) */
  cobalt_dtype: { parameters: ["pointer"], result: "i32" },
  /** int32_t cobalt_shape(const cobalt_tensor* t, int64_t* out, int32_t cap) */
  cobalt_shape: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  /** int32_t cobalt_strides(const cobalt_tensor* t, int64_t* out, int32_t cap) */
  cobalt_strides: { parameters: ["pointer", "buffer", "i32"], result: "i32" },
  /** int32_t cobalt_is_contiguous(const cobalt_tensor* t) */
  cobalt_is_contiguous: { parameters: ["pointer"], result: "i32" },
  /** void* cobalt_data(const cobalt_tensor* t) */
  cobalt_data: { parameters: ["pointer"], result: "pointer" },
  /** void* cobalt_storage(const cobalt_tensor* t, int64_t out[3]) */
  cobalt_storage: { parameters: ["pointer", "buffer"], result: "pointer" },
  /** int32_t cobalt_copy_out(const cobalt_tensor* t, void* dst) */
  cobalt_copy_out: { parameters: ["pointer", "buffer"], result: "i32" },
  /** cobalt_tensor* cobalt_binary(int32_t op, const cobalt_tensor* a, const cobalt_tensor* b) */
  cobalt_binary: { parameters: ["i32", "pointer", "pointer"], result: "pointer" },
  /** cobalt_tensor* cobalt_binary_scalar(int32_t op, const cobalt_tensor* a, double s, int32_t scalar_first) */
  cobalt_binary_scalar: { parameters: ["i32", "pointer", "f64", "i32"], result: "pointer" },
  /** cobalt_tensor* cobalt_unary(int32_t op, const cobalt_tensor* a) */
  cobalt_unary: { parameters: ["i32", "pointer"], result: "pointer" },
  /** cobalt_tensor* cobalt_reduce(int32_t op, const cobalt_tensor* a, const int32_t* axes, int32_t naxes,
   *                               int32_t keepdims, double ddof) */
  cobalt_reduce: { parameters: ["i32", "pointer", "buffer", "i32", "i32", "f64"], result: "pointer" },
  /** cobalt_tensor* cobalt_scan(int32_t op, const cobalt_tensor* a, int32_t axis, int32_t flatten) */
  cobalt_scan: { parameters: ["i32", "pointer", "i32", "i32"], result: "pointer" },
  /** cobalt_tensor* cobalt_matmul(const cobalt_tensor* a, const cobalt_tensor* b) */
  cobalt_matmul: { parameters: ["pointer", "pointer"], result: "pointer" },
  /** cobalt_tensor* cobalt_reshape(const cobalt_tensor* a, const int64_t* shape, int32_t ndim) */
  cobalt_reshape: { parameters: ["pointer", "buffer", "i32"], result: "pointer" },
  /** cobalt_tensor* cobalt_permute(const cobalt_tensor* a, const int32_t* perm, int32_t n) */
  cobalt_permute: { parameters: ["pointer", "buffer", "i32"], result: "pointer" },
  /** cobalt_tensor* cobalt_contiguous(const cobalt_tensor* a) */
  cobalt_contiguous: { parameters: ["pointer"], result: "pointer" },
  /** cobalt_tensor* cobalt_astype(const cobalt_tensor* a, int32_t dtype) */
  cobalt_astype: { parameters: ["pointer", "i32"], result: "pointer" },
  /** cobalt_tensor* cobalt_expand(const cobalt_tensor* a, const int64_t* shape, int32_t ndim) */
  cobalt_expand: { parameters: ["pointer", "buffer", "i32"], result: "pointer" },
  /** cobalt_tensor* cobalt_as_strided(const cobalt_tensor* a, const int64_t* shape, const int64_t* strides,
   *                                   int32_t ndim, double offset) */
  cobalt_as_strided: { parameters: ["pointer", "buffer", "buffer", "i32", "f64"], result: "pointer" },
  /** int32_t cobalt_copy_into(const cobalt_tensor* dst, const cobalt_tensor* src) */
  cobalt_copy_into: { parameters: ["pointer", "pointer"], result: "i32" },
  /** cobalt_tensor* cobalt_concat(const cobalt_tensor* const* ts, int32_t n, int32_t axis) */
  cobalt_concat: { parameters: ["buffer", "i32", "i32"], result: "pointer" },
  /** cobalt_tensor* cobalt_index_select(const cobalt_tensor* a, int32_t axis, const cobalt_tensor* idx) */
  cobalt_index_select: { parameters: ["pointer", "i32", "pointer"], result: "pointer" },
  /** cobalt_tensor* cobalt_gather(const cobalt_tensor* a, int32_t axis, const cobalt_tensor* index) */
  cobalt_gather: { parameters: ["pointer", "i32", "pointer"], result: "pointer" },
  /** cobalt_tensor* cobalt_where(const cobalt_tensor* cond, const cobalt_tensor* a, const cobalt_tensor* b) */
  cobalt_where: { parameters: ["pointer", "pointer", "pointer"], result: "pointer" },
  /** cobalt_tensor* cobalt_argsort(const cobalt_tensor* a, int32_t axis, int32_t descending) */
  cobalt_argsort: { parameters: ["pointer", "i32", "i32"], result: "pointer" },
  /** cobalt_tensor* cobalt_clone(const cobalt_tensor* a) */
  cobalt_clone: { parameters: ["pointer"], result: "pointer" },
  /** int32_t cobalt_job_poll(const cobalt_job* j) */
  cobalt_job_poll: { parameters: ["pointer"], result: "i32" },
  /** int32_t cobalt_job_wait(const cobalt_job* j): blocks, so Deno runs it on its own thread
   * (`nonblocking`, a Promise); Bun never calls it (it polls). */
  cobalt_job_wait: { parameters: ["pointer"], result: "i32", nonblocking: true },
  /** cobalt_tensor* cobalt_job_result(const cobalt_job* j) */
  cobalt_job_result: { parameters: ["pointer"], result: "pointer" },
  /** void cobalt_job_release(const cobalt_job* j) */
  cobalt_job_release: { parameters: ["pointer"], result: "void" },
  /** cobalt_job* cobalt_matmul_async(const cobalt_tensor* a, const cobalt_tensor* b) */
  cobalt_matmul_async: { parameters: ["pointer", "pointer"], result: "pointer" },
  /** cobalt_job* cobalt_binary_async(int32_t op, const cobalt_tensor* a, const cobalt_tensor* b) */
  cobalt_binary_async: { parameters: ["i32", "pointer", "pointer"], result: "pointer" },
  /** cobalt_job* cobalt_unary_async(int32_t op, const cobalt_tensor* a) */
  cobalt_unary_async: { parameters: ["i32", "pointer"], result: "pointer" },
  /** cobalt_job* cobalt_reduce_async(int32_t op, const cobalt_tensor* a, const int32_t* axes, int32_t naxes,
   *                                  int32_t keepdims, double ddof) */
  cobalt_reduce_async: { parameters: ["i32", "pointer", "buffer", "i32", "i32", "f64"], result: "pointer" },
  /** cobalt_job* cobalt_astype_async(const cobalt_tensor* a, int32_t dtype) */
  cobalt_astype_async: { parameters: ["pointer", "i32"], result: "pointer" },
  /** cobalt_job* cobalt_contiguous_async(const cobalt_tensor* a) */
  cobalt_contiguous_async: { parameters: ["pointer"], result: "pointer" },
  /** int32_t cobalt_num_threads(void) */
  cobalt_num_threads: { parameters: [], result: "i32" },
  /** int32_t cobalt_set_num_threads(int32_t n) */
  cobalt_set_num_threads: { parameters: ["i32"], result: "i32" },
  /** cobalt_tensor* cobalt_map_file(const uint8_t* path, int32_t len) */
  cobalt_map_file: { parameters: ["buffer", "i32"], result: "pointer" },
  /** cobalt_tensor* cobalt_reinterpret(const cobalt_tensor* a, int32_t dtype, const int64_t* shape, int32_t ndim,
   *                                    double byte_offset) */
  cobalt_reinterpret: { parameters: ["pointer", "i32", "buffer", "i32", "f64"], result: "pointer" },
  /** cobalt_tensor* cobalt_byteswap(const cobalt_tensor* a) */
  cobalt_byteswap: { parameters: ["pointer"], result: "pointer" },
  /** void cobalt_empty_cache(void) */
  cobalt_empty_cache: { parameters: [], result: "void" },
  /** int32_t cobalt_thread_own(const cobalt_tensor* t) */
  cobalt_thread_own: { parameters: ["pointer"], result: "i32" },
  /** void cobalt_thread_release(const cobalt_tensor* t) */
  cobalt_thread_release: { parameters: ["pointer"], result: "void" },
  /** int32_t cobalt_set_memory_limit(double bytes) */
  cobalt_set_memory_limit: { parameters: ["f64"], result: "i32" },
  /** double cobalt_memory_limit(void) */
  cobalt_memory_limit: { parameters: [], result: "f64" },
  /** double cobalt_owned_bytes(const cobalt_tensor* t) */
  cobalt_owned_bytes: { parameters: ["pointer"], result: "f64" },
  /** cobalt_tensor* cobalt_adopt(int32_t dtype, const int64_t* shape, int32_t ndim, void* data, uint32_t id) */
  cobalt_adopt: { parameters: ["i32", "buffer", "i32", "buffer", "u32"], result: "pointer" },
  /** uint32_t cobalt_adoption(const cobalt_tensor* t) */
  cobalt_adoption: { parameters: ["pointer"], result: "u32" },
  /** int32_t cobalt_adoptions_released(uint32_t* out, int32_t cap) */
  cobalt_adoptions_released: { parameters: ["buffer", "i32"], result: "i32" },
  /** double cobalt_share(const cobalt_tensor* t) */
  cobalt_share: { parameters: ["pointer"], result: "f64" },
  /** cobalt_tensor* cobalt_from_shared(double token) */
  cobalt_from_shared: { parameters: ["f64"], result: "pointer" },
  /** int32_t cobalt_unshare(double token) */
  cobalt_unshare: { parameters: ["f64"], result: "i32" },
} as const;

/** The symbol table's type. */
export type Symbols = typeof symbols;
