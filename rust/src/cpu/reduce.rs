//! Reduction kernels over contiguous rows (sums, extremes, moments, logsumexp) and scans of rows
//! (cumsum, cumprod, softmax, log-softmax). The axes, keepdims and result dtypes of numpy are the
//! op layer's ([`crate::ops::reduce`]).

use super::math::{Float, Num};
use crate::alloc::try_vec;
use crate::dtype::Elem;
use crate::error::Result;
use crate::op::ScanOp;

/// Sum of a slice, pairwise over blocks of 1024 (numpy-like accuracy); each block is summed by a
/// loop with 32 independent accumulators, compiled for the CPU's widest vectors.
pub(crate) fn pairwise_sum<T: Num>(x: &[T]) -> T {
    const BLOCK: usize = 1024;
    if x.len() > BLOCK {
        let mid = (x.len() / 2).next_multiple_of(32);
        return pairwise_sum(&x[..mid]).add(pairwise_sum(&x[mid..]));
    }
    super::simd_loops::run_best(BlockSum(x))
}

/// [`pairwise_sum`] of `f(x[i])`, without materialising the mapped values: each block of up to
/// 1024 is mapped into a stack buffer and summed there, so the blocks, their order and the result
/// are exactly those of `pairwise_sum` over the mapped slice.
pub(crate) fn pairwise_sum_map<S: Copy, T: Num>(x: &[S], f: &impl Fn(S) -> T) -> T {
    const BLOCK: usize = 1024;
    if x.len() > BLOCK {
        let mid = (x.len() / 2).next_multiple_of(32);
        return pairwise_sum_map(&x[..mid], f).add(pairwise_sum_map(&x[mid..], f));
    }
    block_sum_map(x, f)
}

/// One block of [`pairwise_sum_map`]. Not inlined, so that the recursive frames above do not
/// each carry the 8 KiB buffer.
#[inline(never)]
fn block_sum_map<S: Copy, T: Num>(x: &[S], f: &impl Fn(S) -> T) -> T {
    let mut buf = [T::zero(); 1024];
    let b = &mut buf[..x.len()];
    super::simd_loops::map_best(b, x, f);
    super::simd_loops::run_best(BlockSum(b))
}

struct BlockSum<'a, T>(&'a [T]);

impl<T: Num> super::simd_loops::Kernel for BlockSum<'_, T> {
    type Out = T;
    #[inline(always)]
    fn run(self) -> T {
        const L: usize = 32;
        let mut acc = [T::zero(); L];
        let chunks = self.0.chunks_exact(L);
        let rest = chunks.remainder();
        for c in chunks {
            for k in 0..L {
                acc[k] = acc[k].add(c[k]);
            }
        }
        // a linear pass over the accumulators (a tree here stops LLVM vectorising the loop above)
        let s = acc.iter().fold(T::zero(), |s, &v| s.add(v));
        rest.iter().fold(s, |s, &v| s.add(v))
    }
}

/// `v` converted to the (wider) compute type `T`: exact for every pair [`dispatch_widen`] meets.
#[inline(always)]
pub fn widen<S: Elem, T: Num>(v: S) -> T {
    if S::DTYPE.is_float() {
        T::from_f64(v.to_f64())
    } else {
        T::from_i64(v.to_i64())
    }
}

/// [`pairwise_sum`] of `x` widened to `T`, element by element (no converted copy of `x`).
pub fn sum_widened<S: Elem, T: Num>(x: &[S]) -> T {
    if S::DTYPE == T::DTYPE {
        // SAFETY: each dtype has one Rust type, so S and T are the same type.
        pairwise_sum(unsafe { std::slice::from_raw_parts(x.as_ptr() as *const T, x.len()) })
    } else {
        pairwise_sum_map(x, &widen::<S, T>)
    }
}

