//! The opaque handles of the ABI (`cobalt_tensor*`, `cobalt_job*`) and borrowing them from arguments.

use crate::error::{Error, Result};
use crate::pool::Job;
use crate::storage::count_tensor;
use crate::tensor::Tensor;
use std::sync::Arc;

const MAGIC: u32 = 0xC0BA_17ED;

/// The opaque handle behind `cobalt_tensor*`.
pub struct CobaltTensor {
    magic: u32,
    tensor: Tensor,
}

impl Drop for CobaltTensor {
    fn drop(&mut self) {
        self.magic = 0;
        count_tensor(-1);
    }
}

/// A new handle (+1) owning `t`.
pub(super) fn into_handle(t: Tensor) -> *mut CobaltTensor {
    count_tensor(1);
    Arc::into_raw(Arc::new(CobaltTensor { magic: MAGIC, tensor: t })) as *mut CobaltTensor
}

/// Borrows the tensor behind a handle argument.
pub(super) fn get<'a>(p: *const CobaltTensor) -> Result<&'a Tensor> {
    if p.is_null() {
        return Err(Error::InvalidArgument("tensor handle is NULL".into()));
    }
    // SAFETY: the caller passes a handle it holds a reference to (ABI contract); the magic check
    // catches most use-after-release bugs in debug sessions but is not a guarantee.
    let h = unsafe { &*p };
    if h.magic != MAGIC {
        return Err(Error::InvalidArgument("not a live cobalt tensor (released already?)".into()));
    }
    Ok(&h.tensor)
}

/// The opaque job handle behind `cobalt_job*`.
pub type CobaltJob = Job<Tensor>;

/// Borrows the job behind a job handle argument.
pub(super) fn job<'a>(j: *const CobaltJob) -> Result<&'a CobaltJob> {
    if j.is_null() {
        return Err(Error::InvalidArgument("job handle is NULL".into()));
    }
    // SAFETY: the caller passes a job it has not released (contract).
    Ok(unsafe { &*j })
}
