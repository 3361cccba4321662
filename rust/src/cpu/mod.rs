//! CPU kernels. Outputs are fresh contiguous tensors; inputs may be strided or broadcast.
//!
//! - [`elementwise`]: unary and binary ops with broadcasting and numpy promotion
//! - [`reduce`]: reductions over axes, scans (cumsum, softmax) along one axis
//! - [`linalg`]: batched matmul ([`gemm`]: packed SIMD kernels for float32/float64)
//! - [`index`]: concat, index_select, gather, where, argsort, copy_into
//! - [`random`]: seeded uniform and normal generators
//!
//! Contiguous inputs take slice loops the compiler vectorises; strided ones walk their offsets
//! with [`for_each_offsets`]. float16 and bfloat16 are converted to float32 to compute.

pub mod elementwise;
pub mod features;
pub mod gemm;
pub mod index;
pub mod linalg;
pub mod math;
pub mod random;
pub mod reduce;

pub use elementwise::{binary, binary_scalar, unary};
pub use index::{argsort, concat, copy_into, gather, index_select, where_};
pub use linalg::matmul;
pub use reduce::{reduce, scan};

use crate::dispatch;
use crate::dtype::{DType, Elem};
use crate::error::Result;
use crate::layout::for_each_offsets;
use crate::tensor::Tensor;
use std::borrow::Cow;

/// Elementwise loops over at least this many elements are split across the pool (below it the
/// hand-off costs more than it saves; measured on 2 cores: ~64k floats is where it pays).
pub(crate) const PAR_MIN: usize = 1 << 16;

/// Runs `body(range)` over `0..n` on the pool when `n` is large, else inline.
fn chunked(n: usize, body: &(dyn Fn(std::ops::Range<usize>) + Sync)) {
    if n >= PAR_MIN {
        crate::pool::parallel_for(n, PAR_MIN / 4, body);
    } else {
        body(0..n);
    }
}

/// The contiguous inner loops, compiled once per instruction set and picked at run time
/// ([`features::level`]): the same Rust loop, vectorised by the compiler for AVX-512, AVX2+FMA or the
/// baseline.
pub(crate) mod simd_loops {
    use super::features::level;
    #[cfg(target_arch = "x86_64")]
    use super::features::Simd;

    /// A loop to compile once per instruction set: `run` must be `#[inline(always)]`, so that its
    /// body is generated inside each `target_feature` function below.
    pub trait Kernel {
        type Out;
        fn run(self) -> Self::Out;
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f")]
    unsafe fn run_avx512<K: Kernel>(k: K) -> K::Out {
        k.run()
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn run_avx2<K: Kernel>(k: K) -> K::Out {
        k.run()
    }

    /// Runs `k` compiled for the best instruction set of this CPU.
    pub fn run_best<K: Kernel>(k: K) -> K::Out {
        match level() {
            // SAFETY: `level()` only reports instruction sets the CPU supports.
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => unsafe { run_avx512(k) },
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2Fma => unsafe { run_avx2(k) },
            _ => k.run(),
        }
    }

    /// `d[i] = f(x[i], y[i])` with the best loop for this CPU.
    pub fn zip_best<A: Copy, B: Copy, O, F: Fn(A, B) -> O>(d: &mut [O], x: &[A], y: &[B], f: &F) {
        run_best(Zip(d, x, y, f))
    }

    /// `d[i] = f(x[i])` with the best loop for this CPU.
    pub fn map_best<A: Copy, O, F: Fn(A) -> O>(d: &mut [O], x: &[A], f: &F) {
        run_best(Map(d, x, f))
    }

    struct Zip<'a, A, B, O, F>(&'a mut [O], &'a [A], &'a [B], &'a F);

    impl<A: Copy, B: Copy, O, F: Fn(A, B) -> O> Kernel for Zip<'_, A, B, O, F> {
        type Out = ();
        #[inline(always)]
        fn run(self) {
            for ((d, &x), &y) in self.0.iter_mut().zip(self.1).zip(self.2) {
                *d = (self.3)(x, y);
            }
        }
    }

