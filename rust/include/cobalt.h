/*
 * cobalt.h: the C ABI of libcobalt, a tensor library with a Rust core.
 *
 * This header is the manual. It is hand-written; rust/tests/header.rs checks that it declares
 * exactly the functions the library exports, and tests/c/abi_test.c (in rust/) compiles against it.
 *
 * Contract
 * - Status codes: 0 = COBALT_OK; positive codes are stable and append-only (cobalt_status_str).
 * - Calls that create a tensor return a new handle, or NULL on failure; cobalt_last_status()
 *   then tells the code and cobalt_last_error() the message (both per thread).
 * - Ownership: a returned handle carries one reference. Handle arguments are borrowed.
 *   cobalt_retain adds a reference, cobalt_release drops one (NULL is a no-op). The refcount
 *   is atomic: references may be taken and dropped on any thread.
 * - A data pointer (cobalt_data) is valid while any reference to its tensor lives. Views
 *   (cobalt_reshape, cobalt_permute, cobalt_contiguous of a contiguous tensor) share storage.
 * - No call unwinds or aborts: a panic inside the library returns COBALT_PANIC.
 * - Shapes are `const int64_t*` + `int32_t ndim` (ndim <= COBALT_MAX_NDIM); element data is
 *   row-major and native-endian. Other numbers travel as int32_t or double (a whole number < 2^53
 *   where an integer is meant): no call takes a 64-bit integer (JS runtimes pass those as BigInt).
 */
#ifndef COBALT_H
#define COBALT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COBALT_ABI_VERSION 6
#define COBALT_MAX_NDIM 32

/* Status codes (append-only). */
#define COBALT_OK 0
#define COBALT_INVALID_ARGUMENT 1
#define COBALT_SHAPE_MISMATCH 2
#define COBALT_DTYPE 3
#define COBALT_OUT_OF_MEMORY 4
#define COBALT_PANIC 5
#define COBALT_AXIS 6
#define COBALT_INDEX 7
#define COBALT_BORROWED 8 /* a write into a tensor an async job reads */
#define COBALT_LINALG 9   /* a singular or non-positive-definite matrix, no convergence */

/* dtypes (append-only). */
#define COBALT_F32 0
#define COBALT_F64 1
#define COBALT_I32 2
#define COBALT_I64 3
#define COBALT_U8 4
#define COBALT_BOOL 5 /* one byte, non-zero = true */
#define COBALT_F16 6
#define COBALT_BF16 7

/* <generated ops> (npm run gen, from scripts/optable.ts) */
/* Binary ops for cobalt_binary / cobalt_binary_scalar (append-only). */
#define COBALT_ADD 0
#define COBALT_SUB 1
#define COBALT_MUL 2
#define COBALT_DIV 3
#define COBALT_POW 4
#define COBALT_MAXIMUM 5
#define COBALT_MINIMUM 6
#define COBALT_MOD 7
#define COBALT_FLOOR_DIV 8
#define COBALT_EQ 9 /* comparisons give bool */
#define COBALT_NE 10
#define COBALT_LT 11
#define COBALT_LE 12
#define COBALT_GT 13
#define COBALT_GE 14
#define COBALT_LOGICAL_AND 15
#define COBALT_LOGICAL_OR 16
#define COBALT_LOGICAL_XOR 17

