/* A C program against cobalt.h and libcobalt.so: create, ops, references, errors, adoption,
 * panics and cross-thread refcounting. Prints "c: N passed, M failed"; exits 1 on failure.
 * Build: cc -std=c11 -Wall -Wextra -Werror -I include tests/c/abi_test.c -L target/release -lcobalt -lpthread */
#include "cobalt.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int passed, failed;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (cond) {                                                                   \
            passed++;                                                                 \
        } else {                                                                      \
            failed++;                                                                 \
            fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
        }                                                                             \
    } while (0)

static const char *last_error(void) {
    static uint8_t buf[512];
    cobalt_last_error(buf, sizeof buf);
    return (const char *)buf;
}

static int64_t live_tensors(void) {
    int64_t m[4];
    cobalt_memory(m);
    return m[0];
}

static int released;
static void on_release(void *ctx) { released += *(int *)ctx; }

static void *hammer(void *arg) {
    cobalt_tensor *t = arg;
    for (int i = 0; i < 100000; i++) {
        cobalt_retain(t);
        cobalt_release(t);
    }
    return NULL;
}

int main(void) {
    int64_t base = live_tensors();
    CHECK(cobalt_abi_version() == COBALT_ABI_VERSION);
    CHECK(strcmp(cobalt_status_str(COBALT_SHAPE_MISMATCH), "SHAPE_MISMATCH") == 0);
    CHECK(cobalt_noop() == 0);

    /* create and compute: [[1,2],[3,4]] @ [[1,2],[3,4]] + 1 */
    float data[4] = {1, 2, 3, 4};
    int64_t shape[2] = {2, 2};
    cobalt_tensor *a = cobalt_from_data(COBALT_F32, shape, 2, data);
    CHECK(a != NULL);
    cobalt_tensor *m = cobalt_matmul(a, a);
    cobalt_tensor *r = cobalt_binary_scalar(COBALT_ADD, m, 1.0, 0);
    CHECK(r != NULL);
    float out[4];
    CHECK(cobalt_copy_out(r, out) == COBALT_OK);
    CHECK(out[0] == 8 && out[1] == 11 && out[2] == 16 && out[3] == 23);
    int64_t dims[4];
    CHECK(cobalt_shape(r, dims, 4) == 2 && dims[0] == 2 && dims[1] == 2);
    CHECK(cobalt_dtype(r) == COBALT_F32);

    /* reduce along axis -1 with keepdims */
    int32_t axis = -1;
    cobalt_tensor *s = cobalt_reduce(COBALT_SUM, a, &axis, 1, 1, 0);
    CHECK(cobalt_shape(s, dims, 4) == 2 && dims[0] == 2 && dims[1] == 1);
    CHECK(((float *)cobalt_data(s))[1] == 7);

    /* views share storage and hold it after the base is released */
    cobalt_tensor *tr = cobalt_permute(a, NULL, -1);
    CHECK(cobalt_is_contiguous(tr) == 0);
    ((float *)cobalt_data(a))[1] = 20;
    CHECK(cobalt_copy_out(tr, out) == COBALT_OK && out[2] == 20);

    /* references */
    CHECK(cobalt_refcount(a) == 1);
    cobalt_retain(a);
    CHECK(cobalt_refcount(a) == 2);
    cobalt_release(a);
    cobalt_release(NULL); /* no-op */

    /* threads hammer retain/release on one handle */
    pthread_t th[4];
    for (int i = 0; i < 4; i++) pthread_create(&th[i], NULL, hammer, a);
    for (int i = 0; i < 4; i++) pthread_join(th[i], NULL);
    CHECK(cobalt_refcount(a) == 1);

    /* errors: NULL + status + message naming the op and shapes */
    cobalt_tensor *v3 = cobalt_full(COBALT_F64, (int64_t[]){3}, 1, 0.5);
    CHECK(cobalt_binary(COBALT_ADD, a, v3) == NULL);
    CHECK(cobalt_last_status() == COBALT_SHAPE_MISMATCH);
    CHECK(strcmp(last_error(), "add: shapes (2, 2) and (3,) are not compatible") == 0);
    CHECK(cobalt_binary(99, a, a) == NULL && cobalt_last_status() == COBALT_INVALID_ARGUMENT);
    CHECK(cobalt_from_data(99, shape, 2, data) == NULL && cobalt_last_status() == COBALT_DTYPE);
    CHECK(cobalt_full(COBALT_F32, (int64_t[]){1000000000, 1000000000}, 2, 0) == NULL);
    CHECK(cobalt_last_status() == COBALT_OUT_OF_MEMORY);
    CHECK(cobalt_full(COBALT_F32, (int64_t[]){-2}, 1, 0) == NULL);
    CHECK(cobalt_last_status() == COBALT_INVALID_ARGUMENT);
    CHECK(cobalt_unary(COBALT_EXP, NULL) == NULL && cobalt_last_status() == COBALT_INVALID_ARGUMENT);
    CHECK(cobalt_reduce(COBALT_SUM, a, (int32_t[]){5}, 1, 0, 0) == NULL && cobalt_last_status() == COBALT_AXIS);
    CHECK(cobalt_debug_panic() == COBALT_PANIC);
    CHECK(strstr(last_error(), "cobalt_debug_panic was called") != NULL);
    uint8_t small[4];
    CHECK(cobalt_last_error(small, 4) > 4); /* full length reported, buffer not overrun */

    /* as_strided: shape x stride products and sums that wrap in 64 bits cannot sneak a view past
       the storage (4 elements) */
    {
        const int64_t big_s = INT64_MAX - 5, q = (int64_t)1 << 62;
        CHECK(cobalt_as_strided(a, (int64_t[]){2}, &big_s, 1, 2) == NULL);
        CHECK(cobalt_last_status() == COBALT_INVALID_ARGUMENT);
        CHECK(cobalt_as_strided(a, (int64_t[]){2, 2}, (int64_t[]){q, q}, 2, 0) == NULL);
        CHECK(cobalt_as_strided(a, (int64_t[]){2, 2, 2}, (int64_t[]){-q, -q, -q}, 3, 3) == NULL);
        CHECK(cobalt_as_strided(a, (int64_t[]){2}, (int64_t[]){INT64_MIN}, 1, 3) == NULL);
        CHECK(cobalt_as_strided(a, (int64_t[]){1}, (int64_t[]){1}, 1, 9.3e18) == NULL);
        CHECK(cobalt_as_strided(a, (int64_t[]){INT64_MAX, 3}, (int64_t[]){0, 1}, 2, 0) == NULL);
        CHECK(cobalt_last_status() == COBALT_OUT_OF_MEMORY);
        cobalt_tensor *edge = cobalt_as_strided(a, (int64_t[]){2, 1}, (int64_t[]){-3, INT64_MAX}, 2, 3);
        CHECK(edge != NULL && cobalt_copy_out(edge, out) == COBALT_OK && out[0] == 4 && out[1] == 1);
        cobalt_release(edge);
    }

    /* promotion: f32 + f64 -> f64 */
    cobalt_tensor *row = cobalt_full(COBALT_F64, (int64_t[]){2}, 1, 0.25);
    cobalt_tensor *p = cobalt_binary(COBALT_ADD, a, row);
    CHECK(p != NULL && cobalt_dtype(p) == COBALT_F64);
    CHECK(fabs(((double *)cobalt_data(p))[3] - 4.25) < 1e-12);

    /* adopted memory: no copy, release callback once when the last view dies */
    double ext[6] = {1, 2, 3, 4, 5, 6};
    int weight = 1;
    cobalt_tensor *e = cobalt_from_external(COBALT_F64, (int64_t[]){2, 3}, 2, ext, on_release, &weight);
    CHECK(cobalt_data(e) == (void *)ext);
    cobalt_tensor *ev = cobalt_reshape(e, (int64_t[]){-1}, 1);
    CHECK(cobalt_shape(ev, dims, 4) == 1 && dims[0] == 6);
    cobalt_release(e);
    CHECK(released == 0);
    ext[5] = 60;
    cobalt_tensor *mx = cobalt_reduce(COBALT_MAX, ev, NULL, -1, 0, 0);
    CHECK(((double *)cobalt_data(mx))[0] == 60);
    cobalt_release(ev);
    CHECK(released == 1);

    /* async: a job on the pool borrows its inputs until it ends */
    cobalt_tensor *big = cobalt_full(COBALT_F32, (int64_t[]){256, 256}, 2, 0.5);
    cobalt_job *job = cobalt_matmul_async(big, big);
    CHECK(job != NULL);
    cobalt_tensor *zero = cobalt_full(COBALT_F32, (int64_t[]){1}, 1, 0);
    int32_t st = cobalt_copy_into(big, zero);
    CHECK(st == COBALT_BORROWED || (st == COBALT_OK && cobalt_job_poll(job) == 1)); /* unless it already ended */
    CHECK(cobalt_job_wait(job) == 0 && cobalt_job_poll(job) == 1);
    cobalt_tensor *jr = cobalt_job_result(job);
    CHECK(jr != NULL && cobalt_shape(jr, dims, 4) == 2 && dims[0] == 256);
    CHECK(cobalt_job_result(job) == NULL); /* once */
    cobalt_job_release(job);
    CHECK(cobalt_copy_into(big, zero) == COBALT_OK);
    cobalt_job *bad = cobalt_matmul_async(a, v3);
    CHECK(bad != NULL && cobalt_job_result(bad) == NULL && cobalt_last_status() == COBALT_SHAPE_MISMATCH);
    cobalt_job_release(bad);
    int32_t threads = cobalt_num_threads();
    CHECK(threads >= 1 && cobalt_set_num_threads(1) == COBALT_OK && cobalt_num_threads() == 1);
    CHECK(cobalt_set_num_threads(0) == COBALT_INVALID_ARGUMENT && cobalt_set_num_threads(threads) == COBALT_OK);

    cobalt_tensor *all[] = {a, m, r, s, tr, v3, row, p, mx, big, zero, jr};
    for (unsigned i = 0; i < sizeof all / sizeof *all; i++) cobalt_release(all[i]);
    CHECK(live_tensors() == base);

    printf("c: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
