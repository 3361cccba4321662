//! Indexing and data movement kernels: strided copies, row takes, gathers, selects and argsort of
//! rows. Shapes, axes and index checks are the op layer's ([`crate::ops::index`]).

use super::Src;
use crate::alloc::try_with_capacity;
use crate::dtype::{Bool, Elem};
use crate::error::Result;
use crate::layout::{for_each_offsets, Layout};
use std::cmp::Ordering;

/// Writes the view `src` (broadcast to `ld`'s shape) into the elements of the view `ld` over
/// `dst`, which may be strided. `ld` must not alias itself (no stride-0 dims of size > 1) and
/// `src` must not lie in `dst`'s storage.
pub fn copy<T: Elem>(dst: &mut [T], ld: &Layout, (src, ls): Src<T>) {
    let sb = ls.broadcast_strides(&ld.shape);
    for_each_offsets(&ld.shape, [&ld.strides, &sb], [ld.offset, ls.offset], |[d, s]| {
        // SAFETY: the offsets come from valid layouts over each storage.
        unsafe { *dst.get_unchecked_mut(d) = *src.get_unchecked(s) };
    });
}

/// `o[k] = x[ids[k]]` for rows of `row` elements: row `i` of `x` is `x[i * row..(i + 1) * row]`.
pub fn take_rows<T: Elem>(x: &[T], row: usize, ids: &[usize], o: &mut [T]) {
    for (k, &i) in ids.iter().enumerate() {
        o[k * row..(k + 1) * row].copy_from_slice(&x[i * row..(i + 1) * row]);
    }
}

/// torch `gather` along `axis` from the view `l` over `x`: `o` (contiguous, of `shape`) takes at
/// each position the element of `x` at the same position, except along `axis`, where it takes
/// `ids[k]` (one index per output element, each within `l`'s dim).
pub fn gather<T: Elem>(x: &[T], l: &Layout, axis: usize, ids: &[usize], shape: &[usize], o: &mut [T]) {
    let nd = shape.len();
    let mut pos = vec![0usize; nd];
    for (k, d) in o.iter_mut().enumerate() {
        let mut off = l.offset as isize;
        for (dim, (&p, &s)) in pos.iter().zip(l.strides.iter()).enumerate() {
            let i = if dim == axis { ids[k] } else { p };
            off += i as isize * s;
        }
        // SAFETY: every index is within the view's shape, so the offset is within its storage.
        *d = unsafe { *x.get_unchecked(off as usize) };
        for dim in (0..nd).rev() {
            pos[dim] += 1;
            if pos[dim] < shape[dim] {
                break;
            }
            pos[dim] = 0;
        }
    }
}

/// torch `scatter` / `scatter_add` into the contiguous `o` (of `shape`): for each position `p` of
/// the index tensor (of `ishape`, contiguous, `ids[k]` its `k`-th element), the element of `src`
/// (the view `ls` over `s`, read at `p`) goes to `o` at `p` with dim `axis` replaced by `ids[k]`.
/// `add` accumulates (`combine(old, new)`); otherwise the last write wins, in index order.
pub fn scatter<T: Elem>(
    o: &mut [T],
    shape: &[usize],
    axis: usize,
    ids: &[usize],
    ishape: &[usize],
    (s, ls): Src<T>,
    combine: Option<fn(T, T) -> T>,
) {
    let nd = ishape.len();
    let mut ostrides = vec![1usize; nd];
    for d in (0..nd.saturating_sub(1)).rev() {
        ostrides[d] = ostrides[d + 1] * shape[d + 1];
    }
    let mut pos = vec![0usize; nd];
    for &id in ids {
        let mut so = ls.offset as isize;
        let mut oo = 0usize;
        for d in 0..nd {
            so += pos[d] as isize * ls.strides[d];
            oo += if d == axis { id } else { pos[d] } * ostrides[d];
        }
        // SAFETY: `pos` is within the index shape, which is within `src`'s shape in every dim, so
        // `so` is within `s`; `id` is within `shape[axis]` and the other dims within `shape`, so
        // `oo` is within `o` (the op layer checks both).
        unsafe {
            let v = *s.get_unchecked(so as usize);
            let d = o.get_unchecked_mut(oo);
            *d = match combine {
                Some(f) => f(*d, v),
                None => v,
            };
        }
        for d in (0..nd).rev() {
            pos[d] += 1;
            if pos[d] < ishape[d] {
                break;
            }
            pos[d] = 0;
        }
    }
}

/// `o[i] = c[i] ? x[i] : y[i]` over contiguous slices of one length.
pub fn select<T: Elem>(c: &[Bool], x: &[T], y: &[T], o: &mut [T]) {
    for (((d, c), &x), &y) in o.iter_mut().zip(c).zip(x).zip(y) {
        *d = if c.truthy() { x } else { y };
    }
}

fn nan_last<T: Elem>(x: &T, y: &T) -> Ordering {
    match (x.is_nan(), y.is_nan()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        _ => x.partial_cmp(y).unwrap_or(Ordering::Equal),
    }
}

/// For each row of `n` elements of `x` (`n > 0`), the indices that sort it into the same row of
/// `o`; stable; NaN sorts as the largest value.
pub fn argsort_rows<T: Elem>(x: &[T], n: usize, descending: bool, o: &mut [i64]) -> Result<()> {
    let mut idx: Vec<usize> = try_with_capacity(n, "argsort")?;
    for (xs, os) in x.chunks(n).zip(o.chunks_mut(n)) {
        idx.clear();
        idx.extend(0..n);
        if descending {
            idx.sort_by(|&i, &j| nan_last(&xs[j], &xs[i]));
        } else {
            idx.sort_by(|&i, &j| nan_last(&xs[i], &xs[j]));
        }
        for (d, &i) in os.iter_mut().zip(&idx) {
            *d = i as i64;
        }
    }
    Ok(())
}
