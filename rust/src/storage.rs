//! Storage: one block of element memory, either owned (64-byte aligned) or adopted from the caller
//! (with the caller's release function). Live bytes are counted in process-wide atomics.

use crate::error::{Error, Result};
use std::alloc::{self, Layout as AllocLayout};
use std::ffi::c_void;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI64, Ordering};

/// Alignment of owned buffers: a cache line, and the widest SIMD register.
pub const ALIGN: usize = 64;

static LIVE_TENSORS: AtomicI64 = AtomicI64::new(0);
static LIVE_BYTES: AtomicI64 = AtomicI64::new(0);
static EXTERNAL_BYTES: AtomicI64 = AtomicI64::new(0);

/// A snapshot of the native counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryStats {
    /// Live tensor handles.
    pub tensors: i64,
    /// Bytes of storage owned by cobalt.
    pub bytes: i64,
    /// Bytes of adopted (caller-owned) memory still in use.
    pub external_bytes: i64,
}

/// Reads the native counters.
pub fn memory_stats() -> MemoryStats {
    MemoryStats {
        tensors: LIVE_TENSORS.load(Ordering::Relaxed),
        bytes: LIVE_BYTES.load(Ordering::Relaxed),
        external_bytes: EXTERNAL_BYTES.load(Ordering::Relaxed),
    }
}

pub(crate) fn count_tensor(delta: i64) {
    LIVE_TENSORS.fetch_add(delta, Ordering::Relaxed);
}

/// Release function of adopted memory: called once with the caller's context when the storage dies.
pub type ReleaseFn = unsafe extern "C" fn(ctx: *mut c_void);

enum Owner {
    Owned(AllocLayout),
    External { release: Option<ReleaseFn>, ctx: *mut c_void },
}

/// A block of memory holding elements. Shared between tensors through `Arc<Storage>`.
pub struct Storage {
    ptr: NonNull<u8>,
    nbytes: usize,
    owner: Owner,
}

// SAFETY: Storage is a raw buffer; synchronisation of writes is the tensor layer's job (tensors are
// immutable once built, apart from documented in-place writes by their sole owner). The external
// release function is required by the ABI contract to be callable from any thread.
unsafe impl Send for Storage {}
// SAFETY: see `Send`.
unsafe impl Sync for Storage {}

impl Storage {
    /// Allocates `nbytes` zeroed bytes, 64-byte aligned. Fails with `OutOfMemory`, never aborts.
    pub fn zeroed(nbytes: usize) -> Result<Storage> {
        let oom = || Error::OutOfMemory(format!("cannot allocate {nbytes} bytes"));
        // Size 0 still gets a real (1-byte) allocation so the pointer is valid and unique.
        let layout = AllocLayout::from_size_align(nbytes.max(1), ALIGN).map_err(|_| oom())?;
        if layout.size() > isize::MAX as usize / 2 {
            return Err(oom());
        }
        // SAFETY: layout has non-zero size.
        let raw = unsafe { alloc::alloc_zeroed(layout) };
        let ptr = NonNull::new(raw).ok_or_else(oom)?;
        LIVE_BYTES.fetch_add(nbytes as i64, Ordering::Relaxed);
        Ok(Storage { ptr, nbytes, owner: Owner::Owned(layout) })
    }

    /// Adopts `nbytes` at `ptr` without copying; `release(ctx)` runs when the storage is dropped.
    ///
    /// # Safety
    /// `ptr` must be valid for reads and writes of `nbytes` bytes, suitably aligned for the dtype
    /// it will hold, until `release` is called (or, if `release` is `None`, for as long as the caller
    /// guarantees by other means).
    pub unsafe fn external(
        ptr: *mut u8,
        nbytes: usize,
        release: Option<ReleaseFn>,
        ctx: *mut c_void,
    ) -> Result<Storage> {
        let ptr = NonNull::new(ptr)
            .ok_or_else(|| Error::InvalidArgument("external memory pointer is NULL".into()))?;
        EXTERNAL_BYTES.fetch_add(nbytes as i64, Ordering::Relaxed);
        Ok(Storage { ptr, nbytes, owner: Owner::External { release, ctx } })
    }

    /// Size in bytes.
    pub fn nbytes(&self) -> usize {
        self.nbytes
    }

    /// Base pointer.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// True when the memory was adopted from the caller.
    pub fn is_external(&self) -> bool {
        matches!(self.owner, Owner::External { .. })
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        match self.owner {
            Owner::Owned(layout) => {
                // SAFETY: allocated in `zeroed` with exactly this layout.
                unsafe { alloc::dealloc(self.ptr.as_ptr(), layout) };
                LIVE_BYTES.fetch_sub(self.nbytes as i64, Ordering::Relaxed);
            }
            Owner::External { release, ctx } => {
                EXTERNAL_BYTES.fetch_sub(self.nbytes as i64, Ordering::Relaxed);
                if let Some(f) = release {
                    // SAFETY: the caller handed us this function and context for exactly this call.
                    unsafe { f(ctx) };
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_is_aligned_and_zeroed() {
        let s = Storage::zeroed(100).unwrap();
        assert_eq!(s.as_ptr() as usize % ALIGN, 0);
        // SAFETY: 100 bytes were allocated.
        let bytes = unsafe { std::slice::from_raw_parts(s.as_ptr(), 100) };
        assert!(bytes.iter().all(|&b| b == 0));
    }

    #[test]
    fn huge_allocation_fails_cleanly() {
        assert!(matches!(Storage::zeroed(usize::MAX - 10), Err(Error::OutOfMemory(_))));
        assert!(matches!(Storage::zeroed(1 << 60), Err(Error::OutOfMemory(_))));
    }

    #[test]
    fn external_release_runs_once() {
        static CALLS: AtomicI64 = AtomicI64::new(0);
        unsafe extern "C" fn rel(_ctx: *mut c_void) {
            CALLS.fetch_add(1, Ordering::SeqCst);
        }
        let mut buf = [0u8; 16];
        // SAFETY: buf outlives the storage.
        let s = unsafe { Storage::external(buf.as_mut_ptr(), 16, Some(rel), std::ptr::null_mut()) }
            .unwrap();
        drop(s);
        assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    }
}