/* Unary ops for cobalt_unary (append-only). */
#define COBALT_NEG 0
#define COBALT_EXP 1
#define COBALT_LOG 2
#define COBALT_SQRT 3
#define COBALT_ABS 4
#define COBALT_TANH 5
#define COBALT_SIGMOID 6
#define COBALT_RELU 7
#define COBALT_SIGN 8
#define COBALT_LOG1P 9
#define COBALT_EXPM1 10
#define COBALT_RSQRT 11
#define COBALT_SIN 12
#define COBALT_COS 13
#define COBALT_TAN 14
#define COBALT_GELU 15 /* exact (erf) */
#define COBALT_SILU 16
#define COBALT_SOFTPLUS 17
#define COBALT_FLOOR 18
#define COBALT_CEIL 19
#define COBALT_ROUND 20 /* half to even */
#define COBALT_ISNAN 21
#define COBALT_ISFINITE 22
#define COBALT_LOGICAL_NOT 23
#define COBALT_GELU_TANH 24
#define COBALT_SQUARE 25
#define COBALT_LOG2 26
#define COBALT_LOG10 27
#define COBALT_EXP2 28
#define COBALT_TRUNC 29
#define COBALT_ERF 30
#define COBALT_ASIN 31
#define COBALT_ACOS 32
#define COBALT_ATAN 33
#define COBALT_SINH 34
#define COBALT_COSH 35
#define COBALT_RECIPROCAL 36
#define COBALT_CBRT 37

/* Reductions for cobalt_reduce (append-only). */
#define COBALT_SUM 0
#define COBALT_MEAN 1
#define COBALT_MAX 2
#define COBALT_MIN 3
#define COBALT_PROD 4
#define COBALT_ARGMAX 5 /* one axis or none */
#define COBALT_ARGMIN 6
#define COBALT_ANY 7
#define COBALT_ALL 8
#define COBALT_LOGSUMEXP 9
#define COBALT_VAR 10 /* uses ddof */
#define COBALT_STD 11

/* Scans along one axis for cobalt_scan (append-only). */
#define COBALT_CUMSUM 0
#define COBALT_CUMPROD 1
#define COBALT_SOFTMAX 2
#define COBALT_LOG_SOFTMAX 3
/* </generated> */

/* An opaque tensor handle. */
typedef struct cobalt_tensor cobalt_tensor;

/* An opaque handle on an async job running on the native pool. */
typedef struct cobalt_job cobalt_job;

/* Release function of adopted memory: called once, on any thread, with the caller's context. */
typedef void (*cobalt_release_fn)(void *ctx);

/* A deallocator of the shape JavaScriptCore's external buffers use: void (*)(bytes, ctx). */
typedef void (*cobalt_view_deallocator_fn)(void *bytes, void *ctx);

/* ---- library ------------------------------------------------------------------------- */

/* COBALT_ABI_VERSION of the library; a loader refuses a mismatch. */
uint32_t cobalt_abi_version(void);
/* A static name for a status code: "OK", "SHAPE_MISMATCH", ... ("UNKNOWN" for others). */
const char *cobalt_status_str(int32_t code);
/* The status of the last failure on this thread (0 if none yet). */
int32_t cobalt_last_status(void);
/* Copies the last error message of this thread into buf (NUL-terminated when it fits);
 * returns its full length in bytes. */
int32_t cobalt_last_error(uint8_t *buf, int32_t cap);
/* Does nothing; returns 0. Measures the cost of a call. */
int32_t cobalt_noop(void);
/* Panics inside the guard on purpose; returns COBALT_PANIC. */
int32_t cobalt_debug_panic(void);
/* out[0] = live tensor handles, out[1] = bytes owned, out[2] = adopted or mapped bytes in use,
 * out[3] = cached bytes (freed large buffers kept for reuse). */
int32_t cobalt_memory(int64_t out[4]);
/* Frees the cached large buffers back to the system. */
void cobalt_empty_cache(void);
/* bytes (a whole number >= 0) of uninitialised memory aligned to 16, for arguments a host passes
 * through the library's own memory (the WebAssembly build); NULL on failure (OUT_OF_MEMORY,
 * INVALID_ARGUMENT). Free it with cobalt_scratch_free and the same size. */
void *cobalt_scratch_alloc(double bytes);
/* Frees memory from cobalt_scratch_alloc(bytes); NULL is ignored. */
void cobalt_scratch_free(void *scratch, double bytes);
/* Caps the bytes of live cobalt-owned storage (checked before every allocation; a failure is
 * COBALT_OUT_OF_MEMORY). bytes: a whole number > 0, or +infinity for no cap. */
