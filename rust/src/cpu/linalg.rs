//! Batched matrix product kernels over contiguous row-major operands: the packed SIMD [`super::gemm`]
//! for float32 and float64, a row-parallel loop for the integer types. numpy's `matmul` shape
//! rules are the op layer's ([`crate::ops::linalg`]).

use super::gemm::{gemm, GemmFloat};
use super::math::Num;

/// `o[b] = x[b] @ y[b]` for `nbatch` row-major products of (m x k) and (k x n), stored one after
/// another, with the GEMM kernels of this CPU.
pub fn matmul_float<T: GemmFloat>(nbatch: usize, m: usize, k: usize, n: usize, xs: &[T], ys: &[T], o: &mut [T]) {
    let batch_of = |bi: usize, len: usize| bi * len..(bi + 1) * len;
    if m * n * k <= SMALL_PRODUCT {
        // small products (e.g. a batch of 16x16 matrices): packing costs more than the product, so
        // each is one direct vectorised loop, and the batch is split across the pool
        let op = o.as_mut_ptr() as usize;
        let body = |r: std::ops::Range<usize>| {
            for bi in r {
                // SAFETY: each product writes its own (m x n) block of `o`.
                let c = unsafe { std::slice::from_raw_parts_mut((op as *mut T).add(bi * m * n), m * n) };
                super::simd_loops::run_best(SmallGemm {
                    a: &xs[batch_of(bi, m * k)],
                    b: &ys[batch_of(bi, k * n)],
                    c,
                    k,
                    n,
                });
            }
        };
        let per = (m * n * k).max(1);
        if nbatch * per >= 1 << 16 {
            crate::pool::parallel_for(nbatch, (1 << 15) / per + 1, &body);
        } else {
            body(0..nbatch);
        }
        return;
    }
    let simd = super::features::level();
    if nbatch >= 2 && m * n * k <= BATCH_PARALLEL_MAX {
        // a batch of mid-size products: one product per thread at a time (splitting each one
        // across the pool costs a hand-off per packed block); the GEMM's own pool calls then
        // find the pool busy and run on their caller
        let op = o.as_mut_ptr() as usize;
        crate::pool::parallel_for(nbatch, 1, &|r| {
            for bi in r {
                // SAFETY: each product writes its own (m x n) block of `o`.
                let c = unsafe { std::slice::from_raw_parts_mut((op as *mut T).add(bi * m * n), m * n) };
                gemm::<T>(simd, m, n, k, &xs[batch_of(bi, m * k)], &ys[batch_of(bi, k * n)], c);
            }
        });
        return;
    }
    for bi in 0..nbatch {
        gemm::<T>(simd, m, n, k, &xs[batch_of(bi, m * k)], &ys[batch_of(bi, k * n)], &mut o[batch_of(bi, m * n)]);
    }
}

/// Up to this many multiply-adds per product, a batch runs its products in parallel (one per
/// thread) rather than each product across the pool.
const BATCH_PARALLEL_MAX: usize = 1 << 22;

/// [`matmul_float`] for the integer compute types (wrapping, as numpy): rows of all batches in
/// parallel on the shared pool (chunks of >= ~64k multiply-adds).
pub fn matmul_int<T: Num>(nbatch: usize, m: usize, k: usize, n: usize, xs: &[T], ys: &[T], o: &mut [T]) {
    o.iter_mut().for_each(|v| *v = T::zero());
    let op = o.as_mut_ptr() as usize;
    let rows = nbatch * m;
    let min_rows = (65_536 / (k * n).max(1)).max(1);
    crate::pool::parallel_for(rows, min_rows, &|r| {
        for row in r {
            let (bi, i) = (row / m, row % m);
            // SAFETY: each row of `o` is written by exactly one chunk.
            let c = unsafe { std::slice::from_raw_parts_mut((op as *mut T).add(row * n), n) };
            gemm_row(&xs[bi * m * k + i * k..bi * m * k + (i + 1) * k], &ys[bi * k * n..(bi + 1) * k * n], c, k, n);
        }
    });
}