/// Runs `$body` with `$S` bound to the storage type of `$src` and `$T` to the compute type `$ct`
/// of a sum, mean, product or moment of it (the same type or a wider one).
macro_rules! dispatch_widen {
    ($src:expr, $ct:expr, $S:ident, $T:ident => $body:expr) => {{
        use $crate::dtype::{Bool as B, DType as D, BF16 as Bf, F16 as H};
        match ($src, $ct) {
            (D::F32, D::F32) => {
                type $S = f32;
                type $T = f32;
                $body
            }
            (D::F64, D::F64) => {
                type $S = f64;
                type $T = f64;
                $body
            }
            (D::F16, D::F32) => {
                type $S = H;
                type $T = f32;
                $body
            }
            (D::BF16, D::F32) => {
                type $S = Bf;
                type $T = f32;
                $body
            }
            (D::I64, D::I64) => {
                type $S = i64;
                type $T = i64;
                $body
            }
            (D::I32, D::I64) => {
                type $S = i32;
                type $T = i64;
                $body
            }
            (D::U8, D::I64) => {
                type $S = u8;
                type $T = i64;
                $body
            }
            (D::Bool, D::I64) => {
                type $S = B;
                type $T = i64;
                $body
            }
            (D::I64, D::F64) => {
                type $S = i64;
                type $T = f64;
                $body
            }
            (D::I32, D::F64) => {
                type $S = i32;
                type $T = f64;
                $body
            }
            (D::U8, D::F64) => {
                type $S = u8;
                type $T = f64;
                $body
            }
            (D::Bool, D::F64) => {
                type $S = B;
                type $T = f64;
                $body
            }
            (s, c) => unreachable!("no {} reduction computed in {}", s.name(), c.name()),
        }
    }};
}

pub(crate) use dispatch_widen;

/// `o` = the sums (or means) over the `rows` of a row-major `rows x cols` matrix `x`, adding whole
/// rows in order (numpy adds along a non-contiguous axis the same way). With several threads, each
/// sums a band of rows into its own accumulator (every thread streams contiguous memory), then the
/// bands add.
pub fn column_sums<S: Elem, T: Num>(x: &[S], rows: usize, cols: usize, mean: bool, o: &mut [T]) -> Result<()> {
    let bands = if rows * cols >= super::PAR_MIN { crate::pool::num_threads().min(rows / 16).max(1) } else { 1 };
    let per = rows.div_ceil(bands);
    let band = |b: usize, acc: &mut [T]| {
        let (r0, r1) = (b * per, ((b + 1) * per).min(rows));
        super::simd_loops::map_best(acc, &x[r0 * cols..(r0 + 1) * cols], &widen::<S, T>);
        super::simd_loops::run_best(AddRows { o: acc, x: &x[r0 * cols..r1 * cols], rows: r1 - r0 });
    };
    if bands == 1 {
        band(0, o);
    } else {
        // every band's accumulator is allocated (fallibly) before any work starts
        let mut parts = Vec::with_capacity(bands);
        for _ in 0..bands {
            parts.push(try_vec(cols, T::zero(), "sum")?);
        }
        let parts = std::sync::Mutex::new(parts);
        crate::pool::parallel_chunks(bands, 1, &|bs| {
            for b in bs {
                let mut acc = std::mem::take(&mut parts.lock().unwrap_or_else(|e| e.into_inner())[b]);
                band(b, &mut acc);
                parts.lock().unwrap_or_else(|e| e.into_inner())[b] = acc;
            }
        });
        let parts = parts.into_inner().unwrap_or_else(|e| e.into_inner());
        o.copy_from_slice(&parts[0]);
        for p in &parts[1..] {
            super::simd_loops::run_best(AddSlice(&mut *o, p));
        }
    }
    if mean {
        let n = T::from_f64(rows as f64);
        o.iter_mut().for_each(|v| *v = v.div(n));
    }
    Ok(())
}

/// `o += x`, elementwise.
struct AddSlice<'a, T>(&'a mut [T], &'a [T]);

impl<T: Num> super::simd_loops::Kernel for AddSlice<'_, T> {
    type Out = ();
    #[inline(always)]
    fn run(self) {
        for (d, &v) in self.0.iter_mut().zip(self.1) {
            *d = d.add(v);
        }
    }
}