int32_t cobalt_set_memory_limit(double bytes);
/* Sets the cap from text as COBALT_MEMORY_LIMIT is read ("8G", "512MiB", "50%", "none"), for hosts
 * whose environment the library cannot read (WebAssembly); INVALID_ARGUMENT if not understood. */
int32_t cobalt_set_memory_limit_text(const uint8_t *text, int32_t len);
/* The cap (+infinity: none). Default: COBALT_MEMORY_LIMIT ("8G", "50%", "none"), else 3/4 of the
 * physical memory (or of a lower cgroup limit). */
double cobalt_memory_limit(void);
/* The bytes of t's storage when no other tensor shares it (what freeing t would free), else 0;
 * -1 for a bad handle. */
double cobalt_owned_bytes(const cobalt_tensor *t);

/* ---- references ---------------------------------------------------------------------- */

void cobalt_retain(const cobalt_tensor *t);
void cobalt_release(const cobalt_tensor *t);
/* The reference count of t (for tests); -1 for NULL. */
int32_t cobalt_refcount(const cobalt_tensor *t);
/* A deallocator that releases the handle passed as ctx (for external buffer views). */
cobalt_view_deallocator_fn cobalt_view_deallocator(void);
/* Records that this thread owns one reference to t: if the thread exits still owning it (a JS
 * Worker terminated before its finalizers ran), it is released then. */
int32_t cobalt_thread_own(const cobalt_tensor *t);
/* cobalt_release for a reference recorded with cobalt_thread_own on this thread. */
void cobalt_thread_release(const cobalt_tensor *t);

/* ---- creation ------------------------------------------------------------------------ */

/* A contiguous copy of data (numel(shape) * dtype size bytes). */
cobalt_tensor *cobalt_from_data(int32_t dtype, const int64_t *shape, int32_t ndim, const void *data);
/* A tensor over caller memory, without copying; release(ctx) runs when the last user dies.
 * data must be aligned for the dtype and stay valid until then. release may be NULL. */
cobalt_tensor *cobalt_from_external(int32_t dtype, const int64_t *shape, int32_t ndim, void *data,
                                    cobalt_release_fn release, void *ctx);
/* Like cobalt_from_external, for a binding that must keep the memory alive itself (a JS buffer):
 * the memory is tagged with a nonzero id, which cobalt_adoptions_released reports once the last
 * tensor using it (view, result, job: any thread) has died. Keep the memory valid until then. */
cobalt_tensor *cobalt_adopt(int32_t dtype, const int64_t *shape, int32_t ndim, void *data, uint32_t id);
/* The adoption id of t's storage, or 0 if it is not adopted memory. */
uint32_t cobalt_adoption(const cobalt_tensor *t);
/* Moves ids of adopted storages that died since the last call into out (at most cap); returns
 * the count (call again while it returns cap). */
int32_t cobalt_adoptions_released(uint32_t *out, int32_t cap);
cobalt_tensor *cobalt_full(int32_t dtype, const int64_t *shape, int32_t ndim, double value);
/* numpy.arange(start, stop, step). */
cobalt_tensor *cobalt_arange(int32_t dtype, double start, double stop, double step);
/* numpy.linspace(start, stop, n); n is a whole number passed as a double. */
cobalt_tensor *cobalt_linspace(int32_t dtype, double start, double stop, double n);
/* Uniform [0, 1) (flags & 1: standard normal) of a float dtype; flags & 2: seeded with
 * seed_hi:seed_lo (reproducible everywhere), else a fresh seed. */
cobalt_tensor *cobalt_random(int32_t dtype, const int64_t *shape, int32_t ndim, uint32_t seed_lo,
                             uint32_t seed_hi, int32_t flags);

/* ---- inspection ---------------------------------------------------------------------- */

