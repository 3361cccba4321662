//! Async jobs on the native thread pool, and its size. A job keeps its inputs alive and borrowed
//! until it ends; release every job with `cobalt_job_release`.
//!
//! The `async jobs and the thread pool` section of `cobalt.h`.

use super::args::{flag, read_axes};
use super::handle::{get, job, CobaltJob, CobaltTensor};
use super::trampoline::{trampoline, Count, Plain, Void};
use crate::dtype::DType;
use crate::error::Result;
use crate::op::{BinaryOp, ReduceOp, UnaryOp};
use crate::ops;
use crate::pool::Job;
use crate::tensor::Tensor;
use std::sync::Arc;

/// Marks storages as read by an in-flight job; unmarks them when dropped.
struct Borrow(Vec<Tensor>);

impl Borrow {
    fn new(inputs: Vec<Tensor>) -> Borrow {
        for t in &inputs {
            t.storage().borrow_for_read();
        }
        Borrow(inputs)
    }
}

impl Drop for Borrow {
    fn drop(&mut self) {
        for t in &self.0 {
            t.storage().end_read();
        }
    }
}

/// Work (about one unit per element touched, or per multiply-add) below which a job runs on the
/// calling thread: waking a pool thread and resolving a Promise from it costs ~10-50 µs, more
/// than a small kernel (16K units is a few µs). The job is then finished when it is returned.
const INLINE_WORK: usize = 1 << 14;

/// Starts `f(inputs)` on the pool (or runs it here when `work` is below [`INLINE_WORK`]). `inputs`
/// stay alive and borrowed until it has run (they are released before the job reads as finished,
/// so an awaited job's inputs take writes again).
fn submit(
    inputs: Vec<Tensor>,
    work: usize,
    f: impl FnOnce(&[Tensor]) -> Result<Tensor> + Send + 'static,
) -> Arc<CobaltJob> {
    if work < INLINE_WORK {
        return Job::run_here(|| f(&inputs));
    }
    let borrow = Borrow::new(inputs);
    Job::submit(move || {
        let r = f(&borrow.0);
        drop(borrow);
        r
    })
}

/// 1 when the job has finished, 0 while it runs, a negated status on error. Never blocks.
///
/// # Safety
/// `j` is a live job.
#[no_mangle]
pub unsafe extern "C" fn cobalt_job_poll(j: *const CobaltJob) -> i32 {
    trampoline(|| Ok(Count(job(j)?.is_done() as i32)))
}

/// Blocks the calling thread until the job has finished; returns 0. (Deno calls it as a
/// non-blocking symbol: on its own thread, as a Promise.)
///
/// # Safety
/// `j` is a live job.
#[no_mangle]
pub unsafe extern "C" fn cobalt_job_wait(j: *const CobaltJob) -> i32 {
    trampoline(|| {
        job(j)?.wait();
        Ok(())
    })
}

/// The job's result tensor (once; waits if needed), or NULL with the job's error recorded for
/// this thread.
///
/// # Safety
/// `j` is a live job; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_job_result(j: *const CobaltJob) -> *mut CobaltTensor {
    trampoline(|| job(j)?.take())
}

/// Drops the caller's reference to the job (a running job finishes on its own). NULL is a no-op.
///
/// # Safety
/// `j` is NULL or a live job, which this call consumes.
#[no_mangle]
pub unsafe extern "C" fn cobalt_job_release(j: *const CobaltJob) {
    trampoline(|| {
        if !j.is_null() {
            // SAFETY: `j` came from `Arc::into_raw` (`AbiReturn for Arc<Job>`); the caller gives
            // it up.
            unsafe { drop(Arc::from_raw(j)) };
        }
        Ok(Void)
    })
}

/// `cobalt_matmul` on the pool. The inputs stay alive and borrowed (writes into them fail with
/// COBALT_BORROWED) until the job ends, whatever the caller releases meanwhile.
///
/// # Safety
/// `a`, `b` are live handles; returns a new job or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_matmul_async(a: *const CobaltTensor, b: *const CobaltTensor) -> *mut CobaltJob {
    trampoline(|| {
        let (a, b) = (get(a)?.clone(), get(b)?.clone());
        // a matmul's multiply-adds: a's elements times b's last dim
        let work = a.numel().saturating_mul(b.shape().last().copied().unwrap_or(1));
        Ok(submit(vec![a, b], work, |t| ops::matmul(&t[0], &t[1])))
    })
}

