//! Times a few unary ops on 1M float32 elements without FFI: `cargo run --release --example op_bench`.
use cobalt::{Tensor, UnaryOp};
use std::time::Instant;

fn main() {
    let n = 1 << 20;
    let x: Vec<f32> = (0..n).map(|i| (i % 1000) as f32 / 250.0 - 2.0).collect();
    let a = Tensor::from_vec(&[n], &x).expect("tensor");
    let ops: Vec<UnaryOp> = match std::env::args().nth(1).as_deref() {
        Some("gelu") => vec![UnaryOp::Gelu],
        _ => vec![UnaryOp::Exp, UnaryOp::Tanh, UnaryOp::Gelu, UnaryOp::Sigmoid, UnaryOp::Log],
    };
    for op in ops {
        let mut best = f64::MAX;
        for _ in 0..20 {
            let t = Instant::now();
            let r = cobalt::ops::unary(op, &a).expect("op");
            best = best.min(t.elapsed().as_secs_f64());
            drop(r);
        }
        println!("{op:?}: {:.3} ms", best * 1e3);
    }
}
