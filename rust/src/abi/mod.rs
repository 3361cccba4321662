//! The C ABI: the only `extern "C"` surface of cobalt. `include/cobalt.h` is its manual.
//!
//! # Contract
//! - Calls that create a tensor return the new handle, or NULL on failure; `cobalt_last_status()`
//!   then gives the status code. Other fallible calls return an `int32_t` status: `0` = OK, positive
//!   codes are stable and append-only (`cobalt_status_str`). The message of the last failure on the
//!   calling thread is copied out by `cobalt_last_error`. Other results go in out-params, last.
//!   NOTE: the handle is the return value, not an out-param, because it was measured: Deno reads a
//!   pointer result in ~5 ns, while turning an out-param's 64-bit value into a pointer object costs
//!   ~130 ns (BigInt + `Deno.UnsafePointer.create`), more than the rest of a small op.
//! - Every exported body runs inside `trampoline` (`catch_unwind`): a Rust panic becomes
//!   `COBALT_PANIC` with its message; it never unwinds into the caller and never aborts. What a
//!   failing call returns is chosen by its return type (`trampoline::AbiReturn`). The only
//!   exceptions return constants or read the last status or error out; none of them can panic.
//! - Ownership: a returned handle carries one reference (+1); handle arguments are
//!   borrowed. `cobalt_retain` adds a reference, `cobalt_release` drops one (`NULL` is a no-op); the
//!   tensor dies with its last reference. The refcount is atomic: handles may cross threads.
//! - A data pointer (`cobalt_data`) is valid while a reference to its tensor lives. Views
//!   (`cobalt_reshape`, `cobalt_permute`) share storage with their source through that refcount.
//! - Hot calls take no 64-bit integer parameters (Deno passes those as BigInt): shapes travel as
//!   `const int64_t*` + `int32_t` length, scalars as `double`.
//!
//! # Layout
//! The exported functions follow the sections of `include/cobalt.h`, in its order. Beside them:
//! `trampoline` (the one guard every exported body runs in), `handle` (the opaque handle
//! types) and `args` (reading shape, axes and number arguments).

use crate::cpu;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::{BinaryOp, ReduceOp, ScanOp, UnaryOp};
use crate::pool::Job;
use crate::storage::{memory_stats, ReleaseFn};
use crate::tensor::Tensor;
use std::cell::RefCell;
use std::ffi::{c_char, c_void};
use std::sync::Arc;
use args::{count, flag, read_axes, read_shape, EXACT_INT_LIMIT};
use handle::{get, into_handle, job};
use trampoline::{trampoline, Count, Plain, Void, LAST_ERROR, LAST_STATUS};

mod args;
mod handle;
mod trampoline;

pub use handle::{CobaltJob, CobaltTensor};

/// Bumped on any incompatible change of this surface; loaders refuse a library with another value.
pub const COBALT_ABI_VERSION: u32 = 6;
/// Largest number of dimensions a tensor may have.
pub const COBALT_MAX_NDIM: usize = 32;

// ---- library ------------------------------------------------------------------------------------

/// The ABI version of this library (`COBALT_ABI_VERSION`).
#[no_mangle]
pub extern "C" fn cobalt_abi_version() -> u32 {
    COBALT_ABI_VERSION
}

/// A static, NUL-terminated name for a status code (`"OK"`, `"SHAPE_MISMATCH"`...).
#[no_mangle]
pub extern "C" fn cobalt_status_str(code: i32) -> *const c_char {
    let s: &'static [u8] = match code {
        0 => b"OK\0",
        1 => b"INVALID_ARGUMENT\0",
        2 => b"SHAPE_MISMATCH\0",
        3 => b"DTYPE\0",
        4 => b"OUT_OF_MEMORY\0",
        5 => b"PANIC\0",
        6 => b"AXIS\0",
        7 => b"INDEX\0",
        8 => b"BORROWED\0",
        _ => b"UNKNOWN\0",
    };
    s.as_ptr() as *const c_char
}

/// The status code of the last failure on this thread (0 if none yet). Tensor-producing calls
/// return NULL on failure; this tells why.
#[no_mangle]
pub extern "C" fn cobalt_last_status() -> i32 {
    LAST_STATUS.with(|s| s.get())
}

