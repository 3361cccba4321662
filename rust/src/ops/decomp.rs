//! Matrix decompositions with numpy.linalg's rules: the last two dims are the matrix, leading dims
//! are a batch (broadcast between `solve`'s operands); float32 stays float32, float64 stays float64,
//! integers and bool compute in float64; float16 and bfloat16 are refused (as numpy does). Each
//! matrix is computed in float64 by [`crate::cpu::lapack`]; batches of small matrices run in
//! parallel on the pool, large matrices parallelise inside their kernels.

use super::{contiguous_as, finish};
use crate::alloc::try_vec;
use crate::cpu::lapack;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::shape::broadcast_shapes;
use crate::tensor::Tensor;
use std::sync::Mutex;

/// The decompositions of [`decompose`] (`COBALT_LINALG_*` in `cobalt.h`, append-only).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decomp {
    Solve = 0,
    Inv = 1,
    Det = 2,
    Slogdet = 3,
    Cholesky = 4,
    Qr = 5,
    Svd = 6,
    Eigh = 7,
}

impl Decomp {
    /// Every decomposition, in code order.
    pub const ALL: &'static [Decomp] = &[
        Decomp::Solve,
        Decomp::Inv,
        Decomp::Det,
        Decomp::Slogdet,
        Decomp::Cholesky,
        Decomp::Qr,
        Decomp::Svd,
        Decomp::Eigh,
    ];

    /// The decomposition for an ABI code, or `InvalidArgument`.
    pub fn from_code(code: i32) -> Result<Decomp> {
        usize::try_from(code)
            .ok()
            .and_then(|c| Decomp::ALL.get(c).copied())
            .ok_or_else(|| Error::InvalidArgument(format!("unknown linalg op code {code}")))
    }

    /// The user-facing name, used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            Decomp::Solve => "solve",
            Decomp::Inv => "inv",
            Decomp::Det => "det",
            Decomp::Slogdet => "slogdet",
            Decomp::Cholesky => "cholesky",
            Decomp::Qr => "qr",
            Decomp::Svd => "svd",
            Decomp::Eigh => "eigh",
        }
    }
}

/// `flags` bit of [`Decomp::Cholesky`] (the upper factor) and [`Decomp::Eigh`] (read the upper triangle).
pub const FLAG_UPPER: i32 = 1;
/// `flags` bit of [`Decomp::Svd`]: full U and V^H.
pub const FLAG_FULL: i32 = 1;
/// `flags` bit of [`Decomp::Svd`] and [`Decomp::Eigh`]: compute the vectors too.
pub const FLAG_VECTORS: i32 = 2;
/// `flags` of [`Decomp::Qr`]: the mode.
pub const QR_REDUCED: i32 = 0;
/// See [`QR_REDUCED`].
pub const QR_COMPLETE: i32 = 1;
/// See [`QR_REDUCED`].
pub const QR_R: i32 = 2;

/// The dtype numpy.linalg computes `t` in (and returns).
fn compute_dtype(op: Decomp, t: &Tensor) -> Result<DType> {
    match t.dtype() {
        DType::F32 => Ok(DType::F32),
        DType::F16 | DType::BF16 => Err(Error::DType(format!(
            "{}: {} is not supported in linalg (numpy refuses it too); convert to float32",
            op.name(),
            t.dtype().name()
        ))),
        _ => Ok(DType::F64),
    }
}

/// (batch dims, rows, cols) of a matrix operand, or a shape error when it has fewer than 2 dims
/// (or is not square when `square`).
fn matrix_dims(op: Decomp, t: &Tensor, square: bool) -> Result<(Vec<usize>, usize, usize)> {
    let s = t.shape();
    if s.len() < 2 {
        return Err(Error::ShapeMismatch {
            op: op.name(),
            lhs: s.to_vec(),
            rhs: vec![s.first().copied().unwrap_or(0); 2],
        });
    }
    let (m, n) = (s[s.len() - 2], s[s.len() - 1]);
    if square && m != n {
        let mut t2 = s.to_vec();
        let l = t2.len();
        t2.swap(l - 2, l - 1);
        return Err(Error::ShapeMismatch { op: op.name(), lhs: s.to_vec(), rhs: t2 });
    }
    Ok((s[..s.len() - 2].to_vec(), m, n))
}

/// A float64 output buffer written by parallel batch items (each item its own part).
struct Out {
    buf: Vec<f64>,
    part: usize,
}

