//! Blocked, packed matrix multiply for float32 and float64 with register-tiled AVX-512 and
//! AVX2+FMA micro-kernels, chosen at run time ([`super::features::level`]), and a portable fallback.
//!
//! Goto-style loops: B is packed once per (k, n) block into panels of NR columns, each thread packs
//! its own MR-row panels of A, and an MR x NR micro-kernel keeps the tile of C in registers for a
//! whole k block. Row blocks of C (and, when there are few, groups of column panels) are split
//! across the shared pool.

use super::features::Simd;
use super::math::Num;

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

/// Cache blocking: a `KC x NC` block of B (about 512 KiB) is packed once and shared by all threads;
/// each thread packs `MC x KC` blocks of A (MC = 8 * MR, kept in L2); one `KC x NR` panel of B
/// (16 or 32 KiB) stays in L1 while the kernel walks the A block. Tuned with
/// `cargo run --release --example gemm_bench` on an AVX-512 Xeon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocking {
    pub kc: usize,
    pub mc: usize,
    pub nc: usize,
}

impl Blocking {
    /// The tuned blocking for `T` with the kernels of `simd`.
    pub fn of<T: GemmFloat>(simd: Simd) -> Blocking {
        let (mr, _) = T::tile(simd);
        Blocking { kc: 1024 / std::mem::size_of::<T>(), mc: 8 * mr, nc: 512 }
    }
}

#[inline(always)]
#[cfg_attr(all(target_arch = "wasm32", target_feature = "simd128"), allow(dead_code))]
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
                // SAFETY: within the packed panels (contract).
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

/// An MR x (2 vectors) micro-kernel: 2*MR vector accumulators, two vector loads of B and MR
/// broadcasts of A per step of k. The C tile is prefetched first so its cache misses overlap the
/// k loop instead of stalling the stores at the end.
#[cfg(target_arch = "x86_64")]
macro_rules! micro_kernel {
    ($name:ident, $feature:literal, $t:ty, $lanes:literal, $zero:ident, $load:ident, $store:ident, $splat:ident, $fma:ident, $add:ident) => {
        #[target_feature(enable = $feature)]
        pub unsafe fn $name<const MR: usize>(kc: usize, a: *const $t, b: *const $t, c: *mut $t, ldc: usize, acc: bool) {
            // SAFETY (whole fn): pointers stay inside the packed panels and the tile (caller's contract).
            for i in 0..MR {
                _mm_prefetch::<_MM_HINT_T0>(c.add(i * ldc) as *const i8);
                _mm_prefetch::<_MM_HINT_T0>(c.add(i * ldc + 2 * $lanes - 1) as *const i8);
            }
            let mut r = [[$zero(); 2]; MR];
            for p in 0..kc {
                let b0 = $load(b.add(p * 2 * $lanes));
                let b1 = $load(b.add(p * 2 * $lanes + $lanes));
                for (i, ri) in r.iter_mut().enumerate() {
                    let ai = $splat(*a.add(p * MR + i));
                    ri[0] = $fma(ai, b0, ri[0]);
                    ri[1] = $fma(ai, b1, ri[1]);
                }
            }
            for (i, ri) in r.iter().enumerate() {
                for (h, &v) in ri.iter().enumerate() {
                    let dst = c.add(i * ldc + h * $lanes);
                    let v = if acc { $add($load(dst), v) } else { v };
                    $store(dst, v);
                }
            }
        }
    };
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    // 14 x 32 float32 and 14 x 16 float64: 28 of the 32 zmm registers hold the tile.
    micro_kernel!(
        f32_avx512,
        "avx512f",
        f32,
        16,
        _mm512_setzero_ps,
        _mm512_loadu_ps,
        _mm512_storeu_ps,
        _mm512_set1_ps,
        _mm512_fmadd_ps,
        _mm512_add_ps
    );
    micro_kernel!(
        f64_avx512,
        "avx512f",
        f64,
        8,
        _mm512_setzero_pd,
        _mm512_loadu_pd,
        _mm512_storeu_pd,
        _mm512_set1_pd,
        _mm512_fmadd_pd,
        _mm512_add_pd
    );
    // 6 x 16 float32 and 6 x 8 float64: 12 of the 16 ymm registers hold the tile.
    micro_kernel!(
        f32_avx2,
        "avx2,fma",
        f32,
        8,
        _mm256_setzero_ps,
        _mm256_loadu_ps,
        _mm256_storeu_ps,
        _mm256_set1_ps,
        _mm256_fmadd_ps,
        _mm256_add_ps
    );
    micro_kernel!(
        f64_avx2,
        "avx2,fma",
        f64,
        4,
        _mm256_setzero_pd,
        _mm256_loadu_pd,
        _mm256_storeu_pd,
        _mm256_set1_pd,
        _mm256_fmadd_pd,
        _mm256_add_pd
    );
}