/// Copies the last error message of this thread (UTF-8) into `buf` (at most `cap` bytes, NUL-terminated
/// when it fits) and returns its full length in bytes, so a caller can retry with a larger buffer.
///
/// # Safety
/// `buf` must be valid for `cap` bytes of writes, or NULL with `cap == 0`.
#[no_mangle]
pub unsafe extern "C" fn cobalt_last_error(buf: *mut u8, cap: i32) -> i32 {
    // NOTE: not run inside the trampoline, whose failure path would overwrite the very message
    // being read; nothing here can panic (no allocation, no indexing).
    LAST_ERROR.with(|e| {
        let e = e.borrow();
        let n = e.len().min(cap.max(0) as usize);
        if !buf.is_null() && n > 0 {
            // SAFETY: `buf` holds `cap >= n` bytes (contract).
            unsafe { std::ptr::copy_nonoverlapping(e.as_ptr(), buf, n) };
        }
        if !buf.is_null() && (n as i32) < cap {
            // SAFETY: index n < cap.
            unsafe { *buf.add(n) = 0 };
        }
        e.len() as i32
    })
}

/// Does nothing and returns 0: measures the bare cost of a call across the FFI.
#[no_mangle]
pub extern "C" fn cobalt_noop() -> i32 {
    0
}

/// Panics on purpose inside the trampoline: returns `COBALT_PANIC`. For tests of the panic path.
#[no_mangle]
pub extern "C" fn cobalt_debug_panic() -> i32 {
    trampoline::<()>(|| panic!("cobalt_debug_panic was called"))
}

/// Writes the native counters into `out[0..4]`: live tensors, owned bytes, adopted (external or
/// mapped) bytes, cached bytes (freed large buffers kept for reuse).
///
/// # Safety
/// `out` must hold 4 `int64_t`.
#[no_mangle]
pub unsafe extern "C" fn cobalt_memory(out: *mut i64) -> i32 {
    trampoline(|| {
        if out.is_null() {
            return Err(Error::InvalidArgument("out is NULL".into()));
        }
        let m = memory_stats();
        // SAFETY: `out` holds 4 values (contract).
        unsafe { std::ptr::copy_nonoverlapping([m.tensors, m.bytes, m.external_bytes, m.cached_bytes].as_ptr(), out, 4) };
        Ok(())
    })
}

/// Frees the cached large buffers (kept for reuse after tensors die) back to the system.
#[no_mangle]
pub extern "C" fn cobalt_empty_cache() {
    trampoline(|| {
        crate::storage::empty_cache();
        Ok(Void)
    })
}

/// Sets the cap on bytes of live cobalt-owned storage, checked before every allocation (a failing
/// one gives `COBALT_OUT_OF_MEMORY`). `bytes` is a whole number > 0, or +infinity for no cap.
#[no_mangle]
pub extern "C" fn cobalt_set_memory_limit(bytes: f64) -> i32 {
    trampoline(|| {
        if bytes == f64::INFINITY {
            crate::storage::set_memory_limit(None);
            return Ok(());
        }
        if !(bytes >= 1.0 && bytes.fract() == 0.0 && bytes < 1.8e19) {
            return Err(Error::InvalidArgument(format!(
                "setMemoryLimit: {bytes} is not a positive whole number of bytes (or Infinity)"
            )));
        }
        crate::storage::set_memory_limit(Some(bytes as u64));
        Ok(())
    })
}

/// The cap on bytes of live cobalt-owned storage (+infinity when there is none). The default is
/// `COBALT_MEMORY_LIMIT` (bytes with a K/M/G/T suffix, a percentage like "50%", or "none"), else
/// 3/4 of the physical memory (or of a lower cgroup limit). -1 if that failed (a panic; the
/// status is then in `cobalt_last_status`).
#[no_mangle]
pub extern "C" fn cobalt_memory_limit() -> f64 {
    trampoline(|| Ok(Plain::<f64, -1>(crate::storage::memory_limit().map_or(f64::INFINITY, |l| l as f64))))
}

/// The bytes of `t`'s storage when no other tensor shares it (what collecting `t` would free), else
/// 0; -1 for a bad handle. A view of a live tensor, or a broadcast, counts 0.
///
/// # Safety
/// `t` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn cobalt_owned_bytes(t: *const CobaltTensor) -> f64 {
    trampoline(|| {
        let s = get(t)?.storage();
        Ok(Plain::<f64, -1>(if Arc::strong_count(s) == 1 { s.nbytes() as f64 } else { 0.0 }))
    })
}

// ---- references ---------------------------------------------------------------------------------

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

// ---- creation -----------------------------------------------------------------------------------