/// Adds rows 1.. of the `rows x o.len()` matrix `x` into `o`, widening each element.
struct AddRows<'a, S, T> {
    o: &'a mut [T],
    x: &'a [S],
    rows: usize,
}

impl<S: Elem, T: Num> super::simd_loops::Kernel for AddRows<'_, S, T> {
    type Out = ();
    #[inline(always)]
    fn run(self) {
        let w = self.o.len();
        for r in 1..self.rows {
            let row = &self.x[r * w..(r + 1) * w];
            for (d, &v) in self.o.iter_mut().zip(row) {
                *d = d.add(widen(v));
            }
        }
    }
}

/// The output of a reduction: `o[r] = f(r)` for each row `r` (of `inner` input elements), rows
/// split across the pool when there is enough work.
pub fn fill_rows<O: Elem>(o: &mut [O], inner: usize, f: impl Fn(usize) -> O + Sync) {
    let rows = o.len();
    let op = o.as_mut_ptr() as usize;
    let body = |r: std::ops::Range<usize>| {
        for i in r {
            // SAFETY: each row is written by one chunk.
            unsafe { *(op as *mut O).add(i) = f(i) };
        }
    };
    if rows >= 2 && rows.saturating_mul(inner) >= super::PAR_MIN {
        crate::pool::parallel_for(rows, (super::PAR_MIN / inner.max(1)).max(1), &body);
    } else {
        body(0..rows);
    }
}

/// `combine` of `part` over consecutive chunks of `x`, chunks computed on the pool (in order, so
/// the result does not depend on scheduling).
pub fn split_reduce<T: Elem, R: Copy + Send>(
    x: &[T],
    part: impl Fn(&[T]) -> R + Sync,
    combine: impl Fn(R, R) -> R,
) -> R {
    let parts = std::sync::Mutex::new(Vec::new());
    crate::pool::parallel_for(x.len(), super::PAR_MIN / 2, &|r| {
        let v = part(&x[r.clone()]);
        parts.lock().unwrap_or_else(|e| e.into_inner()).push((r.start, v));
    });
    let mut parts = parts.into_inner().unwrap_or_else(|e| e.into_inner());
    parts.sort_by_key(|p| p.0);
    parts.into_iter().map(|p| p.1).reduce(combine).expect("a non-empty slice has a chunk")
}

/// Max or min with NaN propagation (the first NaN wins, as in numpy). A vectorised pass with 16
/// lanes finds the extreme and whether any NaN is present; only then does a scalar pass look for
/// the first NaN.
pub fn extreme<T: Elem>(x: &[T], max: bool) -> T {
    use super::simd_loops::run_best;
    let (m, nan) = if max { run_best(Extreme::<T, true>(x)) } else { run_best(Extreme::<T, false>(x)) };
    if nan {
        x.iter().copied().find(|v| v.is_nan()).expect("a NaN was seen")
    } else {
        m
    }
}

struct Extreme<'a, T, const MAX: bool>(&'a [T]);

impl<T: Elem, const MAX: bool> super::simd_loops::Kernel for Extreme<'_, T, MAX> {
    type Out = (T, bool);
    #[inline(always)]
    fn run(self) -> (T, bool) {
        const L: usize = 16;
        let x = self.0;
        let pick = |a: T, b: T| if (MAX && b > a) || (!MAX && b < a) { b } else { a };
        let mut acc = [x[0]; L];
        let mut nan = [false; L];
        let chunks = x.chunks_exact(L);
        let rest = chunks.remainder();
        for c in chunks {
            for k in 0..L {
                acc[k] = pick(acc[k], c[k]);
                // NOTE: `is_nan`, not `v != v`: float16 and bfloat16 compare their bits for
                // equality, so a NaN equals itself there (integers: never NaN, the test folds away)
                nan[k] |= c[k].is_nan();
            }
        }
        let mut m = acc.iter().fold(x[0], |m, &v| pick(m, v));
        let mut any = nan.iter().fold(x[0].is_nan(), |a, &n| a | n);
        for &v in rest {
            m = pick(m, v);
            any |= v.is_nan();
        }
        (m, any)
    }
}

