//! Numerical edge cases against independent oracles (numpy semantics, values checked with
//! python3): allocations sized by user input, NaN in reductions, saturating casts, softmax with
//! infinities, floor division and modulo by infinities, strided views at the edge of the storage.

use cobalt::cpu;
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
        let r = cpu::argsort(&a, -1, desc).unwrap();
        assert_eq!(r.shape(), &[0, 1 << 40]);
        assert_eq!(r.dtype(), DType::I64);
    }
    let r = cpu::argsort(&a, 0, false).unwrap();
    assert_eq!(r.shape(), &[0, 1 << 40]);
    // the index tensor of sort/topk: gather with an empty index
    let idx = cpu::argsort(&a, -1, false).unwrap().narrow(1, 0, 3).unwrap();
    assert_eq!(cpu::gather(&a, 1, &idx).unwrap().shape(), &[0, 3]);
}

#[test]
fn a_huge_axis_with_rows_is_out_of_memory_not_an_abort() {
    for dtype in [DType::Bool, DType::F32] {
        assert!(oom(cpu::argsort(&broadcast(dtype, &[2, 1 << 40]), -1, false)));
        assert!(oom(cpu::argsort(&broadcast(dtype, &[1 << 46]), 0, true)));
    }
    // an integer pow checks its exponents for negatives without copying them out
    let e = broadcast(DType::I32, &[1 << 40]);
    assert!(oom(cpu::binary(cobalt::BinaryOp::Pow, &Tensor::full(DType::I32, &[1], 2.0).unwrap(), &e)));
    // a broadcast view whose element count overflows is refused when it is made
    assert!(oom(Tensor::zeros(DType::F32, &[]).unwrap().expand(&[1 << 40, 1 << 40])));
}

#[test]
fn reductions_and_scans_with_no_output_do_no_work() {
    let tall = Tensor::zeros(DType::U8, &[1 << 40, 0]).unwrap();
    let wide = Tensor::zeros(DType::F32, &[0, 1 << 40]).unwrap();
    for op in [ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Prod, ReduceOp::Any, ReduceOp::Var] {
        assert_eq!(cpu::reduce(op, &tall, Some(&[0]), false, 0.0).unwrap().shape(), &[0], "{op:?}");
    }
    for op in [ReduceOp::Max, ReduceOp::ArgMin, ReduceOp::LogSumExp, ReduceOp::Sum] {
        let r = cpu::reduce(op, &wide, Some(&[1]), true, 0.0).unwrap();
        assert_eq!(r.shape(), &[0, 1], "{op:?}");
    }
    assert_eq!(cpu::reduce(ReduceOp::ArgMax, &wide, Some(&[1]), false, 0.0).unwrap().dtype(), DType::I64);
    // numpy: a reduction over an empty axis with no identity is an error even with no rows
    assert!(cpu::reduce(ReduceOp::Max, &tall, Some(&[1]), false, 0.0).is_err());
    for op in [cobalt::ScanOp::CumSum, cobalt::ScanOp::Softmax] {
        assert_eq!(cpu::scan(op, &wide, Some(1)).unwrap().shape(), &[0, 1 << 40]);
    }
}