    struct Map<'a, A, O, F>(&'a mut [O], &'a [A], &'a F);

    impl<A: Copy, O, F: Fn(A) -> O> Kernel for Map<'_, A, O, F> {
        type Out = ();
        #[inline(always)]
        fn run(self) {
            for (d, &x) in self.0.iter_mut().zip(self.1) {
                *d = (self.2)(x);
            }
        }
    }
}

/// Applies `f` to every element of `a` (any layout) into a new contiguous tensor of `O`.
pub(crate) fn map<A: Elem, O: Elem>(a: &Tensor, f: impl Fn(A) -> O + Sync) -> Result<Tensor> {
    let out = Tensor::empty(O::DTYPE, a.shape())?;
    // SAFETY: `out` is fresh and unshared.
    let o = unsafe { out.slice_mut::<O>() };
    if a.is_contiguous() {
        let (x, op) = (a.as_slice::<A>(), o.as_mut_ptr() as usize);
        chunked(o.len(), &|r| {
            // SAFETY: chunks cover disjoint ranges of `out`.
            let d = unsafe { std::slice::from_raw_parts_mut((op as *mut O).add(r.start), r.len()) };
            simd_loops::map_best(d, &x[r], &f);
        });
    } else if !map_transposed(a, o, &f) {
        let (base, l) = (a.base::<A>(), a.layout());
        let mut i = 0;
        // SAFETY: the layout's offsets lie within the storage.
        for_each_offsets(&l.shape, [&l.strides], [l.offset], |[off]| {
            o[i] = f(unsafe { *base.add(off) });
            i += 1;
        });
    }
    Ok(out)
}

/// `o = f(a)` for a strided `a` whose unit-stride dim `p` is not the last (a transpose, a permute):
/// walks tiles of the (p, last) plane so the reads and the writes both stay within a few cache
/// lines, with tiles split across the pool. Returns false (and writes nothing) for other layouts.
fn map_transposed<A: Elem, O: Elem>(a: &Tensor, o: &mut [O], f: &(impl Fn(A) -> O + Sync)) -> bool {
    const TILE: usize = 64;
    let l = a.layout();
    let nd = l.shape.len();
    if nd < 2 || a.numel() < TILE * TILE {
        return false;
    }
    let Some(p) = (0..nd - 1).find(|&d| l.strides[d] == 1 && l.shape[d] > 1) else {
        return false;
    };
    let (rows, cols, col_stride) = (l.shape[p], l.shape[nd - 1], l.strides[nd - 1]);
    let ostrides = crate::shape::contiguous_strides(&l.shape);
    let outer: Vec<usize> = (0..nd - 1).filter(|&d| d != p).collect();
    let planes: usize = outer.iter().map(|&d| l.shape[d]).product();
    let row_tiles = rows.div_ceil(TILE);
    let (base, op) = (a.base::<A>() as usize, o.as_mut_ptr() as usize);
    let body = |items: std::ops::Range<usize>| {
        for item in items {
            let (plane, rt) = (item / row_tiles, item % row_tiles);
            let (mut ioff, mut ooff, mut rem) = (l.offset as isize, 0usize, plane);
            for &d in outer.iter().rev() {
                let i = rem % l.shape[d];
                rem /= l.shape[d];
                ioff += i as isize * l.strides[d];
                ooff += i * ostrides[d] as usize;
            }
            let (i0, i1) = (rt * TILE, (rt * TILE + TILE).min(rows));
            for j0 in (0..cols).step_by(TILE) {
                for i in i0..i1 {
                    let src = ioff + i as isize;
                    let dst = ooff + i * ostrides[p] as usize;
                    for j in j0..(j0 + TILE).min(cols) {
                        // SAFETY: (i, j) walks the layout's own index space, so the read is inside
                        // the storage and the write inside `o`; each item writes its own rows.
                        unsafe {
                            *(op as *mut O).add(dst + j) = f(*(base as *const A).offset(src + j as isize * col_stride));
                        }
                    }
                }
            }
        }
    };
    let items = planes * row_tiles;
    if a.numel() >= PAR_MIN {
        crate::pool::parallel_for(items, 1, &body);
    } else {
        body(0..items);
    }
    true
}

