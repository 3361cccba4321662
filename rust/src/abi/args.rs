//! Reading the non-handle arguments of exported functions: shapes, axes, flags, whole numbers.

use super::COBALT_MAX_NDIM;
use crate::error::{Error, Result};
use crate::shape::Dims;

/// 2^53: every whole number below it is exact as a double (counts, offsets and tokens cross the
/// ABI as doubles, since Deno passes 64-bit integers as BigInt).
pub(super) const EXACT_INT_LIMIT: f64 = 9_007_199_254_740_992.0;

/// Reads a shape argument; a dim of -1 is allowed only when `infer_for` is given (reshape), and is
/// replaced so the element count matches.
pub(super) fn read_shape(shape: *const i64, ndim: i32, infer_for: Option<usize>) -> Result<Dims<usize>> {
    if ndim < 0 || ndim as usize > COBALT_MAX_NDIM {
        return Err(Error::InvalidArgument(format!("ndim {ndim} is out of range 0..={COBALT_MAX_NDIM}")));
    }
    if ndim > 0 && shape.is_null() {
        return Err(Error::InvalidArgument("shape pointer is NULL".into()));
    }
    let raw: &[i64] = if ndim == 0 {
        &[]
    } else {
        // SAFETY: non-null and `ndim` long (ABI contract).
        unsafe { std::slice::from_raw_parts(shape, ndim as usize) }
    };
    let mut infer_at = None;
    let mut dims = Dims::filled(raw.len(), 0usize);
    for (i, &d) in raw.iter().enumerate() {
        if d == -1 && infer_for.is_some() && infer_at.is_none() {
            infer_at = Some(i);
            dims[i] = 1;
        } else if d < 0 {
            return Err(Error::InvalidArgument(format!("negative dimension {d} in shape {raw:?}")));
        } else {
            dims[i] = usize::try_from(d).map_err(|_| Error::OutOfMemory(format!("dimension {d} is too large")))?;
        }
    }
    if let (Some(i), Some(total)) = (infer_at, infer_for) {
        let known = crate::shape::numel(&dims)?;
        if known == 0 || total % known != 0 {
            return Err(Error::InvalidArgument(format!(
                "reshape: cannot infer -1 in shape {raw:?} for {total} elements"
            )));
        }
        dims[i] = total / known;
    }
    Ok(dims)
}

/// Reads an axes argument: `naxes < 0` means all axes (`None`).
///
/// # Safety
/// `axes` holds `naxes` values when `naxes > 0`.
pub(super) unsafe fn read_axes(axes: *const i32, naxes: i32) -> Result<Option<Vec<i64>>> {
    if naxes < 0 {
        return Ok(None);
    }
    if naxes == 0 {
        return Ok(Some(vec![]));
    }
    if axes.is_null() {
        return Err(Error::InvalidArgument("reduce: axes pointer is NULL".into()));
    }
    // more axes than dims can never be valid (each may appear once): refuse before reading them
    if naxes as usize > COBALT_MAX_NDIM {
        return Err(Error::Axis(format!("reduce: {naxes} axes is more than {COBALT_MAX_NDIM}")));
    }
    // SAFETY: `axes` holds `naxes` values (contract).
    Ok(Some(unsafe { std::slice::from_raw_parts(axes, naxes as usize) }.iter().map(|&x| x as i64).collect()))
}

/// A C boolean: nonzero is true.
pub(super) fn flag(x: i32) -> bool {
    x != 0
}

/// A count passed as a double: a whole number in `0..2^53`.
pub(super) fn count(n: f64, op: &str) -> Result<usize> {
    if !(n >= 0.0 && n.fract() == 0.0 && n < EXACT_INT_LIMIT) {
        return Err(Error::InvalidArgument(format!("{op}: count must be a non-negative integer, got {n}")));
    }
    Ok(n as usize)
}
