//! CPU kernels. They know no tensors (as candle's `cpu_backend`): an input is the element slice
//! of a storage and the [`Layout`] of a view over it (shape, strides, offset), an output a
//! contiguous `&mut [T]` that the kernel overwrites entirely, and the rest are scalars. The op
//! layer ([`crate::ops`]) checks shapes and dtypes, allocates the outputs and calls these.
//!
//! - [`elementwise`]: the unary and binary op closures and their loops, with broadcasting
//! - [`reduce`]: reductions of rows and scans (cumsum, softmax) of rows
//! - [`conv`]: im2col for convolutions, max and average pooling
//! - [`linalg`]: batched matrix products ([`gemm`]: packed SIMD kernels for float32/float64)
//! - [`index`]: strided copies, row takes, gathers, selects, argsort of rows
//! - [`random`]: seeded uniform and normal generators
//! - [`math`]: the arithmetic traits of the compute types ([`math::Num`], [`math::Float`])
//! - [`features`]: the instruction set the loops run with, detected at run time
//!
//! Contiguous inputs take slice loops the compiler vectorises; strided ones walk their offsets
//! with [`for_each_offsets`].

pub mod conv;
pub mod elementwise;
pub mod features;
pub mod gemm;
pub mod index;
pub mod lapack;
pub mod linalg;
pub mod math;
pub mod random;
pub mod reduce;
pub mod symeig;

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

/// Side of the square tiles the transposing loops work in: a tile of each transposed input is
/// first copied into a small buffer reading along its unit-stride dim, then each output row
/// segment is computed from the buffer with the vectorised loops. (Walking the strided dim
/// directly touches one cache line per element, and with power-of-two strides those lines all fall
/// into the same cache set: 5-10x slower than a contiguous op.)
const TILE: usize = 64;

/// Where a tile of a view with unit stride along dim `p` (the tile's rows) starts reading: the
/// element offset of `plane` (an index over the dims other than `p` and the last).
fn plane_offset(shape: &[usize], strides: &[isize], start: usize, outer: &[usize], plane: usize) -> isize {
    let (mut off, mut rem) = (start as isize, plane);
    for &d in outer.iter().rev() {
        off += (rem % shape[d]) as isize * strides[d];
        rem /= shape[d];
    }
    off
}

/// Copies rows `i0..i1` and columns `j0..j1` of the (unit-row-stride) view at `off` into `tmp`
/// (row-major, `TILE` per row), reading each column contiguously: 8 x 8 (4-byte) and 4 x 4 (8-byte)
/// blocks are transposed in AVX2 registers, the rest element by element.
#[inline]
fn load_tile<T: Copy>(
    x: &[T],
    off: isize,
    col_stride: isize,
    (i0, i1): (usize, usize),
    (j0, j1): (usize, usize),
    tmp: &mut [T],
) {
    let (h, w) = (i1 - i0, j1 - j0);
    let base = off + i0 as isize + j0 as isize * col_stride;
    // the tile's extreme elements lie inside `x`, so every element between does (one view)
    let last = base + (h as isize - 1) + (w as isize - 1) * col_stride;
    assert!(h > 0 && w > 0 && base >= 0 && last >= 0 && (last as usize) < x.len() && tmp.len() >= TILE * TILE);
    let (done_i, done_j) = transpose_blocks(x, base, col_stride, h, w, tmp);
    for j in 0..w {
        let s = base + j as isize * col_stride;
        let lo = if j < done_j { done_i } else { 0 };
        for (k, &v) in x[s as usize + lo..s as usize + h].iter().enumerate() {
            tmp[(lo + k) * TILE + j] = v;
        }
    }
}

/// The vector part of [`load_tile`]: transposes the whole blocks of the top-left `done_i x done_j`
/// corner (returned) of the tile (`h x w`, element (i, j) at `base + i + j * col_stride` in `x`)
/// into `tmp`; (0, 0) when the element size or the CPU has no block kernel.
fn transpose_blocks<T: Copy>(
    x: &[T],
    base: isize,
    col_stride: isize,
    h: usize,
    w: usize,
    tmp: &mut [T],
) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    if features::level() != features::Simd::Scalar {
        let b = match std::mem::size_of::<T>() {
            4 => 8,
            8 => 4,
            _ => return (0, 0),
        };
        let (hb, wb) = (h / b * b, w / b * b);
        let (src, dst) = (x.as_ptr(), tmp.as_mut_ptr());
        for jb in (0..wb).step_by(b) {
            for ib in (0..hb).step_by(b) {
                // SAFETY: the block's elements lie inside the tile, which load_tile checked lies in
                // `x`; its rows ib..ib+b (< TILE) and columns jb..jb+b (< TILE) lie in `tmp`; the
                // CPU has AVX2 (level); T is plain data of the kernel's size, copied bit for bit.
                unsafe {
                    let s = src.offset(base + ib as isize + jb as isize * col_stride);
                    let d = dst.add(ib * TILE + jb);
                    if b == 8 {
                        x86_transpose::t8x8_32(s as *const f32, col_stride, d as *mut f32, TILE);
                    } else {
                        x86_transpose::t4x4_64(s as *const f64, col_stride, d as *mut f64, TILE);
                    }
                }
            }
        }
        return (hb, wb);
    }
    let _ = (x, base, col_stride, h, w, tmp);
    (0, 0)
}

