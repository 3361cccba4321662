//! Run-time CPU feature detection, in one place for every kernel: the instruction set the
//! vectorised loops ([`super::simd_loops`]) and the GEMM micro-kernels ([`super::gemm`]) are
//! compiled for and picked by at run time.

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
    #[cfg(target_arch = "x86_64")]
    {
        let mut v = vec![Simd::Scalar];
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            v.push(Simd::Avx2Fma);
            if is_x86_feature_detected!("avx512f") {
                v.push(Simd::Avx512);
            }
        }
        v
    }
    #[cfg(not(target_arch = "x86_64"))]
    vec![Simd::Scalar]
}
