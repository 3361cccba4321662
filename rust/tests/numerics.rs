//! Numerical edge cases against independent oracles (numpy semantics, values checked with
//! python3): allocations sized by user input, NaN in reductions, saturating casts, softmax with
//! infinities, floor division and modulo by infinities, strided views at the edge of the storage.

use cobalt::{cpu, ops};
use cobalt::{DType, Error, ReduceOp, Tensor};

fn oom<T: std::fmt::Debug>(r: cobalt::Result<T>) -> bool {
    matches!(r, Err(Error::OutOfMemory(_)))
}

/// A tensor of `shape` that stores one element (every dim broadcast from it).
fn broadcast(dtype: DType, shape: &[usize]) -> Tensor {
    Tensor::zeros(dtype, &[]).unwrap().expand(shape).unwrap()
}

#[test]
fn sorting_no_rows_of_a_huge_axis_is_empty_and_allocates_nothing() {
    let a = Tensor::zeros(DType::F32, &[0, 1 << 40]).unwrap();
    for desc in [false, true] {
        let r = ops::argsort(&a, -1, desc).unwrap();
        assert_eq!(r.shape(), &[0, 1 << 40]);
        assert_eq!(r.dtype(), DType::I64);
    }
    let r = ops::argsort(&a, 0, false).unwrap();
    assert_eq!(r.shape(), &[0, 1 << 40]);
    // the index tensor of sort/topk: gather with an empty index
    let idx = ops::argsort(&a, -1, false).unwrap().narrow(1, 0, 3).unwrap();
    assert_eq!(ops::gather(&a, 1, &idx).unwrap().shape(), &[0, 3]);
}

#[test]
fn a_huge_axis_with_rows_is_out_of_memory_not_an_abort() {
    for dtype in [DType::Bool, DType::F32] {
        assert!(oom(ops::argsort(&broadcast(dtype, &[2, 1 << 40]), -1, false)));
        assert!(oom(ops::argsort(&broadcast(dtype, &[1 << 46]), 0, true)));
    }
    // an integer pow checks its exponents for negatives without copying them out
    let e = broadcast(DType::I32, &[1 << 40]);
    assert!(oom(ops::binary(cobalt::BinaryOp::Pow, &Tensor::full(DType::I32, &[1], 2.0).unwrap(), &e)));
    // a broadcast view whose element count overflows is refused when it is made
    assert!(oom(Tensor::zeros(DType::F32, &[]).unwrap().expand(&[1 << 40, 1 << 40])));
}

#[test]
fn reductions_and_scans_with_no_output_do_no_work() {
    let tall = Tensor::zeros(DType::U8, &[1 << 40, 0]).unwrap();
    let wide = Tensor::zeros(DType::F32, &[0, 1 << 40]).unwrap();
    for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Prod, ReduceOp::Any, ReduceOp::Var] {
        assert_eq!(ops::reduce(op, &tall, Some(&[0]), false, 0.0).unwrap().shape(), &[0], "{op:?}");
    }
    for op in [ReduceOp::Max, ReduceOp::ArgMin, ReduceOp::LogSumExp, ReduceOp::Sum] {
        let r = ops::reduce(op, &wide, Some(&[1]), true, 0.0).unwrap();
        assert_eq!(r.shape(), &[0, 1], "{op:?}");
    }
    assert_eq!(ops::reduce(ReduceOp::ArgMax, &wide, Some(&[1]), false, 0.0).unwrap().dtype(), DType::I64);
    // numpy: a reduction over an empty axis with no identity is an error even with no rows
    assert!(ops::reduce(ReduceOp::Max, &tall, Some(&[1]), false, 0.0).is_err());
    for op in [cobalt::ScanOp::CumSum, cobalt::ScanOp::Softmax] {
        assert_eq!(ops::scan(op, &wide, Some(1)).unwrap().shape(), &[0, 1 << 40]);
    }
}