/// Register transposes of square blocks: `b` source columns (each `b` contiguous elements, `cs`
/// apart) become `b` destination rows (`ld` apart).
#[cfg(target_arch = "x86_64")]
mod x86_transpose {
    use std::arch::x86_64::*;

    /// 8 x 8 four-byte elements (as float bit patterns: shuffles never change them).
    #[target_feature(enable = "avx2")]
    pub unsafe fn t8x8_32(s: *const f32, cs: isize, d: *mut f32, ld: usize) {
        // SAFETY (whole fn): the caller guarantees the 8 source columns and 8 destination rows.
        // (no closure: closures do not inherit the target feature)
        let r0 = _mm256_loadu_ps(s);
        let r1 = _mm256_loadu_ps(s.offset(cs));
        let r2 = _mm256_loadu_ps(s.offset(2 * cs));
        let r3 = _mm256_loadu_ps(s.offset(3 * cs));
        let r4 = _mm256_loadu_ps(s.offset(4 * cs));
        let r5 = _mm256_loadu_ps(s.offset(5 * cs));
        let r6 = _mm256_loadu_ps(s.offset(6 * cs));
        let r7 = _mm256_loadu_ps(s.offset(7 * cs));
        let (t0, t1) = (_mm256_unpacklo_ps(r0, r1), _mm256_unpackhi_ps(r0, r1));
        let (t2, t3) = (_mm256_unpacklo_ps(r2, r3), _mm256_unpackhi_ps(r2, r3));
        let (t4, t5) = (_mm256_unpacklo_ps(r4, r5), _mm256_unpackhi_ps(r4, r5));
        let (t6, t7) = (_mm256_unpacklo_ps(r6, r7), _mm256_unpackhi_ps(r6, r7));
        let (u0, u1) = (_mm256_shuffle_ps::<0x44>(t0, t2), _mm256_shuffle_ps::<0xEE>(t0, t2));
        let (u2, u3) = (_mm256_shuffle_ps::<0x44>(t1, t3), _mm256_shuffle_ps::<0xEE>(t1, t3));
        let (u4, u5) = (_mm256_shuffle_ps::<0x44>(t4, t6), _mm256_shuffle_ps::<0xEE>(t4, t6));
        let (u6, u7) = (_mm256_shuffle_ps::<0x44>(t5, t7), _mm256_shuffle_ps::<0xEE>(t5, t7));
        let out = [
            _mm256_permute2f128_ps::<0x20>(u0, u4),
            _mm256_permute2f128_ps::<0x20>(u1, u5),
            _mm256_permute2f128_ps::<0x20>(u2, u6),
            _mm256_permute2f128_ps::<0x20>(u3, u7),
            _mm256_permute2f128_ps::<0x31>(u0, u4),
            _mm256_permute2f128_ps::<0x31>(u1, u5),
            _mm256_permute2f128_ps::<0x31>(u2, u6),
            _mm256_permute2f128_ps::<0x31>(u3, u7),
        ];
        for (i, v) in out.into_iter().enumerate() {
            _mm256_storeu_ps(d.add(i * ld), v);
        }
    }

    /// 4 x 4 eight-byte elements (as double bit patterns).
    #[target_feature(enable = "avx2")]
    pub unsafe fn t4x4_64(s: *const f64, cs: isize, d: *mut f64, ld: usize) {
        // SAFETY (whole fn): the caller guarantees the 4 source columns and 4 destination rows.
        let r0 = _mm256_loadu_pd(s);
        let r1 = _mm256_loadu_pd(s.offset(cs));
        let r2 = _mm256_loadu_pd(s.offset(2 * cs));
        let r3 = _mm256_loadu_pd(s.offset(3 * cs));
        let (t0, t1) = (_mm256_unpacklo_pd(r0, r1), _mm256_unpackhi_pd(r0, r1));
        let (t2, t3) = (_mm256_unpacklo_pd(r2, r3), _mm256_unpackhi_pd(r2, r3));
        _mm256_storeu_pd(d, _mm256_permute2f128_pd::<0x20>(t0, t2));
        _mm256_storeu_pd(d.add(ld), _mm256_permute2f128_pd::<0x20>(t1, t3));
        _mm256_storeu_pd(d.add(2 * ld), _mm256_permute2f128_pd::<0x31>(t0, t2));
        _mm256_storeu_pd(d.add(3 * ld), _mm256_permute2f128_pd::<0x31>(t1, t3));
    }
}

