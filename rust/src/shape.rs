//! Shape rules: element counts with overflow checks, numpy broadcasting, axis normalisation.

use crate::error::{Error, Result};
use std::ops::{Deref, DerefMut};

/// Dims kept inline (no heap allocation) up to this many: the common case for small-op latency.
const INLINE: usize = 4;

/// A short vector of dims or strides that lives inline up to 4 entries and spills to the heap beyond.
#[derive(Clone)]
pub enum Dims<T: Copy + Default> {
    Inline(u8, [T; INLINE]),
    Heap(Box<[T]>),
}

impl<T: Copy + Default> Dims<T> {
    /// `n` copies of `v`.
    #[inline]
    pub fn filled(n: usize, v: T) -> Self {
        if n <= INLINE {
            Dims::Inline(n as u8, [v; INLINE])
        } else {
            Dims::Heap(vec![v; n].into_boxed_slice())
        }
    }
}

impl<T: Copy + Default> Deref for Dims<T> {
    type Target = [T];
    #[inline]
    fn deref(&self) -> &[T] {
        match self {
            Dims::Inline(n, a) => &a[..*n as usize],
            Dims::Heap(b) => b,
        }
    }
}

impl<T: Copy + Default> DerefMut for Dims<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            Dims::Inline(n, a) => &mut a[..*n as usize],
            Dims::Heap(b) => b,
        }
    }
}

impl<T: Copy + Default> From<&[T]> for Dims<T> {
    #[inline]
    fn from(s: &[T]) -> Self {
        if s.len() <= INLINE {
            let mut a = [T::default(); INLINE];
            a[..s.len()].copy_from_slice(s);
            Dims::Inline(s.len() as u8, a)
        } else {
            Dims::Heap(s.into())
        }
    }
}

impl<T: Copy + Default> FromIterator<T> for Dims<T> {
    fn from_iter<I: IntoIterator<Item = T>>(it: I) -> Self {
        let mut a = [T::default(); INLINE];
        let mut len = 0;
        let mut it = it.into_iter();
        for v in it.by_ref() {
            if len == INLINE {
                let mut heap: Vec<T> = a.to_vec();
                heap.push(v);
                heap.extend(it);
                return Dims::Heap(heap.into_boxed_slice());
            }
            a[len] = v;
            len += 1;
        }
        Dims::Inline(len as u8, a)
    }
}

impl<T: Copy + Default + PartialEq> PartialEq for Dims<T> {
    fn eq(&self, o: &Self) -> bool {
        **self == **o
    }
}

impl<T: Copy + Default + std::fmt::Debug> std::fmt::Debug for Dims<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

/// Number of elements of `shape`, or `OutOfMemory` when the product overflows `usize`.
pub fn numel(shape: &[usize]) -> Result<usize> {
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).ok_or_else(|| {
        Error::OutOfMemory(format!("shape {} has more elements than fit in memory", crate::error::fmt_shape(shape)))
    })
}

/// Row-major (C order) strides, in elements.
#[inline]
pub fn contiguous_strides(shape: &[usize]) -> Dims<isize> {
    let mut strides = Dims::filled(shape.len(), 0isize);
    let mut acc = 1isize;
    for (s, &d) in strides.iter_mut().zip(shape).rev() {
        *s = acc;
        acc = acc.wrapping_mul(d.max(1) as isize);
    }
    strides
}

/// numpy broadcasting: align from the right; each pair of dims must be equal or one of them 1.
pub fn broadcast_shapes(op: &'static str, a: &[usize], b: &[usize]) -> Result<Dims<usize>> {
    let n = a.len().max(b.len());
    let mut out = Dims::filled(n, 0);
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
        return Err(Error::Axis(format!("{op}: axis {axis} is out of bounds for a tensor of dimension {ndim}")));
    }
    Ok(a as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(*broadcast_shapes("t", &[2, 3], &[3]).unwrap(), [2, 3]);
        assert_eq!(*broadcast_shapes("t", &[4, 1, 3], &[5, 1]).unwrap(), [4, 5, 3]);
        assert_eq!(*broadcast_shapes("t", &[], &[2]).unwrap(), [2]);
        assert_eq!(*broadcast_shapes("t", &[0, 3], &[1, 3]).unwrap(), [0, 3]);
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
        assert_eq!(*contiguous_strides(&[2, 3, 4]), [12, 4, 1]);
        assert!(contiguous_strides(&[]).is_empty());
    }

    #[test]
    fn dims_spill_past_inline() {
        let d: Dims<usize> = (0..9).collect();
        assert_eq!(*d, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
        let e: Dims<usize> = (0..3).collect();
        assert_eq!(*e, [0, 1, 2]);
        assert_eq!(Dims::from(&d[..]), d);
    }
}
