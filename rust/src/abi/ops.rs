//! Ops: each returns a new tensor (+1), or NULL with the status recorded.
//!
//! The `ops` section of `cobalt.h`.

use super::args::{flag, read_axes, read_shape};
use super::handle::{get, CobaltTensor};
use super::trampoline::trampoline;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::op::{BinaryOp, ReduceOp, ScanOp, UnaryOp};
use crate::ops;

/// Elementwise `a op b` with numpy broadcasting and promotion (`COBALT_ADD`...).
///
/// # Safety
/// `a`, `b` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_binary(op: i32, a: *const CobaltTensor, b: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| ops::binary(BinaryOp::from_code(op)?, get(a)?, get(b)?))
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
    trampoline(|| ops::binary_scalar(BinaryOp::from_code(op)?, get(a)?, s, flag(scalar_first)))
}

/// Elementwise unary op (`COBALT_NEG`, `COBALT_EXP`...).
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_unary(op: i32, a: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| ops::unary(UnaryOp::from_code(op)?, get(a)?))
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
        ops::reduce(op, get(a)?, list.as_deref(), flag(keepdims), ddof)
    })
}

/// A scan along `axis` (`COBALT_CUMSUM`, `COBALT_CUMPROD`, `COBALT_SOFTMAX`, `COBALT_LOG_SOFTMAX`);
/// with `flatten != 0` the tensor is flattened first and `axis` is ignored.
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_scan(op: i32, a: *const CobaltTensor, axis: i32, flatten: i32) -> *mut CobaltTensor {
    trampoline(|| ops::scan(ScanOp::from_code(op)?, get(a)?, if flag(flatten) { None } else { Some(axis as i64) }))
}

/// Matrix product (1-D and 2-D operands, numpy rules).
///
/// # Safety
/// `a`, `b` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_matmul(a: *const CobaltTensor, b: *const CobaltTensor) -> *mut CobaltTensor {
    trampoline(|| ops::matmul(get(a)?, get(b)?))
}

/// A tensor with another shape (one dim may be -1); a view sharing storage when `a` is contiguous,
/// otherwise a copy.
///
/// # Safety
/// `a` is a live handle; `shape` holds `ndim` values; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_reshape(a: *const CobaltTensor, shape: *const i64, ndim: i32) -> *mut CobaltTensor {
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
pub unsafe extern "C" fn cobalt_permute(a: *const CobaltTensor, perm: *const i32, n: i32) -> *mut CobaltTensor {
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
    trampoline(|| ops::copy_contiguous(get(a)?))
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
        ops::concat(&list, axis as i64)
    })
}

/// numpy `take(a, idx, axis)`: elements of `a` at integer indices `idx` along `axis`.
///
/// # Safety
/// `a`, `idx` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_index_select(
    a: *const CobaltTensor,
    axis: i32,
    idx: *const CobaltTensor,
) -> *mut CobaltTensor {
    trampoline(|| ops::index_select(get(a)?, axis as i64, get(idx)?))
}

/// torch `gather`: values of `a` picked along `axis` by `index` (same ndim as `a`).
///
/// # Safety
/// `a`, `index` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_gather(
    a: *const CobaltTensor,
    axis: i32,
    index: *const CobaltTensor,
) -> *mut CobaltTensor {
    trampoline(|| ops::gather(get(a)?, axis as i64, get(index)?))
}

/// torch `scatter` (`add` = 0) or `scatter_add` (`add` != 0), out of place: a copy of `a` with the
/// elements of `src` written (or added) along `axis` at the positions `index` gives.
///
/// # Safety
/// `a`, `index`, `src` are live handles; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_scatter(
    a: *const CobaltTensor,
    axis: i32,
    index: *const CobaltTensor,
    src: *const CobaltTensor,
    add: i32,
) -> *mut CobaltTensor {
    trampoline(|| ops::scatter(get(a)?, axis as i64, get(index)?, get(src)?, flag(add)))
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
    trampoline(|| ops::where_(get(cond)?, get(a)?, get(b)?))
}