/// A tiled walk of an output of `shape` (contiguous) for inputs with unit stride along dim `p`
/// (not the last): `body(scratch, plane, i0..i1, j0..j1, out_row_start)` per tile, tiles split
/// across the pool, each writing only its own output rows; `scratch()` makes one tile buffer set
/// per chunk of tiles.
fn for_each_tile<S>(
    shape: &[usize],
    p: usize,
    scratch: impl Fn() -> S + Sync,
    body: impl Fn(&mut S, usize, (usize, usize), (usize, usize), usize) + Sync,
) {
    let nd = shape.len();
    let (rows, cols) = (shape[p], shape[nd - 1]);
    let ostrides = crate::shape::contiguous_strides(shape);
    let outer: Vec<usize> = (0..nd - 1).filter(|&d| d != p).collect();
    let planes: usize = outer.iter().map(|&d| shape[d]).product();
    let row_tiles = rows.div_ceil(TILE);
    let run = |items: std::ops::Range<usize>| {
        let mut tmp = scratch();
        for item in items {
            let (plane, rt) = (item / row_tiles, item % row_tiles);
            let ooff = plane_offset(shape, &ostrides, 0, &outer, plane) as usize;
            let (i0, i1) = (rt * TILE, (rt * TILE + TILE).min(rows));
            for j0 in (0..cols).step_by(TILE) {
                body(&mut tmp, plane, (i0, i1), (j0, (j0 + TILE).min(cols)), ooff);
            }
        }
    };
    let items = planes * row_tiles;
    if shape.iter().product::<usize>() >= PAR_MIN {
        crate::pool::parallel_for(items, 1, &run);
    } else {
        run(0..items);
    }
}

/// The dim `p` (not the last) along which the view `l` has unit stride, for a view large enough to
/// tile, when it is not contiguous.
fn transposed_dim(l: &Layout) -> Option<usize> {
    let nd = l.shape.len();
    if nd < 2 || l.numel() < TILE * TILE || l.is_contiguous() {
        return None;
    }
    (0..nd - 1).find(|&d| l.strides[d] == 1 && l.shape[d] > 1)
}

/// `o = f(x)` for a strided view `l` whose unit-stride dim `p` is not the last (a transpose, a
/// permute), tile by tile (see [`TILE`]). Returns false (and writes nothing) for other layouts.
fn map_transposed<A: Elem, O: Elem>(x: &[A], l: &Layout, o: &mut [O], f: &(impl Fn(A) -> O + Sync)) -> bool {
    let Some(p) = transposed_dim(l) else {
        return false;
    };
    let nd = l.shape.len();
    let outer: Vec<usize> = (0..nd - 1).filter(|&d| d != p).collect();
    let (col_stride, op) = (l.strides[nd - 1], o.as_mut_ptr() as usize);
    let ostride = crate::shape::contiguous_strides(&l.shape)[p] as usize;
    for_each_tile(
        &l.shape,
        p,
        || vec![x[l.offset]; TILE * TILE],
        |tmp, plane, (i0, i1), (j0, j1), ooff| {
            load_tile(
                x,
                plane_offset(&l.shape, &l.strides, l.offset, &outer, plane),
                col_stride,
                (i0, i1),
                (j0, j1),
                tmp,
            );
            for i in i0..i1 {
                let k = (i - i0) * TILE;
                // SAFETY: each tile writes its own rows' columns j0..j1 of `o`; tiles are disjoint.
                let d = unsafe { std::slice::from_raw_parts_mut((op as *mut O).add(ooff + i * ostride + j0), j1 - j0) };
                simd_loops::map_best(d, &tmp[k..k + (j1 - j0)], f);
            }
        },
    );
    true
}

