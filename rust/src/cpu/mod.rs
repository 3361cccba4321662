//! CPU kernels. They know no tensors (as candle's `cpu_backend`): an input is the element slice
//! of a storage and the [`Layout`] of a view over it (shape, strides, offset), an output a
//! contiguous `&mut [T]` that the kernel overwrites entirely, and the rest are scalars. The op
//! layer ([`crate::ops`]) checks shapes and dtypes, allocates the outputs and calls these.
//!
//! - [`elementwise`]: the unary and binary op closures and their loops, with broadcasting
//! - [`reduce`]: reductions of rows and scans (cumsum, softmax) of rows
//! - [`linalg`]: batched matrix products ([`gemm`]: packed SIMD kernels for float32/float64)
//! - [`index`]: strided copies, row takes, gathers, selects, argsort of rows
//! - [`random`]: seeded uniform and normal generators
//! - [`math`]: the arithmetic traits of the compute types ([`math::Num`], [`math::Float`])
//! - [`features`]: the instruction set the loops run with, detected at run time
//!
//! Contiguous inputs take slice loops the compiler vectorises; strided ones walk their offsets
//! with [`for_each_offsets`].

pub mod elementwise;
pub mod features;
pub mod gemm;
pub mod index;
pub mod lapack;
pub mod linalg;
pub mod math;
pub mod random;
pub mod reduce;

use crate::dtype::Elem;
use crate::layout::{for_each_offsets, Layout};

/// A kernel input: the elements of a storage and the layout of a view over them.
pub type Src<'a, T> = (&'a [T], &'a Layout);

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

/// The elements of the contiguous view `l` over `x`, as one slice.
#[inline]
pub fn contiguous_part<'a, T>(x: &'a [T], l: &Layout) -> &'a [T] {
    debug_assert!(l.is_contiguous());
    &x[l.offset..l.offset + l.numel()]
}

/// `o[i] = f(x_i)` for the elements `x_i` of the view `l` over `x` (any layout) in row-major order.
pub fn map<A: Elem, O: Elem>(x: &[A], l: &Layout, o: &mut [O], f: impl Fn(A) -> O + Sync) {
    debug_assert_eq!(o.len(), l.numel());
    if l.is_contiguous() {
        let (x, op) = (contiguous_part(x, l), o.as_mut_ptr() as usize);
        chunked(o.len(), &|r| {
            // SAFETY: chunks cover disjoint ranges of `o`.
            let d = unsafe { std::slice::from_raw_parts_mut((op as *mut O).add(r.start), r.len()) };
            simd_loops::map_best(d, &x[r], &f);
        });
    } else if !map_transposed(x, l, o, &f) {
        let mut i = 0;
        for_each_offsets(&l.shape, [&l.strides], [l.offset], |[off]| {
            // SAFETY: the layout's offsets lie within its storage `x`.
            o[i] = f(unsafe { *x.get_unchecked(off) });
            i += 1;
        });
    }
}

/// `o = f(x)` for a strided view `l` whose unit-stride dim `p` is not the last (a transpose, a
/// permute): walks tiles of the (p, last) plane so the reads and the writes both stay within a few
/// cache lines, with tiles split across the pool. Returns false (and writes nothing) for other
/// layouts.
fn map_transposed<A: Elem, O: Elem>(x: &[A], l: &Layout, o: &mut [O], f: &(impl Fn(A) -> O + Sync)) -> bool {
    const TILE: usize = 64;
    let nd = l.shape.len();
    if nd < 2 || l.numel() < TILE * TILE {
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
    let (base, op) = (x.as_ptr() as usize, o.as_mut_ptr() as usize);
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
    if l.numel() >= PAR_MIN {
        crate::pool::parallel_for(items, 1, &body);
    } else {
        body(0..items);
    }
    true
}

/// `o[i] = f(a_i, b_i)` over the views `a` and `b` broadcast to `shape` (the shape of `o`).
pub fn zip_map<A: Elem, B: Elem, O: Elem>(
    (xa, la): Src<A>,
    (xb, lb): Src<B>,
    shape: &[usize],
    o: &mut [O],
    f: impl Fn(A, B) -> O + Sync,
) {
    debug_assert_eq!(o.len(), shape.iter().product::<usize>());
    let a_full = la.shape[..] == *shape && la.is_contiguous();
    let b_full = lb.shape[..] == *shape && lb.is_contiguous();
    if a_full && b_full {
        let (xs, ys, op) = (contiguous_part(xa, la), contiguous_part(xb, lb), o.as_mut_ptr() as usize);
        chunked(o.len(), &|r| {
            // SAFETY: chunks cover disjoint ranges of `o`.
            let d = unsafe { std::slice::from_raw_parts_mut((op as *mut O).add(r.start), r.len()) };
            simd_loops::zip_best(d, &xs[r.clone()], &ys[r], &f);
        });
        return;
    }
    if a_full && lb.numel() == 1 {
        let y = xb[lb.offset];
        for (d, &x) in o.iter_mut().zip(contiguous_part(xa, la)) {
            *d = f(x, y);
        }
        return;
    }
    if b_full && la.numel() == 1 {
        let x = xa[la.offset];
        for (d, &y) in o.iter_mut().zip(contiguous_part(xb, lb)) {
            *d = f(x, y);
        }
        return;
    }
    let (sa, sb) = (la.broadcast_strides(shape), lb.broadcast_strides(shape));
    let mut i = 0;
    for_each_offsets(shape, [&sa, &sb], [la.offset, lb.offset], |[x, y]| {
        // SAFETY: offsets come from valid (broadcast) layouts over each storage.
        o[i] = f(unsafe { *xa.get_unchecked(x) }, unsafe { *xb.get_unchecked(y) });
        i += 1;
    });
}

/// `o = x` converted to another dtype (numpy `astype` rules, see [`Elem`]), for any layout `l`.
/// For a conversion between two different dtypes (a copy to the same dtype is [`map`] with the
/// identity: this would normalise bool bytes and quiet NaN payloads).
pub fn cast<S: Elem, D: Elem>(x: &[S], l: &Layout, o: &mut [D]) {
    let via_int = !S::DTYPE.is_float() && !D::DTYPE.is_float();
    if D::DTYPE == crate::dtype::DType::Bool {
        // non-zero (NaN too) is true
        map(x, l, o, |v| D::from_bool(v.truthy()))
    } else if via_int {
        // integer -> integer wraps, as numpy
        map(x, l, o, |v| D::from_i64(v.to_i64()))
    } else {
        // to a float: rounds. float -> integer: truncates toward zero and saturates at the
        // target's min and max, NaN -> 0 (Rust's `as`, the same in every instruction set's
        // loop); numpy's result is undefined there
        map(x, l, o, |v| D::from_f64(v.to_f64()))
    }
}