/// Index of the first max (min); a NaN counts as the extreme, as in numpy. Two vectorised passes:
/// the extreme (NaN-aware), then the first position holding it.
pub fn arg_extreme<T: Elem>(x: &[T], max: bool) -> i64 {
    let m = extreme(x, max);
    let found =
        if m.is_nan() { x.iter().position(|v| v.is_nan()) } else { super::simd_loops::run_best(FindFirst(x, m)) };
    found.expect("the extreme is in the slice") as i64
}

/// The first index holding `self.1`: 64-element chunks are tested whole (a vectorised compare),
/// and only the chunk that holds it is searched element by element.
struct FindFirst<'a, T>(&'a [T], T);

impl<T: Elem> super::simd_loops::Kernel for FindFirst<'_, T> {
    type Out = Option<usize>;
    #[inline(always)]
    fn run(self) -> Option<usize> {
        let (x, m) = (self.0, self.1);
        for (c, chunk) in x.chunks(64).enumerate() {
            // equal as values (float16's `==` compares bits, and -0 must match +0)
            let eq = |v: &T| v.partial_cmp(&m) == Some(std::cmp::Ordering::Equal);
            if chunk.iter().fold(false, |hit, v| hit | eq(v)) {
                return chunk.iter().position(eq).map(|i| c * 64 + i);
            }
        }
        None
    }
}

/// Sum of `(x - shift)^p` in float64 for p = 1 or 2, with 16 accumulators (vectorised).
struct PowerSum<'a, T, const P: u8>(&'a [T], f64);

impl<T: Elem, const P: u8> super::simd_loops::Kernel for PowerSum<'_, T, P> {
    type Out = f64;
    #[inline(always)]
    fn run(self) -> f64 {
        const L: usize = 16;
        let (x, shift) = (self.0, self.1);
        let term = |v: T| {
            let d = v.to_f64() - shift;
            if P == 2 {
                d * d
            } else {
                d
            }
        };
        let mut acc = [0.0f64; L];
        let chunks = x.chunks_exact(L);
        let rest = chunks.remainder();
        for c in chunks {
            for k in 0..L {
                acc[k] += term(c[k]);
            }
        }
        let s = acc.iter().fold(0.0, |s, &v| s + v);
        rest.iter().fold(s, |s, &v| s + term(v))
    }
}

/// Variance with `ddof` in float64 (two passes).
pub fn moments<T: Elem>(x: &[T], ddof: f64) -> f64 {
    use super::simd_loops::run_best;
    let n = x.len() as f64;
    let mean = run_best(PowerSum::<T, 1>(x, 0.0)) / n;
    let ss = run_best(PowerSum::<T, 2>(x, mean));
    // numpy divides by max(n - ddof, 0): a positive sum of squares over nothing is inf, 0/0 is NaN
    ss / (n - ddof).max(0.0)
}

/// `log(sum(exp(x)))`, shifted by the max (an empty row gives -inf).
pub fn logsumexp<T: Float>(x: &[T]) -> T {
    if x.is_empty() {
        return T::infinity().neg();
    }
    let m = extreme(x, true);
    if m.is_nan() || !m.is_finite() {
        return m;
    }
    let s = pairwise_sum_map(x, &|v: T| v.sub(m).exp());
    m.add(s.ln())
}

/// Runs `row(x_row, out_row)` over the `rows` rows of `n` elements of `x` into `o`, rows split
/// across the pool when there is enough work.
pub fn scan_rows<T: Elem>(x: &[T], o: &mut [T], n: usize, rows: usize, row: impl Fn(&[T], &mut [T]) + Sync) {
    let op = o.as_mut_ptr() as usize;
    let body = |r: std::ops::Range<usize>| {
        for i in r {
            // SAFETY: each row of `out` is written by one chunk.
            let os = unsafe { std::slice::from_raw_parts_mut((op as *mut T).add(i * n), n) };
            row(&x[i * n..(i + 1) * n], os);
        }
    };
    if rows >= 2 && x.len() >= super::PAR_MIN {
        crate::pool::parallel_for(rows, (super::PAR_MIN / n).max(1), &body);
    } else {
        body(0..rows);
    }
}

