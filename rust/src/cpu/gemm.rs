//! Blocked, packed matrix multiply for float32 and float64 with register-tiled AVX2+FMA
//! micro-kernels, chosen at run time (`is_x86_feature_detected!`), and a portable fallback.
//!
//! Goto-style loops: B is packed once per (k, n) block into panels of NR columns, each thread packs
//! its own MR-row panels of A, and an MR x NR micro-kernel keeps the tile of C in registers for a
//! whole k block. Rows of C are split across the shared pool.

use crate::dtype::Num;

const KC: usize = 256;
const MC: usize = 72;
const NC: usize = 3072;

/// Which kernels run: `COBALT_SIMD=scalar` forces the portable ones (for tests and comparisons).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Simd {
    Scalar,
    Avx2Fma,
    Avx512,
}

static FORCED: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Forces a kernel set (tests run every set the CPU has); `None` returns to the detected one.
#[doc(hidden)]
pub fn force(level: Option<Simd>) {
    let v = match level {
        None => 0,
        Some(Simd::Scalar) => 1,
        Some(Simd::Avx2Fma) => 2,
        Some(Simd::Avx512) => 3,
    };
    FORCED.store(v, std::sync::atomic::Ordering::SeqCst);
}

/// The kernel set in use: a forced one, else [`detected`].
pub fn level() -> Simd {
    match FORCED.load(std::sync::atomic::Ordering::Relaxed) {
        1 => Simd::Scalar,
        2 => Simd::Avx2Fma,
        3 => Simd::Avx512,
        _ => detected(),
    }
}

/// The best kernel set this CPU supports (capped by `COBALT_SIMD`).
pub fn detected() -> Simd {
    static LEVEL: std::sync::OnceLock<Simd> = std::sync::OnceLock::new();
    *LEVEL.get_or_init(|| {
        let cap = std::env::var("COBALT_SIMD").unwrap_or_default();
        let best = *available().last().expect("scalar is always available");
        match cap.as_str() {
            "scalar" => Simd::Scalar,
            "avx2" if best == Simd::Avx512 => Simd::Avx2Fma,
            _ => best,
        }
    })
}

/// The kernel sets this CPU can run (for tests: every one is checked).
pub fn available() -> Vec<Simd> {
    let mut v = vec![Simd::Scalar];
    #[cfg(target_arch = "x86_64")]
    if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
        v.push(Simd::Avx2Fma);
        if is_x86_feature_detected!("avx512f") {
            v.push(Simd::Avx512);
        }
    }
    v
}

/// A float type with packed micro-kernels.
pub trait GemmFloat: Num {
    /// The (MR, NR) register tile of `simd`'s kernel.
    fn tile(simd: Simd) -> (usize, usize);
    /// `c[i*ldc + j] (+)= sum_p a[p*MR + i] * b[p*NR + j]` for the tile (`acc`: add to c).
    ///
    /// # Safety
    /// `a` holds `kc * MR`, `b` holds `kc * NR` values (`tile(simd)`); `c` is valid for an MR x NR
    /// tile with stride `ldc`; the CPU supports `simd`.
    unsafe fn kernel(simd: Simd, kc: usize, a: *const Self, b: *const Self, c: *mut Self, ldc: usize, acc: bool);
}

