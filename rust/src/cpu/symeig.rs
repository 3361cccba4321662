//! Symmetric eigenvalues and eigenvectors on contiguous row-major float64 matrices: blocked
//! Householder tridiagonalisation on the lower triangle (LAPACK's dsytrd/dlatrd: panels of [`NB`]
//! reflectors, one symmetric matrix-vector product per reflector, the rank-2k update of the
//! trailing lower triangle on the packed [`super::gemm`]), then the implicit QL method (EISPACK's
//! tql2) on the tridiagonal matrix.
//! With vectors, QL's plane rotations are only recorded while it runs, then applied to the identity
//! in column chunks in parallel (each chunk stays in cache for the whole sequence), and the
//! reflectors are applied to the result in blocks (compact WY, as dormtr) through the GEMM.
//! [`super::lapack::svd`] starts from these eigenvectors too.

use super::gemm::gemm;
use super::lapack::{axpy_neg, dot, linalg, multiversion, Shared};
use crate::alloc::{try_vec, try_with_capacity};
use crate::error::{Error, Result};

/// Reflectors per panel of the tridiagonalisation (half the inner dimension of its GEMM update).
const NB: usize = 32;
/// Reflectors per block of the back-transformation (the inner dimension of its GEMMs).
const NBT: usize = 64;
/// Columns per block of the tridiagonalisation's trailing update (its lower triangle only).
const TRAIL_COLS: usize = 128;
/// Row parts of the triangular matrix-vector product (each sums into its own vector).
const SYMV_PARTS: usize = 8;
/// Columns per chunk when the recorded rotations are applied.
const ROT_COLS: usize = 16;

multiversion! {
    /// Applies the recorded QL rotations, sweep after sweep, to the rows of `z` ([`ROT_COLS`]
    /// wide, contiguous): rotation i of a sweep `(l, m)` (i from m - 1 down to l, its `(c, s)` next
    /// in `cs`) maps rows (i, i + 1) to `(c z_i - s z_i+1, s z_i + c z_i+1)`. Row i + 1 is final
    /// for the sweep once rotation i is done, so the running row i stays in registers. Rows past
    /// `hi` must be zero (the identity's panel).
    fn apply_rotations(z: &mut [f64], hi0: usize, cs: &[f64], sweeps: &[(usize, usize)]) {
        const W: usize = ROT_COLS;
        let (mut k, mut hi) = (0, hi0);
        for &(l, m) in sweeps {
            // rows past `hi` are still zero: rotations there change nothing, and a sweep reaching
            // `hi` fills one more row
            let top = m.min(hi + 1).max(l);
            k += 2 * (m - top);
            if top == l {
                continue;
            }
            if hi < m && hi >= l {
                hi += 1;
            }
            let mut carry = [0.0f64; W];
            carry.copy_from_slice(&z[top * W..(top + 1) * W]);
            for i in (l..top).rev() {
                let (c, s) = (cs[k], cs[k + 1]);
                k += 2;
                let (lo, hi) = z.split_at_mut((i + 1) * W);
                let (x, y) = (&lo[i * W..], &mut hi[..W]);
                for t in 0..W {
                    let (xa, yb) = (x[t], carry[t]);
                    carry[t] = c * xa - s * yb;
                    y[t] = s * xa + c * yb;
                }
            }
            z[l * W..(l + 1) * W].copy_from_slice(&carry);
        }
    }
}

multiversion! {
    /// The fused step of the triangular matrix-vector product: `acc[k] += row[k] * f` and the
    /// sum of `row[k] * v[k]` (in eight partial sums, as [`dot`]).
    fn dot_axpy(row: &[f64], v: &[f64], acc: &mut [f64], f: f64) -> f64 {
        let mut s = [0.0f64; 8];
        let (rc, vc) = (row.chunks_exact(8), v.chunks_exact(8));
        let (rr, vr) = (rc.remainder(), vc.remainder());
        let mut ac = acc.chunks_exact_mut(8);
        for ((r, x), a) in rc.zip(vc).zip(ac.by_ref()) {
            for i in 0..8 {
                s[i] += r[i] * x[i];
                a[i] += r[i] * f;
            }
        }
        let mut g = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        for ((r, x), a) in rr.iter().zip(vr).zip(ac.into_remainder()) {
            g += r * x;
            *a += r * f;
        }
        g
    }
}