/// A new contiguous tensor holding a copy of `data` (row-major, native-endian).
///
/// # Safety
/// `shape` holds `ndim` values; `data` holds `numel(shape) * dtype_size` bytes (or may be NULL for a
/// zero-size tensor); returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_from_data(
    dtype: i32,
    shape: *const i64,
    ndim: i32,
    data: *const c_void,
) -> *mut CobaltTensor {
    trampoline(|| {
        let dtype = DType::from_code(dtype)?;
        let shape = read_shape(shape, ndim, None)?;
        let t = Tensor::zeros(dtype, &shape)?;
        let n = t.storage().nbytes();
        if n > 0 {
            if data.is_null() {
                return Err(Error::InvalidArgument("from_data: data pointer is NULL".into()));
            }
            // SAFETY: `data` holds n bytes (contract); `t` is fresh.
            unsafe { std::ptr::copy_nonoverlapping(data as *const u8, t.data_ptr(), n) };
        }
        Ok(t)
    })
}

/// A tensor over caller memory, without copying. `release(ctx)` (if not NULL) runs exactly once, on
/// any thread, when the last tensor using the memory dies.
///
/// # Safety
/// `data` must hold `numel(shape) * dtype_size` bytes aligned for the dtype and stay valid until
/// `release` runs (or, with no `release`, for as long as any tensor over it lives).
#[no_mangle]
pub unsafe extern "C" fn cobalt_from_external(
    dtype: i32,
    shape: *const i64,
    ndim: i32,
    data: *mut c_void,
    release: Option<ReleaseFn>,
    ctx: *mut c_void,
) -> *mut CobaltTensor {
    trampoline(|| {
        let dtype = DType::from_code(dtype)?;
        let shape = read_shape(shape, ndim, None)?;
        // SAFETY: forwarded contract.
        let t = unsafe { Tensor::from_external(dtype, &shape, data as *mut u8, release, ctx)? };
        Ok(t)
    })
}

/// A tensor over caller memory tagged with a nonzero adoption `id`, without copying. When the last
/// tensor using the memory dies (on any thread), `id` is queued for `cobalt_adoptions_released`:
/// a binding keeps its buffer alive until it sees the id there, so no view, async result or job
/// can outlive the memory, whoever holds it.
///
/// # Safety
/// `shape` holds `ndim` values; `data` holds `numel(shape) * dtype_size` bytes aligned for the
/// dtype and stays valid until `id` is reported released. Returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_adopt(dtype: i32, shape: *const i64, ndim: i32, data: *mut c_void, id: u32) -> *mut CobaltTensor {
    trampoline(|| {
        if id == 0 {
            return Err(Error::InvalidArgument("adopt: the adoption id must be nonzero".into()));
        }
        let dtype = DType::from_code(dtype)?;
        let shape = read_shape(shape, ndim, None)?;
        let release: ReleaseFn = crate::storage::adoption_released;
        // SAFETY: forwarded contract; `release` only queues the id.
        unsafe { Tensor::from_external(dtype, &shape, data as *mut u8, Some(release), id as usize as *mut c_void) }
    })
}

/// The adoption id of the storage behind `t` (`cobalt_adopt`), or 0 when it is not adopted memory
/// (or `t` is not a live handle).
///
/// # Safety
/// `t` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn cobalt_adoption(t: *const CobaltTensor) -> u32 {
    trampoline(|| Ok(get(t)?.storage().adoption_id()))
}

/// Moves the ids of adopted storages that died since the last call into `out` (at most `cap`);
/// returns how many were written (call again while it returns `cap`).
///
/// # Safety
/// `out` holds `cap` writable `uint32_t`.
#[no_mangle]
pub unsafe extern "C" fn cobalt_adoptions_released(out: *mut u32, cap: i32) -> i32 {
    trampoline(|| {
        if out.is_null() || cap < 0 {
            return Err(Error::InvalidArgument("adoptions_released: out is NULL".into()));
        }
        // SAFETY: `out` holds `cap` values (contract).
        let out = unsafe { std::slice::from_raw_parts_mut(out, cap as usize) };
        Ok(Count(crate::storage::take_released_adoptions(out) as i32))
    })
}

/// A new tensor of `shape` filled with `value`.
///
/// # Safety
/// `shape` holds `ndim` values; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_full(
    dtype: i32,
    shape: *const i64,
    ndim: i32,
    value: f64,
) -> *mut CobaltTensor {
    trampoline(|| Tensor::full(DType::from_code(dtype)?, &read_shape(shape, ndim, None)?, value))
}

/// `numpy.arange(start, stop, step)` as a 1-D tensor.
///
/// # Safety
/// Returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_arange(
    dtype: i32,
    start: f64,
    stop: f64,
    step: f64,
) -> *mut CobaltTensor {
    trampoline(|| Tensor::arange(DType::from_code(dtype)?, start, stop, step))
}

