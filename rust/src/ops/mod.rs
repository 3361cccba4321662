//! Ops on tensors: numpy's shape, axis and dtype rules, the outputs' allocation, and the calls
//! into the kernels of [`crate::cpu`] with each input's storage elements and layout. Outputs are
//! fresh contiguous tensors; inputs may be strided or broadcast. float16 and bfloat16 are
//! converted to float32 to compute.
//!
//! - [`elementwise`]: unary and binary ops with broadcasting and numpy promotion
//! - [`reduce`]: reductions over axes, scans (cumsum, softmax) along one axis
//! - [`linalg`]: batched matmul
//! - [`conv`]: conv1d / conv2d (im2col + GEMM), max and average pooling
//! - [`decomp`]: numpy.linalg's decompositions (solve, inv, det, cholesky, qr, svd, eigh)
//! - [`index`]: concat, index_select, gather, where, argsort, copy_into
//! - here: copies and casts, seeded random tensors

pub mod conv;
pub mod decomp;
pub mod elementwise;
pub mod index;
pub mod linalg;
pub mod reduce;

pub use elementwise::{binary, binary_scalar, scalar_dtype, unary};
pub use index::{argsort, concat, copy_into, gather, index_select, scatter, where_};
pub use linalg::matmul;
pub use reduce::{reduce, scan};

use crate::cpu;
use crate::dispatch;
use crate::dtype::{DType, Elem};
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use std::borrow::Cow;

/// A fresh contiguous tensor of `O` with `shape`, its elements written by `kernel` (which must
/// write every one: the memory may hold stale values, see [`Tensor::empty`]).
pub(crate) fn fresh<O: Elem>(shape: &[usize], kernel: impl FnOnce(&mut [O])) -> Result<Tensor> {
    let out = Tensor::empty(O::DTYPE, shape)?;
    // SAFETY: `out` is fresh and unshared.
    kernel(unsafe { out.slice_mut::<O>() });
    Ok(out)
}

/// A contiguous copy of any layout.
pub fn copy_contiguous(a: &Tensor) -> Result<Tensor> {
    dispatch!(a.dtype(), T => fresh::<T>(a.shape(), |o| {
        let (x, l) = a.view::<T>();
        cpu::map(x, l, o, |v: T| v)
    }))
}

/// A contiguous copy converted to `dtype` (numpy `astype` rules, see [`Elem`]).
pub fn cast(a: &Tensor, dtype: DType) -> Result<Tensor> {
    if a.dtype() == dtype {
        return copy_contiguous(a);
    }
    dispatch!(a.dtype(), S => dispatch!(dtype, D => fresh::<D>(a.shape(), |o| {
        let (x, l) = a.view::<S>();
        cpu::cast::<S, D>(x, l, o)
    })))
}

/// `a` itself when it has `dtype` already, else a converted copy.
pub(crate) fn as_dtype(a: &Tensor, dtype: DType) -> Result<Cow<'_, Tensor>> {
    Ok(if a.dtype() == dtype { Cow::Borrowed(a) } else { Cow::Owned(cast(a, dtype)?) })
}

/// `a` itself when it is `dtype` and contiguous, else a contiguous converted copy.
pub(crate) fn contiguous_as(a: &Tensor, dtype: DType) -> Result<Cow<'_, Tensor>> {
    Ok(if a.dtype() == dtype && a.is_contiguous() { Cow::Borrowed(a) } else { Cow::Owned(cast(a, dtype)?) })
}

/// `t` converted to `dtype` when it is not already (the last step of a kernel computing in a wider type).
pub(crate) fn finish(t: Tensor, dtype: DType) -> Result<Tensor> {
    if t.dtype() == dtype {
        Ok(t)
    } else {
        cast(&t, dtype)
    }
}

/// The inverse of the permutation `perm`.
pub(crate) fn inverse(perm: &[usize]) -> Vec<usize> {
    let mut inv = vec![0; perm.len()];
    for (i, &p) in perm.iter().enumerate() {
        inv[p] = i;
    }
    inv
}

/// Seeded random numbers of a float `dtype` (see [`cpu::random`]): `normal == false`, uniform in
/// [0, 1); `true`, standard normal.
pub fn random(dtype: DType, shape: &[usize], seed: u64, normal: bool) -> Result<Tensor> {
    if !dtype.is_float() {
        return Err(Error::DType(format!("rand: dtype must be a float type, got {}", dtype.name())));
    }
    // NOTE: values are drawn in float64 and rounded once into the output as they are made: no
    // float64 temporary (rand([2**31]) of float32 needs 8 GiB, not 8 + 16).
    dispatch!(dtype, T => fresh::<T>(shape, |o| cpu::random::fill(o, seed, normal)))
}

