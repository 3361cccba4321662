//! Storage: one block of element memory, either owned (64-byte aligned) or adopted from the caller
//! (with the caller's release function). Live bytes are counted in process-wide atomics.

use crate::error::{Error, Result};
use std::alloc::{self, Layout as AllocLayout};
use std::ffi::c_void;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

/// Alignment of owned buffers: a cache line, and the widest SIMD register.
pub const ALIGN: usize = 64;

static LIVE_TENSORS: AtomicI64 = AtomicI64::new(0);
static LIVE_BYTES: AtomicI64 = AtomicI64::new(0);
static EXTERNAL_BYTES: AtomicI64 = AtomicI64::new(0);
static CACHED_BYTES: AtomicI64 = AtomicI64::new(0);
// The cap on LIVE_BYTES checked before every owned allocation; u64::MAX = none. 0 = not read yet
// (the default is computed on first use, from COBALT_MEMORY_LIMIT or the machine's memory).
static MEMORY_LIMIT: AtomicU64 = AtomicU64::new(0);

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

#[cfg(unix)]
extern "C" {
    fn mmap(addr: *mut c_void, len: usize, prot: i32, flags: i32, fd: i32, off: i64) -> *mut c_void;
    fn munmap(addr: *mut c_void, len: usize) -> i32;
}

/// Release function of adopted memory: called once with the caller's context when the storage dies.
pub type ReleaseFn = unsafe extern "C" fn(ctx: *mut c_void);

enum Owner {
    Owned(AllocLayout),
    External {
        release: Option<ReleaseFn>,
        ctx: *mut c_void,
    },
    #[cfg(unix)]
    Mapped {
        len: usize,
    },
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
        let oom = || Error::OutOfMemory(format!("cannot allocate {} ({nbytes} bytes)", fmt_bytes(nbytes as u64)));
        // Size 0 still gets a real allocation so the pointer is valid and unique.
        let size = match small_class(nbytes) {
            Some(s) => s,
            None => nbytes.checked_next_multiple_of(LARGE_ROUND).ok_or_else(oom)?,
        };
        let layout = AllocLayout::from_size_align(size, ALIGN).map_err(|_| oom())?;
        if layout.size() > isize::MAX as usize / 2 {
            return Err(oom());
        }
        check_limit(nbytes)?;
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
        let ptr = NonNull::new(ptr).ok_or_else(|| Error::InvalidArgument("external memory pointer is NULL".into()))?;
        EXTERNAL_BYTES.fetch_add(nbytes as i64, Ordering::Relaxed);
        Ok(Storage { ptr, nbytes, owner: Owner::External { release, ctx }, readers: Default::default() })
    }

    /// Maps a whole file read-only (copy-on-write private pages, so writes through views never reach
    /// the file). The mapping lives until the storage is dropped. Only regular files are taken.
    #[cfg(unix)]
    pub fn map_file(path: &std::path::Path) -> Result<Storage> {
        use std::os::unix::io::AsRawFd;
        let (f, len) = open_regular(path)?;
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

    /// Reads a whole regular file into owned memory: where there is no `mmap` (Windows, for now;
    /// `MapViewOfFile` would make it zero-copy) loading works the same, with one copy.
    #[cfg(not(unix))]
    pub fn map_file(path: &std::path::Path) -> Result<Storage> {
        use std::io::Read;
        let (mut f, len) = open_regular(path)?;
        let s = Storage::for_overwrite(len)?;
        // SAFETY: a fresh buffer of `len` bytes that nothing else references.
        let buf = unsafe { std::slice::from_raw_parts_mut(s.as_ptr(), len) };
        f.read_exact(buf).map_err(|e| Error::InvalidArgument(format!("cannot read {}: {e}", path.display())))?;
        Ok(s)
    }

    /// The adoption id of memory adopted with [`adoption_released`] as its release function (0 for
    /// any other storage).
    pub fn adoption_id(&self) -> u32 {
        match self.owner {
            Owner::External { release: Some(f), ctx } if f as usize == adoption_released as ReleaseFn as usize => {
                ctx as usize as u32
            }
            _ => 0,
        }
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
            #[cfg(unix)]
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

/// Opens `path` if it is a regular file (a FIFO or a device could block or never end); returns it
/// with its size.
fn open_regular(path: &std::path::Path) -> Result<(std::fs::File, usize)> {
    let not_regular = || Error::InvalidArgument(format!("{} is not a regular file", path.display()));
    // NOTE: stat first: opening a FIFO for reading blocks until a writer comes
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        return Err(not_regular());
    }
    let f = std::fs::File::open(path)
        .map_err(|e| Error::InvalidArgument(format!("cannot open {}: {e}", path.display())))?;
    let meta = f.metadata().map_err(|e| Error::InvalidArgument(format!("cannot stat {}: {e}", path.display())))?;
    if !meta.is_file() {
        return Err(not_regular());
    }
    let len = usize::try_from(meta.len()).map_err(|_| Error::OutOfMemory("file too large to map".into()))?;
    Ok((f, len))
}

// ---- adoption ids ---------------------------------------------------------------------------
// A binding that lends memory it must keep alive (a JS ArrayBuffer) adopts it with a nonzero id.
// When the storage dies its id is queued here; the binding drains the queue
// (`take_released_adoptions`) and only then lets its buffer go. So the buffer outlives every
// native user (views, async jobs, results that share the storage), whoever holds them.

fn released_adoptions() -> &'static std::sync::Mutex<Vec<u32>> {
    static Q: std::sync::OnceLock<std::sync::Mutex<Vec<u32>>> = std::sync::OnceLock::new();
    Q.get_or_init(Default::default)
}