#[inline(always)]
unsafe fn kernel_scalar<T: Num, const MR: usize, const NR: usize>(
    kc: usize,
    a: *const T,
    b: *const T,
    c: *mut T,
    ldc: usize,
    acc: bool,
) {
    let mut t = [[T::zero(); NR]; MR];
    for p in 0..kc {
        for (i, ti) in t.iter_mut().enumerate() {
            // SAFETY: within the packed panels (contract).
            let ai = unsafe { *a.add(p * MR + i) };
            for (j, tij) in ti.iter_mut().enumerate() {
                *tij = tij.add(ai.mul(unsafe { *b.add(p * NR + j) }));
            }
        }
    }
    for (i, row) in t.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            // SAFETY: within the tile (contract).
            let d = unsafe { &mut *c.add(i * ldc + j) };
            *d = if acc { d.add(v) } else { v };
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx512 {
    use std::arch::x86_64::*;

    /// 6 x 32 float32 tile: 12 zmm accumulators.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn f32_6x32(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, acc: bool) {
        let mut r = [[_mm512_setzero_ps(); 2]; 6];
        for p in 0..kc {
            // SAFETY (whole fn): pointers stay inside the packed panels and the tile (caller's contract).
            let b0 = _mm512_loadu_ps(b.add(p * 32));
            let b1 = _mm512_loadu_ps(b.add(p * 32 + 16));
            for (i, ri) in r.iter_mut().enumerate() {
                let ai = _mm512_set1_ps(*a.add(p * 6 + i));
                ri[0] = _mm512_fmadd_ps(ai, b0, ri[0]);
                ri[1] = _mm512_fmadd_ps(ai, b1, ri[1]);
            }
        }
        for (i, ri) in r.iter().enumerate() {
            let row = c.add(i * ldc);
            for (h, &v) in ri.iter().enumerate() {
                let dst = row.add(h * 16);
                let v = if acc { _mm512_add_ps(_mm512_loadu_ps(dst), v) } else { v };
                _mm512_storeu_ps(dst, v);
            }
        }
    }

    /// 6 x 16 float64 tile: 12 zmm accumulators.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn f64_6x16(kc: usize, a: *const f64, b: *const f64, c: *mut f64, ldc: usize, acc: bool) {
        let mut r = [[_mm512_setzero_pd(); 2]; 6];
        for p in 0..kc {
            let b0 = _mm512_loadu_pd(b.add(p * 16));
            let b1 = _mm512_loadu_pd(b.add(p * 16 + 8));
            for (i, ri) in r.iter_mut().enumerate() {
                let ai = _mm512_set1_pd(*a.add(p * 6 + i));
                ri[0] = _mm512_fmadd_pd(ai, b0, ri[0]);
                ri[1] = _mm512_fmadd_pd(ai, b1, ri[1]);
            }
        }
        for (i, ri) in r.iter().enumerate() {
            let row = c.add(i * ldc);
            for (h, &v) in ri.iter().enumerate() {
                let dst = row.add(h * 8);
                let v = if acc { _mm512_add_pd(_mm512_loadu_pd(dst), v) } else { v };
                _mm512_storeu_pd(dst, v);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    /// 6 x 16 float32 tile: 12 ymm accumulators.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn f32_6x16(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, acc: bool) {
        let mut r = [[_mm256_setzero_ps(); 2]; 6];
        for p in 0..kc {
            // SAFETY (whole fn): pointers stay inside the packed panels and the tile (caller's contract).
            let b0 = _mm256_loadu_ps(b.add(p * 16));
            let b1 = _mm256_loadu_ps(b.add(p * 16 + 8));
            for (i, ri) in r.iter_mut().enumerate() {
                let ai = _mm256_broadcast_ss(&*a.add(p * 6 + i));
                ri[0] = _mm256_fmadd_ps(ai, b0, ri[0]);
                ri[1] = _mm256_fmadd_ps(ai, b1, ri[1]);
            }
        }
        for (i, ri) in r.iter().enumerate() {
            let row = c.add(i * ldc);
            for (h, &v) in ri.iter().enumerate() {
                let dst = row.add(h * 8);
                let v = if acc { _mm256_add_ps(_mm256_loadu_ps(dst), v) } else { v };
                _mm256_storeu_ps(dst, v);
            }
        }
    }

    /// 6 x 8 float64 tile: 12 ymm accumulators.
    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn f64_6x8(kc: usize, a: *const f64, b: *const f64, c: *mut f64, ldc: usize, acc: bool) {
        let mut r = [[_mm256_setzero_pd(); 2]; 6];
        for p in 0..kc {
            let b0 = _mm256_loadu_pd(b.add(p * 8));
            let b1 = _mm256_loadu_pd(b.add(p * 8 + 4));
            for (i, ri) in r.iter_mut().enumerate() {
                let ai = _mm256_broadcast_sd(&*a.add(p * 6 + i));
                ri[0] = _mm256_fmadd_pd(ai, b0, ri[0]);
                ri[1] = _mm256_fmadd_pd(ai, b1, ri[1]);
            }
        }
        for (i, ri) in r.iter().enumerate() {
            let row = c.add(i * ldc);
            for (h, &v) in ri.iter().enumerate() {
                let dst = row.add(h * 4);
                let v = if acc { _mm256_add_pd(_mm256_loadu_pd(dst), v) } else { v };
                _mm256_storeu_pd(dst, v);
            }
        }
    }
}

impl GemmFloat for f32 {
    fn tile(simd: Simd) -> (usize, usize) {
        if simd == Simd::Avx512 { (6, 32) } else { (6, 16) }
    }
    unsafe fn kernel(simd: Simd, kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, acc: bool) {
        match simd {
            // SAFETY: the caller checked the CPU supports AVX-512F (contract).
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => unsafe { avx512::f32_6x32(kc, a, b, c, ldc, acc) },
            // SAFETY: the caller checked the CPU supports AVX2 and FMA (contract).
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2Fma => unsafe { avx2::f32_6x16(kc, a, b, c, ldc, acc) },
            // SAFETY: forwarded contract.
            _ => unsafe { kernel_scalar::<f32, 6, 16>(kc, a, b, c, ldc, acc) },
        }
    }
}

impl GemmFloat for f64 {
    fn tile(simd: Simd) -> (usize, usize) {
        if simd == Simd::Avx512 { (6, 16) } else { (6, 8) }
    }
    unsafe fn kernel(simd: Simd, kc: usize, a: *const f64, b: *const f64, c: *mut f64, ldc: usize, acc: bool) {
        match simd {
            // SAFETY: the caller checked the CPU supports AVX-512F (contract).
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => unsafe { avx512::f64_6x16(kc, a, b, c, ldc, acc) },
            // SAFETY: the caller checked the CPU supports AVX2 and FMA (contract).
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2Fma => unsafe { avx2::f64_6x8(kc, a, b, c, ldc, acc) },
            // SAFETY: forwarded contract.
            _ => unsafe { kernel_scalar::<f64, 6, 8>(kc, a, b, c, ldc, acc) },
        }
    }
}

/// Packs `b[pc..pc+kc, jc..jc+nc]` (row-major, `ldb` columns) into panels of NR columns, zero-padded.
#[allow(clippy::too_many_arguments)]
fn pack_b<T: GemmFloat>(b: &[T], ldb: usize, nr: usize, pc: usize, kc: usize, jc: usize, nc: usize, out: &mut Vec<T>) {
    let panels = nc.div_ceil(nr);
    out.clear();
    out.resize(panels * kc * nr, T::zero());
    for jp in 0..panels {
        let j0 = jc + jp * nr;
        let w = nr.min(jc + nc - j0);
        let dst = &mut out[jp * kc * nr..(jp + 1) * kc * nr];
        for p in 0..kc {
            let src = &b[(pc + p) * ldb + j0..(pc + p) * ldb + j0 + w];
            dst[p * nr..p * nr + w].copy_from_slice(src);
        }
    }
}

/// Packs `a[ic..ic+mc, pc..pc+kc]` (row-major, `lda` columns) into panels of MR rows, zero-padded.
#[allow(clippy::too_many_arguments)]
fn pack_a<T: GemmFloat>(a: &[T], lda: usize, mr: usize, ic: usize, mc: usize, pc: usize, kc: usize, out: &mut Vec<T>) {
    let panels = mc.div_ceil(mr);
    out.clear();
    out.resize(panels * kc * mr, T::zero());
    for ip in 0..panels {
        let dst = &mut out[ip * kc * mr..(ip + 1) * kc * mr];
        for i in 0..mr.min(mc - ip * mr) {
            let row = &a[(ic + ip * mr + i) * lda + pc..(ic + ip * mr + i) * lda + pc + kc];
            for (p, &v) in row.iter().enumerate() {
                dst[p * mr + i] = v;
            }
        }
    }
}

/// `c = a @ b` for row-major `a` (m x k), `b` (k x n), `c` (m x n), with the kernels of `simd`.
pub fn gemm<T: GemmFloat>(simd: Simd, m: usize, n: usize, k: usize, a: &[T], b: &[T], c: &mut [T]) {
    if k == 0 {
        c.iter_mut().for_each(|v| *v = T::zero());
        return;
    }
    let (mr, nr) = T::tile(simd);
    let cp = c.as_mut_ptr() as usize;
    let mut bp: Vec<T> = Vec::new();
    for jc in (0..n).step_by(NC) {
        let nc = NC.min(n - jc);
        for pc in (0..k).step_by(KC) {
            let kc = KC.min(k - pc);
            pack_b(b, n, nr, pc, kc, jc, nc, &mut bp);
            let bpr = &bp;
            crate::pool::parallel_for(m.div_ceil(MC), 1, &|blocks| {
                let mut ap: Vec<T> = Vec::new();
                let mut edge = vec![T::zero(); mr * nr];
                for blk in blocks {
                    let ic = blk * MC;
                    let mc = MC.min(m - ic);
                    pack_a(a, k, mr, ic, mc, pc, kc, &mut ap);
                    for jp in 0..nc.div_ceil(nr) {
                        let j0 = jc + jp * nr;
                        let w = nr.min(jc + nc - j0);
                        for ip in 0..mc.div_ceil(mr) {
                            let i0 = ic + ip * mr;
                            let h = mr.min(ic + mc - i0);
                            let pa = ap[ip * kc * mr..].as_ptr();
                            let pb = bpr[jp * kc * nr..].as_ptr();
                            // SAFETY: each (row block, column panel) tile of c is written by one
                            // chunk only; full tiles lie inside c, edge tiles go through `edge`.
                            unsafe {
                                let ct = (cp as *mut T).add(i0 * n + j0);
                                if h == mr && w == nr {
                                    T::kernel(simd, kc, pa, pb, ct, n, pc > 0);
                                } else {
                                    T::kernel(simd, kc, pa, pb, edge.as_mut_ptr(), nr, false);
                                    for i in 0..h {
                                        for j in 0..w {
                                            let d = &mut *ct.add(i * n + j);
                                            let v = edge[i * nr + j];
                                            *d = if pc > 0 { d.add(v) } else { v };
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(m: usize, n: usize, k: usize, a: &[f64], b: &[f64]) -> Vec<f64> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                c[i * n + j] = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
            }
        }
        c
    }

    #[test]
    fn every_kernel_set_matches_the_naive_product() {
        let sizes = [(1, 1, 1), (6, 16, 3), (7, 17, 5), (13, 40, 300), (73, 9, 257), (5, 3, 0), (150, 33, 70)];
        let mut seed = 12345u64;
        let mut rnd = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as f64 / (1u64 << 31) as f64) - 0.5
        };
        for simd in available() {
            for &(m, n, k) in &sizes {
                let a: Vec<f64> = (0..m * k).map(|_| rnd()).collect();
                let b: Vec<f64> = (0..k * n).map(|_| rnd()).collect();
                let want = naive(m, n, k, &a, &b);
                let mut c64 = vec![f64::NAN; m * n];
                gemm::<f64>(simd, m, n, k, &a, &b, &mut c64);
                for (x, y) in c64.iter().zip(&want) {
                    assert!((x - y).abs() <= 1e-12 * (k as f64 + 1.0), "{simd:?} f64 {m}x{n}x{k}: {x} vs {y}");
                }
                let (a32, b32): (Vec<f32>, Vec<f32>) =
                    (a.iter().map(|&v| v as f32).collect(), b.iter().map(|&v| v as f32).collect());
                let mut c32 = vec![f32::NAN; m * n];
                gemm::<f32>(simd, m, n, k, &a32, &b32, &mut c32);
                for (x, y) in c32.iter().zip(&want) {
                    assert!((*x as f64 - y).abs() <= 1e-5 * (k as f64 + 1.0), "{simd:?} f32 {m}x{n}x{k}: {x} vs {y}");
                }
            }
        }
    }
}
