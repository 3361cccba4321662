//! Dense factorizations on contiguous row-major float64 matrices (LAPACK's algorithms, written for
//! row-major storage): blocked LU with partial pivoting and blocked triangular solves whose
//! updates run on the packed [`super::gemm`], Cholesky, Householder QR, symmetric eigenvalues
//! (in [`super::symeig`], re-exported here) and the SVD (one-sided Jacobi, pool-parallel
//! round-robin sweeps, started from the eigenvectors of the Gram matrix). The op layer
//! ([`crate::ops::decomp`]) owns shapes, batching and dtypes.

use super::gemm::{gemm, gemm_sub, Mat};
pub use super::symeig::eigh;
use crate::alloc::try_vec;
use crate::error::{Error, Result};

/// The block size of LU and the triangular solves (the inner dimension of their GEMM updates).
const NB: usize = 96;

/// A row-major matrix pointer shared by pool chunks that write disjoint rows.
#[derive(Clone, Copy)]
pub(super) struct Shared(pub(super) *mut f64);
// SAFETY: chunks only write disjoint rows through it (each use says which).
unsafe impl Send for Shared {}
// SAFETY: as above.
unsafe impl Sync for Shared {}

impl Shared {
    /// The pointer (a method, so closures capture the `Send` wrapper rather than its field).
    pub(super) fn get(self) -> *mut f64 {
        self.0
    }
}

pub(super) fn linalg(msg: String) -> Error {
    Error::Linalg(msg)
}

/// The hot row loops, compiled twice: portable, and for AVX2 (picked at run time by
/// [`super::features::level`]). Both run the same operations in the same order (no FMA
/// contraction), so results do not depend on the CPU.
macro_rules! multiversion {
    ($(#[$doc:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) $(-> $ret:ty)? $body:block) => {
        $(#[$doc])*
        #[inline]
        $vis fn $name($($arg: $ty),*) $(-> $ret)? {
            #[inline(always)]
            fn body($($arg: $ty),*) $(-> $ret)? $body
            #[cfg(target_arch = "x86_64")]
            #[target_feature(enable = "avx2")]
            unsafe fn avx2($($arg: $ty),*) $(-> $ret)? {
                body($($arg),*)
            }
            #[cfg(target_arch = "x86_64")]
            if super::features::level() != super::features::Simd::Scalar {
                // SAFETY: a non-scalar level means the CPU has AVX2 (features::detected).
                return unsafe { avx2($($arg),*) };
            }
            body($($arg),*)
        }
    };
}
pub(super) use multiversion;

multiversion! {
    /// `dst[..] -= s * src[..]`.
    pub(super) fn axpy_neg(dst: &mut [f64], s: f64, src: &[f64]) {
        for (d, &v) in dst.iter_mut().zip(src) {
            *d -= s * v;
        }
    }
}

multiversion! {
    /// The dot product, in eight partial sums (vectorised, and rounding close to a pairwise sum).
    pub(super) fn dot(x: &[f64], y: &[f64]) -> f64 {
        let mut acc = [0.0f64; 8];
        let (xc, yc) = (x.chunks_exact(8), y.chunks_exact(8));
        let (xr, yr) = (xc.remainder(), yc.remainder());
        for (a, b) in xc.zip(yc) {
            for i in 0..8 {
                acc[i] += a[i] * b[i];
            }
        }
        let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
        for (a, b) in xr.iter().zip(yr) {
            s += a * b;
        }
        s
    }
}

multiversion! {
    /// The plane rotation `(x, y) <- (c x - s y, s x + c y)`.
    pub(super) fn rotate(x: &mut [f64], y: &mut [f64], c: f64, s: f64) {
        for (a, b) in x.iter_mut().zip(y.iter_mut()) {
            let (xa, yb) = (*a, *b);
            *a = c * xa - s * yb;
            *b = s * xa + c * yb;
        }
    }
}

/// Below this width a panel of [`lu`] is factored column by column.
const PANEL_LEAF: usize = 8;

/// A transposed LU panel: row r holds column `j0 + r` of the matrix from row `j0` down (`ld` long),
/// so a panel column is contiguous: pivot searches, scalings and updates run along rows, and the
/// panel's own updates are strided GEMMs inside this buffer.
struct PanelT<'a> {
    p: &'a mut [f64],
    ld: usize,
    w: usize,
}

impl PanelT<'_> {
    /// Factors panel columns c0..c1 recursively as LAPACK's `getrf2`: the left half, then the right
    /// half's top (a unit lower solve), the right half's rows below (one GEMM), then the right half.
    /// Pivot swaps exchange whole panel rows (every column of the panel). `ipiv[j]` is the panel
    /// row swapped with row j.
    fn factor(&mut self, c0: usize, c1: usize, ipiv: &mut [usize], sign: &mut f64, singular: &mut bool) {
        let (ld, w) = (self.ld, self.w);
        if c1 - c0 <= PANEL_LEAF {
            for j in c0..c1 {
                let col = &self.p[j * ld..(j + 1) * ld];
                let mut p = j;
                let mut best = col[j].abs();
                for (i, v) in col.iter().enumerate().skip(j + 1) {
                    if v.abs() > best {
                        best = v.abs();
                        p = i;
                    }
                }
                ipiv[j] = p;
                let pv = col[p];
                if pv != 0.0 {
                    if p != j {
                        for r in 0..w {
                            self.p.swap(r * ld + j, r * ld + p);
                        }
                        *sign = -*sign;
                    }
                    let col = &mut self.p[j * ld + j + 1..(j + 1) * ld];
                    // as LAPACK: multiply by the reciprocal unless it would overflow
                    if pv.abs() >= f64::MIN_POSITIVE {
                        let r = 1.0 / pv;
                        col.iter_mut().for_each(|v| *v *= r);
                    } else {
                        col.iter_mut().for_each(|v| *v /= pv);
                    }
                } else {
                    *singular = true;
                }
                let (top, bot) = self.p.split_at_mut((j + 1) * ld);
                let lcol = &top[j * ld + j + 1..];
                for row in bot.chunks_exact_mut(ld).take(c1 - j - 1) {
                    let u = row[j];
                    if u != 0.0 {
                        axpy_neg(&mut row[j + 1..], u, lcol);
                    }
                }
            }
            return;
        }
        let mid = c0 + (c1 - c0) / 2;
        self.factor(c0, mid, ipiv, sign, singular);
        // the right half's top rows: U12 = L11^-1 A12, column by column (each a panel row)
        let (top, bot) = self.p.split_at_mut(mid * ld);
        for row in bot.chunks_exact_mut(ld).take(c1 - mid) {
            for p in c0..mid {
                let x = row[p];
                if x != 0.0 {
                    axpy_neg(&mut row[p + 1..mid], x, &top[p * ld + p + 1..p * ld + mid]);
                }
            }
        }
        // the rows below: A22 -= L21 U12
        let base = self.p.as_mut_ptr();
        // SAFETY: a = panel rows mid..c1, columns c0..mid; b = panel rows c0..mid, columns mid..ld;
        // c = panel rows mid..c1, columns mid..ld: inside the buffer, c overlaps neither; `level()`
        // is supported.
        unsafe {
            gemm_sub::<f64>(
                super::features::level(),
                (c1 - mid, ld - mid, mid - c0),
                Mat { p: base.add(mid * ld + c0), ld },
                Mat { p: base.add(c0 * ld + mid), ld },
                base.add(mid * ld + mid),
                ld,
            )
        };
        self.factor(mid, c1, ipiv, sign, singular);
    }
}

