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
static CACHED_BYTES: AtomicI64 = AtomicI64::new(0);

/// A snapshot of the native counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryStats {
    /// Live tensor handles.
    pub tensors: i64,
    /// Bytes of storage owned by cobalt.
    pub bytes: i64,
    /// Bytes of adopted (caller-owned) memory still in use.
    pub external_bytes: i64,
    /// Bytes of freed large buffers kept for reuse (see [`empty_cache`]).
    pub cached_bytes: i64,
}

/// Reads the native counters.
pub fn memory_stats() -> MemoryStats {
    MemoryStats {
        tensors: LIVE_TENSORS.load(Ordering::Relaxed),
        bytes: LIVE_BYTES.load(Ordering::Relaxed),
        external_bytes: EXTERNAL_BYTES.load(Ordering::Relaxed),
        cached_bytes: CACHED_BYTES.load(Ordering::Relaxed),
    }
}

pub(crate) fn count_tensor(delta: i64) {
    LIVE_TENSORS.fetch_add(delta, Ordering::Relaxed);
}

extern "C" {
    fn mmap(addr: *mut c_void, len: usize, prot: i32, flags: i32, fd: i32, off: i64) -> *mut c_void;
    fn munmap(addr: *mut c_void, len: usize) -> i32;
}

/// Release function of adopted memory: called once with the caller's context when the storage dies.
pub type ReleaseFn = unsafe extern "C" fn(ctx: *mut c_void);

enum Owner {
    Owned(AllocLayout),
    External { release: Option<ReleaseFn>, ctx: *mut c_void },
    Mapped { len: usize },
}

/// A block of memory holding elements. Shared between tensors through `Arc<Storage>`.
pub struct Storage {
    ptr: NonNull<u8>,
    nbytes: usize,
    owner: Owner,
    readers: std::sync::atomic::AtomicUsize, // in-flight jobs reading this storage
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
        Storage::alloc(nbytes, true)
    }

    /// Allocates `nbytes` bytes the caller will overwrite entirely before anything reads them
    /// (kernel outputs): reused buffers are not cleared, which saves a pass over memory.
    /// NOTE: the bytes may be stale data of a freed tensor (never uninitialised memory from the
    /// allocator: fresh blocks are zeroed), so a kernel that forgot an element would show old
    /// values, not undefined behaviour.
    pub fn for_overwrite(nbytes: usize) -> Result<Storage> {
        Storage::alloc(nbytes, false)
    }

    fn alloc(nbytes: usize, zero: bool) -> Result<Storage> {
        let oom = || Error::OutOfMemory(format!("cannot allocate {nbytes} bytes"));
        // Size 0 still gets a real allocation so the pointer is valid and unique.
        let size = match small_class(nbytes) {
            Some(s) => s,
            None => nbytes.checked_next_multiple_of(LARGE_ROUND).ok_or_else(oom)?,
        };
        let layout = AllocLayout::from_size_align(size, ALIGN).map_err(|_| oom())?;
        if layout.size() > isize::MAX as usize / 2 {
            return Err(oom());
        }
        let cached = if size <= SMALL_MAX { small_cache_pop(size) } else { large_cache_pop(size) };
        let ptr = match cached {
            Some(p) => {
                if zero {
                    // SAFETY: a cached block of `size` bytes we own.
                    unsafe { std::ptr::write_bytes(p.as_ptr(), 0, size) };
                }
                p
            }
            // SAFETY: layout has non-zero size.
            None => NonNull::new(unsafe { alloc::alloc_zeroed(layout) }).ok_or_else(oom)?,
        };
        LIVE_BYTES.fetch_add(nbytes as i64, Ordering::Relaxed);
        Ok(Storage { ptr, nbytes, owner: Owner::Owned(layout), readers: Default::default() })
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
        Ok(Storage { ptr, nbytes, owner: Owner::External { release, ctx }, readers: Default::default() })
    }

    /// Maps a whole file read-only (copy-on-write private pages, so writes through views never reach
    /// the file). The mapping lives until the storage is dropped.
    pub fn map_file(path: &std::path::Path) -> Result<Storage> {
        use std::os::unix::io::AsRawFd;
        let f = std::fs::File::open(path)
            .map_err(|e| Error::InvalidArgument(format!("cannot open {}: {e}", path.display())))?;
        let len = f.metadata().map_err(|e| Error::InvalidArgument(format!("cannot stat {}: {e}", path.display())))?.len();
        let len = usize::try_from(len).map_err(|_| Error::OutOfMemory("file too large to map".into()))?;
        if len == 0 {
            // nothing to map: an empty owned buffer stands in
            return Storage::zeroed(0);
        }
        const PROT_READ: i32 = 1;
        const PROT_WRITE: i32 = 2;
        const MAP_PRIVATE: i32 = 2;
        // SAFETY: a fresh private mapping of an open file; checked for MAP_FAILED below.
        let p = unsafe { mmap(std::ptr::null_mut(), len, PROT_READ | PROT_WRITE, MAP_PRIVATE, f.as_raw_fd(), 0) };
        if p as isize == -1 || p.is_null() {
            return Err(Error::OutOfMemory(format!("cannot map {} ({len} bytes)", path.display())));
        }
        EXTERNAL_BYTES.fetch_add(len as i64, Ordering::Relaxed);
        Ok(Storage {
            ptr: NonNull::new(p as *mut u8).expect("mmap returned a non-null pointer"),
            nbytes: len,
            owner: Owner::Mapped { len },
            readers: Default::default(),
        })
    }

    /// Size in bytes.
    pub fn nbytes(&self) -> usize {
        self.nbytes
    }

    /// Base pointer.
    pub fn as_ptr(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// Marks the storage as read by an in-flight job (writes are refused until `end_read`).
    pub fn borrow_for_read(&self) {
        self.readers.fetch_add(1, Ordering::SeqCst);
    }

    /// Ends a `borrow_for_read`.
    pub fn end_read(&self) {
        self.readers.fetch_sub(1, Ordering::SeqCst);
    }

    /// True while an in-flight job reads this storage.
    pub fn is_borrowed(&self) -> bool {
        self.readers.load(Ordering::SeqCst) > 0
    }
}