/// WebAssembly SIMD (simd128, chosen at build time): MR x 2 vectors, as the x86 kernels but with
/// a separate multiply and add (simd128 has no fused multiply-add). The tile is sized for the 16
/// vector registers an engine has on x86-64 (2*MR accumulators, two B vectors, one broadcast).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use core::arch::wasm32::*;

    macro_rules! micro_kernel {
        ($name:ident, $t:ty, $lanes:literal, $splat:ident, $mul:ident, $add:ident) => {
            /// # Safety
            /// `a` holds `kc * MR`, `b` holds `kc * 2 * lanes` values; `c` is valid for an
            /// MR x (2 * lanes) tile with stride `ldc`.
            pub unsafe fn $name<const MR: usize>(
                kc: usize,
                a: *const $t,
                b: *const $t,
                c: *mut $t,
                ldc: usize,
                acc: bool,
            ) {
                let mut r = [[$splat(0.0); 2]; MR];
                for p in 0..kc {
                    // SAFETY: within the packed panels (contract); v128_load takes unaligned addresses.
                    let (b0, b1) = unsafe {
                        (
                            v128_load(b.add(p * 2 * $lanes) as *const v128),
                            v128_load(b.add(p * 2 * $lanes + $lanes) as *const v128),
                        )
                    };
                    for (i, ri) in r.iter_mut().enumerate() {
                        // SAFETY: within the packed panel of A (contract).
                        let ai = $splat(unsafe { *a.add(p * MR + i) });
                        ri[0] = $add(ri[0], $mul(ai, b0));
                        ri[1] = $add(ri[1], $mul(ai, b1));
                    }
                }
                for (i, ri) in r.iter().enumerate() {
                    for (h, &v) in ri.iter().enumerate() {
                        // SAFETY: within the tile (contract).
                        unsafe {
                            let dst = c.add(i * ldc + h * $lanes) as *mut v128;
                            let v = if acc { $add(v128_load(dst), v) } else { v };
                            v128_store(dst, v);
                        }
                    }
                }
            }
        };
    }
    micro_kernel!(f32_simd128, f32, 4, f32x4_splat, f32x4_mul, f32x4_add);
    micro_kernel!(f64_simd128, f64, 2, f64x2_splat, f64x2_mul, f64x2_add);
}

/// The portable tiles: the simd128 kernels' on WebAssembly, else the AVX2 shape in scalar code.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
const PORTABLE_F32: (usize, usize) = (6, 8);
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
const PORTABLE_F64: (usize, usize) = (6, 4);
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
const PORTABLE_F32: (usize, usize) = (MR_AVX2, 16);
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
const PORTABLE_F64: (usize, usize) = (MR_AVX2, 8);

/// The portable f32 kernel (`PORTABLE_F32`'s tile).
///
/// # Safety
/// The kernel contract of [`GemmFloat::kernel`] for that tile.
#[inline(always)]
unsafe fn portable_f32(kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, acc: bool) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    // SAFETY: forwarded contract.
    unsafe {
        wasm::f32_simd128::<{ PORTABLE_F32.0 }>(kc, a, b, c, ldc, acc)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    // SAFETY: forwarded contract.
    unsafe {
        kernel_scalar::<f32, { PORTABLE_F32.0 }, { PORTABLE_F32.1 }>(kc, a, b, c, ldc, acc)
    }
}

/// The portable f64 kernel (`PORTABLE_F64`'s tile).
///
/// # Safety
/// The kernel contract of [`GemmFloat::kernel`] for that tile.
#[inline(always)]
unsafe fn portable_f64(kc: usize, a: *const f64, b: *const f64, c: *mut f64, ldc: usize, acc: bool) {
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    // SAFETY: forwarded contract.
    unsafe {
        wasm::f64_simd128::<{ PORTABLE_F64.0 }>(kc, a, b, c, ldc, acc)
    }
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    // SAFETY: forwarded contract.
    unsafe {
        kernel_scalar::<f64, { PORTABLE_F64.0 }, { PORTABLE_F64.1 }>(kc, a, b, c, ldc, acc)
    }
}

