//! The packed GEMM measured directly, without FFI, for tuning the blocking:
//! `cargo run --release --example gemm_bench [n ...]` prints GFLOP/s at 1 thread and all threads.
//! `npm run bench` is the suite that compares against numpy; this is the quick loop.
use std::time::Instant;

/// A 64-byte aligned slice of `len` f32s inside `buf` (tensor storage is 64-byte aligned too).
fn aligned(buf: &mut Vec<f32>, len: usize) -> &mut [f32] {
    buf.resize(len + 16, 0.0);
    let skip = buf.as_ptr().align_offset(64);
    &mut buf[skip..skip + len]
}

fn main() {
    let sizes: Vec<usize> = std::env::args().skip(1).filter_map(|s| s.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![256, 512, 1024, 2048] } else { sizes };
    let all = cobalt::pool::num_threads();
    let simd = cobalt::cpu::features::level();
    let (mut ab, mut bb, mut cb) = (Vec::new(), Vec::new(), Vec::new());
    for &n in &sizes {
        let a = aligned(&mut ab, n * n);
        a.iter_mut().enumerate().for_each(|(i, v)| *v = ((i * 7919) % 1000) as f32 / 1000.0 - 0.5);
        let b = aligned(&mut bb, n * n);
        b.iter_mut().enumerate().for_each(|(i, v)| *v = ((i * 104729) % 1000) as f32 / 1000.0 - 0.5);
        let c = aligned(&mut cb, n * n);
        for threads in [1, all] {
            cobalt::pool::set_num_threads(threads).expect("thread count");
            let reps = (4e9 / (2.0 * (n as f64).powi(3))).clamp(3.0, 200.0) as usize;
            let mut best = f64::MAX;
            for _ in 0..reps {
                let t = Instant::now();
                cobalt::cpu::gemm::gemm::<f32>(simd, n, n, n, a, b, c);
                best = best.min(t.elapsed().as_secs_f64());
            }
            let gf = 2.0 * (n as f64).powi(3) / best / 1e9;
            println!("n={n:5} threads={threads} {simd:?}: {:8.3} ms {gf:7.1} GFLOP/s", best * 1e3);
        }
    }
}