/// int64 indices that sort `a` along `axis` (stable; NaN sorts as the largest value).
///
/// # Safety
/// `a` is a live handle; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_argsort(a: *const CobaltTensor, axis: i32, descending: i32) -> *mut CobaltTensor {
    trampoline(|| ops::argsort(get(a)?, axis as i64, flag(descending)))
}

/// Reads `n` int64 option values; each must be in `0..=2^31-1` unless `-1` is `allowed` (padding
/// "same") at that position.
///
/// # Safety
/// `params` holds `n` values.
unsafe fn read_params<const N: usize>(op: &str, params: *const i64, same_at: &[usize]) -> Result<[Option<usize>; N]> {
    if params.is_null() {
        return Err(Error::InvalidArgument(format!("{op}: params pointer is NULL")));
    }
    // SAFETY: `params` holds N values (contract).
    let raw = unsafe { std::slice::from_raw_parts(params, N) };
    let mut out = [None; N];
    for (i, &v) in raw.iter().enumerate() {
        out[i] = match v {
            -1 if same_at.contains(&i) => None,
            0..=0x7fff_ffff => Some(v as usize),
            _ => return Err(Error::InvalidArgument(format!("{op}: option value {v} is out of range"))),
        };
    }
    Ok(out)
}

/// torch `conv1d` (`spatial` 1) and `conv2d` (`spatial` 2); `bias` may be NULL.
///
/// # Safety
/// `input`, `weight` are live handles, `bias` a live handle or NULL; `params` holds 7 values;
/// returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_conv(
    input: *const CobaltTensor,
    weight: *const CobaltTensor,
    bias: *const CobaltTensor,
    spatial: i32,
    params: *const i64,
) -> *mut CobaltTensor {
    trampoline(|| {
        // SAFETY: forwarded contract on `params`.
        let v = unsafe { read_params::<7>("conv", params, &[2, 3]) }?;
        let need = |x: Option<usize>| x.ok_or_else(|| Error::InvalidArgument("conv: option value -1".into()));
        let padding = match (v[2], v[3]) {
            (Some(h), Some(w)) => Some([h, w]),
            (None, None) => None,
            _ => return Err(Error::InvalidArgument("conv: padding -1 (\"same\") must be given for both dims".into())),
        };
        let p = ops::conv::ConvParams {
            stride: [need(v[0])?, need(v[1])?],
            padding,
            dilation: [need(v[4])?, need(v[5])?],
            groups: need(v[6])?,
        };
        let b = if bias.is_null() { None } else { Some(get(bias)?) };
        ops::conv::conv(get(input)?, get(weight)?, b, usize::try_from(spatial).unwrap_or(0), &p)
    })
}

/// torch `max_pool2d` (`kind` 0; 2: its int64 indices) and `avg_pool2d` (`kind` 1).
///
/// # Safety
/// `input` is a live handle; `params` holds 9 values; returns a new handle or NULL.
#[no_mangle]
pub unsafe extern "C" fn cobalt_pool2d(
    kind: i32,
    input: *const CobaltTensor,
    params: *const i64,
    ceil_mode: i32,
    count_include_pad: i32,
) -> *mut CobaltTensor {
    trampoline(|| {
        // SAFETY: forwarded contract on `params`.
        let v = unsafe { read_params::<9>("pool2d", params, &[]) }?.map(|x| x.unwrap_or(0));
        let p = ops::conv::PoolParams {
            kernel: [v[0], v[1]],
            stride: [v[2], v[3]],
            padding: [v[4], v[5]],
            dilation: [v[6], v[7]],
            ceil_mode: flag(ceil_mode),
            count_include_pad: flag(count_include_pad),
            divisor: (v[8] != 0).then_some(v[8]),
        };
        let kind = match kind {
            0 => ops::conv::Pool::Max,
            1 => ops::conv::Pool::Avg,
            2 => ops::conv::Pool::MaxIndices,
            _ => return Err(Error::InvalidArgument(format!("pool2d: unknown kind {kind}"))),
        };
        ops::conv::pool2d(kind, get(input)?, &p)
    })
}