/// Rows of the AVX-512 tile (32 registers) and of the AVX2 and portable tiles.
const MR_AVX512: usize = 14;
const MR_AVX2: usize = 6;

impl GemmFloat for f32 {
    fn tile(simd: Simd) -> (usize, usize) {
        match simd {
            Simd::Avx512 => (MR_AVX512, 32),
            Simd::Avx2Fma => (MR_AVX2, 16),
            Simd::Scalar => PORTABLE_F32,
        }
    }
    unsafe fn kernel(simd: Simd, kc: usize, a: *const f32, b: *const f32, c: *mut f32, ldc: usize, acc: bool) {
        match simd {
            // SAFETY: the caller checked the CPU supports AVX-512F (contract).
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => unsafe { x86::f32_avx512::<MR_AVX512>(kc, a, b, c, ldc, acc) },
            // SAFETY: the caller checked the CPU supports AVX2 and FMA (contract).
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2Fma => unsafe { x86::f32_avx2::<MR_AVX2>(kc, a, b, c, ldc, acc) },
            // SAFETY: forwarded contract.
            _ => unsafe { portable_f32(kc, a, b, c, ldc, acc) },
        }
    }
}

impl GemmFloat for f64 {
    fn tile(simd: Simd) -> (usize, usize) {
        match simd {
            Simd::Avx512 => (MR_AVX512, 16),
            Simd::Avx2Fma => (MR_AVX2, 8),
            Simd::Scalar => PORTABLE_F64,
        }
    }
    unsafe fn kernel(simd: Simd, kc: usize, a: *const f64, b: *const f64, c: *mut f64, ldc: usize, acc: bool) {
        match simd {
            // SAFETY: the caller checked the CPU supports AVX-512F (contract).
            #[cfg(target_arch = "x86_64")]
            Simd::Avx512 => unsafe { x86::f64_avx512::<MR_AVX512>(kc, a, b, c, ldc, acc) },
            // SAFETY: the caller checked the CPU supports AVX2 and FMA (contract).
            #[cfg(target_arch = "x86_64")]
            Simd::Avx2Fma => unsafe { x86::f64_avx2::<MR_AVX2>(kc, a, b, c, ldc, acc) },
            // SAFETY: forwarded contract.
            _ => unsafe { portable_f64(kc, a, b, c, ldc, acc) },
        }
    }
}

/// Below this many multiply-adds per packed block of B a product runs on one thread.
const SERIAL_WORK: usize = 1 << 20;

/// A 64-byte aligned scratch buffer for packed panels. Unaligned panels make every 64-byte load
/// straddle two cache lines (malloc returns 16-byte aligned memory); measured, that cost up to a
/// third of the kernel's speed.
#[derive(Default)]
struct Packed {
    lines: Vec<Line>,
}

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; 64]);

impl Packed {
    /// A slice of `len` elements, reusing the buffer (its content is stale: the packers write
    /// every element, padding included).
    fn slice<T: GemmFloat>(&mut self, len: usize) -> &mut [T] {
        let lines = (len * std::mem::size_of::<T>()).div_ceil(64);
        if self.lines.len() < lines {
            self.lines.resize(lines, Line([0; 64]));
        }
        // SAFETY: the buffer holds at least `len` T's and is 64-byte aligned (>= align_of T); its
        // bytes are initialized, and any bytes are a valid f32/f64.
        unsafe { std::slice::from_raw_parts_mut(self.lines.as_mut_ptr() as *mut T, len) }
    }
}

type PackedKey = std::thread::LocalKey<std::cell::RefCell<Packed>>;

thread_local! {
    /// Each thread's A block and B block buffers, kept between calls (about 1 MiB at most).
    static PACK_A: std::cell::RefCell<Packed> = std::cell::RefCell::new(Packed::default());
    static PACK_B: std::cell::RefCell<Packed> = std::cell::RefCell::new(Packed::default());
}

/// Runs `f` with this thread's buffer `key`, or a fresh one if it is in use (re-entrant call).
fn with_packed<R>(key: &'static PackedKey, f: impl FnOnce(&mut Packed) -> R) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut p) => f(&mut p),
        Err(_) => f(&mut Packed::default()),
    })
}