/// Cumulative sum of one long row on the pool: each part is scanned on its own, then every part
/// but the first adds the total of the parts before it (a vectorised pass).
pub fn cumsum_parallel<T: Num>(x: &[T], o: &mut [T]) {
    let parts = crate::pool::num_threads().min(x.len() / (super::PAR_MIN / 2)).max(1);
    let len = x.len().div_ceil(parts);
    let op = o.as_mut_ptr() as usize;
    let part = |p: usize| {
        let r = p * len..((p + 1) * len).min(x.len());
        // SAFETY: parts are disjoint ranges of `o`.
        (r.clone(), unsafe { std::slice::from_raw_parts_mut((op as *mut T).add(r.start), r.len()) })
    };
    crate::pool::parallel_for(parts, 1, &|ps| {
        for p in ps {
            let (r, o) = part(p);
            scan_row(ScanOp::CumSum, &x[r], o);
        }
    });
    let mut carries = vec![T::zero(); parts];
    for p in 1..parts {
        carries[p] = carries[p - 1].add(o[p * len - 1]);
    }
    crate::pool::parallel_for(parts, 1, &|ps| {
        for p in ps.filter(|&p| p > 0) {
            let (_, o) = part(p);
            let c = carries[p];
            super::simd_loops::run_best(AddInPlace(o, c));
        }
    });
}

struct AddInPlace<'a, T>(&'a mut [T], T);

impl<T: Num> super::simd_loops::Kernel for AddInPlace<'_, T> {
    type Out = ();
    #[inline(always)]
    fn run(self) {
        let c = self.1;
        for v in self.0.iter_mut() {
            *v = c.add(*v);
        }
    }
}

/// A cumulative sum or product of one row.
pub fn scan_row<T: Num>(op: ScanOp, x: &[T], o: &mut [T]) {
    match op {
        ScanOp::CumSum => {
            // blocks of 8: a local prefix inside the block, then one add of the running total per
            // element; the total's chain of dependent adds is 8 times shorter than element by
            // element (measured 1.7x faster on 1M floats)
            let mut carry = T::zero();
            let xb = x.chunks_exact(8);
            let tail = xb.remainder();
            let mut ob = o.chunks_exact_mut(8);
            for (xc, oc) in xb.zip(&mut ob) {
                let mut p = [T::zero(); 8];
                p[0] = xc[0];
                for i in 1..8 {
                    p[i] = p[i - 1].add(xc[i]);
                }
                for i in 0..8 {
                    oc[i] = carry.add(p[i]);
                }
                carry = carry.add(p[7]);
            }
            for (d, &v) in ob.into_remainder().iter_mut().zip(tail) {
                carry = carry.add(v);
                *d = carry;
            }
        }
        ScanOp::CumProd => {
            let mut s = T::one();
            for (d, &v) in o.iter_mut().zip(x) {
                s = s.mul(v);
                *d = s;
            }
        }
        ScanOp::Softmax | ScanOp::LogSoftmax => unreachable!("softmax rows go to softmax_row"),
    }
}

/// Softmax (or log-softmax) of one row, in the row's float type: shift by the max, exponentiate
/// once into the output, sum pairwise.
///
/// NOTE: a -inf element gives exactly 0 (log: `-inf - finite = -inf`); a row of only -inf has a
/// -inf max, `-inf - -inf` is NaN, and the row is NaN, as scipy.special and torch give.
pub fn softmax_row<F: Float>(soft: bool, x: &[F], o: &mut [F]) {
    let m = extreme(x, true);
    super::simd_loops::map_best(o, x, &|v: F| v.sub(m).exp());
    let s = pairwise_sum(o);
    if soft {
        let inv = F::one().div(s);
        o.iter_mut().for_each(|d| *d = d.mul(inv));
    } else {
        let ls = m.add(s.ln());
        for (d, &v) in o.iter_mut().zip(x) {
            *d = v.sub(ls);
        }
    }
}