struct OutPtr(*mut f64, usize);
// SAFETY: items write disjoint parts (see `OutPtr::item`).
unsafe impl Send for OutPtr {}
// SAFETY: as above.
unsafe impl Sync for OutPtr {}

impl OutPtr {
    /// The part of batch item `i`.
    ///
    /// # Safety
    /// Each item's part is borrowed by one caller at a time.
    #[allow(clippy::mut_from_ref)]
    unsafe fn item(&self, i: usize) -> &mut [f64] {
        // SAFETY: within the buffer (i < nbatch), disjoint per item (contract).
        unsafe { std::slice::from_raw_parts_mut(self.0.add(i * self.1), self.1) }
    }
}

impl Out {
    fn new(nbatch: usize, part: usize, op: Decomp) -> Result<Out> {
        let len =
            nbatch.checked_mul(part).ok_or_else(|| Error::OutOfMemory(format!("{}: output too large", op.name())))?;
        Ok(Out { buf: try_vec(len, 0.0, op.name())?, part })
    }
    fn ptr(&mut self) -> OutPtr {
        OutPtr(self.buf.as_mut_ptr(), self.part)
    }
    fn tensor(self, batch: &[usize], tail: &[usize], dtype: DType) -> Result<Tensor> {
        let mut shape = batch.to_vec();
        shape.extend_from_slice(tail);
        finish(Tensor::from_vec::<f64>(&shape, &self.buf)?, dtype)
    }
}