/// Packs `b[pc..pc+kc, jc..jc+nc]` (row-major, `ldb` apart) into panels of NR columns, zero-padded.
///
/// # Safety
/// `b` is valid for reads of that block.
#[allow(clippy::too_many_arguments)]
unsafe fn pack_b<T: GemmFloat>(
    b: *const T,
    ldb: usize,
    nr: usize,
    pc: usize,
    kc: usize,
    jc: usize,
    nc: usize,
    out: &mut [T],
) {
    for (jp, dst) in out.chunks_exact_mut(kc * nr).enumerate().take(nc.div_ceil(nr)) {
        let j0 = jc + jp * nr;
        let w = nr.min(jc + nc - j0);
        for (p, d) in dst.chunks_exact_mut(nr).enumerate() {
            // SAFETY: inside the block (contract).
            let src = unsafe { std::slice::from_raw_parts(b.add((pc + p) * ldb + j0), w) };
            // fixed-width copies compile to vector moves (a runtime length calls memcpy per row)
            match (w == nr, nr) {
                (true, 8) => d[..8].copy_from_slice(&src[..8]),
                (true, 16) => d[..16].copy_from_slice(&src[..16]),
                (true, 32) => d[..32].copy_from_slice(&src[..32]),
                _ => {
                    d[..w].copy_from_slice(src);
                    d[w..].iter_mut().for_each(|v| *v = T::zero());
                }
            }
        }
    }
}

/// Packs `a[ic..ic+mc, pc..pc+kc]` (row-major, `lda` apart) into panels of MR rows, zero-padded,
/// negated when `neg`.
///
/// # Safety
/// `a` is valid for reads of that block.
#[allow(clippy::too_many_arguments)]
unsafe fn pack_a<T: GemmFloat>(
    a: *const T,
    lda: usize,
    mr: usize,
    (ic, mc): (usize, usize),
    (pc, kc): (usize, usize),
    neg: bool,
    out: &mut [T],
) {
    for (ip, dst) in out.chunks_exact_mut(kc * mr).enumerate().take(mc.div_ceil(mr)) {
        let h = mr.min(mc - ip * mr);
        for i in 0..h {
            // SAFETY: inside the block (contract).
            let row = unsafe { std::slice::from_raw_parts(a.add((ic + ip * mr + i) * lda + pc), kc) };
            if neg {
                for (p, &v) in row.iter().enumerate() {
                    dst[p * mr + i] = T::zero().sub(v);
                }
            } else {
                for (p, &v) in row.iter().enumerate() {
                    dst[p * mr + i] = v;
                }
            }
        }
        if h < mr {
            for p in 0..kc {
                dst[p * mr + h..(p + 1) * mr].iter_mut().for_each(|v| *v = T::zero());
            }
        }
    }
}

/// `c = a @ b` for row-major `a` (m x k), `b` (k x n), `c` (m x n), with the kernels of `simd`.
pub fn gemm<T: GemmFloat>(simd: Simd, m: usize, n: usize, k: usize, a: &[T], b: &[T], c: &mut [T]) {
    gemm_blocked(simd, Blocking::of::<T>(simd), m, n, k, a, b, c)
}

/// [`gemm`] with explicit cache blocking (tests use tiny blocks to exercise every edge).
#[allow(clippy::too_many_arguments)]
pub fn gemm_blocked<T: GemmFloat>(
    simd: Simd,
    blk: Blocking,
    m: usize,
    n: usize,
    k: usize,
    a: &[T],
    b: &[T],
    c: &mut [T],
) {
    assert!(a.len() >= m * k && b.len() >= k * n && c.len() >= m * n, "gemm: buffers too small");
    let mat = |p, ld| Mat { p, ld };
    // SAFETY: the slices hold the three matrices (asserted) and `c` is exclusive.
    unsafe { gemm_strided(simd, blk, (m, n, k), mat(a.as_ptr(), k), mat(b.as_ptr(), n), c.as_mut_ptr(), n, false) }
}

/// A read-only row-major matrix operand: its first element and the distance between rows.
#[derive(Clone, Copy, Debug)]
pub struct Mat<T> {
    pub p: *const T,
    pub ld: usize,
}

