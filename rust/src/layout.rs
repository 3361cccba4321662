//! Layout: how a tensor's elements sit in its storage (shape, strides in elements, offset).

use crate::error::{Error, Result};
use crate::shape::{contiguous_strides, numel, Dims};

/// Shape, strides (in elements, may be 0 for broadcast dims) and the element offset of the first element.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub shape: Dims<usize>,
    pub strides: Dims<isize>,
    pub offset: usize,
    contiguous: bool, // cached: asked on every op
}

impl Layout {
    /// A row-major layout starting at element 0.
    pub fn contiguous(shape: &[usize]) -> Layout {
        Layout { shape: shape.into(), strides: contiguous_strides(shape), offset: 0, contiguous: true }
    }

    /// The same layout starting at element `offset`.
    pub fn with_offset(self, offset: usize) -> Layout {
        Layout { offset, ..self }
    }

    /// A layout from parts (strides in elements).
    pub fn new(shape: Dims<usize>, strides: Dims<isize>, offset: usize) -> Layout {
        let contiguous = row_major(&shape, &strides);
        Layout { shape, strides, offset, contiguous }
    }

    /// Number of dimensions.
    pub fn ndim(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements (the shape was validated when the layout was built, so this cannot overflow).
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when elements are laid out row-major without gaps (dims of size 1 may have any stride).
    #[inline]
    pub fn is_contiguous(&self) -> bool {
        self.contiguous
    }

    /// The layout with dims reordered by `perm` (a permutation of `0..ndim`).
    pub fn permute(&self, perm: &[usize]) -> Result<Layout> {
        let n = self.ndim();
        let mut seen = vec![false; n];
        if perm.len() != n || perm.iter().any(|&p| p >= n || std::mem::replace(&mut seen[p], true)) {
            return Err(Error::Axis(format!("permute: axes {perm:?} are not a permutation of 0..{n}")));
        }
        Ok(Layout::new(
            perm.iter().map(|&p| self.shape[p]).collect(),
            perm.iter().map(|&p| self.strides[p]).collect(),
            self.offset,
        ))
    }

    /// A view with `shape` over the same elements, if one exists without copying.
    /// Only contiguous layouts are reshaped in place; others return `None` (the caller copies).
    pub fn reshape(&self, shape: &[usize]) -> Result<Option<Layout>> {
        if numel(shape)? != self.numel() {
            return Err(Error::shape("reshape", &self.shape, shape));
        }
        if !self.is_contiguous() {
            return Ok(None);
        }
        Ok(Some(Layout { offset: self.offset, ..Layout::contiguous(shape) }))
    }

    /// Strides of this layout broadcast to `shape` (which must be a broadcast of our shape): 0 on new
    /// or stretched dims.
    pub fn broadcast_strides(&self, shape: &[usize]) -> Dims<isize> {
        let pad = shape.len() - self.ndim();
        (0..shape.len())
            .map(|i| if i < pad || self.shape[i - pad] == 1 && shape[i] != 1 { 0 } else { self.strides[i - pad] })
            .collect()
    }
}

/// The lowest and highest element offsets that a non-empty view of `shape` with `strides` starting
/// at element `start` reaches. Computed in i128, which holds any `(dim - 1) * stride`; the sums
/// saturate, and only ever outwards (`lo` down, `hi` up), so a saturated bound is out of range of
/// any storage. NOTE: in 64 bits the products and sums wrap, and a view far outside its storage
/// could pass a bounds check.
pub fn extent(shape: &[usize], strides: &[isize], start: i128) -> (i128, i128) {
    let (mut lo, mut hi) = (start, start);
    for (&d, &s) in shape.iter().zip(strides) {
        let span = (d as i128 - 1) * s as i128;
        if span < 0 {
            lo = lo.saturating_add(span);
        } else {
            hi = hi.saturating_add(span);
        }
    }
    (lo, hi)
}

/// True when `strides` walk `shape` row-major without gaps (dims of size 1 may have any stride).
fn row_major(shape: &[usize], strides: &[isize]) -> bool {
    let mut expected = 1isize;
    for i in (0..shape.len()).rev() {
        if shape[i] != 1 && strides[i] != expected {
            return false;
        }
        expected *= shape[i] as isize;
    }
    true
}

/// Walks `N` layouts in step over one `shape`, in row-major order: calls `f(offsets)` for every
/// element, where `offsets[i]` is the element's offset in the i-th layout (`strides[i]`, starting
/// at `starts[i]`; a stride may be 0 for a broadcast dim). The innermost dim is a tight loop and
/// the outer dims an odometer. The running offsets step past the last element of a dim before
/// they step back, so they wrap (harmlessly: a valid layout's offsets come out right) where a
/// size-1 dim has a huge stride.
#[inline]
pub fn for_each_offsets<const N: usize>(
    shape: &[usize],
    strides: [&[isize]; N],
    starts: [usize; N],
    mut f: impl FnMut([usize; N]),
) {
    if shape.contains(&0) {
        return;
    }
    if shape.is_empty() {
        f(starts);
        return;
    }
    let nd = shape.len();
    let inner = shape[nd - 1];
    let istride: [isize; N] = std::array::from_fn(|i| strides[i][nd - 1]);
    let mut idx = Dims::filled(nd, 0usize);
    let mut base: [isize; N] = starts.map(|s| s as isize);
    loop {
        let mut off = base;
        for _ in 0..inner {
            f(off.map(|o| o as usize));
            for i in 0..N {
                off[i] = off[i].wrapping_add(istride[i]);
            }
        }
        // odometer over the outer dims
        let mut d = nd - 1;
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            idx[d] += 1;
            for i in 0..N {
                base[i] = base[i].wrapping_add(strides[i][d]);
            }
            if idx[d] < shape[d] {
                break;
            }
            for i in 0..N {
                base[i] = base[i].wrapping_sub(strides[i][d].wrapping_mul(shape[d] as isize));
            }
            idx[d] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_then_walk() {
        let l = Layout::contiguous(&[2, 3]).permute(&[1, 0]).unwrap();
        assert!(!l.is_contiguous());
        let mut offs = vec![];
        for_each_offsets(&l.shape, [&l.strides], [l.offset], |[o]| offs.push(o));
        assert_eq!(offs, vec![0, 3, 1, 4, 2, 5]);
    }

    #[test]
    fn permute_rejects_bad_axes() {
        let l = Layout::contiguous(&[2, 3]);
        assert!(l.permute(&[0, 0]).is_err());
        assert!(l.permute(&[0]).is_err());
        assert!(l.permute(&[0, 2]).is_err());
    }

    #[test]
    fn reshape_views_only_contiguous() {
        let l = Layout::contiguous(&[2, 3]);
        assert!(l.reshape(&[3, 2]).unwrap().is_some());
        assert!(l.permute(&[1, 0]).unwrap().reshape(&[6]).unwrap().is_none());
        assert!(l.reshape(&[4]).is_err());
    }

    #[test]
    fn broadcast_strides_zero_stretched_dims() {
        let l = Layout::contiguous(&[3, 1]);
        assert_eq!(*l.broadcast_strides(&[2, 3, 4]), [0, 1, 0]);
    }

    #[test]
    fn scalars_and_empty_shapes_walk() {
        let mut n = 0;
        for_each_offsets(&[], [&[], &[]], [7, 9], |o| {
            assert_eq!(o, [7, 9]);
            n += 1
        });
        for_each_offsets(&[2, 0], [&[0, 1]], [0], |_| n += 1);
        assert_eq!(n, 1);
    }

    #[test]
    fn several_layouts_walk_in_step() {
        // a transposed view, a broadcast row and a contiguous output over one (2, 3) shape
        let (t, row, out) = ([1isize, 2], [0isize, 1], [3isize, 1]);
        let mut seen = vec![];
        for_each_offsets(&[2, 3], [&t, &row, &out], [10, 20, 0], |o| seen.push(o));
        assert_eq!(seen, vec![[10, 20, 0], [12, 21, 1], [14, 22, 2], [11, 20, 3], [13, 21, 4], [15, 22, 5]]);
    }
}