/// A float64 value per element, from a fixed pattern, in `dtype`'s range.
fn pattern(dtype: DType, n: usize) -> Tensor {
    let v: Vec<f64> = (0..n)
        .map(|i| match dtype {
            DType::Bool => ((i * 7) % 3 == 0) as u8 as f64,
            DType::U8 => ((i * 7919) % 256) as f64,
            DType::I32 | DType::I64 => ((i * 7919) % 20001) as f64 - 10000.0,
            _ => ((i * 7919) % 1000) as f64 / 64.0 - 7.0, // exact in float16 and bfloat16
        })
        .collect();
    ops::cast(&Tensor::from_vec(&[n], &v).unwrap(), dtype).unwrap()
}

#[test]
fn sums_of_narrow_dtypes_widen_element_by_element() {
    let f64s = |t: &Tensor| t.to_f64_vec();
    for dtype in [DType::U8, DType::Bool, DType::I32, DType::I64, DType::F16, DType::BF16, DType::F32] {
        for (shape, axes) in [
            (vec![1000usize], None),
            (vec![300_001], None),            // one long row: partial sums on the pool
            (vec![37, 29], Some(vec![0i64])), // leading axis: whole rows added
            (vec![37, 29], Some(vec![1])),
            (vec![600, 300], Some(vec![0])), // bands of rows across the pool
            (vec![5, 7, 9], Some(vec![0, 2])),
            (vec![5, 7, 9], Some(vec![1])),
        ] {
            let n: usize = shape.iter().product();
            let a = pattern(dtype, n).reshape(&shape).unwrap();
            let axes = axes.as_deref();
            for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Var, ReduceOp::Std] {
                let got = ops::reduce(op, &a, axes, false, 0.0).unwrap();
                // the reference: the same reduction of a float64 copy (integer sums are exact in
                // float64 at these sizes), rounded to the result dtype
                let want = ops::cast(
                    &ops::reduce(op, &ops::cast(&a, DType::F64).unwrap(), axes, false, 0.0).unwrap(),
                    got.dtype(),
                )
                .unwrap();
                assert_eq!(got.shape(), want.shape());
                let (g, w) = (f64s(&got), f64s(&want));
                for (i, (&g, &w)) in g.iter().zip(&w).enumerate() {
                    let exact = !dtype.is_float() && op == ReduceOp::Sum;
                    let tol = if exact {
                        0.0
                    } else if matches!(dtype, DType::F16 | DType::BF16) {
                        1e-2
                    } else {
                        1e-5
                    };
                    assert!(
                        g == w || (g - w).abs() <= tol * w.abs().max(1.0),
                        "{op:?} {dtype:?} {shape:?} {axes:?} [{i}]: {g} vs {w}"
                    );
                }
            }
        }
    }
    // widening is exact: the result is bitwise that of reducing a converted copy
    for dtype in [DType::F16, DType::BF16] {
        let a = pattern(dtype, 5000).reshape(&[50, 100]).unwrap();
        let c = ops::cast(&a, DType::F32).unwrap();
        for axes in [None, Some(&[0i64][..]), Some(&[1][..])] {
            for op in [ReduceOp::Sum, ReduceOp::Mean] {
                let got = ops::reduce(op, &a, axes, false, 0.0).unwrap();
                let want = ops::cast(&ops::reduce(op, &c, axes, false, 0.0).unwrap(), dtype).unwrap();
                assert_eq!(f64s(&got), f64s(&want), "{op:?} {dtype:?} {axes:?}");
            }
        }
    }
    // 255 * 2^24 does not fit 32 bits; prod of uint8 widens to int64 too
    let big = Tensor::full(DType::U8, &[1 << 24], 255.0).unwrap();
    assert_eq!(f64s(&ops::reduce(ReduceOp::Sum, &big, None, false, 0.0).unwrap()), [4278190080.0]);
    assert_eq!(f64s(&ops::reduce(ReduceOp::Mean, &big, None, false, 0.0).unwrap()), [255.0]);
    let p = Tensor::from_vec(&[4], &[200u8, 200, 200, 3]).unwrap();
    let prod = ops::reduce(ReduceOp::Prod, &p, None, false, 0.0).unwrap();
    assert_eq!((prod.dtype(), f64s(&prod)), (DType::I64, vec![24_000_000.0]));
}