/// Copies the (rows x cols) block at (r0, c0) of the row-major `a` (n columns) into the transposed
/// panel `pt` (cols rows of `rows`), or back when `back`; pool-parallel over row blocks.
fn transpose_panel(
    a: Shared,
    n: usize,
    (r0, rows): (usize, usize),
    (c0, cols): (usize, usize),
    pt: Shared,
    back: bool,
) {
    crate::pool::parallel_for(rows.div_ceil(32), (4096 / (32 * cols).max(1)).max(1), &|blocks| {
        for blk in blocks {
            for i in blk * 32..(blk * 32 + 32).min(rows) {
                // SAFETY: row r0 + i of `a` (columns c0..c0+cols) and column i of the panel are
                // touched by this chunk only; both lie inside their buffers (caller).
                unsafe {
                    let row = a.get().add((r0 + i) * n + c0);
                    for r in 0..cols {
                        let t = pt.get().add(r * rows + i);
                        if back {
                            *row.add(r) = *t;
                        } else {
                            *t = *row.add(r);
                        }
                    }
                }
            }
        }
    });
}

/// The LU factorization with partial pivoting of the n x n matrix `a`, in place (unit lower L
/// below the diagonal, U on and above it), as LAPACK's `getrf`: `piv[j]` is the row swapped with
/// row j at step j. Returns the sign of the permutation and whether a pivot was exactly zero (the
/// factorization then still completes, as LAPACK's does).
///
/// Right-looking and blocked: each panel of NB columns is copied transposed into scratch and
/// factored there recursively ([`PanelT`]); its row swaps are applied to the other columns, the
/// block row right of it is solved with L11, and the trailing matrix takes one in-place GEMM update.
pub fn lu(n: usize, a: &mut [f64], piv: &mut [usize]) -> Result<(f64, bool)> {
    let mut sign = 1.0;
    let mut singular = false;
    let mut scratch = try_vec(NB.min(n) * n, 0.0, "lu")?;
    let mut ipiv = [0usize; NB];
    let ap = Shared(a.as_mut_ptr());
    let mut j0 = 0;
    while j0 < n {
        let j1 = (j0 + NB).min(n);
        let (w, m) = (j1 - j0, n - j0);
        let pt = &mut scratch[..w * m];
        let ptp = Shared(pt.as_mut_ptr());
        transpose_panel(ap, n, (j0, m), (j0, w), ptp, false);
        PanelT { p: pt, ld: m, w }.factor(0, w, &mut ipiv, &mut sign, &mut singular);
        transpose_panel(ap, n, (j0, m), (j0, w), ptp, true);
        for (jj, &p) in ipiv[..w].iter().enumerate() {
            piv[j0 + jj] = j0 + p;
        }
        // the panel's row swaps, in order, on the columns left and right of it
        let rest = n - w;
        let ipiv = &ipiv[..w];
        crate::pool::parallel_for(rest, 256, &|cr| {
            let (lo, hi) = (cr.start, cr.end);
            let spans = [(lo.min(j0), hi.min(j0)), (lo.max(j0) + w, hi.max(j0) + w)];
            for (jj, &p) in ipiv.iter().enumerate() {
                if p != jj {
                    let (r, q) = (j0 + jj, j0 + p);
                    for &(c0, c1) in &spans {
                        for c in c0..c1 {
                            // SAFETY: columns c0..c1 (outside the panel) are this chunk's alone;
                            // rows r and q are inside the matrix.
                            unsafe { std::ptr::swap(ap.get().add(r * n + c), ap.get().add(q * n + c)) };
                        }
                    }
                }
            }
        });
        if j1 < n {
            // U12 = L11^-1 A12
            // SAFETY: L11 = rows and columns j0..j1 of `a`, read only; A12 = rows j0..j1, columns
            // j1..n, disjoint from it and written by this call only.
            unsafe {
                let ptr = ap.get().add(j0 * n + j0) as *const f64;
                trsm(Tri::UnitLower, Mat { p: ptr, ld: n }, (0, w), Shared(ap.get().add(j0 * n + j1)), n - j1, n);
            }
            // A22 -= L21 U12
            // SAFETY: a = rows j1..n, columns j0..j1; b = rows j0..j1, columns j1..n; c = rows
            // j1..n, columns j1..n: inside `a`, c overlaps neither; `level()` is supported.
            unsafe {
                gemm_sub::<f64>(
                    super::features::level(),
                    (n - j1, n - j1, w),
                    Mat { p: ap.get().add(j1 * n + j0), ld: n },
                    Mat { p: ap.get().add(j0 * n + j1), ld: n },
                    ap.get().add(j1 * n + j1),
                    n,
                )
            };
        }
        j0 = j1;
    }
    Ok((sign, singular))
}

