//! Shape rules: element counts with overflow checks, numpy broadcasting, axis normalisation.

use crate::error::{Error, Result};

/// Number of elements of `shape`, or `OutOfMemory` when the product overflows `usize`.
pub fn numel(shape: &[usize]) -> Result<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).ok_or_else(|| {
        Error::OutOfMemory(format!(
            "shape {} has more elements than fit in memory",
            crate::error::fmt_shape(shape)
        ))
    })
}

/// Row-major (C order) strides, in elements.
pub fn contiguous_strides(shape: &[usize]) -> Vec<isize> {
    let mut strides = vec![0isize; shape.len()];
    let mut acc = 1isize;
    for i in (0..shape.len()).rev() {
        strides[i] = acc;
        acc = acc.wrapping_mul(shape[i].max(1) as isize);
    }
    strides
}

/// numpy broadcasting: align from the right; each pair of dims must be equal or one of them 1.
pub fn broadcast_shapes(op: &'static str, a: &[usize], b: &[usize]) -> Result<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i + a.len() >= n { a[i + a.len() - n] } else { 1 };
        let db = if i + b.len() >= n { b[i + b.len() - n] } else { 1 };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return Err(Error::shape(op, a, b));
        };
    }
    Ok(out)
}

/// Maps a possibly negative axis onto `0..ndim`, or an `Axis` error naming the op.
pub fn normalize_axis(op: &str, axis: i64, ndim: usize) -> Result<usize> {
    let n = ndim as i64;
    let a = if axis < 0 { axis + n } else { axis };
    if a < 0 || a >= n {
        return Err(Error::Axis(format!(
            "{op}: axis {axis} is out of bounds for a tensor of dimension {ndim}"
        )));
    }
    Ok(a as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast_shapes("t", &[2, 3], &[3]).unwrap(), vec![2, 3]);
        assert_eq!(broadcast_shapes("t", &[4, 1, 3], &[5, 1]).unwrap(), vec![4, 5, 3]);
        assert_eq!(broadcast_shapes("t", &[], &[2]).unwrap(), vec![2]);
        assert_eq!(broadcast_shapes("t", &[0, 3], &[1, 3]).unwrap(), vec![0, 3]);
        let e = broadcast_shapes("add", &[2, 3], &[4]).unwrap_err();
        assert_eq!(e.to_string(), "add: shapes (2, 3) and (4,) are not compatible");
    }

    #[test]
    fn numel_detects_overflow() {
        assert_eq!(numel(&[]).unwrap(), 1);
        assert_eq!(numel(&[3, 0, 5]).unwrap(), 0);
        assert!(matches!(numel(&[usize::MAX, 2]), Err(Error::OutOfMemory(_))));
    }

    #[test]
    fn axes_normalise() {
        assert_eq!(normalize_axis("sum", -1, 3).unwrap(), 2);
        assert!(normalize_axis("sum", 3, 3).is_err());
        assert!(normalize_axis("sum", -4, 3).is_err());
    }

    #[test]
    fn strides_are_row_major() {
        assert_eq!(contiguous_strides(&[2, 3, 4]), vec![12, 4, 1]);
        assert_eq!(contiguous_strides(&[]), Vec::<isize>::new());
    }
}
