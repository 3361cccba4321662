//! Integration tests of the core API and the ABI from Rust: broadcasting properties against a
//! naive reference, views, errors, and the guard.

use cobalt::abi::*;
use cobalt::ops;
use cobalt::{BinaryOp, DType, ReduceOp, Tensor};

/// A small deterministic generator (xorshift), so the property tests need no crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> usize {
        (self.next() % n) as usize
    }
}

fn index_of(shape: &[usize], flat: usize) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    let mut r = flat;
    for i in (0..shape.len()).rev() {
        idx[i] = r % shape[i];
        r /= shape[i];
    }
    idx
}

/// The element of `t` (row-major values `v`) that broadcasting maps to `out_idx`.
fn bcast_get(v: &[f64], shape: &[usize], out_idx: &[usize]) -> f64 {
    let pad = out_idx.len() - shape.len();
    let mut flat = 0;
    for (i, &d) in shape.iter().enumerate() {
        let k = if d == 1 { 0 } else { out_idx[i + pad] };
        flat = flat * d + k;
    }
    v[flat]
}

#[test]
fn broadcasting_matches_a_naive_reference_on_random_shapes() {
    let mut rng = Rng(0x9E3779B97F4A7C15);
    for _ in 0..300 {
        let nd = 1 + rng.below(4);
        let out: Vec<usize> = (0..nd).map(|_| 1 + rng.below(4)).collect();
        // each operand drops leading dims and sets some dims to 1
        let mk = |rng: &mut Rng| -> Vec<usize> {
            let skip = rng.below(nd as u64 + 1);
            out[skip..].iter().map(|&d| if rng.below(3) == 0 { 1 } else { d }).collect()
        };
        let (sa, sb) = (mk(&mut rng), mk(&mut rng));
        let va: Vec<f64> = (0..sa.iter().product::<usize>()).map(|i| i as f64 * 0.5 - 3.0).collect();
        let vb: Vec<f64> = (0..sb.iter().product::<usize>()).map(|i| i as f64 * 0.25 + 1.0).collect();
        let a = Tensor::from_vec(&sa, &va).unwrap();
        let b = Tensor::from_vec(&sb, &vb).unwrap();
        let r = ops::binary(BinaryOp::Sub, &a, &b).unwrap();
        let expect_shape = cobalt::shape::broadcast_shapes("sub", &sa, &sb).unwrap();
        assert_eq!(r.shape(), &*expect_shape);
        let got = r.to_f64_vec();
        for (k, g) in got.iter().enumerate() {
            let idx = index_of(r.shape(), k);
            let want = bcast_get(&va, &sa, &idx) - bcast_get(&vb, &sb, &idx);
            assert_eq!(*g, want, "{sa:?} - {sb:?} at {idx:?}");
        }
    }
}

#[test]
fn transposed_inputs_equal_their_contiguous_copies() {
    let mut rng = Rng(42);
    for _ in 0..50 {
        let (m, n) = (1 + rng.below(7), 1 + rng.below(7));
        let v: Vec<f32> = (0..m * n).map(|i| i as f32 - 5.0).collect();
        let t = Tensor::from_vec(&[m, n], &v).unwrap().transpose();
        let c = t.contiguous().unwrap();
        assert!(!t.is_contiguous() || m == 1 || n == 1);
        for op in [BinaryOp::Add, BinaryOp::Mul, BinaryOp::Maximum] {
            let x = ops::binary(op, &t, &c).unwrap().to_f64_vec();
            let y = ops::binary(op, &c, &c).unwrap().to_f64_vec();
            assert_eq!(x, y);
        }
        let s1 = ops::reduce(ReduceOp::Sum, &t, Some(&[0]), false, 0.0).unwrap().to_f64_vec();
        let s2 = ops::reduce(ReduceOp::Sum, &c, Some(&[0]), false, 0.0).unwrap().to_f64_vec();
        assert_eq!(s1, s2);
        // round trip: transposing twice gives the original layout back
        assert_eq!(t.transpose().to_f64_vec(), Tensor::from_vec(&[m, n], &v).unwrap().to_f64_vec());
    }
}

#[test]
fn reshape_round_trips_and_shares_storage() {
    let t = Tensor::arange(DType::F64, 0.0, 24.0, 1.0).unwrap();
    let r = t.reshape(&[2, 3, 4]).unwrap();
    assert!(std::sync::Arc::ptr_eq(t.storage(), r.storage()));
    let back = r.permute(&[2, 0, 1]).unwrap().permute(&[1, 2, 0]).unwrap();
    assert_eq!(back.to_f64_vec(), t.to_f64_vec());
    let copied = r.permute(&[2, 1, 0]).unwrap().reshape(&[24]).unwrap();
    assert!(!std::sync::Arc::ptr_eq(t.storage(), copied.storage()));
}