#[cfg(test)]
mod tests {
    use crate::cpu::features::{available, force};
    use crate::op::{BinaryOp, ReduceOp, UnaryOp};
    use crate::tensor::Tensor;

    /// Binary and unary ops over transposed, permuted, flipped, narrowed and broadcast views (the
    /// tiled and row-wise loops) give what the same op gives on contiguous copies.
    #[test]
    fn strided_and_broadcast_operands_match_contiguous_copies() {
        let mk = |shape: &[usize], seed: usize| {
            let n: usize = shape.iter().product();
            let x: Vec<f32> = (0..n).map(|i| ((i * 7919 + seed * 31) % 1009) as f32 / 100.0 - 5.0).collect();
            Tensor::from_vec(shape, &x).unwrap()
        };
        let big = mk(&[3, 130, 70], 1);
        let other = mk(&[3, 130, 70], 2);
        let flipped = mk(&[3, 70, 130], 3).as_strided(&[3, 70, 130], &[9100, 130, -1], 129).unwrap();
        // views of shape [3, 70, 130] (or broadcasting to it)
        let views = [
            big.permute(&[0, 2, 1]).unwrap(),                           // unit stride on dim 1
            other.permute(&[0, 2, 1]).unwrap(),                         // the same layout
            flipped.clone(),                                            // negative last stride
            flipped.permute(&[0, 1, 2]).unwrap().contiguous().unwrap(), // contiguous
            mk(&[70, 1], 4).expand(&[3, 70, 130]).unwrap(),             // a column, broadcast
            mk(&[130], 5).expand(&[3, 70, 130]).unwrap(),               // a row, broadcast
            mk(&[3, 200, 140], 6).narrow(1, 7, 70).unwrap().narrow(2, 3, 130).unwrap(), // offsets
            mk(&[130, 3, 70], 7).permute(&[1, 2, 0]).unwrap(),          // unit stride on dim 1, planes strided
        ];
        for level in available() {
            force(Some(level));
            for (i, a) in views.iter().enumerate() {
                let ac = a.contiguous().unwrap();
                let want = super::unary(UnaryOp::Exp, &ac).unwrap().to_f64_vec();
                assert_eq!(super::unary(UnaryOp::Exp, a).unwrap().to_f64_vec(), want, "{level:?} exp of view {i}");
                for (j, b) in views.iter().enumerate() {
                    let bc = b.contiguous().unwrap();
                    for op in [BinaryOp::Sub, BinaryOp::Maximum] {
                        let want = super::binary(op, &ac, &bc).unwrap().to_f64_vec();
                        let got = super::binary(op, a, b).unwrap().to_f64_vec();
                        assert_eq!(got, want, "{level:?} {op:?} of views {i} and {j}");
                    }
                }
            }
        }
        force(None);
    }