/// One output row: `c += a_row @ b` for `a_row` (k), row-major `b` (k x n), `c` (n). The p-j order
/// streams rows of `b` so the inner loop vectorises.
fn gemm_row<T: Num>(a: &[T], b: &[T], c: &mut [T], k: usize, n: usize) {
    for p in 0..k {
        let s = a[p];
        for (d, &w) in c.iter_mut().zip(&b[p * n..(p + 1) * n]) {
            *d = d.add(s.mul(w));
        }
    }
}

/// Products of at most this many multiply-adds take the direct loop ([`SmallGemm`]).
const SMALL_PRODUCT: usize = 1 << 15;

/// `c = a @ b` for one small row-major product: blocks of 4 rows x 16 columns of `c` accumulate in
/// registers over `k` (four independent chains), the leftover rows and columns one at a time. The
/// loops have constant trip counts so the accumulators stay in vector registers (compiled per
/// instruction set by `run_best`).
struct SmallGemm<'a, T> {
    a: &'a [T],
    b: &'a [T],
    c: &'a mut [T],
    k: usize,
    n: usize,
}

impl<T: Num> super::simd_loops::Kernel for SmallGemm<'_, T> {
    type Out = ();
    #[inline(always)]
    fn run(self) {
        const R: usize = 4;
        const W: usize = 16;
        let (a, b, c, k, n) = (self.a, self.b, self.c, self.k, self.n);
        let m = c.len().checked_div(n).unwrap_or(0);
        let full_cols = n / W * W;
        let mut i = 0;
        while i < m {
            let rows = R.min(m - i);
            for j0 in (0..full_cols).step_by(W) {
                let mut acc = [[T::zero(); W]; R];
                for p in 0..k {
                    let bb: &[T; W] = b[p * n + j0..p * n + j0 + W].try_into().expect("W columns");
                    for (r, acc_r) in acc.iter_mut().enumerate().take(rows) {
                        let s = a[(i + r) * k + p];
                        for t in 0..W {
                            acc_r[t] = acc_r[t].add(s.mul(bb[t]));
                        }
                    }
                }
                for (r, acc_r) in acc.iter().enumerate().take(rows) {
                    c[(i + r) * n + j0..(i + r) * n + j0 + W].copy_from_slice(acc_r);
                }
            }
            for r in i..i + rows {
                for j in full_cols..n {
                    let mut v = T::zero();
                    for p in 0..k {
                        v = v.add(a[r * k + p].mul(b[p * n + j]));
                    }
                    c[r * n + j] = v;
                }
            }
            i += rows;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::features::{available, force};

    /// The direct loop for small products (every shape up to 33 on a side, batched) and the packed
    /// GEMM above it agree with a float64 triple loop on every instruction set.
    #[test]
    fn small_and_packed_products_match_the_triple_loop() {
        let val = |i: usize, s: usize| ((i * 7919 + s * 104_729) % 1013) as f32 / 250.0 - 2.0;
        for level in available() {
            force(Some(level));
            for &(m, k, n) in &[
                (1, 1, 1),
                (4, 16, 16),
                (5, 3, 17),
                (16, 16, 16),
                (33, 7, 31),
                (3, 0, 4),
                (0, 5, 2),
                (2, 40, 1),
                (40, 40, 40),
            ] {
                let nbatch = 3;
                let xs: Vec<f32> = (0..nbatch * m * k).map(|i| val(i, 1)).collect();
                let ys: Vec<f32> = (0..nbatch * k * n).map(|i| val(i, 2)).collect();
                let mut o = vec![f32::NAN; nbatch * m * n];
                matmul_float(nbatch, m, k, n, &xs, &ys, &mut o);
                for bi in 0..nbatch {
                    for i in 0..m {
                        for j in 0..n {
                            let want: f64 = (0..k)
                                .map(|p| xs[bi * m * k + i * k + p] as f64 * ys[bi * k * n + p * n + j] as f64)
                                .sum();
                            let got = o[bi * m * n + i * n + j] as f64;
                            assert!(
                                (got - want).abs() <= 1e-4 * (1.0 + want.abs()),
                                "{level:?} {m}x{k}x{n} [{bi},{i},{j}]: {got} vs {want}"
                            );
                        }
                    }
                }
            }
        }
        force(None);
    }
}
