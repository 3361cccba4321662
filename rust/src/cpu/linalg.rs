//! Matrix products with numpy's `matmul` rules: 1-D operands gain (and then lose) a unit dim,
//! leading dims are batch dims that broadcast.

use super::math::Num;
use super::{cast, contiguous_as, finish};
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::broadcast_shapes;
use crate::tensor::Tensor;
use crate::{dispatch_float, dispatch_num};

/// `a @ b`.
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    if a.ndim() == 0 || b.ndim() == 0 {
        return Err(Error::shape("matmul", a.shape(), b.shape()));
    }
    let a2 = if a.ndim() == 1 { a.reshape(&[1, a.shape()[0]])? } else { a.clone() };
    let b2 = if b.ndim() == 1 { b.reshape(&[b.shape()[0], 1])? } else { b.clone() };
    let (na, nb) = (a2.ndim(), b2.ndim());
    let (m, k) = (a2.shape()[na - 2], a2.shape()[na - 1]);
    let (k2, n) = (b2.shape()[nb - 2], b2.shape()[nb - 1]);
    if k != k2 {
        return Err(Error::shape("matmul", a.shape(), b.shape()));
    }
    let batch = broadcast_shapes("matmul", &a2.shape()[..na - 2], &b2.shape()[..nb - 2])
        .map_err(|_| Error::shape("matmul", a.shape(), b.shape()))?;
    let common = DType::promote(a.dtype(), b.dtype());
    // bool matmul is "any(a and b)": compute in int64, then test for non-zero
    let ct = if common == DType::Bool { DType::I64 } else { common.compute() };
    let full = |t: &Tensor, r: usize, c: usize| -> Result<Tensor> {
        let mut s: Vec<usize> = batch.to_vec();
        s.extend([r, c]);
        let e = t.expand(&s)?;
        Ok(contiguous_as(&e, ct)?.into_owned())
    };
    let (x, y) = (full(&a2, m, k)?, full(&b2, k, n)?);
    let nbatch: usize = batch.iter().product();
    let mut shape: Vec<usize> = batch.to_vec();
    shape.extend([m, n]);
    let out = Tensor::empty(ct, &shape)?;
    let batch_of = |bi: usize, len: usize| bi * len..(bi + 1) * len;
    match ct {
        DType::F32 | DType::F64 => dispatch_float!(ct, T => {
            let (xs, ys) = (x.as_slice::<T>(), y.as_slice::<T>());
            // SAFETY: fresh and unshared.
            let o = unsafe { out.slice_mut::<T>() };
            let simd = super::features::level();
            for bi in 0..nbatch {
                super::gemm::gemm::<T>(simd, m, n, k, &xs[batch_of(bi, m * k)], &ys[batch_of(bi, k * n)], &mut o[batch_of(bi, m * n)]);
            }
        }, unreachable!()),
        _ => dispatch_num!(ct, T => {
            let (xs, ys) = (x.as_slice::<T>(), y.as_slice::<T>());
            // SAFETY: fresh and unshared.
            let o = unsafe { out.slice_mut::<T>() };
            o.iter_mut().for_each(|v| *v = T::zero());
            let op = o.as_mut_ptr() as usize;
            // rows of all batches in parallel on the shared pool (chunks of >= ~64k multiply-adds)
            let rows = nbatch * m;
            let min_rows = (65_536 / (k * n).max(1)).max(1);
            crate::pool::parallel_for(rows, min_rows, &|r| {
                for row in r {
                    let (bi, i) = (row / m, row % m);
                    // SAFETY: each row of `out` is written by exactly one chunk.
                    let c = unsafe { std::slice::from_raw_parts_mut((op as *mut T).add(row * n), n) };
                    gemm_row(&xs[bi * m * k + i * k..bi * m * k + (i + 1) * k], &ys[bi * k * n..(bi + 1) * k * n], c, k, n);
                }
            });
        }, unreachable!()),
    }
    // drop the unit dims that 1-D operands gained
    let mut final_shape: Vec<usize> = batch.to_vec();
    if a.ndim() > 1 {
        final_shape.push(m);
    }
    if b.ndim() > 1 {
        final_shape.push(n);
    }
    let r = out.reshape(&final_shape)?;
    if common == DType::Bool {
        cast(&r, DType::Bool)
    } else {
        finish(r, common)
    }
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