/// `n` evenly spaced values from `start` to `stop` inclusive (`numpy.linspace`). `n` is a whole
/// number passed as a double (no 64-bit integer parameters).
///
/// # Safety
/// Returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_linspace(dtype: i32, start: f64, stop: f64, n: f64) -> *mut CobaltTensor {
    trampoline(|| Tensor::linspace(DType::from_code(dtype)?, start, stop, count(n, "linspace")?))
}

/// Random numbers of a float dtype: uniform in [0, 1), or standard normal when `flags & 1`.
/// With `flags & 2` the 64-bit seed `seed_hi:seed_lo` makes the result reproducible everywhere;
/// otherwise a fresh seed is drawn.
///
/// # Safety
/// `shape` holds `ndim` values; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_random(
    dtype: i32,
    shape: *const i64,
    ndim: i32,
    seed_lo: u32,
    seed_hi: u32,
    flags: i32,
) -> *mut CobaltTensor {
    trampoline(|| {
        let seed = if flags & 2 != 0 { (seed_hi as u64) << 32 | seed_lo as u64 } else { cpu::random::next_seed() };
        cpu::random::random(DType::from_code(dtype)?, &read_shape(shape, ndim, None)?, seed, flags & 1 != 0)
    })
}

// ---- inspection ---------------------------------------------------------------------------------

/// The dtype code of `t`, or a negated status on error.
///
/// # Safety
/// `t` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn cobalt_dtype(t: *const CobaltTensor) -> i32 {
    trampoline(|| Ok(Count(get(t)?.dtype() as i32)))
}

/// Writes up to `cap` dims of `t` into `out` and returns ndim (or a negated status on error).
///
/// # Safety
/// `t` is a live handle; `out` holds `cap` values (or is NULL with `cap == 0`).
#[no_mangle]
pub unsafe extern "C" fn cobalt_shape(t: *const CobaltTensor, out: *mut i64, cap: i32) -> i32 {
    trampoline(|| {
        let shape = get(t)?.shape();
        for (i, &d) in shape.iter().take(cap.max(0) as usize).enumerate() {
            // SAFETY: i < cap (contract).
            unsafe { *out.add(i) = d as i64 };
        }
        Ok(Count(shape.len() as i32))
    })
}

/// Writes up to `cap` strides of `t` (in elements) into `out` and returns ndim (or a negated status).
///
/// # Safety
/// As `cobalt_shape`.
#[no_mangle]
pub unsafe extern "C" fn cobalt_strides(t: *const CobaltTensor, out: *mut i64, cap: i32) -> i32 {
    trampoline(|| {
        let st = &get(t)?.layout().strides;
        for (i, &d) in st.iter().take(cap.max(0) as usize).enumerate() {
            // SAFETY: i < cap (contract).
            unsafe { *out.add(i) = d as i64 };
        }
        Ok(Count(st.len() as i32))
    })
}

/// 1 if `t` is row-major contiguous, 0 if not, a negated status on error.
///
/// # Safety
/// `t` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn cobalt_is_contiguous(t: *const CobaltTensor) -> i32 {
    trampoline(|| Ok(Count(get(t)?.is_contiguous() as i32)))
}

/// Pointer to the first element of `t` (NULL on error). Valid while a reference to `t` lives.
///
/// # Safety
/// `t` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn cobalt_data(t: *const CobaltTensor) -> *mut c_void {
    trampoline(|| Ok(get(t)?.data_ptr() as *mut c_void))
}

/// The base pointer of the storage behind `t` (shared by all its views), NULL on error. Writes
/// `out[0]` = the storage size in bytes, `out[1]` = the byte offset of `t`'s first element in it,
/// `out[2]` = the base address as an integer (a key that needs no pointer decoding). Lets a binding
/// map one buffer per storage instead of one per view.
///
/// # Safety
/// `t` is a live handle; `out` holds 3 writable `int64_t`.
#[no_mangle]
pub unsafe extern "C" fn cobalt_storage(t: *const CobaltTensor, out: *mut i64) -> *mut c_void {
    trampoline(|| {
        let t = get(t)?;
        if out.is_null() {
            return Err(Error::InvalidArgument("storage: out is NULL".into()));
        }
        let s = t.storage();
        let offset = t.data_ptr() as usize - s.as_ptr() as usize;
        // SAFETY: checked non-null; 3 values (contract).
        unsafe { std::ptr::copy_nonoverlapping([s.nbytes() as i64, offset as i64, s.as_ptr() as i64].as_ptr(), out, 3) };
        Ok(s.as_ptr() as *mut c_void)
    })
}