/// The release function of adopted memory: queues the adoption id `ctx` (see
/// [`take_released_adoptions`]). Pass it with the id as `ctx` to [`Storage::external`].
///
/// # Safety
/// None needed: `ctx` is only read as a number. The function is `unsafe` to be a [`ReleaseFn`].
pub unsafe extern "C" fn adoption_released(ctx: *mut c_void) {
    let mut q = released_adoptions().lock().unwrap_or_else(|e| e.into_inner());
    q.push(ctx as usize as u32);
}

/// Moves up to `out.len()` ids of dead adopted storages into `out`; returns how many.
pub fn take_released_adoptions(out: &mut [u32]) -> usize {
    let mut q = released_adoptions().lock().unwrap_or_else(|e| e.into_inner());
    let n = q.len().min(out.len());
    let start = q.len() - n;
    out[..n].copy_from_slice(&q[start..]);
    q.truncate(start);
    n
}

// ---- memory limit ----------------------------------------------------------------------------

/// Sets the cap on bytes of live owned storage (`None`: no cap).
pub fn set_memory_limit(bytes: Option<u64>) {
    MEMORY_LIMIT.store(bytes.unwrap_or(u64::MAX).max(1), Ordering::Relaxed);
}

/// The cap on bytes of live owned storage (`None`: no cap).
pub fn memory_limit() -> Option<u64> {
    let mut l = MEMORY_LIMIT.load(Ordering::Relaxed);
    if l == 0 {
        l = default_limit().unwrap_or(u64::MAX).max(1);
        // Another thread may have set it meanwhile: keep theirs.
        l = match MEMORY_LIMIT.compare_exchange(0, l, Ordering::Relaxed, Ordering::Relaxed) {
            Ok(_) => l,
            Err(cur) => cur,
        };
    }
    (l != u64::MAX).then_some(l)
}

/// The default cap: `COBALT_MEMORY_LIMIT` if set (bytes, with an optional K/M/G/T suffix, a
/// percentage of physical memory like "50%", or "none"), else 3/4 of the physical memory (or of
/// the cgroup's limit, when lower). `None` where neither is known.
fn default_limit() -> Option<u64> {
    let phys = physical_memory();
    if let Ok(v) = std::env::var("COBALT_MEMORY_LIMIT") {
        match parse_limit(&v, phys) {
            Some(l) => return l,
            None => eprintln!("cobalt: ignoring COBALT_MEMORY_LIMIT={v:?} (expected bytes like 8G, 50%, or none)"),
        }
    }
    phys.map(|p| p / 4 * 3)
}

