//! Memory-mapped files, and reading raw bytes as tensors.
//!
//! The `files` section of `cobalt.h`.

use super::args::{read_shape, EXACT_INT_LIMIT};
use super::handle::{get, CobaltTensor};
use super::trampoline::trampoline;
use crate::dtype::DType;
use crate::error::Error;
use crate::tensor::Tensor;

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