/// Copies the elements of `t` in row-major order into `dst`.
///
/// # Safety
/// `dst` holds `numel * dtype_size` bytes.
#[no_mangle]
pub unsafe extern "C" fn cobalt_copy_out(t: *const CobaltTensor, dst: *mut c_void) -> i32 {
    trampoline(|| {
        let c = get(t)?.contiguous()?;
        let n = c.numel() * c.dtype().size();
        if n > 0 {
            if dst.is_null() {
                return Err(Error::InvalidArgument("copy_out: dst is NULL".into()));
            }
            // SAFETY: dst holds n bytes (contract); c is contiguous with n bytes.
            unsafe { std::ptr::copy_nonoverlapping(c.data_ptr(), dst as *mut u8, n) };
        }
        Ok(())
    })
}

// ---- ops (each returns a new tensor or NULL) ----------------------------------------------------

/// Elementwise `a op b` with numpy broadcasting and promotion (`COBALT_ADD`...).
///
/// # Safety
/// `a`, `b` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_binary(
    op: i32,
    a: *const CobaltTensor,
    b: *const CobaltTensor,
) -> *mut CobaltTensor {
    trampoline(|| cpu::binary(BinaryOp::from_code(op)?, get(a)?, get(b)?))
}

/// Elementwise `a op s` (or `s op a` when `scalar_first != 0`); the result keeps `a`'s dtype.
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_binary_scalar(
    op: i32,
    a: *const CobaltTensor,
    s: f64,
    scalar_first: i32,
) -> *mut CobaltTensor {
    trampoline(|| cpu::binary_scalar(BinaryOp::from_code(op)?, get(a)?, s, flag(scalar_first)))
}

/// Elementwise unary op (`COBALT_NEG`, `COBALT_EXP`...).
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_unary(op: i32, a: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| cpu::unary(UnaryOp::from_code(op)?, get(a)?))
}

/// Reduction over `naxes` axes (negative axes count from the end); `naxes < 0` reduces over all
/// axes. `ddof` is the delta degrees of freedom of var and std (ignored by the others).
///
/// # Safety
/// `a` is a live handle; `axes` holds `naxes` values when `naxes > 0`; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_reduce(
    op: i32,
    a: *const CobaltTensor,
    axes: *const i32,
    naxes: i32,
    keepdims: i32,
    ddof: f64,
) -> *mut CobaltTensor {
    trampoline(|| {
        let op = ReduceOp::from_code(op)?;
        // SAFETY: forwarded contract on `axes`.
        let list = unsafe { read_axes(axes, naxes) }?;
        cpu::reduce(op, get(a)?, list.as_deref(), flag(keepdims), ddof)
    })
}

/// A scan along `axis` (`COBALT_CUMSUM`, `COBALT_CUMPROD`, `COBALT_SOFTMAX`, `COBALT_LOG_SOFTMAX`);
/// with `flatten != 0` the tensor is flattened first and `axis` is ignored.
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_scan(op: i32, a: *const CobaltTensor, axis: i32, flatten: i32) -> *mut CobaltTensor {
    trampoline(|| cpu::scan(ScanOp::from_code(op)?, get(a)?, if flag(flatten) { None } else { Some(axis as i64) }))
}

/// Matrix product (1-D and 2-D operands, numpy rules).
///
/// # Safety
/// `a`, `b` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_matmul(
    a: *const CobaltTensor,
    b: *const CobaltTensor,
) -> *mut CobaltTensor {
    trampoline(|| cpu::matmul(get(a)?, get(b)?))
}

/// A tensor with another shape (one dim may be -1); a view sharing storage when `a` is contiguous,
/// otherwise a copy.
///
/// # Safety
/// `a` is a live handle; `shape` holds `ndim` values; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_reshape(
    a: *const CobaltTensor,
    shape: *const i64,
    ndim: i32,
) -> *mut CobaltTensor {
    trampoline(|| {
        let t = get(a)?;
        t.reshape(&read_shape(shape, ndim, Some(t.numel()))?)
    })
}

/// A view with dims permuted by `perm` (negative entries count from the end); `n < 0` reverses the dims.
///
/// # Safety
/// `a` is a live handle; `perm` holds `n` values when `n > 0`; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_permute(
    a: *const CobaltTensor,
    perm: *const i32,
    n: i32,
) -> *mut CobaltTensor {
    trampoline(|| {
        let t = get(a)?;
        if n < 0 {
            return Ok(t.transpose());
        }
        if n > 0 && perm.is_null() {
            return Err(Error::InvalidArgument("permute: perm pointer is NULL".into()));
        }
        let raw: &[i32] = if n == 0 {
            &[]
        } else {
            // SAFETY: `perm` holds `n` values (contract).
            unsafe { std::slice::from_raw_parts(perm, n as usize) }
        };
        let p = raw
            .iter()
            .map(|&x| crate::shape::normalize_axis("permute", x as i64, t.ndim()))
            .collect::<Result<Vec<_>>>()?;
        t.permute(&p)
    })
}