/* The dtype code, or -status on error. */
int32_t cobalt_dtype(const cobalt_tensor *t);
/* Writes up to cap dims into out; returns ndim, or -status on error. */
int32_t cobalt_shape(const cobalt_tensor *t, int64_t *out, int32_t cap);
/* Writes up to cap strides (in elements) into out; returns ndim, or -status on error. */
int32_t cobalt_strides(const cobalt_tensor *t, int64_t *out, int32_t cap);
/* 1 if row-major contiguous, 0 if not, -status on error. */
int32_t cobalt_is_contiguous(const cobalt_tensor *t);
/* Pointer to the first element (NULL on error). */
void *cobalt_data(const cobalt_tensor *t);
/* The base of the storage behind t (shared by its views). out[0] = storage bytes, out[1] = byte
 * offset of t's first element in it, out[2] = the base address as an integer. */
void *cobalt_storage(const cobalt_tensor *t, int64_t out[3]);
/* Copies the elements, row-major, into dst (numel * dtype size bytes). */
int32_t cobalt_copy_out(const cobalt_tensor *t, void *dst);

/* ---- ops (each returns a new tensor or NULL) ------------------------------------------ */

/* a op b with numpy broadcasting and type promotion. */
cobalt_tensor *cobalt_binary(int32_t op, const cobalt_tensor *a, const cobalt_tensor *b);
/* a op s, or s op a when scalar_first != 0; the result keeps a's dtype. */
cobalt_tensor *cobalt_binary_scalar(int32_t op, const cobalt_tensor *a, double s, int32_t scalar_first);
cobalt_tensor *cobalt_unary(int32_t op, const cobalt_tensor *a);
/* Reduces over naxes axes (negative axes count from the end); naxes < 0 reduces over all.
 * ddof: delta degrees of freedom of COBALT_VAR / COBALT_STD. */
cobalt_tensor *cobalt_reduce(int32_t op, const cobalt_tensor *a, const int32_t *axes, int32_t naxes,
                             int32_t keepdims, double ddof);
/* A scan along axis; flatten != 0 scans the flattened tensor (axis ignored). */
cobalt_tensor *cobalt_scan(int32_t op, const cobalt_tensor *a, int32_t axis, int32_t flatten);
/* Matrix product of 1-D/2-D tensors (numpy rules). */
cobalt_tensor *cobalt_matmul(const cobalt_tensor *a, const cobalt_tensor *b);
/* Another shape (one dim may be -1): a view when a is contiguous, else a copy. */
cobalt_tensor *cobalt_reshape(const cobalt_tensor *a, const int64_t *shape, int32_t ndim);
/* A view with dims permuted; n < 0 reverses them (transpose). */
cobalt_tensor *cobalt_permute(const cobalt_tensor *a, const int32_t *perm, int32_t n);
/* a itself (shared) when contiguous, else a contiguous copy. */
cobalt_tensor *cobalt_contiguous(const cobalt_tensor *a);
/* A contiguous copy in new storage (never shared). */
cobalt_tensor *cobalt_clone(const cobalt_tensor *a);
/* A copy converted to dtype (shared when the dtype is unchanged). */
cobalt_tensor *cobalt_astype(const cobalt_tensor *a, int32_t dtype);
/* A view broadcast to shape (stride 0 on stretched dims). */
cobalt_tensor *cobalt_expand(const cobalt_tensor *a, const int64_t *shape, int32_t ndim);
/* A view with shape and strides (elements; may be 0 or negative) starting offset elements after
 * a's first element (a whole number as a double); refused unless it stays inside the storage. */
cobalt_tensor *cobalt_as_strided(const cobalt_tensor *a, const int64_t *shape, const int64_t *strides,
                                 int32_t ndim, double offset);