    /// Every instruction set this CPU has gives the same elementwise results and sums as a plain
    /// scalar reference (sizes below and above the parallel threshold).
    #[test]
    fn every_instruction_set_gives_the_reference_results() {
        for n in [1000usize, 300_001] {
            let x: Vec<f32> = (0..n).map(|i| ((i * 7919) % 1000) as f32 / 100.0 - 5.0).collect();
            let y: Vec<f32> = (0..n).map(|i| ((i * 104_729) % 997) as f32 / 50.0 - 9.0).collect();
            let (a, b) = (Tensor::from_vec(&[n], &x).unwrap(), Tensor::from_vec(&[n], &y).unwrap());
            for level in available() {
                force(Some(level));
                let add = super::binary(BinaryOp::Add, &a, &b).unwrap();
                let max = super::binary(BinaryOp::Maximum, &a, &b).unwrap();
                let sq = super::unary(UnaryOp::Sqrt, &super::unary(UnaryOp::Abs, &a).unwrap()).unwrap();
                let (add, max, sq) = (add.as_slice::<f32>(), max.as_slice::<f32>(), sq.as_slice::<f32>());
                for i in 0..n {
                    assert_eq!(add[i], x[i] + y[i], "{level:?} add {i}");
                    assert_eq!(max[i], x[i].max(y[i]), "{level:?} maximum {i}");
                    assert_eq!(sq[i], x[i].abs().sqrt(), "{level:?} sqrt {i}");
                }
                let s = super::reduce(ReduceOp::Sum, &a, None, false, 0.0).unwrap().to_f64_vec()[0];
                let want: f64 = x.iter().map(|&v| v as f64).sum();
                assert!((s - want).abs() <= 1e-5 * want.abs().max(1.0), "{level:?} sum {s} vs {want}");
                // exp: within 2 ulp of the correctly rounded value
                let e = super::unary(UnaryOp::Exp, &a).unwrap();
                for (i, (&g, &v)) in e.as_slice::<f32>().iter().zip(&x).enumerate() {
                    let w = (v as f64).exp() as f32;
                    assert!((g.to_bits() as i64 - w.to_bits() as i64).abs() <= 2, "{level:?} exp {i}: {g} vs {w}");
                }
                // max and min, and the integer and float64 paths of sum
                let red = |op, t: &Tensor| super::reduce(op, t, None, false, 0.0).unwrap().to_f64_vec()[0];
                let (mx, mn) = x.iter().fold((f32::MIN, f32::MAX), |(a, b), &v| (a.max(v), b.min(v)));
                assert_eq!(red(ReduceOp::Max, &a), mx as f64, "{level:?} max");
                assert_eq!(red(ReduceOp::Min, &a), mn as f64, "{level:?} min");
                let xi: Vec<i64> = (0..n as i64).map(|i| (i * 7919) % 1000 - 500).collect();
                let ai = Tensor::from_vec(&[n], &xi).unwrap();
                assert_eq!(red(ReduceOp::Sum, &ai), xi.iter().sum::<i64>() as f64, "{level:?} int sum");
                assert_eq!(red(ReduceOp::Max, &ai), *xi.iter().max().unwrap() as f64, "{level:?} int max");
                let xd: Vec<f64> = x.iter().map(|&v| v as f64 * 1.000_001).collect();
                let ad = Tensor::from_vec(&[n], &xd).unwrap();
                let want: f64 = xd.iter().sum();
                assert!((red(ReduceOp::Sum, &ad) - want).abs() <= 1e-9 * want.abs().max(1.0), "{level:?} f64 sum");
                // argmax/argmin find the first extreme; var in float64; a long cumsum in parts
                let idx = |op, t: &Tensor| super::reduce(op, t, None, false, 0.0).unwrap().to_f64_vec()[0] as usize;
                let first = |want: f32| x.iter().position(|&v| v == want).unwrap();
                assert_eq!(idx(ReduceOp::ArgMax, &a), first(mx), "{level:?} argmax");
                assert_eq!(idx(ReduceOp::ArgMin, &a), first(mn), "{level:?} argmin");
                let mean = x.iter().map(|&v| v as f64).sum::<f64>() / n as f64;
                let var = x.iter().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n as f64;
                assert!((red(ReduceOp::Var, &a) - var).abs() <= 1e-6 * var, "{level:?} var (float32 result)");
                let cs = super::scan(crate::op::ScanOp::CumSum, &ai, None).unwrap().to_f64_vec();
                let mut run = 0i64;
                for (i, &v) in xi.iter().enumerate() {
                    run += v;
                    assert_eq!(cs[i], run as f64, "{level:?} int cumsum {i}");
                }
                let csf = super::scan(crate::op::ScanOp::CumSum, &ad, None).unwrap().to_f64_vec();
                let mut runf = 0.0f64;
                for (i, &v) in xd.iter().enumerate() {
                    runf += v;
                    assert!((csf[i] - runf).abs() <= 1e-9 * (1.0 + runf.abs()), "{level:?} f64 cumsum {i}");
                }
                // a NaN anywhere (head, a full 16-lane chunk, the tail) makes max and min NaN
                for pos in [0, 17, n - 1] {
                    let mut xn = x.clone();
                    xn[pos] = f32::NAN;
                    let an = Tensor::from_vec(&[n], &xn).unwrap();
                    assert!(
                        red(ReduceOp::Max, &an).is_nan() && red(ReduceOp::Min, &an).is_nan(),
                        "{level:?} NaN at {pos}"
                    );
                    assert_eq!(idx(ReduceOp::ArgMax, &an), pos, "{level:?} argmax of NaN at {pos}");
                }
            }
            force(None);
        }
    }

