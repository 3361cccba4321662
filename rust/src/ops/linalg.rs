//! Matrix products with numpy's `matmul` rules: 1-D operands gain (and then lose) a unit dim,
//! leading dims are batch dims that broadcast. The products are [`crate::cpu::linalg`]'s.

use super::{cast, contiguous_as, finish, fresh};
use crate::cpu::linalg::{matmul_float, matmul_int};
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
    let out = match ct {
        DType::F32 | DType::F64 => dispatch_float!(ct, T => fresh::<T>(&shape, |o| {
            matmul_float(nbatch, m, k, n, x.as_slice::<T>(), y.as_slice::<T>(), o)
        }), unreachable!()),
        _ => dispatch_num!(ct, T => fresh::<T>(&shape, |o| {
            matmul_int(nbatch, m, k, n, x.as_slice::<T>(), y.as_slice::<T>(), o)
        }), unreachable!()),
    }?;
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