const FLOATS: [DType; 4] = [DType::F32, DType::F64, DType::F16, DType::BF16];

fn reduce_all(op: ReduceOp, t: &Tensor) -> f64 {
    ops::reduce(op, t, None, false, 0.0).unwrap().to_f64_vec()[0]
}

/// numpy: max and min propagate NaN; argmax and argmin give the first NaN's index; otherwise the
/// first extreme's. Every length up to 70 (under and over the 16 lanes of the vectorised pass, and
/// its tail), a NaN at every position, one and two NaNs, every instruction set.
#[test]
fn max_min_argmax_argmin_propagate_nan_at_every_length_and_position() {
    for level in cpu::features::available() {
        cpu::features::force(Some(level));
        for dtype in FLOATS {
            for n in 1..=70usize {
                // distinct values exact in every float type; the max is not at either end
                let base: Vec<f64> = (0..n).map(|i| ((i * 37) % 71) as f64 - 30.0).collect();
                let first = |better: &dyn Fn(f64, f64) -> bool| {
                    (0..n).fold(0, |b, i| if better(base[i], base[b]) { i } else { b })
                };
                let (imax, imin) = (first(&|a, b| a > b), first(&|a, b| a < b));
                let t = ops::cast(&Tensor::from_vec(&[n], &base).unwrap(), dtype).unwrap();
                assert_eq!(reduce_all(ReduceOp::Max, &t), base[imax], "{level:?} {dtype:?} max n={n}");
                assert_eq!(reduce_all(ReduceOp::Min, &t), base[imin], "{level:?} {dtype:?} min n={n}");
                assert_eq!(reduce_all(ReduceOp::ArgMax, &t), imax as f64, "{level:?} {dtype:?} argmax n={n}");
                assert_eq!(reduce_all(ReduceOp::ArgMin, &t), imin as f64, "{level:?} {dtype:?} argmin n={n}");
                for pos in 0..n {
                    for second in [None, Some((pos * 7 + 3) % n)] {
                        let mut x = base.clone();
                        x[pos] = f64::NAN;
                        if let Some(q) = second {
                            x[q] = f64::NAN;
                        }
                        let want = second.map_or(pos, |q| q.min(pos)) as f64;
                        let t = ops::cast(&Tensor::from_vec(&[n], &x).unwrap(), dtype).unwrap();
                        let what = format!("{level:?} {dtype:?} n={n} NaN at {pos} and {second:?}");
                        assert!(reduce_all(ReduceOp::Max, &t).is_nan(), "max {what}");
                        assert!(reduce_all(ReduceOp::Min, &t).is_nan(), "min {what}");
                        assert_eq!(reduce_all(ReduceOp::ArgMax, &t), want, "argmax {what}");
                        assert_eq!(reduce_all(ReduceOp::ArgMin, &t), want, "argmin {what}");
                    }
                }
                // rows: only the row holding the NaN is NaN
                let mut x: Vec<f64> = base.iter().chain(&base).chain(&base).copied().collect();
                x[n + n / 2] = f64::NAN;
                let t = ops::cast(&Tensor::from_vec(&[3, n], &x).unwrap(), dtype).unwrap();
                let m = ops::reduce(ReduceOp::Max, &t, Some(&[1]), false, 0.0).unwrap().to_f64_vec();
                assert!(
                    m[0] == base[imax] && m[1].is_nan() && m[2] == base[imax],
                    "{level:?} {dtype:?} rows n={n}: {m:?}"
                );
                let am = ops::reduce(ReduceOp::ArgMin, &t, Some(&[1]), false, 0.0).unwrap().to_f64_vec();
                assert_eq!(am, [imin as f64, (n / 2) as f64, imin as f64], "{level:?} {dtype:?} rows n={n}");
            }
            // -0 and +0 are equal: the first of them is the argmax (numpy: 5 for both dtypes)
            let mut x = vec![-1.0f64; 32];
            x[5] = 0.0;
            x[19] = -0.0;
            let t = ops::cast(&Tensor::from_vec(&[32], &x).unwrap(), dtype).unwrap();
            assert_eq!(reduce_all(ReduceOp::ArgMax, &t), 5.0, "{level:?} {dtype:?} signed zeros");
            let neg = ops::unary(cobalt::UnaryOp::Neg, &t).unwrap();
            assert_eq!(reduce_all(ReduceOp::ArgMin, &neg), 5.0, "{level:?} {dtype:?} signed zeros");
        }
    }
    cpu::features::force(None);
}