/// `o = f(a, b)` for two views of `o`'s shape, each contiguous or with unit stride along one same
/// dim `p` (not the last), at least one of them strided: tile by tile (see [`TILE`]). Returns
/// false (and writes nothing) for other layouts.
fn zip_transposed<A: Elem, B: Elem, O: Elem>(
    (xa, la): Src<A>,
    (xb, lb): Src<B>,
    shape: &[usize],
    o: &mut [O],
    f: &(impl Fn(A, B) -> O + Sync),
) -> bool {
    if la.shape[..] != *shape || lb.shape[..] != *shape {
        return false;
    }
    let (pa, pb) = (transposed_dim(la), transposed_dim(lb));
    let p = match (pa, pb) {
        (Some(p), None) if lb.is_contiguous() => p,
        (None, Some(p)) if la.is_contiguous() => p,
        (Some(p), Some(q)) if p == q => p,
        _ => return false,
    };
    let nd = shape.len();
    let outer: Vec<usize> = (0..nd - 1).filter(|&d| d != p).collect();
    let ostride = crate::shape::contiguous_strides(shape)[p] as usize;
    let op = o.as_mut_ptr() as usize;
    let scratch = || {
        let ta = if pa.is_some() { vec![xa[la.offset]; TILE * TILE] } else { Vec::new() };
        let tb = if pb.is_some() { vec![xb[lb.offset]; TILE * TILE] } else { Vec::new() };
        (ta, tb)
    };
    for_each_tile(shape, p, scratch, |(ta, tb), plane, (i0, i1), (j0, j1), ooff| {
        let w = j1 - j0;
        if pa.is_some() {
            let off = plane_offset(&la.shape, &la.strides, la.offset, &outer, plane);
            load_tile(xa, off, la.strides[nd - 1], (i0, i1), (j0, j1), ta);
        }
        if pb.is_some() {
            let off = plane_offset(&lb.shape, &lb.strides, lb.offset, &outer, plane);
            load_tile(xb, off, lb.strides[nd - 1], (i0, i1), (j0, j1), tb);
        }
        for i in i0..i1 {
            let (k, at) = ((i - i0) * TILE, ooff + i * ostride + j0);
            // a contiguous operand of o's shape: its element at o's index (plus its offset)
            let sa = if pa.is_some() { &ta[k..k + w] } else { &xa[la.offset + at..la.offset + at + w] };
            let sb = if pb.is_some() { &tb[k..k + w] } else { &xb[lb.offset + at..lb.offset + at + w] };
            // SAFETY: each tile writes its own rows' columns j0..j1 of `o`; tiles are disjoint.
            let d = unsafe { std::slice::from_raw_parts_mut((op as *mut O).add(at), w) };
            simd_loops::zip_best(d, sa, sb, f);
        }
    });
    true
}

/// `o = f(a, b)` row by row when the last dim of each (broadcast) view has stride 1 or 0 (one of
/// them 1): each row is one vectorised loop (both contiguous, or one of them a repeated value),
/// rows split across the pool. Returns false (and writes nothing) for other layouts.
#[allow(clippy::too_many_arguments)]
fn zip_rows<A: Elem, B: Elem, O: Elem>(
    (xa, sa, oa): (&[A], &[isize], usize),
    (xb, sb, ob): (&[B], &[isize], usize),
    shape: &[usize],
    o: &mut [O],
    f: &(impl Fn(A, B) -> O + Sync),
) -> bool {
    let nd = shape.len();
    if nd == 0 {
        return false;
    }
    let inner = shape[nd - 1];
    let (ia, ib) = (sa[nd - 1], sb[nd - 1]);
    if inner < 16 || !matches!((ia, ib), (1, 1) | (1, 0) | (0, 1)) {
        return false;
    }
    if o.is_empty() {
        return true;
    }
    let rows = o.len() / inner;
    let op = o.as_mut_ptr() as usize;
    let body = |rr: std::ops::Range<usize>| {
        for r in rr {
            let (mut x, mut y, mut rem) = (oa as isize, ob as isize, r);
            for d in (0..nd - 1).rev() {
                let i = (rem % shape[d]) as isize;
                rem /= shape[d];
                x += i * sa[d];
                y += i * sb[d];
            }
            let (x, y) = (x as usize, y as usize);
            // SAFETY: each row of `o` is written by one chunk.
            let d = unsafe { std::slice::from_raw_parts_mut((op as *mut O).add(r * inner), inner) };
            match (ia, ib) {
                (1, 1) => simd_loops::zip_best(d, &xa[x..x + inner], &xb[y..y + inner], f),
                (1, 0) => {
                    let v = xb[y];
                    simd_loops::map_best(d, &xa[x..x + inner], &|u| f(u, v));
                }
                _ => {
                    let u = xa[x];
                    simd_loops::map_best(d, &xb[y..y + inner], &|v| f(u, v));
                }
            }
        }
    };
    if o.len() >= PAR_MIN {
        crate::pool::parallel_for(rows, (PAR_MIN / inner).max(1), &body);
    } else {
        body(0..rows);
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
    if zip_transposed((xa, la), (xb, lb), shape, o, &f) {
        return;
    }
    let (sa, sb) = (la.broadcast_strides(shape), lb.broadcast_strides(shape));
    if zip_rows((xa, &sa[..], la.offset), (xb, &sb[..], lb.offset), shape, o, &f) {
        return;
    }
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