/// Runs `f(i)` for every batch item: in parallel when the items are small (`cost` flops each),
/// else one after another (their kernels parallelise inside). The first error wins.
fn each(nbatch: usize, cost: usize, f: &(dyn Fn(usize) -> Result<()> + Sync)) -> Result<()> {
    if nbatch <= 1 || cost >= 1 << 22 {
        return (0..nbatch).try_for_each(f);
    }
    let err: Mutex<Option<Error>> = Mutex::new(None);
    crate::pool::parallel_for(nbatch, ((1usize << 18) / cost.max(1)).max(1), &|r| {
        for i in r {
            if let Err(e) = f(i) {
                let mut g = err.lock().unwrap_or_else(|p| p.into_inner());
                g.get_or_insert(e);
                return;
            }
        }
    });
    match err.into_inner().unwrap_or_else(|p| p.into_inner()) {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// A scratch copy of item `i` (length `len`) of the contiguous float64 `x`.
fn scratch(x: &[f64], i: usize, len: usize, what: &str) -> Result<Vec<f64>> {
    let mut v = try_vec(len, 0.0, what)?;
    v.copy_from_slice(&x[i * len..(i + 1) * len]);
    Ok(v)
}

fn singular(op: Decomp) -> Error {
    Error::Linalg(format!("{}: the matrix is singular", op.name()))
}

/// The decomposition `op` of `a` (and `b` for `solve`), with `flags` (`FLAG_*`, `QR_*`); returns
/// numpy's outputs in order: solve, inv, det, cholesky: one tensor; slogdet: sign, logabsdet;
/// qr: q, r (mode r: r); svd: u, s, vh (no vectors: s); eigh: eigenvalues, eigenvectors (no
/// vectors: eigenvalues).
pub fn decompose(op: Decomp, a: &Tensor, b: Option<&Tensor>, flags: i32) -> Result<Vec<Tensor>> {
    let square = !matches!(op, Decomp::Qr | Decomp::Svd);
    let (batch, m, n) = matrix_dims(op, a, square)?;
    let mut dtype = compute_dtype(op, a)?;
    let x64 = contiguous_as(a, DType::F64)?;
    let nbatch: usize = batch.iter().product();
    let cost = m.saturating_mul(n).saturating_mul(n.max(1)).max(1);
    match op {
        Decomp::Solve => {
            let b = b.ok_or_else(|| Error::InvalidArgument("solve: needs b".into()))?;
            if compute_dtype(op, b)? == DType::F64 {
                dtype = DType::F64;
            }
            let (bbatch, bn, k) = matrix_dims(op, b, false)?;
            if bn != n {
                return Err(Error::shape("solve", a.shape(), b.shape()));
            }
            let batch =
                broadcast_shapes("solve", &batch, &bbatch).map_err(|_| Error::shape("solve", a.shape(), b.shape()))?;
            let full = |t: &Tensor, tail: [usize; 2]| -> Result<Tensor> {
                let mut s: Vec<usize> = batch.to_vec();
                s.extend(tail);
                Ok(contiguous_as(&t.expand(&s)?, DType::F64)?.into_owned())
            };
            let (aa, bb) = (full(a, [n, n])?, full(b, [n, k])?);
            let (xa, xb) = (aa.as_slice::<f64>(), bb.as_slice::<f64>());
            let batch: Vec<usize> = batch.to_vec();
            let nbatch: usize = batch.iter().product();
            let mut out = Out::new(nbatch, n * k, op)?;
            let p = out.ptr();
            each(nbatch, cost.saturating_add(n * n * k), &|i| {
                let mut lu = scratch(xa, i, n * n, "solve")?;
                let mut piv = try_vec(n, 0usize, "solve")?;
                if lapack::lu(n, &mut lu, &mut piv)?.1 {
                    return Err(singular(op));
                }
                // SAFETY: item i's part only.
                let o = unsafe { p.item(i) };
                o.copy_from_slice(&xb[i * n * k..(i + 1) * n * k]);
                lapack::lu_solve(n, k, &lu, &piv, o)
            })?;
            Ok(vec![out.tensor(&batch, &[n, k], dtype)?])
        }
        Decomp::Inv => {
            let x = x64.as_slice::<f64>();
            let mut out = Out::new(nbatch, n * n, op)?;
            let p = out.ptr();
            each(nbatch, cost.saturating_mul(3), &|i| {
                let mut lu = scratch(x, i, n * n, "inv")?;
                let mut piv = try_vec(n, 0usize, "inv")?;
                if lapack::lu(n, &mut lu, &mut piv)?.1 {
                    return Err(singular(op));
                }
                // SAFETY: item i's part only.
                let o = unsafe { p.item(i) };
                lapack::lu_inverse(n, &lu, &piv, o)
            })?;
            Ok(vec![out.tensor(&batch, &[n, n], dtype)?])
        }
        Decomp::Det | Decomp::Slogdet => {
            let x = x64.as_slice::<f64>();
            let mut sign = Out::new(nbatch, 1, op)?;
            let mut logabs = Out::new(nbatch, 1, op)?;
            let (ps, pl) = (sign.ptr(), logabs.ptr());
            let det = op == Decomp::Det;
            each(nbatch, cost, &|i| {
                let mut lu = scratch(x, i, n * n, op.name())?;
                let mut piv = try_vec(n, 0usize, op.name())?;
                let (sg, sing) = lapack::lu(n, &mut lu, &mut piv)?;
                // SAFETY: item i's parts only.
                let (s, l) = unsafe { (ps.item(i), pl.item(i)) };
                if det {
                    s[0] = if sing { 0.0 } else { (0..n).fold(sg, |acc, j| acc * lu[j * n + j]) };
                } else if sing {
                    s[0] = 0.0;
                    l[0] = f64::NEG_INFINITY;
                } else {
                    let mut sgn = sg;
                    let mut acc = 0.0;
                    for j in 0..n {
                        let d = lu[j * n + j];
                        sgn *= d.signum();
                        acc += d.abs().ln();
                    }
                    s[0] = sgn;
                    l[0] = acc;
                }
                Ok(())
            })?;
            if det {
                Ok(vec![sign.tensor(&batch, &[], dtype)?])
            } else {
                Ok(vec![sign.tensor(&batch, &[], dtype)?, logabs.tensor(&batch, &[], dtype)?])
            }
        }
        Decomp::Cholesky => {
            let x = x64.as_slice::<f64>();
            let mut out = Out::new(nbatch, n * n, op)?;
            let p = out.ptr();
            let upper = flags & FLAG_UPPER != 0;
            each(nbatch, cost, &|i| {
                // SAFETY: item i's part only.
                let o = unsafe { p.item(i) };
                o.copy_from_slice(&x[i * n * n..(i + 1) * n * n]);
                lapack::cholesky(n, o)?;
                if upper {
                    for r in 0..n {
                        for c in r + 1..n {
                            o.swap(r * n + c, c * n + r);
                        }
                    }
                }
                Ok(())
            })?;
            Ok(vec![out.tensor(&batch, &[n, n], dtype)?])
        }
        Decomp::Qr => {
            if !(QR_REDUCED..=QR_R).contains(&flags) {
                return Err(Error::InvalidArgument(format!("qr: unknown mode code {flags}")));
            }
            let x = x64.as_slice::<f64>();
            let k = m.min(n);
            let (qc, rr) = if flags == QR_COMPLETE { (m, m) } else { (k, k) };
            let want_q = flags != QR_R;
            let mut q = Out::new(if want_q { nbatch } else { 0 }, m * qc, op)?;
            let mut r = Out::new(nbatch, rr * n, op)?;
            let (pq, pr) = (q.ptr(), r.ptr());
            each(nbatch, cost, &|i| {
                let mut f = scratch(x, i, m * n, "qr")?;
                let mut tau = try_vec(k, 0.0, "qr")?;
                lapack::qr(m, n, &mut f, &mut tau)?;
                // SAFETY: item i's parts only.
                let ro = unsafe { pr.item(i) };
                for row in 0..rr.min(m) {
                    for c in row..n {
                        ro[row * n + c] = f[row * n + c];
                    }
                }
                if want_q {
                    // SAFETY: item i's part only.
                    lapack::qr_q(m, n, &f, &tau, qc, unsafe { pq.item(i) })?;
                }
                Ok(())
            })?;
            let r = r.tensor(&batch, &[rr, n], dtype)?;
            if want_q {
                Ok(vec![q.tensor(&batch, &[m, qc], dtype)?, r])
            } else {
                Ok(vec![r])
            }
        }
        Decomp::Svd => {
            let x = x64.as_slice::<f64>();
            let k = m.min(n);
            let want = flags & FLAG_VECTORS != 0;
            let (uc, vr) = if flags & FLAG_FULL != 0 { (m, n) } else { (k, k) };
            let nb_uv = if want { nbatch } else { 0 };
            let mut u = Out::new(nb_uv, m * uc, op)?;
            let mut s = Out::new(nbatch, k, op)?;
            let mut vh = Out::new(nb_uv, vr * n, op)?;
            let (pu, ps, pv) = (u.ptr(), s.ptr(), vh.ptr());
            each(nbatch, cost.saturating_mul(20), &|i| {
                let xi = &x[i * m * n..(i + 1) * m * n];
                // SAFETY: item i's parts only.
                let si = unsafe { ps.item(i) };
                if want {
                    // SAFETY: item i's parts only.
                    let (ui, vi) = unsafe { (pu.item(i), pv.item(i)) };
                    lapack::svd(m, n, xi, si, Some((ui, uc, vi, vr)))
                } else {
                    lapack::svd(m, n, xi, si, None)
                }
            })?;
            let s = s.tensor(&batch, &[k], dtype)?;
            if want {
                Ok(vec![u.tensor(&batch, &[m, uc], dtype)?, s, vh.tensor(&batch, &[vr, n], dtype)?])
            } else {
                Ok(vec![s])
            }
        }
        Decomp::Eigh => {
            let x = x64.as_slice::<f64>();
            let want = flags & FLAG_VECTORS != 0;
            let upper = flags & FLAG_UPPER != 0;
            let mut w = Out::new(nbatch, n, op)?;
            let mut v = Out::new(if want { nbatch } else { 0 }, n * n, op)?;
            let (pw, pv) = (w.ptr(), v.ptr());
            each(nbatch, cost.saturating_mul(6), &|i| {
                let xi = &x[i * n * n..(i + 1) * n * n];
                let mut sym = try_vec(n * n, 0.0, "eigh")?;
                for r in 0..n {
                    for c in 0..n {
                        let from_lower = (r >= c) != upper || r == c;
                        sym[r * n + c] = if from_lower { xi[r * n + c] } else { xi[c * n + r] };
                    }
                }
                // SAFETY: item i's parts only.
                let wi = unsafe { pw.item(i) };
                lapack::eigh(n, &mut sym, wi, want)?;
                if want {
                    // SAFETY: item i's part only.
                    let vi = unsafe { pv.item(i) };
                    for r in 0..n {
                        for c in 0..n {
                            vi[r * n + c] = sym[c * n + r];
                        }
                    }
                }
                Ok(())
            })?;
            let w = w.tensor(&batch, &[n], dtype)?;
            if want {
                Ok(vec![w, v.tensor(&batch, &[n, n], dtype)?])
            } else {
                Ok(vec![w])
            }
        }
    }
}