/// Parses a memory limit: `Some(None)` = no limit, `None` = not understood.
pub fn parse_limit(v: &str, phys: Option<u64>) -> Option<Option<u64>> {
    let v = v.trim();
    if v.eq_ignore_ascii_case("none") || v.eq_ignore_ascii_case("unlimited") {
        return Some(None);
    }
    if let Some(pct) = v.strip_suffix('%') {
        let f: f64 = pct.trim().parse().ok()?;
        if !(f > 0.0 && f <= 100.0) {
            return None;
        }
        return Some(Some((phys? as f64 * f / 100.0) as u64));
    }
    let lower = v.to_ascii_lowercase();
    let t = lower.trim_end_matches("ib").trim_end_matches('b');
    let (num, mul) = match t.chars().last()? {
        'k' => (&t[..t.len() - 1], 1u64 << 10),
        'm' => (&t[..t.len() - 1], 1 << 20),
        'g' => (&t[..t.len() - 1], 1 << 30),
        't' => (&t[..t.len() - 1], 1 << 40),
        _ => (t, 1),
    };
    let f: f64 = num.trim().parse().ok()?;
    if !(f > 0.0 && f.is_finite()) {
        return None;
    }
    Some(Some((f * mul as f64) as u64))
}

/// The physical memory of the machine: `/proc/meminfo` capped by a cgroup (v2 or v1) memory limit
/// when lower (Linux), `GlobalMemoryStatusEx` (Windows), `sysctl hw.memsize` (macOS), 4 GiB (wasm32); None elsewhere,
/// which leaves the default memory limit off.
pub fn physical_memory() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kb * 1024)
        })?;
        let cg = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"]
            .iter()
            .filter_map(|p| std::fs::read_to_string(p).ok()?.trim().parse::<u64>().ok())
            .min();
        Some(cg.map_or(total, |c| c.min(total)))
    }
    #[cfg(windows)]
    {
        // MEMORYSTATUSEX: dwLength, dwMemoryLoad, then ullTotalPhys and six more u64 fields.
        #[repr(C)]
        struct MemoryStatusEx {
            length: u32,
            memory_load: u32,
            total_phys: u64,
            rest: [u64; 6],
        }
        #[link(name = "kernel32")]
        extern "system" {
            fn GlobalMemoryStatusEx(status: *mut MemoryStatusEx) -> i32;
        }
        let mut st = MemoryStatusEx {
            length: std::mem::size_of::<MemoryStatusEx>() as u32,
            memory_load: 0,
            total_phys: 0,
            rest: [0; 6],
        };
        // SAFETY: st is a properly sized, writable MEMORYSTATUSEX with dwLength set.
        let ok = unsafe { GlobalMemoryStatusEx(&mut st) };
        (ok != 0 && st.total_phys > 0).then_some(st.total_phys)
    }
    #[cfg(target_os = "macos")]
    {
        extern "C" {
            fn sysctlbyname(
                name: *const std::ffi::c_char,
                oldp: *mut std::ffi::c_void,
                oldlenp: *mut usize,
                newp: *mut std::ffi::c_void,
                newlen: usize,
            ) -> i32;
        }
        let mut bytes: u64 = 0;
        let mut len = std::mem::size_of::<u64>();
        // SAFETY: a NUL-terminated name, an 8-byte out buffer whose size is passed, no new value.
        let rc = unsafe {
            sysctlbyname(c"hw.memsize".as_ptr(), (&mut bytes as *mut u64).cast(), &mut len, std::ptr::null_mut(), 0)
        };
        (rc == 0 && bytes > 0).then_some(bytes)
    }
    // wasm32: the 4 GiB a linear memory can address (the host may give less).
    #[cfg(all(target_family = "wasm", target_pointer_width = "32"))]
    {
        Some(1 << 32)
    }
    #[cfg(not(any(
        target_os = "linux",
        windows,
        target_os = "macos",
        all(target_family = "wasm", target_pointer_width = "32")
    )))]
    {
        None
    }
}

