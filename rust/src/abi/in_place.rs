//! Writes into an existing tensor.
//!
//! The `in place` section of `cobalt.h`.

use super::handle::{get, CobaltTensor};
use super::trampoline::trampoline;
use crate::ops;

/// Writes `src` (broadcast, converted) into the elements of `dst`, which may be a view.
///
/// # Safety
/// `dst`, `src` are live handles.
#[no_mangle]
pub unsafe extern "C" fn cobalt_copy_into(dst: *const CobaltTensor, src: *const CobaltTensor) -> i32 {
    trampoline(|| ops::copy_into(get(dst)?, get(src)?))
}