/// `cobalt_binary` on the pool.
///
/// # Safety
/// As `cobalt_matmul_async`.
#[no_mangle]
pub unsafe extern "C" fn cobalt_binary_async(
    op: i32,
    a: *const CobaltTensor,
    b: *const CobaltTensor,
) -> *mut CobaltJob {
    trampoline(|| {
        let (op, a, b) = (BinaryOp::from_code(op)?, get(a)?.clone(), get(b)?.clone());
        let work = a.numel().max(b.numel());
        Ok(submit(vec![a, b], work, move |t| ops::binary(op, &t[0], &t[1])))
    })
}

/// `cobalt_unary` on the pool.
///
/// # Safety
/// `a` is a live handle; returns a new job or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_unary_async(op: i32, a: *const CobaltTensor) -> *mut CobaltJob {
    trampoline(|| {
        let (op, a) = (UnaryOp::from_code(op)?, get(a)?.clone());
        let work = a.numel();
        Ok(submit(vec![a], work, move |t| ops::unary(op, &t[0])))
    })
}

/// `cobalt_reduce` on the pool.
///
/// # Safety
/// As `cobalt_reduce`; returns a new job or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_reduce_async(
    op: i32,
    a: *const CobaltTensor,
    axes: *const i32,
    naxes: i32,
    keepdims: i32,
    ddof: f64,
) -> *mut CobaltJob {
    trampoline(|| {
        let (op, a) = (ReduceOp::from_code(op)?, get(a)?.clone());
        // SAFETY: forwarded contract on `axes`; the list is copied before the call returns.
        let list = unsafe { read_axes(axes, naxes) }?;
        let keep = flag(keepdims);
        let work = a.numel();
        Ok(submit(vec![a], work, move |t| ops::reduce(op, &t[0], list.as_deref(), keep, ddof)))
    })
}

/// `cobalt_astype` on the pool.
///
/// # Safety
/// `a` is a live handle; returns a new job or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_astype_async(a: *const CobaltTensor, dtype: i32) -> *mut CobaltJob {
    trampoline(|| {
        let (a, d) = (get(a)?.clone(), DType::from_code(dtype)?);
        let work = a.numel();
        Ok(submit(vec![a], work, move |t| t[0].astype(d)))
    })
}

/// `cobalt_contiguous` on the pool.
///
/// # Safety
/// `a` is a live handle; returns a new job or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_contiguous_async(a: *const CobaltTensor) -> *mut CobaltJob {
    trampoline(|| {
        let a = get(a)?.clone();
        let work = a.numel();
        Ok(submit(vec![a], work, |t| t[0].contiguous()))
    })
}

/// Threads in the native pool (shared by async jobs and large sync kernels).
#[no_mangle]
pub extern "C" fn cobalt_num_threads() -> i32 {
    trampoline(|| Ok(Plain::<i32, 0>(crate::pool::num_threads() as i32)))
}

/// Resizes the native pool (1..=1024 threads).
#[no_mangle]
pub extern "C" fn cobalt_set_num_threads(n: i32) -> i32 {
    trampoline(|| crate::pool::set_num_threads(usize::try_from(n).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use std::sync::{Condvar, Mutex};

    #[test]
    fn borrowed_inputs_refuse_writes_until_the_job_ends() {
        let t = Tensor::zeros(DType::F32, &[4]).unwrap();
        let gate = Arc::new((Mutex::new(false), Condvar::new()));
        let g = gate.clone();
        let j = submit(vec![t.clone()], usize::MAX, move |ins| {
            let (m, c) = &*g;
            let mut open = m.lock().unwrap();
            while !*open {
                open = c.wait(open).unwrap();
            }
            Ok(ins[0].clone())
        });
        let one = Tensor::full(DType::F32, &[4], 1.0).unwrap();
        assert!(matches!(ops::copy_into(&t, &one), Err(Error::Borrowed(_))));
        *gate.0.lock().unwrap() = true;
        gate.1.notify_all();
        j.take().unwrap();
        ops::copy_into(&t, &one).unwrap();
    }
}
