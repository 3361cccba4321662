//! Reading a tensor: dtype, shape, strides, data and storage pointers, a copy of its elements.
//!
//! The `inspection` section of `cobalt.h`.

use super::handle::{get, CobaltTensor};
use super::trampoline::{trampoline, Count};
use crate::error::Error;
use std::ffi::c_void;

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
        unsafe {
            std::ptr::copy_nonoverlapping([s.nbytes() as i64, offset as i64, s.as_ptr() as i64].as_ptr(), out, 3)
        };
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
