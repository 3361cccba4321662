//! The dense factorizations measured directly, without FFI, for tuning:
//! `cargo run --release --example la_bench [n] [lu|eigh]` prints the median of 5 runs of `lu`, `lu_solve`
//! with 1 and n right-hand sides, and `eigh` with and without vectors (at n / 2), at all threads.
//! `npm run bench` compares the public functions against numpy; this is the quick loop.
use cobalt::cpu::lapack;
use std::time::Instant;

fn median(mut f: impl FnMut()) -> f64 {
    f();
    let mut xs: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    xs.sort_by(f64::total_cmp);
    xs[2]
}

fn lu_part(n: usize, a: &[f64], rnd: &mut impl FnMut() -> f64) {
    let mut lu = a.to_vec();
    let mut piv = vec![0usize; n];
    let t_lu = median(|| {
        lu.copy_from_slice(a);
        lapack::lu(n, &mut lu, &mut piv).expect("lu");
    });
    let b1: Vec<f64> = (0..n).map(|_| rnd()).collect();
    let mut x1 = b1.clone();
    let t_s1 = median(|| {
        x1.copy_from_slice(&b1);
        lapack::lu_solve(n, 1, &lu, &piv, &mut x1).expect("solve");
    });
    let mut xn = vec![0.0; n * n];
    let t_sn = median(|| {
        xn.iter_mut().enumerate().for_each(|(i, v)| *v = if i % (n + 1) == 0 { 1.0 } else { 0.0 });
        lapack::lu_solve(n, n, &lu, &piv, &mut xn).expect("solve");
    });
    let mut inv = vec![0.0; n * n];
    let t_inv = median(|| lapack::lu_inverse(n, &lu, &piv, &mut inv).expect("inverse"));
    println!("n={n}: lu_inverse {t_inv:.2} ms");
    // the residual of the inverse, as a sanity check
    let err = (0..n)
        .map(|i| (0..n).map(|k| a[i * n + k] * xn[k * n + i]).sum::<f64>() - 1.0)
        .fold(0.0f64, |m, v| m.max(v.abs()));
    println!("n={n}: lu {t_lu:.2} ms, solve(1) {t_s1:.2} ms, solve(n) {t_sn:.2} ms (inverse diag err {err:.1e})");
}

fn main() {
    let n: usize = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1024);
    let only = std::env::args().nth(2).unwrap_or_default();
    let mut seed = 7u64;
    let mut rnd = move || {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((seed >> 11) as f64 / (1u64 << 53) as f64) - 0.5
    };
    let a: Vec<f64> = (0..n * n).map(|_| rnd()).collect();
    if only != "eigh" {
        lu_part(n, &a, &mut rnd);
    }
    if only == "lu" {
        return;
    }
    let h = n / 2;
    let s: Vec<f64> = (0..h * h).map(|i| a[(i / h) * n + i % h] + a[(i % h) * n + i / h]).collect();
    let (mut w, mut d) = (s.clone(), vec![0.0; h]);
    let t_ev = median(|| {
        w.copy_from_slice(&s);
        lapack::eigh(h, &mut w, &mut d, true).expect("eigh");
    });
    let t_e = median(|| {
        w.copy_from_slice(&s);
        lapack::eigh(h, &mut w, &mut d, false).expect("eigh");
    });
    println!("n={h}: eigh {t_ev:.2} ms, eigvalsh {t_e:.2} ms");
}
