//! Linear algebra: the decompositions of numpy.linalg, one export for all of them plus one that
//! hands out the further outputs of a multi-output call.
//!
//! The `linalg` section of `cobalt.h`.

use super::handle::{get, into_handle, CobaltTensor};
use super::trampoline::trampoline;
use crate::error::{Error, Result};
use crate::ops::decomp::{decompose, Decomp};
use crate::tensor::Tensor;
use std::cell::RefCell;

thread_local! {
    /// The outputs after the first of this thread's last `cobalt_linalg` call, until taken.
    static EXTRA: RefCell<Vec<Option<Tensor>>> = const { RefCell::new(Vec::new()) };
}

/// The decomposition `op` (`COBALT_LINALG_*`) of `a` (and `b` for solve) with `flags`; returns the
/// first output and keeps the others for `cobalt_linalg_output`.
///
/// # Safety
/// `a` is a live handle; `b` is a live handle or NULL; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_linalg(
    op: i32,
    a: *const CobaltTensor,
    b: *const CobaltTensor,
    flags: i32,
) -> *mut CobaltTensor {
    trampoline(|| {
        EXTRA.with(|e| e.borrow_mut().clear());
        let op = Decomp::from_code(op)?;
        let b = if b.is_null() { None } else { Some(get(b)?) };
        let mut outs = decompose(op, get(a)?, b, flags)?.into_iter();
        let first = outs.next().ok_or_else(|| Error::Panic("linalg: no output".into()))?;
        EXTRA.with(|e| e.borrow_mut().extend(outs.map(Some)));
        Ok(first)
    })
}

/// Takes output `i` (1, 2...) of this thread's last successful `cobalt_linalg` call (each once).
///
/// # Safety
/// Returns a new handle or NULL (`COBALT_INVALID_ARGUMENT` when there is no such output).
#[no_mangle]
pub unsafe extern "C" fn cobalt_linalg_output(i: i32) -> *mut CobaltTensor {
    trampoline(|| -> Result<*mut CobaltTensor> {
        let t = EXTRA.with(|e| {
            let mut e = e.borrow_mut();
            usize::try_from(i).ok().and_then(|i| i.checked_sub(1)).and_then(|i| e.get_mut(i)).and_then(Option::take)
        });
        t.map(into_handle).ok_or_else(|| Error::InvalidArgument(format!("linalg: no output {i} to take")))
    })
}
