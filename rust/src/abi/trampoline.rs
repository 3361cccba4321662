//! The one ABI guard: every exported body runs in [`trampoline`], which catches panics, records
//! failures for `cobalt_last_status` / `cobalt_last_error`, and picks the C value to return.
//!
//! What an exported function returns on failure depends only on its C return type, so the body's
//! success type says it, through [`AbiReturn`] (the way PyO3's `trampoline` uses
//! `PyCallbackOutput::ERR_VALUE`):
//!
//! | body returns `Ok(..)` of     | C return             | on success      | on failure     |
//! |------------------------------|----------------------|-----------------|----------------|
//! | `()`                         | `int32_t` status     | 0               | the status     |
//! | [`Count`]                    | `int32_t`            | the count (>= 0)| -status        |
//! | [`Plain<i32, E>`]            | `int32_t`            | the value       | `E`            |
//! | [`Plain<f64, E>`]            | `double`             | the value       | `E`            |
//! | `u32`                        | `uint32_t`           | the value       | 0              |
//! | [`Void`]                     | `void`               |                 |                |
//! | `Tensor`                     | `cobalt_tensor*`     | a new handle    | NULL           |
//! | `*mut CobaltTensor`          | `cobalt_tensor*`     | the handle      | NULL           |
//! | `Arc<Job>`                   | `cobalt_job*`        | a new job       | NULL           |
//! | `*mut c_void`                | `void*`              | the pointer     | NULL           |
//!
//! After a failure `cobalt_last_status()` is the status and `cobalt_last_error` its message (per
//! thread); a success leaves both alone.

use super::handle::{into_handle, CobaltJob, CobaltTensor};
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

thread_local! {
    /// The message of the last failure on this thread (`cobalt_last_error`).
    pub(super) static LAST_ERROR: RefCell<String> = const { RefCell::new(String::new()) };
    /// The status of the last failure on this thread (`cobalt_last_status`); 0 before any.
    pub(super) static LAST_STATUS: Cell<i32> = const { Cell::new(0) };
}

/// The success value of an exported body, and the C value its function returns.
pub(crate) trait AbiReturn {
    /// The C return type of the exported function.
    type C;
    /// The C value for a successful body.
    fn into_c(self) -> Self::C;
    /// The C value after a failure with status `code` (already recorded for this thread).
    fn on_error(code: i32) -> Self::C;
}

/// Runs an exported body: its result as the C value, or, on an `Err` or a panic, the failure
/// value of the return type with the status and message recorded for this thread. Never unwinds.
pub(crate) fn trampoline<R: AbiReturn>(body: impl FnOnce() -> Result<R>) -> R::C {
    // `into_c` runs inside the catch too: making a handle allocates.
    match catch_unwind(AssertUnwindSafe(|| body().map(R::into_c))) {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => fail::<R>(e),
        Err(payload) => fail::<R>(Error::from_panic(payload.as_ref())),
    }
}

fn fail<R: AbiReturn>(e: Error) -> R::C {
    let code = e.code();
    LAST_STATUS.with(|s| s.set(code));
    LAST_ERROR.with(|m| *m.borrow_mut() = e.to_string());
    R::on_error(code)
}

/// A status: `int32_t` 0, or the status code on failure.
impl AbiReturn for () {
    type C = i32;
    fn into_c(self) -> i32 {
        0
    }
    fn on_error(code: i32) -> i32 {
        code
    }
}

/// A non-negative `int32_t` (a dtype code, ndim, a flag, a count), or the negated status on failure.
pub(crate) struct Count(pub i32);

impl AbiReturn for Count {
    type C = i32;
    fn into_c(self) -> i32 {
        self.0
    }
    fn on_error(code: i32) -> i32 {
        -code
    }
}

/// A value returned as is, or the fixed `ON_ERROR` on failure (which only a panic can cause in the
/// functions that use it; the status is then in `cobalt_last_status`).
pub(crate) struct Plain<T, const ON_ERROR: i32>(pub T);

impl<const ON_ERROR: i32> AbiReturn for Plain<i32, ON_ERROR> {
    type C = i32;
    fn into_c(self) -> i32 {
        self.0
    }
    fn on_error(_: i32) -> i32 {
        ON_ERROR
    }
}