    /// Transposed and permuted copies (the tiled path) match the plain strided walk, for odd
    /// sizes, several planes, negative strides and a cast on the way.
    #[test]
    fn tiled_transposed_copies_match_the_strided_walk() {
        let reference = |t: &Tensor| -> Vec<f64> {
            let (x, l) = t.view::<f32>();
            let mut v = Vec::new();
            crate::layout::for_each_offsets(&l.shape, [&l.strides], [l.offset], |[off]| v.push(x[off] as f64));
            v
        };
        let shape = [3usize, 70, 130];
        let n: usize = shape.iter().product();
        let x: Vec<f32> = (0..n).map(|i| i as f32).collect();
        let a = Tensor::from_vec(&shape, &x).unwrap();
        let flipped = a.as_strided(&[3, 70, 130], &[9100, 130, -1], 129).unwrap();
        let cases = [
            a.permute(&[0, 2, 1]).unwrap(),
            a.permute(&[2, 1, 0]).unwrap(),
            a.permute(&[1, 2, 0]).unwrap(),
            flipped.permute(&[2, 0, 1]).unwrap(),
            a.narrow(2, 5, 100).unwrap().permute(&[0, 2, 1]).unwrap(),
        ];
        for (i, t) in cases.iter().enumerate() {
            let want = reference(t);
            assert_eq!(super::copy_contiguous(t).unwrap().to_f64_vec(), want, "case {i}");
            let as_f64 = super::cast(t, crate::DType::F64).unwrap();
            assert_eq!(as_f64.to_f64_vec(), want, "case {i} cast");
        }
        // the same views of other element types: the register transposes move 4- and 8-byte
        // integers bit for bit (small int32s are float denormals), 1-byte ones go element by element
        for dtype in [crate::DType::F64, crate::DType::I64, crate::DType::I32, crate::DType::U8] {
            let b = super::cast(&a, dtype).unwrap();
            let flipped = b.as_strided(&[3, 70, 130], &[9100, 130, -1], 129).unwrap();
            let views = [
                b.permute(&[0, 2, 1]).unwrap(),
                b.permute(&[2, 1, 0]).unwrap(),
                flipped.permute(&[2, 0, 1]).unwrap(),
                b.narrow(2, 5, 100).unwrap().permute(&[0, 2, 1]).unwrap(),
            ];
            for (i, t) in views.iter().enumerate() {
                let want: Vec<f64> = reference([&cases[0], &cases[1], &cases[3], &cases[4]][i])
                    .into_iter()
                    .map(|v| match dtype {
                        crate::DType::U8 => v.min(255.0), // float to uint8 saturates
                        _ => v,
                    })
                    .collect();
                assert_eq!(super::copy_contiguous(t).unwrap().to_f64_vec(), want, "{dtype:?} case {i}");
            }
        }
    }

    /// Sums and means over leading axes (rows added into the output, in bands across threads)
    /// match a float64 reference, small and large, float32 and int64.
    #[test]
    fn sums_over_leading_axes_match_the_reference() {
        for (shape, axes) in [
            (vec![3usize, 5], vec![0i64]),
            (vec![300, 500], vec![0]),
            (vec![40, 30, 70], vec![0, 1]),
            (vec![2, 3, 4], vec![0, 1, 2]),
        ] {
            let n: usize = shape.iter().product();
            let x: Vec<f32> = (0..n).map(|i| ((i * 7919) % 1000) as f32 / 100.0 - 5.0).collect();
            let a = Tensor::from_vec(&shape, &x).unwrap();
            let k = axes.len();
            let (rows, cols) = (shape[..k].iter().product::<usize>(), shape[k..].iter().product::<usize>());
            let want: Vec<f64> = (0..cols).map(|c| (0..rows).map(|r| x[r * cols + c] as f64).sum()).collect();
            for level in available() {
                force(Some(level));
                let s = super::reduce(ReduceOp::Sum, &a, Some(&axes), false, 0.0).unwrap();
                let m = super::reduce(ReduceOp::Mean, &a, Some(&axes), true, 0.0).unwrap();
                assert_eq!(s.shape(), &shape[k..]);
                assert_eq!(m.shape().len(), shape.len());
                for (c, (&g, &mg)) in s.to_f64_vec().iter().zip(&m.to_f64_vec()).enumerate() {
                    assert!(
                        (g - want[c]).abs() <= 1e-5 * (1.0 + want[c].abs()),
                        "{level:?} {shape:?} sum col {c}: {g} vs {}",
                        want[c]
                    );
                    let wm = want[c] / rows as f64;
                    assert!((mg - wm).abs() <= 1e-5 * (1.0 + wm.abs()), "{level:?} {shape:?} mean col {c}");
                }
                let xi: Vec<i64> = x.iter().map(|&v| (v * 100.0) as i64).collect();
                let ai = Tensor::from_vec(&shape, &xi).unwrap();
                let si = super::reduce(ReduceOp::Sum, &ai, Some(&axes), false, 0.0).unwrap().to_f64_vec();
                for (c, &g) in si.iter().enumerate() {
                    assert_eq!(g, (0..rows).map(|r| xi[r * cols + c]).sum::<i64>() as f64, "{level:?} int sum");
                }
            }
            force(None);
        }
    }
}
