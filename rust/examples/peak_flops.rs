//! Measured peak float32 FLOP/s of this machine: independent FMA chains kept in registers, with
//! the widest vectors the CPU has (the same run-time choice as the kernels), on 1 thread and on
//! every core. `npm run bench` reports GEMM as a fraction of these figures.
//! Prints one JSON line: `cargo run --release --example peak_flops`.
use std::time::Instant;

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    /// 16 independent accumulators (more than FMA latency x ports), `iters` rounds of 16 FMAs.
    #[target_feature(enable = "avx512f")]
    pub unsafe fn fma512(iters: usize) -> f32 {
        let (a, b) = (_mm512_set1_ps(0.999_999), _mm512_set1_ps(1e-7));
        let mut acc = [_mm512_set1_ps(1.0); 16];
        for _ in 0..iters {
            for v in acc.iter_mut() {
                *v = _mm512_fmadd_ps(*v, a, b);
            }
        }
        acc.iter().map(|&v| _mm512_reduce_add_ps(v)).sum()
    }

    #[target_feature(enable = "avx2,fma")]
    pub unsafe fn fma256(iters: usize) -> f32 {
        let (a, b) = (_mm256_set1_ps(0.999_999), _mm256_set1_ps(1e-7));
        let mut acc = [_mm256_set1_ps(1.0); 12];
        for _ in 0..iters {
            for v in acc.iter_mut() {
                *v = _mm256_fmadd_ps(*v, a, b);
            }
        }
        let mut out = [0f32; 8];
        _mm256_storeu_ps(out.as_mut_ptr(), acc.iter().fold(_mm256_setzero_ps(), |s, &v| _mm256_add_ps(s, v)));
        out.iter().sum()
    }
}

/// FLOPs done by one call of the kernel and the kernel itself, for this CPU.
fn kernel() -> (f64, fn(usize) -> f32) {
    use cobalt::cpu::features::level;
    #[cfg(target_arch = "x86_64")]
    use cobalt::cpu::features::Simd;
    match level() {
        // SAFETY: level() reports only instruction sets the CPU has.
        #[cfg(target_arch = "x86_64")]
        Simd::Avx512 => (16.0 * 16.0 * 2.0, |n| unsafe { x86::fma512(n) }),
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Simd::Avx2Fma => (12.0 * 8.0 * 2.0, |n| unsafe { x86::fma256(n) }),
        _ => (2.0, |n| (0..n).fold(1.0f32, |s, _| s.mul_add(0.999_999, 1e-7))),
    }
}

fn measure(threads: usize) -> f64 {
    let (flops_per_iter, f) = kernel();
    let iters = 50_000_000;
    let mut best = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| std::hint::black_box(f(std::hint::black_box(iters))));
            }
        });
        best = best.min(t.elapsed().as_secs_f64());
    }
    flops_per_iter * iters as f64 * threads as f64 / best / 1e9
}

fn main() {
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!(
        "{{\"runtime\": \"peak\", \"ms\": {{\"peak GFLOP/s 1 thread\": {:.1}, \"peak GFLOP/s all\": {:.1}, \"simd\": \"{:?}\"}}}}",
        measure(1),
        measure(cores),
        cobalt::cpu::features::level()
    );
}