/* Joins n tensors along axis (dtypes promote). */
cobalt_tensor *cobalt_concat(const cobalt_tensor *const *ts, int32_t n, int32_t axis);
/* numpy take(a, idx, axis): shape a.shape[:axis] + idx.shape + a.shape[axis+1:]. */
cobalt_tensor *cobalt_index_select(const cobalt_tensor *a, int32_t axis, const cobalt_tensor *idx);
/* torch gather along axis; index has a's ndim. */
cobalt_tensor *cobalt_gather(const cobalt_tensor *a, int32_t axis, const cobalt_tensor *index);
/* torch scatter (add = 0) / scatter_add (add != 0), out of place: a copy of a with src's elements
 * written (or added) along axis where index says; index has a's ndim, each dim <= src's (and <= a's
 * except along axis); a 0-d src is every element; duplicates: last write wins / all add. */
cobalt_tensor *cobalt_scatter(const cobalt_tensor *a, int32_t axis, const cobalt_tensor *index,
                              const cobalt_tensor *src, int32_t add);
/* cond ? a : b with three-way broadcasting. */
cobalt_tensor *cobalt_where(const cobalt_tensor *cond, const cobalt_tensor *a, const cobalt_tensor *b);
/* int64 indices sorting a along axis (stable, NaN largest). */
cobalt_tensor *cobalt_argsort(const cobalt_tensor *a, int32_t axis, int32_t descending);
/* torch conv1d (spatial 1: input (N, C, L) or (C, L), weight (O, C/groups, K)) and conv2d (spatial 2:
 * input (N, C, H, W) or (C, H, W), weight (O, C/groups, kH, kW)); bias (O,) or NULL. params: 7 values
 * stride h, w; padding h, w (both -1: "same", stride 1 only); dilation h, w; groups (conv1d reads
 * the w entries). The result has the promoted dtype; integers wrap, as numpy's matmul. */
cobalt_tensor *cobalt_conv(const cobalt_tensor *input, const cobalt_tensor *weight, const cobalt_tensor *bias,
                           int32_t spatial, const int64_t *params);
/* torch max_pool2d (kind 0; kind 2: its return_indices, int64 flat indices in each H x W plane) and
 * avg_pool2d (kind 1) of (N, C, H, W) or (C, H, W). params: 9 values kernel
 * h, w; stride h, w; padding h, w (at most half the kernel); dilation h, w (1 for avg); the divisor
 * of every window (avg's divisor_override; 0: none). Max keeps the dtype (padding is -inf, NaN
 * propagates); avg gives float64 for integers. */
cobalt_tensor *cobalt_pool2d(int32_t kind, const cobalt_tensor *input, const int64_t *params, int32_t ceil_mode,
                             int32_t count_include_pad);

/* ---- in place --------------------------------------------------------------------------- */

/* Writes src (broadcast to dst's shape, converted to its dtype) into dst, which may be a view. */
int32_t cobalt_copy_into(const cobalt_tensor *dst, const cobalt_tensor *src);

/* ---- files ------------------------------------------------------------------------------ */

/* A 1-D uint8 tensor over a private copy-on-write mapping of the file at path (UTF-8, len bytes);
 * unmapped when the last view dies. Writes through views never reach the file. */
cobalt_tensor *cobalt_map_file(const uint8_t *path, int32_t len);
/* A contiguous view of a's storage bytes from byte_offset (a whole number as a double) as dtype
 * with shape; refused unless it fits the storage and is aligned for the dtype. */
cobalt_tensor *cobalt_reinterpret(const cobalt_tensor *a, int32_t dtype, const int64_t *shape, int32_t ndim,
                                  double byte_offset);
/* A contiguous copy with each element's bytes reversed (endianness). */
cobalt_tensor *cobalt_byteswap(const cobalt_tensor *a);

/* ---- async jobs and the thread pool ----------------------------------------------------
 * An async call starts the op on the native pool and returns a job (NULL on an immediate error).
 * The job keeps its inputs alive and marks them borrowed: cobalt_copy_into on them fails with
 * COBALT_BORROWED until the job ends. Release every job with cobalt_job_release. */