/// Applies `f` pairwise over `a` and `b` broadcast to `shape` into a new contiguous tensor of `O`.
pub(crate) fn zip_map<A: Elem, B: Elem, O: Elem>(
    a: &Tensor,
    b: &Tensor,
    shape: &[usize],
    f: impl Fn(A, B) -> O + Sync,
) -> Result<Tensor> {
    let out = Tensor::empty(O::DTYPE, shape)?;
    // SAFETY: `out` is fresh and unshared.
    let o = unsafe { out.slice_mut::<O>() };
    let a_full = a.shape() == shape && a.is_contiguous();
    let b_full = b.shape() == shape && b.is_contiguous();
    if a_full && b_full {
        let (xs, ys, op) = (a.as_slice::<A>(), b.as_slice::<B>(), o.as_mut_ptr() as usize);
        chunked(o.len(), &|r| {
            // SAFETY: chunks cover disjoint ranges of `out`.
            let d = unsafe { std::slice::from_raw_parts_mut((op as *mut O).add(r.start), r.len()) };
            simd_loops::zip_best(d, &xs[r.clone()], &ys[r], &f);
        });
        return Ok(out);
    }
    if a_full && b.numel() == 1 {
        let y = b.first::<B>();
        for (d, &x) in o.iter_mut().zip(a.as_slice::<A>()) {
            *d = f(x, y);
        }
        return Ok(out);
    }
    if b_full && a.numel() == 1 {
        let x = a.first::<A>();
        for (d, &y) in o.iter_mut().zip(b.as_slice::<B>()) {
            *d = f(x, y);
        }
        return Ok(out);
    }
    let (sa, sb) = (a.layout().broadcast_strides(shape), b.layout().broadcast_strides(shape));
    let (pa, pb) = (a.base::<A>(), b.base::<B>());
    let mut i = 0;
    // SAFETY: offsets come from valid (broadcast) layouts over each storage.
    for_each_offsets(shape, [&sa, &sb], [a.layout().offset, b.layout().offset], |[x, y]| {
        o[i] = f(unsafe { *pa.add(x) }, unsafe { *pb.add(y) });
        i += 1;
    });
    Ok(out)
}

/// A contiguous copy of any layout.
pub fn copy_contiguous(a: &Tensor) -> Result<Tensor> {
    dispatch!(a.dtype(), T => map::<T, T>(a, |x| x))
}

/// A contiguous copy converted to `dtype` (numpy `astype` rules, see [`Elem`]).
pub fn cast(a: &Tensor, dtype: DType) -> Result<Tensor> {
    if a.dtype() == dtype {
        return copy_contiguous(a);
    }
    let via_int = !a.dtype().is_float() && !dtype.is_float();
    dispatch!(a.dtype(), S => dispatch!(dtype, D => {
        if dtype == DType::Bool {
            // non-zero (NaN too) is true
            map::<S, D>(a, |x| D::from_bool(x.truthy()))
        } else if via_int {
            // integer -> integer wraps, as numpy
            map::<S, D>(a, |x| D::from_i64(x.to_i64()))
        } else {
            // to a float: rounds. float -> integer: truncates toward zero and saturates at the
            // target's min and max, NaN -> 0 (Rust's `as`, the same in every instruction set's
            // loop); numpy's result is undefined there
            map::<S, D>(a, |x| D::from_f64(x.to_f64()))
        }
    }))
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

#[cfg(test)]
mod tests {
    use super::features::{available, force};
    use crate::op::{BinaryOp, ReduceOp, UnaryOp};
    use crate::tensor::Tensor;

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
            let (base, l) = (t.base::<f32>(), t.layout());
            let mut v = Vec::new();
            // SAFETY: offsets of the tensor's own layout.
            crate::layout::for_each_offsets(&l.shape, [&l.strides], [l.offset], |[off]| {
                v.push(unsafe { *base.add(off) } as f64)
            });
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
