//! Calls that make a tensor: from caller data (copied, external or adopted memory), filled,
//! ranges and random numbers.
//!
//! The `creation` section of `cobalt.h`.

use super::args::{count, read_shape};
use super::handle::{get, CobaltTensor};
use super::trampoline::{trampoline, Count};
use crate::cpu;
use crate::dtype::DType;
use crate::error::Error;
use crate::storage::ReleaseFn;
use crate::tensor::Tensor;
use std::ffi::c_void;

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
pub unsafe extern "C" fn cobalt_adopt(
    dtype: i32,
    shape: *const i64,
    ndim: i32,
    data: *mut c_void,
    id: u32,
) -> *mut CobaltTensor {
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
pub unsafe extern "C" fn cobalt_full(dtype: i32, shape: *const i64, ndim: i32, value: f64) -> *mut CobaltTensor {
    trampoline(|| Tensor::full(DType::from_code(dtype)?, &read_shape(shape, ndim, None)?, value))
}

/// `numpy.arange(start, stop, step)` as a 1-D tensor.
///
/// # Safety
/// Returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_arange(dtype: i32, start: f64, stop: f64, step: f64) -> *mut CobaltTensor {
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
        crate::ops::random(DType::from_code(dtype)?, &read_shape(shape, ndim, None)?, seed, flags & 1 != 0)
    })
}
