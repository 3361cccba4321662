//! Reference counting of tensor handles, and references owned by a thread.
//!
//! The `references` section of `cobalt.h`.

use super::handle::{get, CobaltTensor};
use super::trampoline::{trampoline, Plain, Void};
use crate::error::Error;
use std::cell::RefCell;
use std::ffi::c_void;
use std::sync::Arc;

// References owned by a thread. A JS Worker that is terminated never runs its FinalizationRegistry
// callbacks, so the references its tensors hold would leak. A binding running in a Worker records
// the references it owns (`cobalt_thread_own`) and gives them back through
// `cobalt_thread_release`; whatever is still recorded when the thread exits is released by the
// thread-local destructor.

struct ThreadOwned(std::collections::HashMap<usize, u32>);

impl Drop for ThreadOwned {
    fn drop(&mut self) {
        for (p, n) in self.0.drain() {
            for _ in 0..n {
                // SAFETY: each count is one reference this thread's binding took and never gave back.
                unsafe { Arc::decrement_strong_count(p as *const CobaltTensor) };
            }
        }
    }
}

thread_local! {
    static THREAD_OWNED: RefCell<ThreadOwned> = RefCell::new(ThreadOwned(Default::default()));
}

/// Adds a reference to `t`. NULL is a no-op.
///
/// # Safety
/// `t` must be NULL or a handle the caller holds a reference to.
#[no_mangle]
pub unsafe extern "C" fn cobalt_retain(t: *const CobaltTensor) {
    trampoline(|| {
        if !t.is_null() {
            // SAFETY: `t` came from `Arc::into_raw` and is alive (the caller holds a reference).
            unsafe { Arc::increment_strong_count(t) };
        }
        Ok(Void)
    })
}

/// Drops a reference to `t`; the tensor (and its storage, if no view shares it) dies with the last one.
/// NULL is a no-op.
///
/// # Safety
/// `t` must be NULL or a handle the caller holds a reference to, which this call consumes.
#[no_mangle]
pub unsafe extern "C" fn cobalt_release(t: *const CobaltTensor) {
    trampoline(|| {
        if !t.is_null() {
            // SAFETY: `t` came from `Arc::into_raw`; the caller gives up one reference.
            unsafe { Arc::decrement_strong_count(t) };
        }
        Ok(Void)
    })
}

/// The current number of references to `t` (for tests and debugging), or -1 for NULL.
///
/// # Safety
/// `t` must be NULL or a live handle.
#[no_mangle]
pub unsafe extern "C" fn cobalt_refcount(t: *const CobaltTensor) -> i32 {
    trampoline(|| {
        if t.is_null() {
            return Ok(Plain::<i32, -1>(-1));
        }
        // SAFETY: `t` is a live handle; we rebuild the Arc without taking ownership.
        let a = std::mem::ManuallyDrop::new(unsafe { Arc::from_raw(t) });
        Ok(Plain(Arc::strong_count(&a) as i32))
    })
}

/// A deallocator with the signature `void (*)(void* bytes, void* ctx)` that releases the handle `ctx`:
/// lets a runtime tie an external buffer view (Bun's `toArrayBuffer`) to one tensor reference.
#[no_mangle]
pub extern "C" fn cobalt_view_deallocator() -> unsafe extern "C" fn(*mut c_void, *mut c_void) {
    unsafe extern "C" fn release_ctx(_bytes: *mut c_void, ctx: *mut c_void) {
        // SAFETY: `ctx` is a handle retained for this view. `cobalt_release` runs in the
        // trampoline, so nothing unwinds out of here.
        unsafe { cobalt_release(ctx as *const CobaltTensor) }
    }
    release_ctx
}

/// Records that the calling thread owns one reference to `t` (released when the thread exits, unless
/// given back with `cobalt_thread_release` first).
///
/// # Safety
/// `t` is a live handle whose reference the caller owns.
#[no_mangle]
pub unsafe extern "C" fn cobalt_thread_own(t: *const CobaltTensor) -> i32 {
    trampoline(|| {
        get(t)?;
        THREAD_OWNED
            .try_with(|o| *o.borrow_mut().0.entry(t as usize).or_insert(0) += 1)
            .map_err(|_| Error::InvalidArgument("thread_own: the thread is exiting".into()))
    })
}

/// `cobalt_release`, for a reference recorded with `cobalt_thread_own` on this thread.
///
/// # Safety
/// `t` is NULL or a handle the caller holds a reference to, which this call consumes.
#[no_mangle]
pub unsafe extern "C" fn cobalt_thread_release(t: *const CobaltTensor) {
    trampoline(|| {
        if t.is_null() {
            return Ok(Void);
        }
        let _ = THREAD_OWNED.try_with(|o| {
            let mut o = o.borrow_mut();
            if let Some(n) = o.0.get_mut(&(t as usize)) {
                *n -= 1;
                if *n == 0 {
                    o.0.remove(&(t as usize));
                }
            }
        });
        // SAFETY: forwarded contract.
        unsafe { cobalt_release(t) };
        Ok(Void)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::DType;
    use crate::tensor::Tensor;

    #[test]
    fn references_owned_by_a_thread_are_released_when_it_exits() {
        let t = trampoline(|| Tensor::zeros(DType::F32, &[3]));
        let addr = t as usize;
        // SAFETY: `t` is a live handle.
        unsafe { cobalt_retain(t) };
        std::thread::spawn(move || {
            let t = addr as *const CobaltTensor;
            // SAFETY: `t` holds two references (taken above), so it is live on this thread.
            unsafe {
                cobalt_retain(t);
                cobalt_retain(t);
                assert_eq!(cobalt_thread_own(t), 0);
                assert_eq!(cobalt_thread_own(t), 0);
                cobalt_thread_release(t); // one given back explicitly; one left for the exit
                assert_eq!(cobalt_refcount(t), 3);
            }
        })
        .join()
        .unwrap();
        // SAFETY: `t` holds the two references left, released here.
        unsafe {
            assert_eq!(cobalt_refcount(t), 2);
            cobalt_release(t);
            cobalt_release(t);
        }
    }
}