/* 1 when finished, 0 while running, -status on error; never blocks. */
int32_t cobalt_job_poll(const cobalt_job *j);
/* Blocks until the job has finished; returns 0. */
int32_t cobalt_job_wait(const cobalt_job *j);
/* The result (once; waits if needed): a new handle, or NULL with the job's error recorded. */
cobalt_tensor *cobalt_job_result(const cobalt_job *j);
void cobalt_job_release(const cobalt_job *j);
cobalt_job *cobalt_matmul_async(const cobalt_tensor *a, const cobalt_tensor *b);
cobalt_job *cobalt_binary_async(int32_t op, const cobalt_tensor *a, const cobalt_tensor *b);
cobalt_job *cobalt_unary_async(int32_t op, const cobalt_tensor *a);
cobalt_job *cobalt_reduce_async(int32_t op, const cobalt_tensor *a, const int32_t *axes, int32_t naxes,
                                int32_t keepdims, double ddof);
cobalt_job *cobalt_astype_async(const cobalt_tensor *a, int32_t dtype);
cobalt_job *cobalt_contiguous_async(const cobalt_tensor *a);
/* The native pool: COBALT_NUM_THREADS, else the available cores. */
int32_t cobalt_num_threads(void);
int32_t cobalt_set_num_threads(int32_t n);

/* ---- sharing with other threads ------------------------------------------------------ */

/* Hands one reference to t to another thread: a token (a whole number < 2^53) that
 * cobalt_from_shared redeems exactly once, on any thread; 0 on failure. Adopted memory
 * (cobalt_adopt) is copied first. */
double cobalt_share(const cobalt_tensor *t);
/* Redeems a token: the tensor (+1), or NULL (COBALT_INVALID_ARGUMENT) for an unknown or
 * already redeemed token. Never releases twice. */
cobalt_tensor *cobalt_from_shared(double token);
/* Drops an unredeemed token and its reference: 1 if it was outstanding, else 0. */
int32_t cobalt_unshare(double token);

/* ---- linear algebra ---------------------------------------------------------------------- */

/* Decompositions for cobalt_linalg (append-only). The last two dims are the matrix, leading dims
 * a batch; float32 stays float32, float64 float64, integers and bool compute in float64;
 * float16/bfloat16 fail with COBALT_DTYPE. A singular matrix (solve, inv), one not positive
 * definite (cholesky) or no convergence (svd, eigh) fails with COBALT_LINALG. */
#define COBALT_LINALG_SOLVE 0    /* a (..., n, n), b (..., n, k): x; batch dims broadcast */
#define COBALT_LINALG_INV 1      /* the inverse */
#define COBALT_LINALG_DET 2      /* the determinant (0 for a singular matrix) */
#define COBALT_LINALG_SLOGDET 3  /* sign, then output 1: log|det| (sign 0, -inf when singular) */
#define COBALT_LINALG_CHOLESKY 4 /* lower factor (reads the lower triangle); flags 1: upper */
#define COBALT_LINALG_QR 5       /* flags 0 reduced, 1 complete: q, then output 1: r; 2: r only */
#define COBALT_LINALG_SVD 6      /* flags 1 full, 2 vectors: u, output 1: s, 2: vh; no vectors: s */
#define COBALT_LINALG_EIGH 7     /* flags 1 upper, 2 vectors: eigenvalues (ascending), output 1: vectors */

/* The decomposition op of a (and b, else NULL, for COBALT_LINALG_SOLVE) with flags; returns its
 * first output. The others wait, per thread, for cobalt_linalg_output until the next call. */
cobalt_tensor *cobalt_linalg(int32_t op, const cobalt_tensor *a, const cobalt_tensor *b, int32_t flags);
/* Takes output i (1, 2) of this thread's last successful cobalt_linalg call, once; NULL
 * (COBALT_INVALID_ARGUMENT) when there is none. */
cobalt_tensor *cobalt_linalg_output(int32_t i);

#ifdef __cplusplus
}
#endif

#endif /* COBALT_H */