impl<const ON_ERROR: i32> AbiReturn for Plain<f64, ON_ERROR> {
    type C = f64;
    fn into_c(self) -> f64 {
        self.0
    }
    fn on_error(_: i32) -> f64 {
        ON_ERROR as f64
    }
}

/// An id (`uint32_t`), 0 on failure.
impl AbiReturn for u32 {
    type C = u32;
    fn into_c(self) -> u32 {
        self
    }
    fn on_error(_: i32) -> u32 {
        0
    }
}

/// A raw block of memory (`void *`), NULL on failure.
pub(crate) struct Block(pub *mut u8);

impl AbiReturn for Block {
    type C = *mut u8;
    fn into_c(self) -> *mut u8 {
        self.0
    }
    fn on_error(_: i32) -> *mut u8 {
        std::ptr::null_mut()
    }
}

/// Nothing (`void`): the failure is only recorded.
pub(crate) struct Void;

impl AbiReturn for Void {
    type C = ();
    fn into_c(self) {}
    fn on_error(_: i32) {}
}

/// A new tensor: a new handle carrying one reference, NULL on failure.
impl AbiReturn for Tensor {
    type C = *mut CobaltTensor;
    fn into_c(self) -> *mut CobaltTensor {
        into_handle(self)
    }
    fn on_error(_: i32) -> *mut CobaltTensor {
        std::ptr::null_mut()
    }
}

/// A handle whose reference the body already owns (passed on to the caller), NULL on failure.
impl AbiReturn for *mut CobaltTensor {
    type C = *mut CobaltTensor;
    fn into_c(self) -> *mut CobaltTensor {
        self
    }
    fn on_error(_: i32) -> *mut CobaltTensor {
        std::ptr::null_mut()
    }
}

/// A started job: a new job handle (released with `cobalt_job_release`), NULL on failure.
impl AbiReturn for Arc<CobaltJob> {
    type C = *mut CobaltJob;
    fn into_c(self) -> *mut CobaltJob {
        Arc::into_raw(self) as *mut CobaltJob
    }
    fn on_error(_: i32) -> *mut CobaltJob {
        std::ptr::null_mut()
    }
}

/// A data pointer, NULL on failure.
impl AbiReturn for *mut c_void {
    type C = *mut c_void;
    fn into_c(self) -> *mut c_void {
        self
    }
    fn on_error(_: i32) -> *mut c_void {
        std::ptr::null_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last() -> (i32, String) {
        (LAST_STATUS.with(|s| s.get()), LAST_ERROR.with(|m| m.borrow().clone()))
    }

    #[test]
    fn the_return_type_picks_the_failure_value() {
        let bad = || Error::InvalidArgument("nope".into());
        assert_eq!(trampoline(|| Ok(())), 0);
        assert_eq!(trampoline::<()>(|| Err(bad())), 1);
        assert_eq!(trampoline(|| Ok(Count(3))), 3);
        assert_eq!(trampoline::<Count>(|| Err(bad())), -1);
        assert_eq!(trampoline::<Plain<i32, -1>>(|| Err(bad())), -1);
        assert_eq!(trampoline::<Plain<f64, 0>>(|| Err(bad())), 0.0);
        assert_eq!(trampoline::<u32>(|| Err(bad())), 0);
        assert!(trampoline::<Tensor>(|| Err(bad())).is_null());
        assert!(trampoline::<Arc<CobaltJob>>(|| Err(bad())).is_null());
        assert!(trampoline::<*mut c_void>(|| Err(bad())).is_null());
        assert_eq!(last(), (1, bad().to_string()));
    }

    #[test]
    fn a_panic_becomes_the_panic_status_with_its_message() {
        LAST_STATUS.with(|s| s.set(0));
        assert_eq!(trampoline::<Count>(|| panic!("boom {}", 7)), -5);
        let (code, msg) = last();
        assert_eq!(code, 5);
        assert!(msg.contains("boom 7"), "{msg}");
        assert!(trampoline::<Tensor>(|| std::panic::panic_any(42u8)).is_null());
        assert!(last().1.contains("unknown panic payload"));
        // a success leaves the last failure alone
        assert_eq!(trampoline(|| Ok(Count(0))), 0);
        assert_eq!(last().0, 5);
    }
}