/// `a` in a contiguous layout: a new reference to `a` itself when already contiguous, else a copy.
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_contiguous(a: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| get(a)?.contiguous())
}

/// A contiguous copy of `a` in new storage (never shared).
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_clone(a: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| cpu::copy_contiguous(get(a)?))
}

/// `a` converted to `dtype` (a contiguous copy; shares storage when the dtype is unchanged).
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_astype(a: *const CobaltTensor, dtype: i32) -> *mut CobaltTensor {
    trampoline(|| get(a)?.astype(DType::from_code(dtype)?))
}

/// A view of `a` broadcast to `shape` (stride 0 on stretched dims).
///
/// # Safety
/// `a` is a live handle; `shape` holds `ndim` values; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_expand(a: *const CobaltTensor, shape: *const i64, ndim: i32) -> *mut CobaltTensor {
    trampoline(|| get(a)?.expand(&read_shape(shape, ndim, None)?))
}

/// A view with `shape` and `strides` (in elements, may be negative or 0) starting `offset`
/// elements from `a`'s first element; refused unless it stays inside `a`'s storage. `offset` is a
/// whole number passed as a double.
///
/// # Safety
/// `a` is a live handle; `shape` and `strides` hold `ndim` values; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_as_strided(
    a: *const CobaltTensor,
    shape: *const i64,
    strides: *const i64,
    ndim: i32,
    offset: f64,
) -> *mut CobaltTensor {
    trampoline(|| {
        let t = get(a)?;
        let shape = read_shape(shape, ndim, None)?;
        if ndim > 0 && strides.is_null() {
            return Err(Error::InvalidArgument("as_strided: strides pointer is NULL".into()));
        }
        let st: Vec<isize> = if ndim == 0 {
            vec![]
        } else {
            // SAFETY: `strides` holds `ndim` values (contract).
            unsafe { std::slice::from_raw_parts(strides, ndim as usize) }.iter().map(|&s| s as isize).collect()
        };
        if offset.fract() != 0.0 || !offset.is_finite() {
            return Err(Error::InvalidArgument(format!("as_strided: offset {offset} is not a whole number")));
        }
        t.as_strided(&shape, &st, offset as isize)
    })
}

/// Joins `n` tensors along `axis` (dtypes promote).
///
/// # Safety
/// `ts` holds `n` live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_concat(ts: *const *const CobaltTensor, n: i32, axis: i32) -> *mut CobaltTensor {
    trampoline(|| {
        if n <= 0 || ts.is_null() {
            return Err(Error::InvalidArgument("concat: needs at least one tensor".into()));
        }
        // SAFETY: `ts` holds `n` handles (contract).
        let hs = unsafe { std::slice::from_raw_parts(ts, n as usize) };
        let list = hs.iter().map(|&h| get(h)).collect::<Result<Vec<_>>>()?;
        cpu::concat(&list, axis as i64)
    })
}

/// numpy `take(a, idx, axis)`: elements of `a` at integer indices `idx` along `axis`.
///
/// # Safety
/// `a`, `idx` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_index_select(a: *const CobaltTensor, axis: i32, idx: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| cpu::index_select(get(a)?, axis as i64, get(idx)?))
}

/// torch `gather`: values of `a` picked along `axis` by `index` (same ndim as `a`).
///
/// # Safety
/// `a`, `index` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_gather(a: *const CobaltTensor, axis: i32, index: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| cpu::gather(get(a)?, axis as i64, get(index)?))
}

/// `cond ? a : b` with three-way broadcasting.
///
/// # Safety
/// All three are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_where(
    cond: *const CobaltTensor,
    a: *const CobaltTensor,
    b: *const CobaltTensor,
) -> *mut CobaltTensor {
    trampoline(|| cpu::where_(get(cond)?, get(a)?, get(b)?))
}

/// int64 indices that sort `a` along `axis` (stable; NaN sorts as the largest value).
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_argsort(a: *const CobaltTensor, axis: i32, descending: i32) -> *mut CobaltTensor {
    trampoline(|| cpu::argsort(get(a)?, axis as i64, flag(descending)))
}

// ---- in place -----------------------------------------------------------------------------------

/// Writes `src` (broadcast, converted) into the elements of `dst`, which may be a view.
///
/// # Safety
/// `dst`, `src` are live handles.
#[no_mangle]
pub unsafe extern "C" fn cobalt_copy_into(dst: *const CobaltTensor, src: *const CobaltTensor) -> i32 {
    trampoline(|| cpu::copy_into(get(dst)?, get(src)?))
}