/// Solves `A X = B` in place for B (n x k) given [`lu`]'s factors of A: row swaps, then blocked
/// forward (unit lower) and back (upper) substitution with in-place GEMM updates between blocks
/// (one right-hand side: row dot products).
pub fn lu_solve(n: usize, k: usize, lu: &[f64], piv: &[usize], b: &mut [f64]) -> Result<()> {
    if n == 0 || k == 0 {
        return Ok(());
    }
    for (j, &p) in piv.iter().enumerate().take(n) {
        if p != j {
            let (top, bot) = b.split_at_mut(p * k);
            top[j * k..(j + 1) * k].swap_with_slice(&mut bot[..k]);
        }
    }
    if k == 1 {
        for i in 1..n {
            b[i] -= dot(&lu[i * n..i * n + i], &b[..i]);
        }
        for i in (0..n).rev() {
            b[i] = (b[i] - dot(&lu[i * n + i + 1..(i + 1) * n], &b[i + 1..])) / lu[i * n + i];
        }
        return Ok(());
    }
    let bp = Shared(b.as_mut_ptr());
    let l = Mat { p: lu.as_ptr(), ld: n };
    // SAFETY: `lu` holds the n x n factors and `b` the n x k right-hand sides, exclusively ours.
    unsafe {
        trsm(Tri::UnitLower, l, (0, n), bp, k, k);
        trsm(Tri::Upper, l, (0, n), bp, k, k);
    }
    Ok(())
}

/// The inverse of A into `o` (n x n) given [`lu`]'s factors of A, as `U^-1 L^-1 P`: `L^-1` by
/// forward solves of the identity's column blocks, each only below its first row (the rows above
/// stay zero), then back substitution with U, then the row swaps undone as column swaps. About
/// 4/3 n^3 flops after the factorization, against 2 n^3 for solving with the identity.
pub fn lu_inverse(n: usize, lu: &[f64], piv: &[usize], o: &mut [f64]) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    o[..n * n].iter_mut().for_each(|v| *v = 0.0);
    for j in 0..n {
        o[j * n + j] = 1.0;
    }
    let op = Shared(o.as_mut_ptr());
    let l = Mat { p: lu.as_ptr(), ld: n };
    const COLS: usize = 256;
    for c0 in (0..n).step_by(COLS) {
        let w = COLS.min(n - c0);
        // SAFETY: rows c0..n of columns c0..c0+w of `o` (exclusively ours); `lu` holds the factors.
        unsafe { trsm(Tri::UnitLower, l, (c0, n), Shared(op.get().add(c0)), w, n) };
    }
    // SAFETY: as above, all of `o`.
    unsafe { trsm(Tri::Upper, l, (0, n), op, n, n) };
    // A^-1 = X P: the swaps of `piv`, last first, on the columns (within each row)
    crate::pool::parallel_for(n, 64, &|rows| {
        for i in rows {
            // SAFETY: row i of `o` is this chunk's alone.
            let row = unsafe { std::slice::from_raw_parts_mut(op.get().add(i * n), n) };
            for (j, &p) in piv.iter().enumerate().take(n).rev() {
                row.swap(j, p);
            }
        }
    });
    Ok(())
}

/// Which triangle of a factor [`trsm`] solves with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Tri {
    /// Unit lower (LU's L: the diagonal is implicit ones).
    UnitLower,
    /// Upper with its diagonal (LU's U).
    Upper,
}