/// `y[c0..n] = a[c0..n, c0..n] v[c0..n]` for the symmetric n x n row-major `a`, reading its lower
/// triangle only: row parts of equal area in parallel, each summing into its own n-long slice of
/// `acc` (`parts` of them), then added up.
fn symv(n: usize, c0: usize, a: &[f64], v: &[f64], y: &mut [f64], acc: &mut [f64], parts: usize) {
    let len = n - c0;
    // below this a wake-up of the pool costs more than it saves (called once per column)
    let parts = if len < 512 { 1 } else { parts };
    let ap = Shared(acc.as_mut_ptr());
    crate::pool::parallel_for(parts, 1, &|r| {
        for part in r {
            // rows c0 + len sqrt(part / parts) .. (equal shares of the triangle)
            let edge = |p: usize| c0 + ((len as f64) * (p as f64 / parts as f64).sqrt()).round() as usize;
            let (r0, r1) = (edge(part), if part + 1 == parts { n } else { edge(part + 1) });
            // SAFETY: elements part * n + c0..(part + 1) * n of `acc` (acc.len() >= parts * n), this
            // part's own; the caller holds no other reference to `acc` meanwhile.
            let acc = unsafe { std::slice::from_raw_parts_mut(ap.get().add(part * n + c0), len) };
            acc.fill(0.0);
            for row in r0..r1 {
                let k = row - c0;
                let f = v[row];
                let g = dot_axpy(&a[row * n + c0..row * n + row], &v[c0..row], &mut acc[..k], f);
                acc[k] += g + a[row * n + row] * f;
            }
        }
    });
    y[c0..n].copy_from_slice(&acc[c0..n]);
    for part in 1..parts {
        for (x, &s) in y[c0..n].iter_mut().zip(&acc[part * n + c0..(part + 1) * n]) {
            *x += s;
        }
    }
}

/// `a[r0 + r, c0..c0 + cols] -= t[r, ..]` for the rows of `t` (contiguous, `cols` wide), in parallel.
fn subtract_block(a: &mut [f64], lda: usize, r0: usize, c0: usize, cols: usize, t: &[f64]) {
    let rows = t.len() / cols;
    assert!(a.len() >= (r0 + rows) * lda && c0 + cols <= lda, "eigh: block out of range");
    let ap = Shared(a.as_mut_ptr());
    crate::pool::parallel_for(rows, (16_384 / cols).max(1), &|r| {
        for i in r {
            // SAFETY: row r0 + i of `a` (columns c0..c0 + cols, in range by the assert) is written by
            // this chunk only; the caller holds no other reference to `a` meanwhile.
            let row = unsafe { std::slice::from_raw_parts_mut(ap.get().add((r0 + i) * lda + c0), cols) };
            for (x, &y) in row.iter_mut().zip(&t[i * cols..(i + 1) * cols]) {
                *x -= y;
            }
        }
    });
}