// ---- files --------------------------------------------------------------------------------------

/// A 1-D uint8 tensor over a private (copy-on-write) mapping of the whole file at `path` (UTF-8,
/// `len` bytes, no NUL needed). The mapping is unmapped when the last view of it dies. For
/// zero-copy loading: read a header through it, then `cobalt_reinterpret` the data.
///
/// # Safety
/// `path` holds `len` bytes; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_map_file(path: *const u8, len: i32) -> *mut CobaltTensor {
    trampoline(|| {
        if path.is_null() || len < 0 {
            return Err(Error::InvalidArgument("map_file: path is NULL".into()));
        }
        // SAFETY: `path` holds `len` bytes (contract).
        let bytes = unsafe { std::slice::from_raw_parts(path, len as usize) };
        let p = std::str::from_utf8(bytes).map_err(|_| Error::InvalidArgument("map_file: path is not UTF-8".into()))?;
        Tensor::map_file(std::path::Path::new(p))
    })
}

/// A contiguous view of `a`'s storage bytes from `byte_offset` (a whole number as a double), read as
/// `dtype` with `shape`; refused unless it fits and is aligned. No copy.
///
/// # Safety
/// `a` is a live handle; `shape` holds `ndim` values; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_reinterpret(
    a: *const CobaltTensor,
    dtype: i32,
    shape: *const i64,
    ndim: i32,
    byte_offset: f64,
) -> *mut CobaltTensor {
    trampoline(|| {
        if !(byte_offset >= 0.0 && byte_offset.fract() == 0.0 && byte_offset < EXACT_INT_LIMIT) {
            return Err(Error::InvalidArgument(format!("reinterpret: bad byte offset {byte_offset}")));
        }
        get(a)?.reinterpret(DType::from_code(dtype)?, &read_shape(shape, ndim, None)?, byte_offset as usize)
    })
}

/// A contiguous copy of `a` with each element's bytes reversed (for big-endian data).
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_byteswap(a: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| get(a)?.byteswap())
}

// ---- async jobs and the thread pool -------------------------------------------------------------

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
        Ok(Job::submit(vec![a, b], |t| cpu::matmul(&t[0], &t[1])))
    })
}

/// `cobalt_binary` on the pool.
///
/// # Safety
/// As `cobalt_matmul_async`.
#[no_mangle]
pub unsafe extern "C" fn cobalt_binary_async(op: i32, a: *const CobaltTensor, b: *const CobaltTensor) -> *mut CobaltJob {
    trampoline(|| {
        let (op, a, b) = (BinaryOp::from_code(op)?, get(a)?.clone(), get(b)?.clone());
        Ok(Job::submit(vec![a, b], move |t| cpu::binary(op, &t[0], &t[1])))
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
        Ok(Job::submit(vec![a], move |t| cpu::unary(op, &t[0])))
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
        Ok(Job::submit(vec![a], move |t| cpu::reduce(op, &t[0], list.as_deref(), keep, ddof)))
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
        Ok(Job::submit(vec![a], move |t| t[0].astype(d)))
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
        Ok(Job::submit(vec![a], |t| t[0].contiguous()))
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

// ---- sharing with other threads -----------------------------------------------------------------

fn shares() -> &'static std::sync::Mutex<std::collections::HashMap<u64, usize>> {
    static S: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<u64, usize>>> = std::sync::OnceLock::new();
    S.get_or_init(Default::default)
}

/// A fresh share token: nonzero, below 2^53 (exact as a double), hard to guess.
fn next_token() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let seed = *SEED.get_or_init(|| {
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64);
        let local = 0u8;
        t ^ (&local as *const u8 as u64).rotate_left(32) ^ (std::process::id() as u64) << 16
    });
    let mut z = seed.wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11).max(1)
}

/// The key of a share token: a whole number in `1..2^53`.
fn share_token(token: f64) -> Option<u64> {
    ((1.0..EXACT_INT_LIMIT).contains(&token) && token.fract() == 0.0).then_some(token as u64)
}