/// `c -= a @ b` for strided row-major operands (`a` m x k, `b` k x n, `c` m x n with `ldc`): the
/// update of blocked factorizations, run in place on blocks of one matrix (no copies).
///
/// # Safety
/// `a`, `b` and `c` are valid for their blocks; `c`'s block overlaps neither `a`'s nor `b`'s, and
/// nothing else accesses it during the call; the CPU supports `simd`.
#[allow(clippy::too_many_arguments)]
pub unsafe fn gemm_sub<T: GemmFloat>(
    simd: Simd,
    (m, n, k): (usize, usize, usize),
    a: Mat<T>,
    b: Mat<T>,
    c: *mut T,
    ldc: usize,
) {
    // SAFETY: forwarded contract.
    unsafe { gemm_strided(simd, Blocking::of::<T>(simd), (m, n, k), a, b, c, ldc, true) }
}

/// The loops of [`gemm_blocked`] and [`gemm_sub`]: `c = a @ b`, or `c -= a @ b` when `sub`.
///
/// # Safety
/// As [`gemm_sub`].
#[allow(clippy::too_many_arguments)]
unsafe fn gemm_strided<T: GemmFloat>(
    simd: Simd,
    blk: Blocking,
    (m, n, k): (usize, usize, usize),
    a: Mat<T>,
    b: Mat<T>,
    c: *mut T,
    ldc: usize,
    sub: bool,
) {
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !sub {
            for i in 0..m {
                // SAFETY: row i of c's block (contract).
                unsafe { std::slice::from_raw_parts_mut(c.add(i * ldc), n) }.iter_mut().for_each(|v| *v = T::zero());
            }
        }
        return;
    }
    let (mr, nr) = T::tile(simd);
    let mc_max = blk.mc.div_ceil(mr).max(1) * mr;
    let (kc_max, nc_max) = (blk.kc.max(1), blk.nc.div_ceil(nr).max(1) * nr);
    let cp = c as usize;
    let (ap, bp0) = (a.p as usize, b.p as usize);
    let threads = crate::pool::num_threads();
    with_packed(&PACK_B, |bbuf| {
        for jc in (0..n).step_by(nc_max) {
            let nc = nc_max.min(n - jc);
            let panels = nc.div_ceil(nr);
            for pc in (0..k).step_by(kc_max) {
                let kc = kc_max.min(k - pc);
                // accumulate into c after the first k block, and always when subtracting
                let acc = sub || pc > 0;
                let bp = bbuf.slice::<T>(panels * kc * nr);
                // SAFETY: b's block (contract).
                unsafe { pack_b(bp0 as *const T, b.ld, nr, pc, kc, jc, nc, bp) };
                let bpr = &*bp;
                // Work items are (row block, group of column panels): with few row blocks (small m),
                // the columns are split too so every thread gets work.
                let mblocks = m.div_ceil(mc_max);
                let groups = (2 * threads).div_ceil(mblocks).clamp(1, panels);
                let per_group = panels.div_ceil(groups);
                // small products run on the calling thread: waking the pool costs more than it
                // saves (the narrow GEMMs inside LU's panel factorization)
                let items = mblocks * groups;
                let chunk = if m * nc * kc < SERIAL_WORK { items } else { 1 };
                crate::pool::parallel_chunks(items, chunk, &|items| {
                    with_packed(&PACK_A, |abuf| {
                        let mut edge = vec![T::zero(); mr * nr];
                        for item in items {
                            let (blk_i, g) = (item / groups, item % groups);
                            let ic = blk_i * mc_max;
                            let mc = mc_max.min(m - ic);
                            let apk = abuf.slice::<T>(mc.div_ceil(mr) * kc * mr);
                            // SAFETY: a's block (contract).
                            unsafe { pack_a(ap as *const T, a.ld, mr, (ic, mc), (pc, kc), sub, apk) };
                            for jp in g * per_group..((g + 1) * per_group).min(panels) {
                                let j0 = jc + jp * nr;
                                let w = nr.min(jc + nc - j0);
                                for ip in 0..mc.div_ceil(mr) {
                                    let i0 = ic + ip * mr;
                                    let h = mr.min(ic + mc - i0);
                                    let pa = apk[ip * kc * mr..].as_ptr();
                                    let pb = bpr[jp * kc * nr..].as_ptr();
                                    // SAFETY: each (row block, column panel) tile of c is written by
                                    // one item only; full tiles lie inside c's block, edge tiles go
                                    // through `edge`; `simd` is supported (contract).
                                    unsafe {
                                        let ct = (cp as *mut T).add(i0 * ldc + j0);
                                        if h == mr && w == nr {
                                            T::kernel(simd, kc, pa, pb, ct, ldc, acc);
                                        } else {
                                            T::kernel(simd, kc, pa, pb, edge.as_mut_ptr(), nr, false);
                                            for i in 0..h {
                                                for j in 0..w {
                                                    let d = &mut *ct.add(i * ldc + j);
                                                    let v = edge[i * nr + j];
                                                    *d = if acc { d.add(v) } else { v };
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    })
                });
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::features::available;

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
        let sizes = [
            (1, 1, 1),
            (0, 3, 2),
            (3, 0, 2),
            (6, 16, 3),
            (7, 17, 5),
            (13, 40, 300),
            (73, 9, 257),
            (5, 3, 0),
            (150, 33, 70),
            (29, 65, 600),
        ];
        // the tuned blocking, and tiny blocks so that every edge (partial k, m and n blocks, several
        // column groups) is crossed even at these sizes
        let blockings = |simd: Simd| {
            [Blocking::of::<f64>(simd), Blocking { kc: 7, mc: 1, nc: 20 }, Blocking { kc: 64, mc: 30, nc: 64 }]
        };
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
                for blk in blockings(simd) {
                    let mut c64 = vec![f64::NAN; m * n];
                    gemm_blocked::<f64>(simd, blk, m, n, k, &a, &b, &mut c64);
                    for (x, y) in c64.iter().zip(&want) {
                        assert!(
                            (x - y).abs() <= 1e-12 * (k as f64 + 1.0),
                            "{simd:?} {blk:?} f64 {m}x{n}x{k}: {x} vs {y}"
                        );
                    }
                    let (a32, b32): (Vec<f32>, Vec<f32>) =
                        (a.iter().map(|&v| v as f32).collect(), b.iter().map(|&v| v as f32).collect());
                    let mut c32 = vec![f32::NAN; m * n];
                    gemm_blocked::<f32>(simd, blk, m, n, k, &a32, &b32, &mut c32);
                    for (x, y) in c32.iter().zip(&want) {
                        assert!(
                            (*x as f64 - y).abs() <= 1e-5 * (k as f64 + 1.0),
                            "{simd:?} {blk:?} f32 {m}x{n}x{k}: {x} vs {y}"
                        );
                    }
                }
            }
        }
    }
    #[test]
    fn gemm_sub_updates_a_block_in_place_from_blocks_of_the_same_matrix() {
        // one ld x ld matrix: c's block at (r0, c0) -= a's block (left of it) @ b's block (above it),
        // with every edge of the tile crossed; the rest of the matrix is untouched
        let ld = 61;
        let mut seed = 99u64;
        let mut rnd = || {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((seed >> 33) as f64 / (1u64 << 31) as f64) - 0.5
        };
        for simd in available() {
            for &(m, n, k) in &[(1, 1, 1), (7, 9, 3), (13, 17, 20), (25, 33, 27), (6, 8, 0), (40, 40, 20)] {
                let (r0, c0) = (ld - m, ld - n);
                let full: Vec<f64> = (0..ld * ld).map(|_| rnd()).collect();
                let mut x = full.clone();
                let a: Vec<f64> = (0..m * k).map(|i| full[(r0 + i / k) * ld + i % k]).collect();
                let b: Vec<f64> = (0..k * n).map(|i| full[(i / n) * ld + c0 + i % n]).collect();
                let prod = naive(m, n, k, &a, &b);
                let p = x.as_mut_ptr();
                // SAFETY: a = rows r0.., columns 0..k; b = rows 0..k, columns c0..; c = rows r0..,
                // columns c0.. (k <= c0 and k <= r0, so c overlaps neither).
                unsafe {
                    gemm_sub::<f64>(
                        simd,
                        (m, n, k),
                        Mat { p: p.add(r0 * ld), ld },
                        Mat { p: p.add(c0), ld },
                        p.add(r0 * ld + c0),
                        ld,
                    )
                };
                for i in 0..ld {
                    for j in 0..ld {
                        let want = if i >= r0 && j >= c0 {
                            full[i * ld + j] - prod[(i - r0) * n + j - c0]
                        } else {
                            full[i * ld + j]
                        };
                        let got = x[i * ld + j];
                        assert!(
                            (got - want).abs() <= 1e-12 * (k as f64 + 1.0),
                            "{simd:?} {m}x{n}x{k} at ({i},{j}): {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
