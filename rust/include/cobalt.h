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
 *   row-major and native-endian.
 */
#ifndef COBALT_H
#define COBALT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COBALT_ABI_VERSION 1
#define COBALT_MAX_NDIM 32

/* Status codes (append-only). */
#define COBALT_OK 0
#define COBALT_INVALID_ARGUMENT 1
#define COBALT_SHAPE_MISMATCH 2
#define COBALT_DTYPE 3
#define COBALT_OUT_OF_MEMORY 4
#define COBALT_PANIC 5
#define COBALT_AXIS 6

/* dtypes (append-only). */
#define COBALT_F32 0
#define COBALT_F64 1

/* Binary ops for cobalt_binary / cobalt_binary_scalar (append-only). */
#define COBALT_ADD 0
#define COBALT_SUB 1
#define COBALT_MUL 2
#define COBALT_DIV 3
#define COBALT_POW 4
#define COBALT_MAXIMUM 5
#define COBALT_MINIMUM 6

/* Unary ops for cobalt_unary (append-only). */
#define COBALT_NEG 0
#define COBALT_EXP 1
#define COBALT_LOG 2
#define COBALT_SQRT 3
#define COBALT_ABS 4
#define COBALT_TANH 5
#define COBALT_SIGMOID 6
#define COBALT_RELU 7

/* Reductions for cobalt_reduce (append-only). */
#define COBALT_SUM 0
#define COBALT_MEAN 1
#define COBALT_MAX 2
#define COBALT_MIN 3
#define COBALT_PROD 4

/* An opaque tensor handle. */
typedef struct cobalt_tensor cobalt_tensor;

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
/* out[0] = live tensor handles, out[1] = bytes owned, out[2] = adopted bytes in use. */
int32_t cobalt_memory(int64_t out[3]);

/* ---- references ---------------------------------------------------------------------- */

void cobalt_retain(const cobalt_tensor *t);
void cobalt_release(const cobalt_tensor *t);
/* The reference count of t (for tests); -1 for NULL. */
int32_t cobalt_refcount(const cobalt_tensor *t);
/* A deallocator that releases the handle passed as ctx (for external buffer views). */
cobalt_view_deallocator_fn cobalt_view_deallocator(void);

/* ---- creation ------------------------------------------------------------------------ */

/* A contiguous copy of data (numel(shape) * dtype size bytes). */
cobalt_tensor *cobalt_from_data(int32_t dtype, const int64_t *shape, int32_t ndim, const void *data);
/* A tensor over caller memory, without copying; release(ctx) runs when the last user dies.
 * data must be aligned for the dtype and stay valid until then. release may be NULL. */
cobalt_tensor *cobalt_from_external(int32_t dtype, const int64_t *shape, int32_t ndim, void *data,
                                    cobalt_release_fn release, void *ctx);
cobalt_tensor *cobalt_full(int32_t dtype, const int64_t *shape, int32_t ndim, double value);
/* numpy.arange(start, stop, step). */
cobalt_tensor *cobalt_arange(int32_t dtype, double start, double stop, double step);

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
/* Reduces over naxes axes (negative axes count from the end); naxes < 0 reduces over all. */
cobalt_tensor *cobalt_reduce(int32_t op, const cobalt_tensor *a, const int32_t *axes, int32_t naxes,
                             int32_t keepdims);
/* Matrix product of 1-D/2-D tensors (numpy rules). */
cobalt_tensor *cobalt_matmul(const cobalt_tensor *a, const cobalt_tensor *b);
/* Another shape (one dim may be -1): a view when a is contiguous, else a copy. */
cobalt_tensor *cobalt_reshape(const cobalt_tensor *a, const int64_t *shape, int32_t ndim);
/* A view with dims permuted; n < 0 reverses them (transpose). */
cobalt_tensor *cobalt_permute(const cobalt_tensor *a, const int32_t *perm, int32_t n);
/* a itself (shared) when contiguous, else a contiguous copy. */
cobalt_tensor *cobalt_contiguous(const cobalt_tensor *a);
/* A copy converted to dtype (shared when the dtype is unchanged). */
cobalt_tensor *cobalt_astype(const cobalt_tensor *a, int32_t dtype);

#ifdef __cplusplus
}
#endif

#endif /* COBALT_H */
