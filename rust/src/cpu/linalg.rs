//! Batched matrix product kernels over contiguous row-major operands: the packed SIMD [`super::gemm`]
//! for float32 and float64, a row-parallel loop for the integer types. numpy's `matmul` shape
//! rules are the op layer's ([`crate::ops::linalg`]).

use super::gemm::{gemm, GemmFloat};
use super::math::Num;

/// `o[b] = x[b] @ y[b]` for `nbatch` row-major products of (m x k) and (k x n), stored one after
/// another, with the GEMM kernels of this CPU.
pub fn matmul_float<T: GemmFloat>(nbatch: usize, m: usize, k: usize, n: usize, xs: &[T], ys: &[T], o: &mut [T]) {
    let batch_of = |bi: usize, len: usize| bi * len..(bi + 1) * len;
    let simd = super::features::level();
    for bi in 0..nbatch {
        gemm::<T>(simd, m, n, k, &xs[batch_of(bi, m * k)], &ys[batch_of(bi, k * n)], &mut o[batch_of(bi, m * n)]);
    }
}

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