/// The integers of an int32, int64 or uint8 tensor, exactly.
fn ints(t: &Tensor) -> Vec<i128> {
    let t = t.contiguous().unwrap();
    match t.dtype() {
        DType::I32 => t.as_slice::<i32>().iter().map(|&v| v as i128).collect(),
        DType::I64 => t.as_slice::<i64>().iter().map(|&v| v as i128).collect(),
        DType::U8 => t.as_slice::<u8>().iter().map(|&v| v as i128).collect(),
        d => panic!("not an integer dtype: {d:?}"),
    }
}

/// float -> integer `astype` truncates toward zero and saturates at the target's range, NaN -> 0
/// (numpy leaves these undefined; the README documents saturation), for every float dtype, every
/// integer dtype, every layout the copy loop has (contiguous, parallel, tiled transpose, strided,
/// broadcast) and every instruction set. To bool: anything but 0 is true, NaN too (numpy).
#[test]
fn float_to_integer_casts_saturate_everywhere() {
    let specials = [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        1e10,
        -1e10,
        3e9,
        -3e9,
        2147483647.0,
        -2147483648.0,
        2147483648.0,
        255.9,
        256.0,
        255.0,
        -0.9,
        -1.0,
        0.0,
        -0.0,
        1.5,
        -1.5,
        65504.0,
        1e19,
        -1e19,
        9.2e18,
        -9.3e18,
        4e38,
        0.49,
    ];
    let range = |d: DType| -> (i128, i128) {
        match d {
            DType::I32 => (i32::MIN as i128, i32::MAX as i128),
            DType::I64 => (i64::MIN as i128, i64::MAX as i128),
            _ => (0, 255),
        }
    };
    for level in cpu::features::available() {
        cpu::features::force(Some(level));
        for src in FLOATS {
            // 100 x 700 values cycling through the specials: contiguous, parallel (> 64k), transposed
            let n = 100 * 700;
            let v: Vec<f64> =
                (0..n).map(|i| specials[i % specials.len()] * if i % 7 == 6 { 0.5 } else { 1.0 }).collect();
            let a = ops::cast(&Tensor::from_vec(&[100, 700], &v).unwrap(), src).unwrap();
            // the values as the source dtype holds them (a float -> float64 cast is exact)
            let held = ops::cast(&a, DType::F64).unwrap().to_f64_vec();
            let t = a.transpose();
            let held_t = ops::cast(&t, DType::F64).unwrap().to_f64_vec();
            let small = a.narrow(0, 0, 1).unwrap();
            let bcast = small.narrow(1, 3, 1).unwrap().expand(&[5, 3]).unwrap();
            for dst in [DType::I32, DType::I64, DType::U8] {
                let (lo, hi) = range(dst);
                let want = |x: f64| -> i128 {
                    if x.is_nan() {
                        0
                    } else if x >= 2f64.powi(100) {
                        hi
                    } else if x <= -2f64.powi(100) {
                        lo
                    } else {
                        (x.trunc() as i128).clamp(lo, hi)
                    }
                };
                let what = format!("{level:?} {src:?} -> {dst:?}");
                let got = ints(&ops::cast(&a, dst).unwrap());
                for (i, (&g, &x)) in got.iter().zip(&held).enumerate() {
                    assert_eq!(g, want(x), "{what} [{i}] of {x}");
                }
                let got = ints(&ops::cast(&t, dst).unwrap());
                for (i, (&g, &x)) in got.iter().zip(&held_t).enumerate() {
                    assert_eq!(g, want(x), "{what} transposed [{i}] of {x}");
                }
                let got = ints(&ops::cast(&small, dst).unwrap());
                assert_eq!(got, held[..700].iter().map(|&x| want(x)).collect::<Vec<_>>(), "{what} small");
                assert_eq!(ints(&ops::cast(&bcast, dst).unwrap()), vec![want(held[3]); 15], "{what} broadcast");
                assert_eq!(ints(&a.astype(dst).unwrap()), ints(&ops::cast(&a, dst).unwrap()), "{what} astype");
            }
            let b = ops::cast(&a, DType::Bool).unwrap().to_f64_vec();
            for (i, (&g, &x)) in b.iter().zip(&held).enumerate() {
                assert_eq!(g, (x != 0.0) as u8 as f64, "{level:?} {src:?} -> bool [{i}] of {x}");
            }
        }
    }
    cpu::features::force(None);
}