/// Below this many rows [`trsm`] substitutes directly.
const TRSM_LEAF: usize = 16;

/// Solves `T X = B` in place for rows r0..r1 of B (`cols` columns, `ldb` apart) with the diagonal
/// block r0..r1 of the triangle `tri` of `t` (row-major), recursively: one half, a GEMM update of
/// the other half, then the other half. Contributions of rows outside r0..r1 are already applied.
///
/// # Safety
/// `t` is valid for reads of rows and columns r0..r1, `b` for reads and writes of rows r0..r1
/// (`cols` wide), and nothing else accesses that part of `b` during the call.
unsafe fn trsm(tri: Tri, t: Mat<f64>, (r0, r1): (usize, usize), b: Shared, cols: usize, ldb: usize) {
    let len = r1 - r0;
    if len <= TRSM_LEAF {
        let tp = t.p as usize;
        // at least ~128K multiply-adds per chunk: below that, waking the pool costs more than it saves
        crate::pool::parallel_for(cols, (1 << 17) / (len * len).max(1), &|cr| {
            let tp = tp as *const f64;
            let row = |i: usize| {
                // SAFETY: row i of b (inside r0..r1), columns `cr`: this chunk's alone.
                unsafe { std::slice::from_raw_parts_mut(b.get().add(i * ldb + cr.start), cr.len()) }
            };
            // SAFETY: element (i, p) of the triangle block (contract).
            let at = |i: usize, p: usize| unsafe { *tp.add(i * t.ld + p) };
            match tri {
                Tri::UnitLower => {
                    for i in r0..r1 {
                        let dst = row(i);
                        for p in r0..i {
                            let l = at(i, p);
                            if l != 0.0 {
                                axpy_neg(dst, l, row(p));
                            }
                        }
                    }
                }
                Tri::Upper => {
                    for i in (r0..r1).rev() {
                        let dst = row(i);
                        for p in i + 1..r1 {
                            let u = at(i, p);
                            if u != 0.0 {
                                axpy_neg(dst, u, row(p));
                            }
                        }
                        let d = at(i, i);
                        dst.iter_mut().for_each(|v| *v /= d);
                    }
                }
            }
        });
        return;
    }
    let mid = r0 + len / 2;
    let simd = super::features::level();
    let block = |r: usize, c: usize| Mat { p: t.p.wrapping_add(r * t.ld + c), ld: t.ld };
    let rows = |r: usize| Mat { p: b.get().wrapping_add(r * ldb) as *const f64, ld: ldb };
    // SAFETY: the three calls touch blocks of `t` and rows r0..r1 of `b` only (contract); each GEMM
    // half of b's rows and writes the other; `simd` is `level()`.
    unsafe {
        match tri {
            Tri::UnitLower => {
                trsm(tri, t, (r0, mid), b, cols, ldb);
                gemm_sub::<f64>(
                    simd,
                    (r1 - mid, cols, mid - r0),
                    block(mid, r0),
                    rows(r0),
                    b.get().add(mid * ldb),
                    ldb,
                );
                trsm(tri, t, (mid, r1), b, cols, ldb);
            }
            Tri::Upper => {
                trsm(tri, t, (mid, r1), b, cols, ldb);
                gemm_sub::<f64>(
                    simd,
                    (mid - r0, cols, r1 - mid),
                    block(r0, mid),
                    rows(mid),
                    b.get().add(r0 * ldb),
                    ldb,
                );
                trsm(tri, t, (r0, mid), b, cols, ldb);
            }
        }
    }
}

/// The lower Cholesky factor of the n x n matrix `a` (only its lower triangle is read), in place
/// (the strict upper triangle is zeroed). `Err` when `a` is not positive definite.
pub fn cholesky(n: usize, a: &mut [f64]) -> Result<()> {
    for j in 0..n {
        let rowj = &mut a[j * n..(j + 1) * n];
        let d = rowj[j] - dot(&rowj[..j], &rowj[..j]);
        if !(d > 0.0 && d.is_finite()) {
            return Err(linalg(format!(
                "cholesky: the matrix is not positive definite (leading minor {} is not)",
                j + 1
            )));
        }
        let d = d.sqrt();
        rowj[j] = d;
        rowj[j + 1..].iter_mut().for_each(|v| *v = 0.0);
        let (upto, below) = a.split_at_mut((j + 1) * n);
        let lj = &upto[j * n..j * n + j];
        for row in below.chunks_exact_mut(n) {
            row[j] = (row[j] - dot(&row[..j], lj)) / d;
        }
    }
    Ok(())
}

/// Householder QR of the m x n matrix `a` in place, as LAPACK's `geqrf`: R on and above the
/// diagonal, the reflectors' tails below it, their scales in `tau` (min(m, n)).
pub fn qr(m: usize, n: usize, a: &mut [f64], tau: &mut [f64]) -> Result<()> {
    let k = m.min(n);
    let mut w = try_vec(n, 0.0, "qr")?;
    for j in 0..k {
        let alpha = a[j * n + j];
        let xnorm = (j + 1..m).map(|i| a[i * n + j] * a[i * n + j]).sum::<f64>().sqrt();
        let t = if xnorm == 0.0 {
            0.0
        } else {
            let beta = -alpha.hypot(xnorm).copysign(alpha);
            let scal = 1.0 / (alpha - beta);
            for i in j + 1..m {
                a[i * n + j] *= scal;
            }
            a[j * n + j] = beta;
            (beta - alpha) / beta
        };
        tau[j] = t;
        if t != 0.0 && j + 1 < n {
            reflect(a, n, j, j + 1, n, m, t, &mut w);
        }
    }
    Ok(())
}

