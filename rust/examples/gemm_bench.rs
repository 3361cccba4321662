//! The packed GEMM measured directly, without FFI, for tuning the blocking:
//! `cargo run --release --example gemm_bench [f64] [kc=K] [mc=M] [nc=N] [n ...]` prints GFLOP/s at
//! 1 thread and all threads (float32 unless `f64`; the tuned blocking unless overridden).
//! `npm run bench` is the suite that compares against numpy; this is the quick loop.
use cobalt::cpu::gemm::{gemm_blocked, Blocking, GemmFloat};
use std::time::Instant;

/// A 64-byte aligned slice of `len` values inside `buf` (tensor storage is 64-byte aligned too).
fn aligned<T: GemmFloat>(buf: &mut Vec<T>, len: usize) -> &mut [T] {
    buf.resize(len + 16, T::zero());
    let skip = buf.as_ptr().align_offset(64);
    &mut buf[skip..skip + len]
}

fn run<T: GemmFloat>(sizes: &[usize], over: &[(String, usize)], from: fn(f64) -> T) {
    let all = cobalt::pool::num_threads();
    let simd = cobalt::cpu::features::level();
    let mut blk = Blocking::of::<T>(simd);
    for (k, v) in over {
        match k.as_str() {
            "kc" => blk.kc = *v,
            "mc" => blk.mc = *v,
            "nc" => blk.nc = *v,
            _ => {}
        }
    }
    println!("{} {blk:?}", std::any::type_name::<T>());
    let (mut ab, mut bb, mut cb) = (Vec::new(), Vec::new(), Vec::new());
    for &n in sizes {
        let a = aligned(&mut ab, n * n);
        a.iter_mut().enumerate().for_each(|(i, v)| *v = from(((i * 7919) % 1000) as f64 / 1000.0 - 0.5));
        let b = aligned(&mut bb, n * n);
        b.iter_mut().enumerate().for_each(|(i, v)| *v = from(((i * 104729) % 1000) as f64 / 1000.0 - 0.5));
        let c = aligned(&mut cb, n * n);
        for threads in [1, all] {
            cobalt::pool::set_num_threads(threads).expect("thread count");
            let reps = (4e9 / (2.0 * (n as f64).powi(3))).clamp(3.0, 200.0) as usize;
            let mut best = f64::MAX;
            for _ in 0..reps {
                let t = Instant::now();
                gemm_blocked::<T>(simd, blk, n, n, n, a, b, c);
                best = best.min(t.elapsed().as_secs_f64());
            }
            let gf = 2.0 * (n as f64).powi(3) / best / 1e9;
            println!("n={n:5} threads={threads} {simd:?}: {:8.3} ms {gf:7.1} GFLOP/s", best * 1e3);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes: Vec<usize> = args.iter().filter_map(|s| s.parse().ok()).collect();
    let sizes = if sizes.is_empty() { vec![256, 512, 1024, 2048] } else { sizes };
    let over: Vec<(String, usize)> = args
        .iter()
        .filter_map(|s| s.split_once('=').and_then(|(k, v)| Some((k.to_string(), v.parse().ok()?))))
        .collect();
    if args.iter().any(|s| s == "f64") {
        run::<f64>(&sizes, &over, |v| v);
    } else {
        run::<f32>(&sizes, &over, |v| v as f32);
    }
}