/// softmax and log-softmax of rows holding -inf (scipy.special semantics): a -inf element gives
/// exactly 0 and -inf, the rest is the softmax of the finite elements; a row of only -inf gives
/// NaN (scipy and torch). Every length up to 40, every float dtype, every instruction set.
#[test]
fn softmax_and_log_softmax_of_rows_with_negative_infinity() {
    use cobalt::ScanOp;
    for level in cpu::features::available() {
        cpu::features::force(Some(level));
        for dtype in FLOATS {
            let tol = if matches!(dtype, DType::F16 | DType::BF16) { 2e-2 } else { 1e-5 };
            for n in 1..=40usize {
                for pattern in 0..4 {
                    let x: Vec<f64> = (0..n)
                        .map(|i| match pattern {
                            0 => {
                                if i % 3 == 0 {
                                    f64::NEG_INFINITY
                                } else {
                                    (i % 5) as f64 * 0.5 - 1.0
                                }
                            }
                            1 => {
                                if i == n / 2 {
                                    1.0
                                } else {
                                    f64::NEG_INFINITY
                                }
                            }
                            2 => f64::NEG_INFINITY,
                            _ => {
                                if i + 1 == n {
                                    f64::NEG_INFINITY
                                } else {
                                    -(i as f64)
                                }
                            }
                        })
                        .collect();
                    let t = ops::cast(&Tensor::from_vec(&[1, n], &x).unwrap(), dtype).unwrap();
                    let m = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let lse = m + x.iter().map(|&v| (v - m).exp()).sum::<f64>().ln();
                    let ls = ops::scan(ScanOp::LogSoftmax, &t, Some(-1)).unwrap().to_f64_vec();
                    let sm = ops::scan(ScanOp::Softmax, &t, Some(-1)).unwrap().to_f64_vec();
                    let what = format!("{level:?} {dtype:?} n={n} pattern {pattern}");
                    for i in 0..n {
                        if m == f64::NEG_INFINITY {
                            assert!(
                                ls[i].is_nan() && sm[i].is_nan(),
                                "{what}: all -inf gives NaN, got {} {}",
                                ls[i],
                                sm[i]
                            );
                        } else if x[i] == f64::NEG_INFINITY {
                            assert_eq!((ls[i], sm[i]), (f64::NEG_INFINITY, 0.0), "{what} [{i}]");
                        } else {
                            let want = x[i] - lse;
                            assert!(
                                (ls[i] - want).abs() <= tol * want.abs().max(1.0),
                                "{what} [{i}]: {} vs {want}",
                                ls[i]
                            );
                            assert!((sm[i] - want.exp()).abs() <= tol, "{what} [{i}]: {} vs {}", sm[i], want.exp());
                        }
                    }
                }
            }
        }
    }
    cpu::features::force(None);
}