#[test]
fn matmul_matches_naive_triple_loop() {
    let mut rng = Rng(7);
    for _ in 0..30 {
        let (m, k, n) = (1 + rng.below(9), 1 + rng.below(9), 1 + rng.below(9));
        let a: Vec<f64> = (0..m * k).map(|_| rng.below(100) as f64 / 10.0).collect();
        let b: Vec<f64> = (0..k * n).map(|_| rng.below(100) as f64 / 10.0).collect();
        let r = ops::matmul(&Tensor::from_vec(&[m, k], &a).unwrap(), &Tensor::from_vec(&[k, n], &b).unwrap())
            .unwrap()
            .to_f64_vec();
        for i in 0..m {
            for j in 0..n {
                let want: f64 = (0..k).map(|p| a[i * k + p] * b[p * n + j]).sum();
                assert!((r[i * n + j] - want).abs() < 1e-9);
            }
        }
    }
}

#[test]
fn abi_reports_errors_per_thread() {
    // SAFETY: plain ABI use with valid arguments.
    unsafe {
        let a = cobalt_full(0, [2i64, 3].as_ptr(), 2, 1.0);
        let b = cobalt_full(0, [4i64].as_ptr(), 1, 1.0);
        assert!(cobalt_binary(0, a, b).is_null());
        assert_eq!(cobalt_last_status(), 2);
        // another thread has its own (empty) last error
        let other = std::thread::spawn(|| cobalt_last_status()).join().unwrap();
        assert_eq!(other, 0);
        let mut buf = [0u8; 128];
        let n = cobalt_last_error(buf.as_mut_ptr(), buf.len() as i32) as usize;
        assert_eq!(std::str::from_utf8(&buf[..n]).unwrap(), "add: shapes (2, 3) and (4,) are not compatible");
        assert_eq!(cobalt_debug_panic(), 5);
        cobalt_release(a);
        cobalt_release(b);
    }
}

#[test]
fn handles_cross_threads() {
    // SAFETY: the handle is retained for each thread and released by it.
    unsafe {
        let t = cobalt_full(1, [1000i64].as_ptr(), 1, 2.0);
        let addr = t as usize;
        let hs: Vec<_> = (0..4)
            .map(|_| {
                cobalt_retain(t);
                std::thread::spawn(move || {
                    let t = addr as *const CobaltTensor;
                    let s = cobalt_reduce(0, t, std::ptr::null(), -1, 0, 0.0);
                    let v = *(cobalt_data(s) as *const f64);
                    cobalt_release(s);
                    cobalt_release(t);
                    v
                })
            })
            .collect();
        for h in hs {
            assert_eq!(h.join().unwrap(), 2000.0);
        }
        assert_eq!(cobalt_refcount(t), 1);
        cobalt_release(t);
    }
}

#[test]
fn scratch_blocks_and_the_memory_limit_from_text() {
    // SAFETY: the scratch block is written within its size and freed once with that size.
    unsafe {
        let p = cobalt_scratch_alloc(100.0);
        assert!(!p.is_null());
        assert_eq!(p as usize % 16, 0);
        std::ptr::write_bytes(p, 7, 100);
        cobalt_scratch_free(p, 100.0);
        assert!(cobalt_scratch_alloc(-1.0).is_null());
        assert_eq!(cobalt_last_status(), 1 /* INVALID_ARGUMENT */);
        assert!(cobalt_scratch_alloc(0.5).is_null());
        cobalt_scratch_free(std::ptr::null_mut(), 0.0);
    }
    let old = cobalt_memory_limit();
    let set = |s: &str| {
        // SAFETY: the pointer and length describe the bytes of `s`.
        unsafe { cobalt_set_memory_limit_text(s.as_ptr(), s.len() as i32) }
    };
    // Limits far above what the other tests (running at the same time) allocate.
    assert_eq!(set("64G"), 0);
    assert_eq!(cobalt_memory_limit(), (64u64 << 30) as f64);
    assert_eq!(set(" 1.5 TiB "), 0);
    assert_eq!(cobalt_memory_limit(), 1.5 * (1u64 << 40) as f64);
    assert_eq!(set("none"), 0);
    assert_eq!(cobalt_memory_limit(), f64::INFINITY);
    assert_eq!(set("lots"), 1 /* INVALID_ARGUMENT */);
    assert_eq!(cobalt_memory_limit(), f64::INFINITY, "a bad text leaves the limit alone");
    assert_eq!(cobalt_set_memory_limit(old), 0);
}