fn check_limit(nbytes: usize) -> Result<()> {
    let Some(limit) = memory_limit() else { return Ok(()) };
    let live = LIVE_BYTES.load(Ordering::Relaxed).max(0) as u64;
    if live.saturating_add(nbytes as u64) <= limit {
        return Ok(());
    }
    Err(Error::OutOfMemory(format!(
        "cannot allocate {}: {} is live in {} tensors and the memory limit is {} \
         (cb.setMemoryLimit / COBALT_MEMORY_LIMIT)",
        fmt_bytes(nbytes as u64),
        fmt_bytes(live),
        LIVE_TENSORS.load(Ordering::Relaxed),
        fmt_bytes(limit)
    )))
}

/// `1.5 GiB`, `300 MiB`, `12 bytes`.
pub fn fmt_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if n < 1024 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1024.0;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if v >= 100.0 {
        format!("{v:.0} {}", UNITS[u])
    } else {
        format!("{v:.1} {}", UNITS[u])
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
    #[cfg(any(target_os = "linux", windows, target_os = "macos"))]
    fn physical_memory_is_known_on_every_shipped_os() {
        // The default memory limit is a fraction of it: without it the limit is silently off.
        let m = physical_memory().expect("physical memory");
        assert!((64 << 20..1 << 50).contains(&m), "implausible physical memory: {m}");
    }

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
        let s = unsafe { Storage::external(buf.as_mut_ptr(), 16, Some(rel), std::ptr::null_mut()) }.unwrap();
        drop(s);
        assert_eq!(CALLS.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn memory_limits_parse() {
        let g = Some(16u64 << 30);
        assert_eq!(parse_limit("none", g), Some(None));
        assert_eq!(parse_limit("8G", g), Some(Some(8 << 30)));
        assert_eq!(parse_limit("8GiB", g), Some(Some(8 << 30)));
        assert_eq!(parse_limit("512m", g), Some(Some(512 << 20)));
        assert_eq!(parse_limit("1.5g", g), Some(Some(3 << 29)));
        assert_eq!(parse_limit("4096", g), Some(Some(4096)));
        assert_eq!(parse_limit("50%", g), Some(Some(8 << 30)));
        assert_eq!(parse_limit("50%", None), None);
        for bad in ["", "x", "-1G", "0", "150%", "0%", "1e400", "G"] {
            assert_eq!(parse_limit(bad, g), None, "{bad}");
        }
        assert_eq!(fmt_bytes(12), "12 bytes");
        assert_eq!(fmt_bytes(3 << 29), "1.5 GiB");
        assert_eq!(fmt_bytes(300 << 20), "300 MiB");
    }

    #[test]
    fn adopted_storage_reports_its_id_once_when_dropped() {
        let mut buf = [0u8; 16];
        let id = 0xABCD_0123;
        // SAFETY: `buf` outlives the storage.
        let s = unsafe { Storage::external(buf.as_mut_ptr(), 16, Some(adoption_released), id as usize as *mut c_void) }
            .unwrap();
        assert_eq!(s.adoption_id(), id);
        assert!(Storage::zeroed(8).unwrap().adoption_id() == 0);
        drop(s);
        let mut out = [0u32; 1024];
        let n = take_released_adoptions(&mut out);
        assert!(out[..n].contains(&id));
        let n2 = take_released_adoptions(&mut out);
        assert!(!out[..n2].contains(&id), "reported once");
    }

    #[test]
    fn only_regular_files_are_mapped() {
        let dir = std::env::temp_dir().join(format!("cobalt-map-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(matches!(Storage::map_file(&dir), Err(Error::InvalidArgument(m)) if m.contains("not a regular file")));
        let f = dir.join("x.bin");
        std::fs::write(&f, [1u8, 2, 3]).unwrap();
        let s = Storage::map_file(&f).unwrap();
        // SAFETY: 3 readable bytes.
        assert_eq!(unsafe { std::slice::from_raw_parts(s.as_ptr(), 3) }, &[1, 2, 3]);
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
