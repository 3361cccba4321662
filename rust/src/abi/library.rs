//! Library-wide calls: the ABI version, status codes and the per-thread last status and error,
//! memory accounting and the memory limit.
//!
//! The `library` section of `cobalt.h`.

use super::handle::{get, CobaltTensor};
use super::trampoline::{trampoline, Block, Plain, Void, LAST_ERROR, LAST_STATUS};
use super::COBALT_ABI_VERSION;
use crate::error::Error;
use crate::storage::memory_stats;
use std::ffi::c_char;
use std::sync::Arc;

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
        9 => b"LINALG\0",
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
        unsafe {
            std::ptr::copy_nonoverlapping([m.tensors, m.bytes, m.external_bytes, m.cached_bytes].as_ptr(), out, 4)
        };
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

/// The layout of a scratch block of `bytes` bytes, or the reason there is none.
fn scratch_layout(bytes: f64) -> Result<std::alloc::Layout, Error> {
    if !(bytes >= 0.0 && bytes.fract() == 0.0 && bytes <= isize::MAX as f64) {
        return Err(Error::InvalidArgument(format!("scratch size {bytes} is not a whole number of bytes >= 0")));
    }
    std::alloc::Layout::from_size_align((bytes as usize).max(1), 16)
        .map_err(|_| Error::OutOfMemory(format!("scratch of {bytes} bytes")))
}

/// `bytes` of uninitialised memory aligned to 16 (at least one byte is allocated), for hosts that
/// pass buffer arguments through the library's own memory (the WebAssembly build: JS memory is
/// outside linear memory). NULL on failure. Not counted against the memory limit.
#[no_mangle]
pub extern "C" fn cobalt_scratch_alloc(bytes: f64) -> *mut u8 {
    trampoline(|| {
        let layout = scratch_layout(bytes)?;
        // SAFETY: the layout has a non-zero size.
        let p = unsafe { std::alloc::alloc(layout) };
        if p.is_null() {
            return Err(Error::OutOfMemory(format!("scratch of {bytes} bytes")));
        }
        Ok(Block(p))
    })
}

/// Frees a block from [`cobalt_scratch_alloc`]; NULL is ignored.
///
/// # Safety
/// `p` is NULL or came from `cobalt_scratch_alloc(bytes)` with this `bytes`, and is freed once.
#[no_mangle]
pub unsafe extern "C" fn cobalt_scratch_free(p: *mut u8, bytes: f64) {
    trampoline(|| {
        if !p.is_null() {
            let layout = scratch_layout(bytes)?;
            // SAFETY: `p` was allocated with this layout (contract).
            unsafe { std::alloc::dealloc(p, layout) };
        }
        Ok(Void)
    })
}

/// Sets the memory limit from text in `COBALT_MEMORY_LIMIT`'s syntax ("8G", "50%", "none"): for hosts
/// whose environment the library cannot read (on wasm32-unknown-unknown `std::env` is empty).
///
/// # Safety
/// `text` must be valid for `len` bytes of reads.
#[no_mangle]
pub unsafe extern "C" fn cobalt_set_memory_limit_text(text: *const u8, len: i32) -> i32 {
    trampoline(|| {
        if text.is_null() || len < 0 {
            return Err(Error::InvalidArgument("memory limit text is NULL or has a negative length".into()));
        }
        // SAFETY: `text` holds `len` bytes (contract).
        let bytes = unsafe { std::slice::from_raw_parts(text, len as usize) };
        let v =
            std::str::from_utf8(bytes).map_err(|_| Error::InvalidArgument("memory limit text is not UTF-8".into()))?;
        let limit = crate::storage::parse_limit(v, crate::storage::physical_memory()).ok_or_else(|| {
            Error::InvalidArgument(format!(
                "memory limit {v:?} is not understood (expected bytes like 8G, 50%, or none)"
            ))
        })?;
        crate::storage::set_memory_limit(limit);
        Ok(())
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