/// Reduces the symmetric n x n `a` (its lower triangle is read, n >= 2) to tridiagonal form `Q^T a Q`: diagonal
/// `d`, off-diagonal `e` (`e[i]` couples i and i + 1; `e[n - 1] = 0`). `Q = H_0 H_1 .. H_{n-2}`,
/// `H_i = I - tau[i] v v^T` with v zero up to i, 1 at i + 1 and the rest in row i of `a` after
/// column i + 1 (the rest of `a` is left as scratch).
fn tridiagonalize(n: usize, a: &mut [f64], d: &mut [f64], e: &mut [f64], tau: &mut [f64]) -> Result<()> {
    let simd = super::features::level();
    let nbm = NB.min(n - 1);
    // the panel's V and W (vector k at row k, indexed by the global row)
    let mut vp = try_vec(nbm * n, 0.0, "eigh")?;
    let mut wp = try_vec(nbm * n, 0.0, "eigh")?;
    let mut y = try_vec(n, 0.0, "eigh")?;
    // a fixed count (not the thread count's), so the sums and the results do not depend on it
    let parts = SYMV_PARTS;
    let mut acc = try_vec(parts * n, 0.0, "eigh")?;
    let trail = n - nbm;
    let mut lhs = try_vec(trail * 2 * nbm, 0.0, "eigh")?;
    let mut rhs = try_vec(trail * 2 * nbm, 0.0, "eigh")?;
    let mut rb = try_vec(2 * nbm * TRAIL_COLS, 0.0, "eigh")?;
    let mut t = try_vec(trail * TRAIL_COLS.min(trail), 0.0, "eigh")?;
    let mut p = 0;
    while p < n - 1 {
        let nb = NB.min(n - 1 - p);
        for j in 0..nb {
            let i = p + j;
            // row i, columns i.. (gathered from column i: only the lower triangle is kept
            // current), brought up to date with the panel's earlier reflectors
            {
                for c in i + 1..n {
                    a[i * n + c] = a[c * n + i];
                }
                let row = &mut a[i * n + i..(i + 1) * n];
                for k in 0..j {
                    let (vk, wk) = (&vp[k * n..(k + 1) * n], &wp[k * n..(k + 1) * n]);
                    axpy_neg(row, vk[i], &wk[i..]);
                    axpy_neg(row, wk[i], &vk[i..]);
                }
            }
            d[i] = a[i * n + i];
            // the reflector that zeroes row i past column i + 1 (dlarfg)
            let x = &mut a[i * n + i + 1..(i + 1) * n];
            let alpha = x[0];
            let amax = x.iter().fold(0.0f64, |m, v| m.max(v.abs()));
            let ti = if x[1..].iter().all(|&v| v == 0.0) || !amax.is_finite() {
                e[i] = alpha;
                0.0
            } else {
                let norm = amax * x.iter().map(|v| (v / amax) * (v / amax)).sum::<f64>().sqrt();
                let beta = -norm.copysign(alpha);
                let scal = 1.0 / (alpha - beta);
                x[1..].iter_mut().for_each(|v| *v *= scal);
                e[i] = beta;
                (beta - alpha) / beta
            };
            tau[i] = ti;
            x[0] = 1.0;
            let vj = &mut vp[j * n..(j + 1) * n];
            vj[..=i].fill(0.0);
            vj[i + 1..].copy_from_slice(x);
            let wj = &mut wp[j * n..(j + 1) * n];
            wj.fill(0.0);
            if ti == 0.0 {
                continue;
            }
            // w = tau (A v) - (tau^2 / 2)(v^T A v) v for the current trailing A (dlatrd)
            let vj = &vp[j * n..(j + 1) * n];
            let (wdone, wrest) = wp.split_at_mut(j * n);
            let wj = &mut wrest[..n];
            symv(n, i + 1, a, vj, &mut y, &mut acc, parts);
            for k in 0..j {
                let (vk, wk) = (&vp[k * n..(k + 1) * n], &wdone[k * n..(k + 1) * n]);
                let (ak, bk) = (dot(&wk[i + 1..], &vj[i + 1..]), dot(&vk[i + 1..], &vj[i + 1..]));
                axpy_neg(&mut y[i + 1..], ak, &vk[i + 1..]);
                axpy_neg(&mut y[i + 1..], bk, &wk[i + 1..]);
            }
            y[i + 1..].iter_mut().for_each(|v| *v *= ti);
            let half = -0.5 * ti * dot(&y[i + 1..], &vj[i + 1..]);
            for ((w, &yv), &vv) in wj[i + 1..].iter_mut().zip(&y[i + 1..]).zip(&vj[i + 1..]) {
                *w = yv + half * vv;
            }
        }
        // the trailing matrix's lower triangle -= V W^T + W V^T, as [V W] @ [W V]^T on the GEMM,
        // by blocks of columns (each from its diagonal down)
        let q = p + nb;
        let mq = n - q;
        if mq > 0 {
            let k2 = 2 * nb;
            for r in 0..mq {
                for k in 0..nb {
                    lhs[r * k2 + k] = vp[k * n + q + r];
                    lhs[r * k2 + nb + k] = wp[k * n + q + r];
                }
            }
            for k in 0..nb {
                rhs[k * mq..(k + 1) * mq].copy_from_slice(&wp[k * n + q..(k + 1) * n]);
                rhs[(nb + k) * mq..(nb + k + 1) * mq].copy_from_slice(&vp[k * n + q..(k + 1) * n]);
            }
            let mut c0 = 0;
            while c0 < mq {
                let w = TRAIL_COLS.min(mq - c0);
                let rb = &mut rb[..k2 * w];
                for k in 0..k2 {
                    rb[k * w..(k + 1) * w].copy_from_slice(&rhs[k * mq + c0..k * mq + c0 + w]);
                }
                let rows = mq - c0;
                let t = &mut t[..rows * w];
                gemm::<f64>(simd, rows, w, k2, &lhs[c0 * k2..mq * k2], rb, t);
                subtract_block(a, n, q + c0, q + c0, w, t);
                c0 += w;
            }
        }
        p = q;
    }
    d[n - 1] = a[(n - 1) * n + n - 1];
    e[n - 1] = 0.0;
    tau[n - 1] = 0.0;
    Ok(())
}