impl Drop for Storage {
    fn drop(&mut self) {
        match self.owner {
            Owner::Owned(layout) => {
                let kept = if layout.size() <= SMALL_MAX {
                    small_cache_push(layout.size(), self.ptr)
                } else {
                    large_cache_push(layout.size(), self.ptr)
                };
                if !kept {
                    // SAFETY: allocated in `zeroed` with exactly this layout.
                    unsafe { alloc::dealloc(self.ptr.as_ptr(), layout) };
                }
                LIVE_BYTES.fetch_sub(self.nbytes as i64, Ordering::Relaxed);
            }
            Owner::Mapped { len } => {
                EXTERNAL_BYTES.fetch_sub(len as i64, Ordering::Relaxed);
                // SAFETY: the mapping made in `map_file`, unmapped once.
                unsafe { munmap(self.ptr.as_ptr() as *mut c_void, len) };
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

// A per-thread cache of small freed blocks (64..=4096 bytes, power-of-two classes). Small tensors
// are created and freed at a high rate from JS, and glibc's aligned allocation path fragments
// badly under that pattern (~700 instructions per free, measured with callgrind); a pop from
// this cache is a few instructions.
const SMALL_MAX: usize = 4096;
const SMALL_CLASSES: usize = 7; // 64, 128, ..., 4096
const SMALL_KEEP: usize = 64; // blocks kept per class and thread

fn small_class(nbytes: usize) -> Option<usize> {
    (nbytes <= SMALL_MAX).then(|| nbytes.max(ALIGN).next_power_of_two())
}

fn class_index(size: usize) -> usize {
    (size.trailing_zeros() - ALIGN.trailing_zeros()) as usize
}

struct SmallCache([Vec<NonNull<u8>>; SMALL_CLASSES]);

impl Drop for SmallCache {
    fn drop(&mut self) {
        for (i, list) in self.0.iter_mut().enumerate() {
            let layout = AllocLayout::from_size_align(ALIGN << i, ALIGN).expect("valid class layout");
            for p in list.drain(..) {
                // SAFETY: every cached block was allocated with its class layout.
                unsafe { alloc::dealloc(p.as_ptr(), layout) };
            }
        }
    }
}

thread_local! {
    static SMALL: std::cell::RefCell<SmallCache> =
        std::cell::RefCell::new(SmallCache(Default::default()));
}

fn small_cache_pop(size: usize) -> Option<NonNull<u8>> {
    if size > SMALL_MAX {
        return None;
    }
    SMALL.try_with(|c| c.borrow_mut().0[class_index(size)].pop()).ok().flatten()
}

fn small_cache_push(size: usize, p: NonNull<u8>) -> bool {
    if size > SMALL_MAX {
        return false;
    }
    SMALL
        .try_with(|c| {
            let list = &mut c.borrow_mut().0[class_index(size)];
            (list.len() < SMALL_KEEP).then(|| list.push(p)).is_some()
        })
        .unwrap_or(false)
}

// Freed large blocks (sizes rounded up to 64 KiB) kept for reuse, up to CACHE_LIMIT bytes in all:
// a new output then costs no page faults and no clearing (measured: numpy's `a + b` on 16M floats
// spends about a third of its time faulting fresh pages in). Shared by all threads.
const LARGE_ROUND: usize = 64 << 10;
const CACHE_LIMIT: usize = 1 << 30;

fn large_cache() -> &'static std::sync::Mutex<std::collections::HashMap<usize, Vec<usize>>> {
    static C: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<usize, Vec<usize>>>> =
        std::sync::OnceLock::new();
    C.get_or_init(Default::default)
}

fn large_cache_pop(size: usize) -> Option<NonNull<u8>> {
    let mut c = large_cache().lock().unwrap_or_else(|e| e.into_inner());
    let p = c.get_mut(&size)?.pop()?;
    CACHED_BYTES.fetch_sub(size as i64, Ordering::Relaxed);
    NonNull::new(p as *mut u8)
}

fn large_cache_push(size: usize, p: NonNull<u8>) -> bool {
    if CACHED_BYTES.load(Ordering::Relaxed) as usize + size > CACHE_LIMIT {
        return false;
    }
    let mut c = large_cache().lock().unwrap_or_else(|e| e.into_inner());
    c.entry(size).or_default().push(p.as_ptr() as usize);
    CACHED_BYTES.fetch_add(size as i64, Ordering::Relaxed);
    true
}

/// Frees every cached large buffer back to the system.
pub fn empty_cache() {
    let mut c = large_cache().lock().unwrap_or_else(|e| e.into_inner());
    for (size, list) in c.drain() {
        let layout = AllocLayout::from_size_align(size, ALIGN).expect("valid cached layout");
        for p in list {
            // SAFETY: every cached block was allocated with this layout and is unused.
            unsafe { alloc::dealloc(p as *mut u8, layout) };
            CACHED_BYTES.fetch_sub(size as i64, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_is_aligned_and_zeroed() {
        // a reused small block must come back zeroed too
        let s = Storage::zeroed(100).unwrap();
        // SAFETY: 100 bytes were allocated.
        unsafe { std::ptr::write_bytes(s.as_ptr(), 7, 100) };
        drop(s);
        let s = Storage::zeroed(100).unwrap();
        assert_eq!(s.as_ptr() as usize % ALIGN, 0);
        // SAFETY: 100 bytes were allocated.
        let bytes = unsafe { std::slice::from_raw_parts(s.as_ptr(), 100) };
        assert!(bytes.iter().all(|&b| b == 0));
    }

    #[test]
    fn large_blocks_are_reused_and_can_be_released() {
        let n = 3 << 20;
        let s = Storage::zeroed(n).unwrap();
        let p = s.as_ptr();
        // SAFETY: n bytes were allocated.
        unsafe { std::ptr::write_bytes(p, 9, n) };
        drop(s);
        assert!(memory_stats().cached_bytes >= n as i64);
        let z = Storage::zeroed(n).unwrap();
        // a reused block, cleared for `zeroed`
        // SAFETY: n bytes were allocated.
        assert!(unsafe { std::slice::from_raw_parts(z.as_ptr(), n) }.iter().all(|&b| b == 0));
        drop(z);
        empty_cache();
        assert!(memory_stats().cached_bytes < n as i64, "the cache was emptied");
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