/// Hands one reference to `t` to another thread: returns a token (a whole number below 2^53, as a
/// double) that `cobalt_from_shared` redeems exactly once, on any thread; 0 on failure. A tensor
/// over adopted memory (`cobalt_adopt`) is copied first, since that memory belongs to one thread.
///
/// # Safety
/// `t` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn cobalt_share(t: *const CobaltTensor) -> f64 {
    trampoline(|| {
        let src = get(t)?;
        let h = if src.storage().adoption_id() != 0 {
            into_handle(cpu::copy_contiguous(src)?)
        } else {
            // SAFETY: `t` is live (checked above); the new reference goes into the table.
            unsafe { Arc::increment_strong_count(t) };
            t as *mut CobaltTensor
        };
        let mut table = shares().lock().unwrap_or_else(|e| e.into_inner());
        let mut k = next_token();
        while table.contains_key(&k) {
            k = next_token();
        }
        table.insert(k, h as usize);
        Ok(Plain::<f64, 0>(k as f64))
    })
}

/// Redeems a `cobalt_share` token: the shared tensor (+1), or NULL with `COBALT_INVALID_ARGUMENT`
/// when the token is unknown or was redeemed already (never a double release).
#[no_mangle]
pub extern "C" fn cobalt_from_shared(token: f64) -> *mut CobaltTensor {
    trampoline(|| {
        let Some(k) = share_token(token) else {
            return Err(Error::InvalidArgument(format!("fromShared: {token} is not a share token")));
        };
        let h = shares().lock().unwrap_or_else(|e| e.into_inner()).remove(&k);
        match h {
            Some(h) => Ok(h as *mut CobaltTensor),
            None => Err(Error::InvalidArgument(
                "fromShared: unknown share token (claimed already, or not made by cb.share in this process)".into(),
            )),
        }
    })
}

/// Drops an unredeemed `cobalt_share` token and its reference; returns 1 if it was outstanding, 0 if not.
#[no_mangle]
pub extern "C" fn cobalt_unshare(token: f64) -> i32 {
    trampoline(|| {
        let h = share_token(token).and_then(|k| shares().lock().unwrap_or_else(|e| e.into_inner()).remove(&k));
        Ok(Plain::<i32, 0>(match h {
            Some(h) => {
                // SAFETY: the table held one reference to this live handle.
                unsafe { cobalt_release(h as *const CobaltTensor) };
                1
            }
            None => 0,
        }))
    })
}

#[cfg(test)]
mod tests {
    use crate::dtype::DType;
    use crate::tensor::Tensor;
    use std::ffi::c_void;
    use super::*;

    #[test]
    fn references_owned_by_a_thread_are_released_when_it_exits() {
        let t = trampoline(|| Tensor::zeros(DType::F32, &[3]));
        let addr = t as usize;
        unsafe { cobalt_retain(t) };
        std::thread::spawn(move || {
            let t = addr as *const CobaltTensor;
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
        unsafe {
            assert_eq!(cobalt_refcount(t), 2);
            cobalt_release(t);
            cobalt_release(t);
        }
    }

    #[test]
    fn share_tokens_redeem_once_and_reject_made_up_values() {
        let t = trampoline(|| Tensor::zeros(DType::F32, &[3]));
        let token = unsafe { cobalt_share(t) };
        assert_eq!(share_token(token), Some(token as u64));
        unsafe { assert_eq!(cobalt_refcount(t), 2) };
        assert!(cobalt_from_shared(token + 1.0).is_null());
        assert!(cobalt_from_shared(0.5).is_null());
        assert!(cobalt_from_shared(f64::NAN).is_null());
        let u = cobalt_from_shared(token);
        assert_eq!(u, t);
        assert!(cobalt_from_shared(token).is_null(), "a second claim fails");
        assert_eq!(cobalt_last_status(), 1);
        let t2 = unsafe { cobalt_share(t) };
        assert_eq!(cobalt_unshare(t2), 1);
        assert_eq!(cobalt_unshare(t2), 0);
        unsafe {
            assert_eq!(cobalt_refcount(t), 2);
            cobalt_release(u);
            cobalt_release(t);
        }
    }

    #[test]
    fn shared_adopted_memory_is_copied() {
        let mut buf = [1.0f32, 2.0, 3.0];
        let shape = [3i64];
        let t = unsafe { cobalt_adopt(0, shape.as_ptr(), 1, buf.as_mut_ptr() as *mut c_void, 77) };
        assert!(!t.is_null());
        assert_eq!(unsafe { cobalt_adoption(t) }, 77);
        let u = cobalt_from_shared(unsafe { cobalt_share(t) });
        assert_eq!(unsafe { cobalt_adoption(u) }, 0);
        buf[0] = 9.0;
        assert_eq!(get(u).unwrap().as_slice::<f32>(), &[1.0, 2.0, 3.0]);
        unsafe {
            cobalt_release(u);
            cobalt_release(t);
        }
        assert!(unsafe { cobalt_adopt(0, shape.as_ptr(), 1, buf.as_mut_ptr() as *mut c_void, 0) }.is_null());
    }
}