/// `numpy.floor_divide` and `numpy.mod` over a grid of signed zeros, infinities, NaN and finite
/// values and random pairs, for every float dtype (tests/fixtures/floor_mod.txt, written by
/// gen_floor_mod.py beside it): equal bit for bit (signs of zeros included), NaN where numpy's is.
#[test]
fn floor_div_and_mod_match_numpy_bit_for_bit() {
    use cobalt::BinaryOp;
    let text = include_str!("../../tests/fixtures/floor_mod.txt");
    let mut cases: std::collections::BTreeMap<&str, Vec<[f64; 4]>> = Default::default();
    for line in text.lines() {
        let mut it = line.split_whitespace();
        let dtype = it.next().unwrap();
        let v: Vec<f64> = it.map(|s| s.parse().unwrap()).collect();
        cases.entry(dtype).or_default().push([v[0], v[1], v[2], v[3]]);
    }
    assert_eq!(cases.len(), 4);
    let same = |g: f64, w: f64| (g.is_nan() && w.is_nan()) || g.to_bits() == w.to_bits();
    for level in cpu::features::available() {
        cpu::features::force(Some(level));
        for (name, rows) in &cases {
            let dtype = FLOATS.into_iter().find(|d| d.name() == *name).unwrap();
            let col = |k: usize| {
                let v: Vec<f64> = rows.iter().map(|r| r[k]).collect();
                ops::cast(&Tensor::from_vec(&[v.len()], &v).unwrap(), dtype).unwrap()
            };
            let (a, b) = (col(0), col(1));
            for (op, k) in [(BinaryOp::FloorDiv, 2), (BinaryOp::Mod, 3)] {
                let r = ops::binary(op, &a, &b).unwrap();
                assert_eq!(r.dtype(), dtype);
                for (i, g) in r.to_f64_vec().into_iter().enumerate() {
                    let [x, y, ..] = rows[i];
                    assert!(same(g, rows[i][k]), "{level:?} {name} {x:?} {op:?} {y:?} = {g:?}, numpy {:?}", rows[i][k]);
                }
                // a number on the right takes the scalar loop
                for (i, row) in rows.iter().enumerate().step_by(7) {
                    let ai = a.narrow(0, i, 1).unwrap();
                    let g = ops::binary_scalar(op, &ai, row[1], false).unwrap().to_f64_vec()[0];
                    assert!(
                        same(g, row[k]),
                        "{level:?} {name} {:?} {op:?} scalar {:?} = {g:?}, numpy {:?}",
                        row[0],
                        row[1],
                        row[k]
                    );
                }
            }
        }
    }
    cpu::features::force(None);
}