/// Applies `I - t v v^T` (v = [1, a[j+1..m, j]] of the factored `a`, `lda` columns) to rows j..m,
/// columns c0..c1 of `x` (`ldx` columns).
#[allow(clippy::too_many_arguments)]
fn reflect_into(
    a: &[f64],
    lda: usize,
    x: &mut [f64],
    ldx: usize,
    c0: usize,
    c1: usize,
    m: usize,
    j: usize,
    t: f64,
    w: &mut [f64],
) {
    let w = &mut w[..c1 - c0];
    w.copy_from_slice(&x[j * ldx + c0..j * ldx + c1]);
    for i in j + 1..m {
        let v = a[i * lda + j];
        if v != 0.0 {
            for (d, &s) in w.iter_mut().zip(&x[i * ldx + c0..i * ldx + c1]) {
                *d += v * s;
            }
        }
    }
    axpy_neg(&mut x[j * ldx + c0..j * ldx + c1], t, w);
    for i in j + 1..m {
        let v = t * a[i * lda + j];
        if v != 0.0 {
            axpy_neg(&mut x[i * ldx + c0..i * ldx + c1], v, w);
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn reflect(a: &mut [f64], n: usize, j: usize, c0: usize, c1: usize, m: usize, t: f64, w: &mut [f64]) {
    // the reflector's column j is left of c0, so reading it while updating columns c0.. is safe
    let w = &mut w[..c1 - c0];
    w.copy_from_slice(&a[j * n + c0..j * n + c1]);
    for i in j + 1..m {
        let v = a[i * n + j];
        if v != 0.0 {
            let (wr, src) = (&mut *w, &a[i * n + c0..i * n + c1]);
            for (d, &s) in wr.iter_mut().zip(src) {
                *d += v * s;
            }
        }
    }
    axpy_neg(&mut a[j * n + c0..j * n + c1], t, w);
    for i in j + 1..m {
        let v = t * a[i * n + j];
        if v != 0.0 {
            axpy_neg(&mut a[i * n + c0..i * n + c1], v, w);
        }
    }
}

/// The m x qc matrix Q (qc = min(m, n) or m) of [`qr`]'s factors, as LAPACK's `orgqr`.
pub fn qr_q(m: usize, n: usize, a: &[f64], tau: &[f64], qc: usize, q: &mut [f64]) -> Result<()> {
    q.iter_mut().for_each(|v| *v = 0.0);
    for i in 0..m.min(qc) {
        q[i * qc + i] = 1.0;
    }
    let mut w = try_vec(qc, 0.0, "qr")?;
    for j in (0..m.min(n)).rev() {
        if tau[j] != 0.0 {
            reflect_into(a, n, q, qc, j, qc, m, j, tau[j], &mut w);
        }
    }
    Ok(())
}

/// One-sided Jacobi on the `cnt` rows (each of length `len`, cnt <= len) of `g`: rotates pairs of
/// rows until all are mutually orthogonal, applying the same rotations to the rows of `v`
/// (cnt x cnt) when given. Pairs of a round-robin round are disjoint and run on the pool.
fn jacobi(len: usize, cnt: usize, g: &mut [f64], v: Option<&mut [f64]>) -> Result<()> {
    if cnt < 2 {
        return Ok(());
    }
    let players = cnt + cnt % 2;
    let mut order: Vec<usize> = (0..players).collect();
    let gp = Shared(g.as_mut_ptr());
    let vp = v.map(|v| Shared(v.as_mut_ptr()));
    let tol = f64::EPSILON * (len as f64).max(1.0);
    let min_chunk = (32_768 / (len + cnt)).max(1);
    // the squared row norms, kept up to date through the rotations and recomputed every sweep
    let mut norms = try_vec(cnt, 0.0, "svd")?;
    let np = Shared(norms.as_mut_ptr());
    for _sweep in 0..80 {
        for (j, nj) in norms.iter_mut().enumerate() {
            let row = &g[j * len..(j + 1) * len];
            *nj = dot(row, row);
        }
        let rotated = std::sync::atomic::AtomicBool::new(false);
        for _round in 0..players - 1 {
            let ord = &order;
            let rot = &rotated;
            crate::pool::parallel_for(players / 2, min_chunk, &|r| {
                for i in r {
                    let (p, q) = (ord[i], ord[players - 1 - i]);
                    if p >= cnt || q >= cnt {
                        continue;
                    }
                    // SAFETY: the pairs of a round are disjoint, so rows p and q of `g` (and of
                    // `v`) are touched by this pair only.
                    let (x, y) = unsafe {
                        (
                            std::slice::from_raw_parts_mut(gp.get().add(p * len), len),
                            std::slice::from_raw_parts_mut(gp.get().add(q * len), len),
                        )
                    };
                    // SAFETY: entries p and q of `norms` belong to this pair (as the rows).
                    let (np_, nq) = unsafe { (&mut *np.get().add(p), &mut *np.get().add(q)) };
                    let (alpha, beta, gamma) = (*np_, *nq, dot(x, y));
                    if gamma == 0.0 || gamma.abs() <= tol * (alpha * beta).sqrt() || !gamma.is_finite() {
                        continue;
                    }
                    let zeta = (beta - alpha) / (2.0 * gamma);
                    let t = zeta.signum() / (zeta.abs() + (1.0 + zeta * zeta).sqrt());
                    let c = 1.0 / (1.0 + t * t).sqrt();
                    let s = c * t;
                    if s == 0.0 {
                        continue;
                    }
                    rot.store(true, std::sync::atomic::Ordering::Relaxed);
                    *np_ = alpha - t * gamma;
                    *nq = beta + t * gamma;
                    rotate(x, y, c, s);
                    if let Some(vp) = vp {
                        // SAFETY: as above, rows p and q of `v` belong to this pair.
                        let (x, y) = unsafe {
                            (
                                std::slice::from_raw_parts_mut(vp.get().add(p * cnt), cnt),
                                std::slice::from_raw_parts_mut(vp.get().add(q * cnt), cnt),
                            )
                        };
                        rotate(x, y, c, s);
                    }
                }
            });
            order[1..].rotate_right(1);
        }
        if !rotated.load(std::sync::atomic::Ordering::Relaxed) {
            return Ok(());
        }
    }
    Err(linalg("svd: the Jacobi iteration did not converge".into()))
}

/// Fills the rows of the orthonormal set `u` (cnt rows of length `len`) flagged `missing` with unit
/// vectors orthogonal to every other row: each is the unit vector e_i farthest from the span of
/// the rows so far (its residual is 1 - sum of squares of column i), orthogonalised twice.
fn complete(len: usize, cnt: usize, u: &mut [f64], missing: &mut [bool]) -> Result<()> {
    let mut x = try_vec(len, 0.0, "svd")?;
    let mut resid = try_vec(len, 1.0, "svd")?;
    for o in 0..cnt {
        if !missing[o] {
            for (r, &v) in resid.iter_mut().zip(&u[o * len..(o + 1) * len]) {
                *r -= v * v;
            }
        }
    }
    for r in 0..cnt {
        if !missing[r] {
            continue;
        }
        let best = (0..len).max_by(|&i, &j| resid[i].total_cmp(&resid[j])).unwrap_or(0);
        x.iter_mut().for_each(|v| *v = 0.0);
        x[best] = 1.0;
        for _ in 0..2 {
            for o in 0..cnt {
                if !missing[o] {
                    let row = &u[o * len..(o + 1) * len];
                    let pr = dot(&x, row);
                    axpy_neg(&mut x, pr, row);
                }
            }
        }
        let nrm = dot(&x, &x).sqrt();
        for (d, &v) in u[r * len..(r + 1) * len].iter_mut().zip(&x) {
            *d = v / nrm;
        }
        missing[r] = false;
        for (q, &v) in resid.iter_mut().zip(&u[r * len..(r + 1) * len]) {
            *q -= v * v;
        }
    }
    Ok(())
}

/// From this many rows on, [`svd`] preconditions the Jacobi sweeps ([`precondition`]).
const PRECONDITION: usize = 24;

/// Rotates the rows of `g` (cnt x len) by the eigenvectors of their Gram matrix `g g^T` (one GEMM,
/// [`eigh`], one GEMM), so the one-sided Jacobi sweeps that follow start from nearly orthogonal
/// rows and converge in a few sweeps; `v` becomes those eigenvectors (as rows), the rotation
/// applied. The Jacobi sweeps still decide the result (its accuracy is theirs); if the eigenvalue
/// iteration fails, `g` and `v` are left as they were.
fn precondition(len: usize, cnt: usize, g: &mut [f64], v: Option<&mut [f64]>) -> Result<()> {
    let simd = super::features::level();
    let mut gt = try_vec(len * cnt, 0.0, "svd")?;
    for j in 0..cnt {
        for k in 0..len {
            gt[k * cnt + j] = g[j * len + k];
        }
    }
    let mut w = try_vec(cnt * cnt, 0.0, "svd")?;
    gemm::<f64>(simd, cnt, cnt, len, g, &gt, &mut w);
    drop(gt);
    let mut d = try_vec(cnt, 0.0, "svd")?;
    if eigh(cnt, &mut w, &mut d, true).is_err() {
        return Ok(());
    }
    let mut rotated = try_vec(cnt * len, 0.0, "svd")?;
    gemm::<f64>(simd, cnt, len, cnt, &w, g, &mut rotated);
    g.copy_from_slice(&rotated);
    if let Some(v) = v {
        v.copy_from_slice(&w);
    }
    Ok(())
}

/// The SVD of the m x n matrix `a`: singular values descending in `s` (min(m, n)); with `uv`,
/// `u` (m x ucols) and `vh` (vrows x n), where ucols/vrows are min(m, n) or m/n (full).
#[allow(clippy::too_many_arguments)]
pub fn svd(
    m: usize,
    n: usize,
    a: &[f64],
    s: &mut [f64],
    uv: Option<(&mut [f64], usize, &mut [f64], usize)>,
) -> Result<()> {
    if a.iter().any(|v| !v.is_finite()) {
        return Err(linalg("svd: the matrix has non-finite values (SVD did not converge)".into()));
    }
    let tall = m >= n;
    let (len, cnt) = if tall { (m, n) } else { (n, m) };
    let k = cnt;
    // rows of g: the columns of a (tall) or the rows of a (wide)
    let mut g = try_vec(cnt * len, 0.0, "svd")?;
    if tall {
        for i in 0..m {
            for j in 0..n {
                g[j * len + i] = a[i * n + j];
            }
        }
    } else {
        g.copy_from_slice(&a[..m * n]);
    }
    let want = uv.is_some();
    let mut v = if want { try_vec(cnt * cnt, 0.0, "svd")? } else { Vec::new() };
    for i in 0..if want { cnt } else { 0 } {
        v[i * cnt + i] = 1.0;
    }
    if cnt >= PRECONDITION {
        precondition(len, cnt, &mut g, if want { Some(&mut v) } else { None })?;
    }
    jacobi(len, cnt, &mut g, if want { Some(&mut v) } else { None })?;
    let norms: Vec<f64> =
        (0..cnt).map(|j| dot(&g[j * len..(j + 1) * len], &g[j * len..(j + 1) * len]).sqrt()).collect();
    let mut perm: Vec<usize> = (0..cnt).collect();
    perm.sort_by(|&x, &y| norms[y].total_cmp(&norms[x]));
    for (i, &p) in perm.iter().enumerate() {
        s[i] = norms[p];
    }
    let Some((u, ucols, vh, vrows)) = uv else {
        return Ok(());
    };
    // the left vectors of the Jacobi problem: normalised rows of g, sorted, completed
    let rows = if tall { ucols } else { vrows };
    let mut lv = try_vec(rows * len, 0.0, "svd")?;
    let mut missing = try_vec(rows, false, "svd")?;
    for (i, &p) in perm.iter().enumerate() {
        if norms[p] > 0.0 {
            for (d, &x) in lv[i * len..(i + 1) * len].iter_mut().zip(&g[p * len..(p + 1) * len]) {
                *d = x / norms[p];
            }
        } else {
            missing[i] = true;
        }
    }
    missing[k..].iter_mut().for_each(|x| *x = true);
    complete(len, rows, &mut lv, &mut missing)?;
    // the right vectors: rows of v, sorted
    if tall {
        // u = lv^T (m x ucols), vh = sorted rows of v (n x n)
        for i in 0..m {
            for j in 0..ucols {
                u[i * ucols + j] = lv[j * len + i];
            }
        }
        for (i, &p) in perm.iter().enumerate() {
            vh[i * n..(i + 1) * n].copy_from_slice(&v[p * cnt..(p + 1) * cnt]);
        }
    } else {
        // vh = lv (vrows x n), u[:, i] = row perm[i] of v (m x m)
        vh[..vrows * n].copy_from_slice(&lv);
        for (i, &p) in perm.iter().enumerate() {
            for r in 0..m {
                u[r * m + i] = v[p * cnt + r];
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reproducible matrix with entries in [-1, 1) (an LCG: no test dependency).
    fn matrix(rows: usize, cols: usize, seed: u64) -> Vec<f64> {
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (0..rows * cols)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
            })
            .collect()
    }

    fn matmul(m: usize, k: usize, n: usize, a: &[f64], b: &[f64]) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for p in 0..k {
                for j in 0..n {
                    c[i * n + j] += a[i * k + p] * b[p * n + j];
                }
            }
        }
        c
    }

    fn max_diff(x: &[f64], y: &[f64]) -> f64 {
        x.iter().zip(y).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max)
    }

    #[test]
    fn lu_solves_across_block_edges() {
        // sizes below, at and across the block size and the panel and TRSM leaves; one and several
        // right-hand sides (one takes the dot-product path); L U reproduces the permuted matrix
        for n in [1, 2, 7, PANEL_LEAF + 1, TRSM_LEAF + 1, 33, NB, NB + 1, 2 * NB + 5] {
            let a = matrix(n, n, n as u64);
            let mut lu_a = a.clone();
            let mut piv = vec![0; n];
            let (_, singular) = lu(n, &mut lu_a, &mut piv).unwrap();
            assert!(!singular);
            let (l, u): (Vec<f64>, Vec<f64>) = (0..n * n)
                .map(|i| {
                    let (r, c) = (i / n, i % n);
                    let v = lu_a[i];
                    (
                        if r > c {
                            v
                        } else if r == c {
                            1.0
                        } else {
                            0.0
                        },
                        if r <= c { v } else { 0.0 },
                    )
                })
                .unzip();
            let mut pa = a.clone();
            for (j, &p) in piv.iter().enumerate() {
                for c in 0..n {
                    pa.swap(j * n + c, p * n + c);
                }
            }
            assert!(max_diff(&matmul(n, n, n, &l, &u), &pa) < 1e-12 * n as f64, "P A = L U, n = {n}");
            let mut inv = vec![f64::NAN; n * n];
            lu_inverse(n, &lu_a, &piv, &mut inv).unwrap();
            let eye: Vec<f64> = (0..n * n).map(|i| if i % (n + 1) == 0 { 1.0 } else { 0.0 }).collect();
            assert!(max_diff(&matmul(n, n, n, &a, &inv), &eye) < 1e-9, "A A^-1 = I, n = {n}");
            for k in [1, 3, 17] {
                let b = matrix(n, k, 99);
                let mut x = b.clone();
                lu_solve(n, k, &lu_a, &piv, &mut x).unwrap();
                assert!(max_diff(&matmul(n, n, k, &a, &x), &b) < 1e-9, "n = {n}, k = {k}");
            }
        }
        // the inverse across its column blocks
        let n = 300;
        let a = matrix(n, n, 5);
        let (mut lu_a, mut piv, mut inv) = (a.clone(), vec![0; n], vec![f64::NAN; n * n]);
        lu(n, &mut lu_a, &mut piv).unwrap();
        lu_inverse(n, &lu_a, &piv, &mut inv).unwrap();
        let eye: Vec<f64> = (0..n * n).map(|i| if i % (n + 1) == 0 { 1.0 } else { 0.0 }).collect();
        assert!(max_diff(&matmul(n, n, n, &a, &inv), &eye) < 1e-9, "A A^-1 = I, n = {n}");
        assert!(max_diff(&matmul(n, n, n, &inv, &a), &eye) < 1e-9, "A^-1 A = I, n = {n}");
        let mut s = vec![1.0, 2.0, 2.0, 4.0];
        assert!(lu(2, &mut s, &mut [0, 0]).unwrap().1, "a singular matrix is reported");
    }

    #[test]
    fn cholesky_qr_eigh_svd_reconstruct() {
        let n = 9;
        let a = matrix(n, n, 3);
        // cholesky of a a^T + n I
        let mut spd = matmul(n, n, n, &a, &(0..n * n).map(|i| a[(i % n) * n + i / n]).collect::<Vec<_>>());
        (0..n).for_each(|i| spd[i * n + i] += n as f64);
        let mut l = spd.clone();
        cholesky(n, &mut l).unwrap();
        let lt: Vec<f64> = (0..n * n).map(|i| l[(i % n) * n + i / n]).collect();
        assert!(max_diff(&matmul(n, n, n, &l, &lt), &spd) < 1e-12);
        assert!(cholesky(2, &mut [1.0, 2.0, 2.0, 1.0]).is_err());
        // qr of a tall matrix
        let (m, k) = (12, 5);
        let t = matrix(m, k, 4);
        let (mut f, mut tau) = (t.clone(), vec![0.0; k]);
        qr(m, k, &mut f, &mut tau).unwrap();
        let mut q = vec![0.0; m * k];
        qr_q(m, k, &f, &tau, k, &mut q).unwrap();
        let r: Vec<f64> = (0..k * k).map(|i| if i % k >= i / k { f[(i / k) * k + i % k] } else { 0.0 }).collect();
        assert!(max_diff(&matmul(m, k, k, &q, &r), &t) < 1e-13);
        // eigh of a symmetric matrix: V W V^T
        let sym: Vec<f64> = (0..n * n).map(|i| a[i] + a[(i % n) * n + i / n]).collect();
        let (mut w, mut d) = (sym.clone(), vec![0.0; n]);
        eigh(n, &mut w, &mut d, true).unwrap();
        assert!(d.windows(2).all(|p| p[0] <= p[1]));
        let vwt: Vec<f64> = (0..n * n).map(|i| w[(i % n) * n + i / n] * d[i % n]).collect(); // V diag(d)
        assert!(max_diff(&matmul(n, n, n, &vwt, &w), &sym) < 1e-12);
        // svd of a wide matrix with full matrices
        let (m, k) = (4, 7);
        let x = matrix(m, k, 5);
        let (mut u, mut s, mut vh) = (vec![0.0; m * m], vec![0.0; m], vec![0.0; k * k]);
        svd(m, k, &x, &mut s, Some((&mut u, m, &mut vh, k))).unwrap();
        assert!(s.windows(2).all(|p| p[0] >= p[1]));
        let us: Vec<f64> = (0..m * m).map(|i| u[i] * s[i % m]).collect();
        assert!(max_diff(&matmul(m, m, k, &us, &vh[..m * k]), &x) < 1e-13);
        let vvt = matmul(k, k, k, &vh, &(0..k * k).map(|i| vh[(i % k) * k + i / k]).collect::<Vec<_>>());
        let eye: Vec<f64> = (0..k * k).map(|i| if i % k == i / k { 1.0 } else { 0.0 }).collect();
        assert!(max_diff(&vvt, &eye) < 1e-13, "the completed V^H is orthogonal");
        // a tall one large enough to be preconditioned, values only and with vectors
        let (m, k) = (40, PRECONDITION + 2);
        let x = matrix(m, k, 6);
        let mut s0 = vec![0.0; k];
        svd(m, k, &x, &mut s0, None).unwrap();
        let (mut u, mut s, mut vh) = (vec![0.0; m * k], vec![0.0; k], vec![0.0; k * k]);
        svd(m, k, &x, &mut s, Some((&mut u, k, &mut vh, k))).unwrap();
        assert!(max_diff(&s, &s0) < 1e-13);
        let us: Vec<f64> = (0..m * k).map(|i| u[i] * s[i % k]).collect();
        assert!(max_diff(&matmul(m, k, k, &us, &vh), &x) < 1e-13);
    }
}