/// `Error::OutOfMemory` for a growing buffer.
fn grow(v: &mut Vec<f64>, more: usize) -> Result<()> {
    v.try_reserve(more)
        .map_err(|_| Error::OutOfMemory(format!("eigh: cannot grow a scratch buffer by {more} elements")))
}

/// `sqrt(a^2 + b^2)`: directly where the squares can neither overflow nor lose the larger one to
/// underflow, else by `f64::hypot` (much slower).
#[inline]
fn hypot(a: f64, b: f64) -> f64 {
    let m = a.abs().max(b.abs());
    if m > 1e-150 && m < 1e150 {
        (a * a + b * b).sqrt()
    } else {
        a.hypot(b)
    }
}

/// Where [`tql2`] records its rotations: the (c, s) pairs, and each sweep's (l, m).
type Record<'a> = (&'a mut Vec<f64>, &'a mut Vec<(usize, usize)>);

/// The implicit QL method (EISPACK's tql2) on the tridiagonal (d, e) (`e[i]` couples i and i + 1):
/// eigenvalues in `d` (unsorted). With `rec`, each sweep's plane rotations are appended there (the
/// sweep's (l, m), its (c, s) pairs in order) for [`apply_rotations`].
fn tql2(n: usize, d: &mut [f64], e: &mut [f64], mut rec: Option<Record>) -> Result<()> {
    let eps = f64::EPSILON;
    let (mut f, mut tst1) = (0.0f64, 0.0f64);
    for l in 0..n {
        tst1 = tst1.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n - 1 && e[m].abs() > eps * tst1 {
            m += 1;
        }
        if m > l {
            let mut iter = 0;
            loop {
                iter += 1;
                if iter > 60 || !tst1.is_finite() {
                    return Err(linalg("eigh: the eigenvalue iteration did not converge".into()));
                }
                if let Some((cs, sweeps)) = rec.as_mut() {
                    grow(cs, 2 * (m - l))?;
                    sweeps.try_reserve(1).map_err(|_| Error::OutOfMemory("eigh: cannot grow the sweep list".into()))?;
                    sweeps.push((l, m));
                }
                let g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = hypot(p, 1.0);
                if p < 0.0 {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let mut h = g - d[l];
                for v in &mut d[l + 2..] {
                    *v -= h;
                }
                f += h;
                p = d[m];
                let (mut c, mut c2, mut c3) = (1.0f64, 1.0f64, 1.0f64);
                let el1 = e[l + 1];
                let (mut s, mut s2) = (0.0f64, 0.0f64);
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    let g = c * e[i];
                    h = c * p;
                    r = hypot(p, e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    if let Some((cs, _)) = rec.as_mut() {
                        cs.push(c);
                        cs.push(s);
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= eps * tst1 {
                    break;
                }
            }
        }
        d[l] += f;
        e[l] = 0.0;
    }
    Ok(())
}

/// `z` (n x n, row-major) becomes `z Q^T` for `Q = H_0 .. H_{n-2}` stored by [`tridiagonalize`] in
/// `a`: the reflectors in blocks of [`NBT`], last block first, each as `I - V T^T V^T` (compact WY,
/// dlarft) applied through two GEMMs on row chunks of `z`.
fn back_transform(n: usize, a: &[f64], tau: &[f64], z: &mut [f64]) -> Result<()> {
    let simd = super::features::level();
    let nbt = NBT.min(n - 1);
    let rc = (1usize << 20).div_ceil(n).clamp(1, n);
    let l0 = n - 1;
    let mut vt = try_vec(nbt * l0, 0.0, "eigh")?;
    let mut v = try_vec(l0 * nbt, 0.0, "eigh")?;
    let mut tt = try_vec(nbt * nbt, 0.0, "eigh")?;
    let mut ttt = try_vec(nbt * nbt, 0.0, "eigh")?;
    let mut zs = try_vec(rc * l0, 0.0, "eigh")?;
    let mut x = try_vec(rc * nbt, 0.0, "eigh")?;
    let mut y = try_vec(rc * nbt, 0.0, "eigh")?;
    let mut u = try_vec(rc * l0, 0.0, "eigh")?;
    // block starts 0, nbt, 2 nbt, .. below n - 1, last first
    let mut next = (n - 2) / nbt * nbt + nbt;
    while next > 0 {
        next -= nbt;
        let p = next;
        let b = nbt.min(n - 1 - p);
        let len = n - p - 1;
        // V^T (b x len): reflector p + k over columns p + 1..n
        let vt = &mut vt[..b * len];
        for k in 0..b {
            let row = &mut vt[k * len..(k + 1) * len];
            row[..k].fill(0.0);
            row[k] = 1.0;
            let src = (p + k) * n;
            row[k + 1..].copy_from_slice(&a[src + p + k + 2..src + n]);
        }
        let v = &mut v[..len * b];
        for r in 0..len {
            for k in 0..b {
                v[r * b + k] = vt[k * len + r];
            }
        }
        // T (b x b, upper): H_p .. H_{p+b-1} = I - V T V^T
        let tt = &mut tt[..b * b];
        tt.fill(0.0);
        for k in 0..b {
            let tk = tau[p + k];
            tt[k * b + k] = tk;
            if tk == 0.0 {
                continue;
            }
            for i in 0..k {
                // v_i . v_k, over where both can be nonzero (from k)
                let s = -tk * dot(&vt[i * len + k..(i + 1) * len], &vt[k * len + k..(k + 1) * len]);
                tt[i * b + k] = s;
            }
            // T[0..k, k] = T[0..k, 0..k] T[0..k, k]
            for i in 0..k {
                let mut s = 0.0;
                for j in i..k {
                    s += tt[i * b + j] * tt[j * b + k];
                }
                y[i] = s;
            }
            for i in 0..k {
                tt[i * b + k] = y[i];
            }
        }
        let ttt = &mut ttt[..b * b];
        for i in 0..b {
            for k in 0..b {
                ttt[i * b + k] = tt[k * b + i];
            }
        }
        let ttt = &*ttt;
        // z[:, p+1..] -= ((z[:, p+1..] V) T^T) V^T, by row chunks
        let mut r0 = 0;
        while r0 < n {
            let rows = rc.min(n - r0);
            let zs = &mut zs[..rows * len];
            for r in 0..rows {
                let src = (r0 + r) * n + p + 1;
                zs[r * len..(r + 1) * len].copy_from_slice(&z[src..src + len]);
            }
            let x = &mut x[..rows * b];
            gemm::<f64>(simd, rows, b, len, zs, v, x);
            let y = &mut y[..rows * b];
            gemm::<f64>(simd, rows, b, b, x, ttt, y);
            let u = &mut u[..rows * len];
            gemm::<f64>(simd, rows, len, b, y, vt, u);
            subtract_block(z, n, r0, p + 1, len, u);
            r0 += rows;
        }
    }
    Ok(())
}

/// Eigenvalues (ascending, in `d`) and, with `vectors`, eigenvectors of the symmetric n x n
/// matrix `w` (its lower triangle is read; the upper is taken as its mirror): on return row j of
/// `w` is the eigenvector of `d[j]`. Blocked Householder tridiagonalisation, then the implicit QL
/// method (see the module notes).
pub fn eigh(n: usize, w: &mut [f64], d: &mut [f64], vectors: bool) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    if n == 1 {
        d[0] = w[0];
        if vectors {
            w[0] = 1.0;
        }
        return Ok(());
    }
    let mut e = try_vec(n, 0.0, "eigh")?;
    let mut tau = try_vec(n, 0.0, "eigh")?;
    tridiagonalize(n, w, d, &mut e, &mut tau)?;
    if !vectors {
        tql2(n, d, &mut e, None)?;
        d[..n].sort_by(f64::total_cmp);
        return Ok(());
    }
    let mut cs = try_with_capacity(8 * n, "eigh")?;
    let mut sweeps = try_with_capacity(2 * n, "eigh")?;
    tql2(n, d, &mut e, Some((&mut cs, &mut sweeps)))?;
    // the eigenvectors of the tridiagonal matrix, as rows: the rotations applied to the identity,
    // by chunks of ROT_COLS columns, each chunk a contiguous n x cols panel of `panels` (in cache
    // for the whole sequence), then gathered into `z`
    let mut z = try_vec(n * n, 0.0, "eigh")?;
    {
        let chunks = n.div_ceil(ROT_COLS);
        // the last panel is padded to ROT_COLS columns (zeros, never gathered)
        let mut panels = try_vec(chunks * ROT_COLS * n, 0.0, "eigh")?;
        let pp = Shared(panels.as_mut_ptr());
        let zp = Shared(z.as_mut_ptr());
        let (cs, sweeps) = (&cs[..], &sweeps[..]);
        crate::pool::parallel_for(chunks, 1, &|r| {
            for ch in r {
                let c0 = ch * ROT_COLS;
                let cols = ROT_COLS.min(n - c0);
                // SAFETY: elements c0 * n..(c0 + ROT_COLS) * n (within chunks * ROT_COLS * n) of
                // `panels`, this chunk's own; no other reference to `panels` meanwhile.
                let panel = unsafe { std::slice::from_raw_parts_mut(pp.get().add(c0 * n), ROT_COLS * n) };
                for (c, row) in panel.chunks_exact_mut(ROT_COLS).enumerate().skip(c0).take(cols) {
                    row[c - c0] = 1.0;
                }
                apply_rotations(panel, c0 + cols - 1, cs, sweeps);
                for (r, row) in panel.chunks_exact(ROT_COLS).enumerate() {
                    let row = &row[..cols];
                    // SAFETY: row r (< n) of `z`, columns c0..c0 + cols (<= n): this chunk's
                    // columns only; no other reference to `z` meanwhile.
                    let dst = unsafe { std::slice::from_raw_parts_mut(zp.get().add(r * n + c0), cols) };
                    dst.copy_from_slice(row);
                }
            }
        });
    }
    back_transform(n, w, &tau, &mut z)?;
    w[..n * n].copy_from_slice(&z);
    // ascending, vectors along
    for i in 0..n - 1 {
        let mut k = i;
        for j in i + 1..n {
            if d[j] < d[k] {
                k = j;
            }
        }
        if k != i {
            d.swap(i, k);
            let (top, bot) = w.split_at_mut(k * n);
            top[i * n..(i + 1) * n].swap_with_slice(&mut bot[..n]);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::lapack::rotate;
    use super::*;

    // The previous implementation (EISPACK tred2 + tql2, unblocked), as a reference.
    /// tred2's fused step: `e[k] += row[k] * f` and the sum of `row[k] * d[k]`, over the rows' length.
    fn dot_axpy(row: &[f64], d: &[f64], e: &mut [f64], f: f64) -> f64 {
        let mut g = 0.0;
        for ((&r, &dk), ek) in row.iter().zip(d).zip(e.iter_mut()) {
            g += r * dk;
            *ek += r * f;
        }
        g
    }

    /// tred2's rank-2 update `row[k] -= f * e[k] + g * d[k]`.
    fn rank2(row: &mut [f64], f: f64, e: &[f64], g: f64, d: &[f64]) {
        for ((r, &ek), &dk) in row.iter_mut().zip(e).zip(d) {
            *r -= f * ek + g * dk;
        }
    }

    /// The previous implementation (tred2 + tql2), kept as the reference for the eigenvalues.
    fn eigh_tred2(n: usize, w: &mut [f64], d: &mut [f64], vectors: bool) -> Result<()> {
        if n == 0 {
            return Ok(());
        }
        let mut e = try_vec(n, 0.0, "eigh")?;
        // w[j][k] plays tred2's V[k][j]
        for j in 0..n {
            d[j] = w[j * n + n - 1];
        }
        for i in (1..n).rev() {
            let scale: f64 = d[..i].iter().map(|v| v.abs()).sum();
            let mut h = 0.0;
            if scale == 0.0 {
                e[i] = d[i - 1];
                for j in 0..i {
                    d[j] = w[j * n + i - 1];
                    w[j * n + i] = 0.0;
                    w[i * n + j] = 0.0;
                }
            } else {
                for v in &mut d[..i] {
                    *v /= scale;
                    h += *v * *v;
                }
                let f = d[i - 1];
                let mut g = h.sqrt();
                if f > 0.0 {
                    g = -g;
                }
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                e[..i].iter_mut().for_each(|v| *v = 0.0);
                for j in 0..i {
                    let f = d[j];
                    w[i * n + j] = f;
                    let row = &w[j * n..j * n + i];
                    let g = e[j] + row[j] * f + dot_axpy(&row[j + 1..i], &d[j + 1..i], &mut e[j + 1..i], f);
                    e[j] = g;
                }
                let mut f = 0.0;
                for j in 0..i {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                let hh = f / (h + h);
                for j in 0..i {
                    e[j] -= hh * d[j];
                }
                for j in 0..i {
                    let (f, g) = (d[j], e[j]);
                    rank2(&mut w[j * n + j..j * n + i], f, &e[j..i], g, &d[j..i]);
                    d[j] = w[j * n + i - 1];
                    w[j * n + i] = 0.0;
                }
            }
            d[i] = h;
        }
        // accumulate the transformations
        for i in 0..n - 1 {
            w[i * n + n - 1] = w[i * n + i];
            w[i * n + i] = 1.0;
            let h = d[i + 1];
            if h != 0.0 {
                for k in 0..=i {
                    d[k] = w[(i + 1) * n + k] / h;
                }
                for j in 0..=i {
                    let g = dot(&w[(i + 1) * n..(i + 1) * n + i + 1], &w[j * n..j * n + i + 1]);
                    axpy_neg(&mut w[j * n..j * n + i + 1], g, &d[..=i]);
                }
            }
            for k in 0..=i {
                w[(i + 1) * n + k] = 0.0;
            }
        }
        for j in 0..n {
            d[j] = w[j * n + n - 1];
            w[j * n + n - 1] = 0.0;
        }
        w[(n - 1) * n + n - 1] = 1.0;
        e[0] = 0.0;
        // implicit QL
        for i in 1..n {
            e[i - 1] = e[i];
        }
        e[n - 1] = 0.0;
        let eps = f64::EPSILON;
        let (mut f, mut tst1) = (0.0f64, 0.0f64);
        for l in 0..n {
            tst1 = tst1.max(d[l].abs() + e[l].abs());
            let mut m = l;
            while m < n - 1 && e[m].abs() > eps * tst1 {
                m += 1;
            }
            if m > l {
                let mut iter = 0;
                loop {
                    iter += 1;
                    if iter > 60 || !tst1.is_finite() {
                        return Err(linalg("eigh: the eigenvalue iteration did not converge".into()));
                    }
                    let g = d[l];
                    let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                    let mut r = p.hypot(1.0);
                    if p < 0.0 {
                        r = -r;
                    }
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    let dl1 = d[l + 1];
                    let mut h = g - d[l];
                    for v in &mut d[l + 2..] {
                        *v -= h;
                    }
                    f += h;
                    p = d[m];
                    let (mut c, mut c2, mut c3) = (1.0f64, 1.0f64, 1.0f64);
                    let el1 = e[l + 1];
                    let (mut s, mut s2) = (0.0f64, 0.0f64);
                    for i in (l..m).rev() {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        let g = c * e[i];
                        h = c * p;
                        r = p.hypot(e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        if vectors {
                            let (top, bot) = w.split_at_mut((i + 1) * n);
                            // (v_i, v_i+1) <- (c v_i - s v_i+1, s v_i + c v_i+1)
                            rotate(&mut top[i * n..], &mut bot[..n], c, s);
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                    if e[l].abs() <= eps * tst1 {
                        break;
                    }
                }
            }
            d[l] += f;
            e[l] = 0.0;
        }
        // ascending, vectors along
        for i in 0..n.saturating_sub(1) {
            let mut k = i;
            for j in i + 1..n {
                if d[j] < d[k] {
                    k = j;
                }
            }
            if k != i {
                d.swap(i, k);
                if vectors {
                    let (top, bot) = w.split_at_mut(k * n);
                    top[i * n..(i + 1) * n].swap_with_slice(&mut bot[..n]);
                }
            }
        }
        Ok(())
    }

    /// A reproducible symmetric matrix with entries in [-1, 1] (an LCG).
    fn sym(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let mut a: Vec<f64> = (0..n * n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (s >> 11) as f64 / (1u64 << 52) as f64 - 1.0
            })
            .collect();
        for i in 0..n {
            for j in 0..i {
                let v = 0.5 * (a[i * n + j] + a[j * n + i]);
                a[i * n + j] = v;
                a[j * n + i] = v;
            }
        }
        a
    }

    /// Checks the decomposition of `a`: ascending, `V diag(d) V^T = A`, `V V^T = I`, the values
    /// against values-only, the old implementation and `expect` (when given); returns the values.
    fn check(n: usize, a: &[f64], expect: Option<&[f64]>) -> Vec<f64> {
        let (mut w, mut d) = (a.to_vec(), vec![0.0; n]);
        eigh(n, &mut w, &mut d, true).unwrap();
        assert!(d.windows(2).all(|p| p[0] <= p[1]), "n = {n}: ascending");
        let norm = a.iter().map(|v| v.abs()).fold(0.0, f64::max).max(f64::MIN_POSITIVE);
        let tol = 1e-13 * (n as f64 + 1.0) * norm;
        let (mut rec, mut orth) = (0.0f64, 0.0f64);
        for i in 0..n {
            for j in 0..n {
                let (mut s, mut o) = (0.0, 0.0);
                for k in 0..n {
                    s += w[k * n + i] * d[k] * w[k * n + j];
                    o += w[i * n + k] * w[j * n + k];
                }
                rec = rec.max((s - a[i * n + j]).abs());
                orth = orth.max((o - if i == j { 1.0 } else { 0.0 }).abs());
            }
        }
        assert!(rec < tol, "n = {n}: reconstruction {rec:e} (tolerance {tol:e})");
        assert!(orth < 1e-13 * (n as f64 + 1.0), "n = {n}: orthonormality {orth:e}");
        let (mut w2, mut d2) = (a.to_vec(), vec![0.0; n]);
        eigh(n, &mut w2, &mut d2, false).unwrap();
        let (mut w_ref, mut d_ref) = (a.to_vec(), vec![0.0; n]);
        eigh_tred2(n, &mut w_ref, &mut d_ref, false).unwrap();
        for k in 0..n {
            assert!((d2[k] - d[k]).abs() <= tol, "n = {n}: values only {} vs {}", d2[k], d[k]);
            assert!((d_ref[k] - d[k]).abs() <= tol, "n = {n}: tred2 {} vs {}", d_ref[k], d[k]);
            if let Some(x) = expect {
                assert!((x[k] - d[k]).abs() <= tol, "n = {n}: expected {} got {}", x[k], d[k]);
            }
        }
        d
    }

    #[test]
    fn eigh_random_across_block_edges() {
        for n in [1, 2, 3, 4, 5, NB - 1, NB, NB + 1, NB + 2, 2 * NB + 3, NBT - 1, NBT, NBT + 1, 2 * NBT + 5, 200] {
            check(n, &sym(n, n as u64 + 11), None);
        }
    }

    #[test]
    fn eigh_degenerate() {
        for n in [1, 2, 3, NB + 1, 2 * NB + 3, 100] {
            // zero
            check(n, &vec![0.0; n * n], Some(&vec![0.0; n]));
            // diagonal with repeats and negatives
            let diag: Vec<f64> = (0..n).map(|i| ((i * 7) % 5) as f64 - 1.5).collect();
            let mut a = vec![0.0; n * n];
            (0..n).for_each(|i| a[i * n + i] = diag[i]);
            let mut sorted = diag.clone();
            sorted.sort_by(f64::total_cmp);
            check(n, &a, Some(&sorted));
            // rank one plus 2 I: eigenvalues 2 (n - 1 times) and 2 + |u|^2
            let u: Vec<f64> = (0..n).map(|i| ((i % 3) as f64) - 0.7).collect();
            let uu: f64 = u.iter().map(|v| v * v).sum();
            let a: Vec<f64> =
                (0..n * n).map(|k| u[k / n] * u[k % n] + if k / n == k % n { 2.0 } else { 0.0 }).collect();
            let mut expect = vec![2.0; n];
            expect[n - 1] = 2.0 + uu;
            check(n, &a, Some(&expect));
            // rank one alone
            let a: Vec<f64> = (0..n * n).map(|k| u[k / n] * u[k % n]).collect();
            let mut expect = vec![0.0; n];
            expect[n - 1] = uu;
            check(n, &a, Some(&expect));
        }
    }

    #[test]
    fn eigh_known_spectrum() {
        // the second-difference matrix: eigenvalues 2 - 2 cos(k pi / (n + 1))
        for n in [2, 7, NB + 1, 150] {
            let mut a = vec![0.0; n * n];
            for i in 0..n {
                a[i * n + i] = 2.0;
                if i + 1 < n {
                    a[i * n + i + 1] = -1.0;
                    a[(i + 1) * n + i] = -1.0;
                }
            }
            let expect: Vec<f64> =
                (1..=n).map(|k| 2.0 - 2.0 * (k as f64 * std::f64::consts::PI / (n as f64 + 1.0)).cos()).collect();
            check(n, &a, Some(&expect));
        }
        // entries over six orders of magnitude, against the old implementation
        let n = 90;
        let a: Vec<f64> = sym(n, 5)
            .iter()
            .enumerate()
            .map(|(k, v)| v * 1e3f64.powf((k / n + k % n) as f64 / n as f64 - 1.0))
            .collect();
        check(n, &a, None);
    }

    #[test]
    fn eigh_reads_the_lower_triangle() {
        let n = 40;
        let a = sym(n, 3);
        let mut b = a.clone();
        for i in 0..n {
            for j in i + 1..n {
                b[i * n + j] = 1e9;
            }
        }
        let (mut w, mut d) = (b, vec![0.0; n]);
        eigh(n, &mut w, &mut d, false).unwrap();
        let d0 = check(n, &a, None);
        assert!(d.iter().zip(&d0).all(|(x, y)| (x - y).abs() < 1e-12));
    }
}