/// `cobalt_as_strided` from C with adversarial shapes, strides and offsets: every view whose
/// elements would leave the storage is refused (INVALID_ARGUMENT, or OUT_OF_MEMORY for an element
/// count that overflows), however the products and sums of shape x stride would wrap in 64 bits;
/// views at the very edges of the storage are accepted.
#[test]
fn as_strided_bounds_checks_cannot_overflow() {
    use cobalt::abi::*;
    const MAX: i64 = i64::MAX;
    const MIN: i64 = i64::MIN;
    const P62: i64 = 1 << 62;
    // SAFETY: (the whole test) every pointer passed is a live handle or a slice of `ndim` values.
    unsafe {
        let base = cobalt_full(DType::F32 as i32, [64i64].as_ptr(), 1, 1.0);
        assert!(!base.is_null());
        // a view of `base` starting at element 8, so that offsets relative to it can go negative
        let mid = cobalt_as_strided(base, [8i64].as_ptr(), [1i64].as_ptr(), 1, 8.0);
        assert!(!mid.is_null());
        let refused: &[(&[i64], &[i64], f64)] = &[
            (&[2], &[MAX - 5], 10.0),    // start + (d-1)*s wraps to a negative "hi"
            (&[2, 2], &[P62, P62], 0.0), // the spans sum to 2^63
            (&[2, 2, 2, 2], &[P62 / 2; 4], 0.0),
            (&[2, 2, 2], &[-P62; 3], 5.0), // negative spans wrap to a positive "lo"
            (&[3], &[MAX], 0.0),           // (d-1)*s overflows
            (&[2], &[MIN], 63.0),
            (&[MAX], &[1], 0.0),
            (&[MAX, 3], &[0, 1], 0.0), // in bounds, but more elements than usize holds
            (&[1], &[1], i64::MAX as f64),
            (&[1], &[1], i64::MIN as f64),
            (&[1], &[1], 1e300),
            (&[1], &[1], -1e300),
            (&[1], &[1], 64.0), // one past the end
            (&[1], &[1], -1.0),
            (&[65], &[1], 0.0),
            (&[2], &[63], 1.0),
            (&[2, 3], &[-1, 30], 0.0),
        ];
        for &(shape, strides, offset) in refused {
            let v = cobalt_as_strided(base, shape.as_ptr(), strides.as_ptr(), shape.len() as i32, offset);
            assert!(v.is_null(), "accepted shape {shape:?} strides {strides:?} offset {offset}");
            assert!(
                matches!(cobalt_last_status(), 1 | 4),
                "{shape:?} {strides:?} {offset}: status {}",
                cobalt_last_status()
            );
        }
        // relative to a view that starts at 8: i64 extremes on top of its offset
        for (shape, strides, offset) in
            [([2i64], [MAX], 0.0), ([2], [MIN], 0.0), ([1], [1], -9.0), ([2], [MAX - 7], -8.0)]
        {
            let v = cobalt_as_strided(mid, shape.as_ptr(), strides.as_ptr(), 1, offset);
            assert!(v.is_null(), "accepted on a view: shape {shape:?} strides {strides:?} offset {offset}");
        }
        let accepted: &[(&[i64], &[i64], f64)] = &[
            (&[64], &[1], 0.0),
            (&[1], &[MAX], 63.0), // a size-1 dim never moves
            (&[1, 1], &[MIN, MAX], 0.0),
            (&[2], &[-63], 63.0), // from the last element back to the first
            (&[8, 8], &[8, 1], 0.0),
            (&[MAX / 2, 4], &[0, 1], 60.0),  // a huge broadcast view of 4 elements
            (&[0, MAX], &[MAX, MAX], 1e300), // no elements: nothing is read
        ];
        for &(shape, strides, offset) in accepted {
            let v = cobalt_as_strided(base, shape.as_ptr(), strides.as_ptr(), shape.len() as i32, offset);
            assert!(!v.is_null(), "refused shape {shape:?} strides {strides:?} offset {offset}");
            cobalt_release(v);
        }
        let v = cobalt_as_strided(mid, [2i64].as_ptr(), [-8i64].as_ptr(), 1, 0.0);
        assert!(!v.is_null(), "a view of a view reaching back to element 0");
        cobalt_release(v);
        cobalt_release(mid);
        cobalt_release(base);
    }
    // the same rules through the Rust API, and the views that pass read what they should
    let t = Tensor::from_vec(&[6], &[0.0f64, 1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    assert_eq!(t.as_strided(&[3], &[-2], 5).unwrap().to_f64_vec(), [5.0, 3.0, 1.0]);
    assert!(t.as_strided(&[2, 2], &[1 << 62, 1 << 62], 0).is_err());
    assert!(t.as_strided(&[usize::MAX], &[1], 0).is_err());
    assert!(matches!(t.as_strided(&[usize::MAX, 2], &[0, 0], 0), Err(Error::OutOfMemory(_))));
    assert!(t.as_strided(&[2], &[isize::MAX], isize::MAX).is_err());
    assert!(t.as_strided(&[2], &[isize::MIN], isize::MIN).is_err());
}

#[test]
fn views_with_huge_strides_on_size_one_dims_read_their_elements() {
    let t = Tensor::from_vec(&[6], &[0.0f64, 1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
    let v = t.as_strided(&[1], &[isize::MAX], 5).unwrap();
    assert_eq!((v.to_f64_vec(), v.contiguous().unwrap().to_f64_vec()), (vec![5.0], vec![5.0]));
    let v = t.as_strided(&[1, 2, 1], &[isize::MIN, 2, isize::MAX], 1).unwrap();
    assert_eq!(v.to_f64_vec(), [1.0, 3.0]);
    assert_eq!(ops::copy_contiguous(&v).unwrap().to_f64_vec(), [1.0, 3.0]);
    assert_eq!(ops::reduce(ReduceOp::Sum, &v, None, false, 0.0).unwrap().to_f64_vec(), [4.0]);
    let w = t.as_strided(&[2, 1], &[3, isize::MIN], 0).unwrap();
    assert_eq!(ops::binary(cobalt::BinaryOp::Add, &v.reshape(&[2, 1]).unwrap(), &w).unwrap().to_f64_vec(), [1.0, 6.0]);
}
