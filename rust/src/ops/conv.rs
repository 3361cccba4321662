//! Convolution (torch `conv1d` / `conv2d`: NCHW input, OIHW weight, stride, padding, "same",
//! dilation, groups, bias) through im2col and the GEMM kernels, and 2-D max / average pooling; the
//! loops are [`crate::cpu::conv`]'s.
//!
//! Dtypes follow `matmul`: the result has the promoted dtype of the operands (float16 and bfloat16
//! compute in float32); integer convolutions compute in their own type and wrap, as numpy's
//! `matmul` of the im2col matrix does; bool is refused.

use super::{contiguous_as, fresh};
use crate::alloc::try_vec;
use crate::cpu::conv::{avg_pool, im2col, max_pool, max_pool_indices, small_product, Window};
use crate::cpu::gemm::gemm;
use crate::cpu::linalg::matmul_int;
use crate::cpu::math::Num;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::tensor::Tensor;
use crate::{dispatch_float, dispatch_num};

/// The options of a convolution, per spatial dim (h, w); a 1-D convolution uses the w entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvParams {
    pub stride: [usize; 2],
    /// Symmetric padding, or `None` for "same" (torch: `dilation * (k - 1)` in all, the odd one
    /// at the bottom / right; stride 1 only).
    pub padding: Option<[usize; 2]>,
    pub dilation: [usize; 2],
    pub groups: usize,
}

/// The output size of a sliding window, or an error naming the op when the (dilated) kernel does
/// not fit the padded input.
fn out_size(op: &str, len: usize, pads: usize, k: usize, s: usize, d: usize) -> Result<usize> {
    let span = d.checked_mul(k.saturating_sub(1)).and_then(|v| v.checked_add(1));
    let padded = len.checked_add(pads);
    match (span, padded) {
        (Some(sp), Some(pl)) if pl >= sp => Ok((pl - sp) / s + 1),
        _ => Err(Error::InvalidArgument(format!(
            "{op}: the kernel (size {k}, dilation {d}) is larger than the padded input (size {len} + padding {pads}): \
             the output would be empty"
        ))),
    }
}

fn positive(op: &str, what: &str, v: &[usize]) -> Result<()> {
    if v.contains(&0) {
        return Err(Error::InvalidArgument(format!("{op}: {what} must be positive, got {v:?}")));
    }
    Ok(())
}

/// torch `conv1d` (`spatial == 1`: input (N, C, L) or (C, L), weight (O, C/groups, K)) and
/// `conv2d` (`spatial == 2`: input (N, C, H, W) or (C, H, W), weight (O, C/groups, kH, kW)), with
/// an optional bias (O,). The output is (N, O, oH, oW) (no N for an unbatched input).
pub fn conv(input: &Tensor, weight: &Tensor, bias: Option<&Tensor>, spatial: usize, p: &ConvParams) -> Result<Tensor> {
    let op: &'static str = if spatial == 1 { "conv1d" } else { "conv2d" };
    if spatial != 1 && spatial != 2 {
        return Err(Error::InvalidArgument(format!("conv: spatial dims must be 1 or 2, got {spatial}")));
    }
    let nd = input.ndim();
    if (nd != spatial + 1 && nd != spatial + 2) || weight.ndim() != spatial + 2 {
        return Err(Error::shape(op, input.shape(), weight.shape()));
    }
    for t in [Some(input), Some(weight), bias].into_iter().flatten() {
        if t.dtype() == DType::Bool {
            return Err(Error::DType(format!("{op}: bool tensors are not supported")));
        }
    }
    positive(op, "stride", &p.stride)?;
    positive(op, "dilation", &p.dilation)?;
    if p.groups == 0 {
        return Err(Error::InvalidArgument(format!("{op}: groups must be positive, got 0")));
    }
    // everything as batched 2-D: (N, C, H, W) and (O, Cg, kH, kW)
    let mut x_shape = input.shape().to_vec();
    if nd == spatial + 1 {
        x_shape.insert(0, 1);
    }
    let mut w_shape = weight.shape().to_vec();
    if spatial == 1 {
        x_shape.insert(2, 1);
        w_shape.insert(2, 1);
    }
    let [n, c, h, w] = [x_shape[0], x_shape[1], x_shape[2], x_shape[3]];
    let [o, cg, kh, kw] = [w_shape[0], w_shape[1], w_shape[2], w_shape[3]];
    let groups = p.groups;
    if cg.checked_mul(groups) != Some(c) || o % groups != 0 {
        return Err(Error::shape(op, input.shape(), weight.shape()));
    }
    if let Some(b) = bias {
        if b.shape() != [o] {
            return Err(Error::shape(op, weight.shape(), b.shape()));
        }
    }
    if kh == 0 || kw == 0 {
        return Err(Error::InvalidArgument(format!(
            "{op}: the kernel size must be positive, got {:?}",
            weight.shape()
        )));
    }
    let (s, d) = (p.stride, p.dilation);
    let (s, d) = if spatial == 1 { ([1, s[1]], [1, d[1]]) } else { (s, d) };
    // (before, after) padding per dim
    let pads: [(usize, usize); 2] = match p.padding {
        Some(pd) => {
            let pd = if spatial == 1 { [0, pd[1]] } else { pd };
            [(pd[0], pd[0]), (pd[1], pd[1])]
        }
        None => {
            if s != [1, 1] {
                return Err(Error::InvalidArgument(format!(
                    "{op}: padding \"same\" needs stride 1 (torch), got {:?}",
                    if spatial == 1 { &s[1..] } else { &s[..] }
                )));
            }
            let same = |k: usize, d: usize| -> Result<(usize, usize)> {
                let total = d
                    .checked_mul(k - 1)
                    .ok_or_else(|| Error::InvalidArgument(format!("{op}: dilation {d} is too large")))?;
                Ok((total / 2, total - total / 2))
            };
            [same(kh, d[0])?, same(kw, d[1])?]
        }
    };
    let total = |pp: (usize, usize)| {
        pp.0.checked_add(pp.1).ok_or_else(|| Error::InvalidArgument(format!("{op}: padding is too large")))
    };
    let oh = out_size(op, h, total(pads[0])?, kh, s[0], d[0])?;
    let ow = out_size(op, w, total(pads[1])?, kw, s[1], d[1])?;
    let g = Window { h, w, kh, kw, sh: s[0], sw: s[1], ph: pads[0].0, pw: pads[1].0, dh: d[0], dw: d[1], oh, ow };

    let mut common = DType::promote(input.dtype(), weight.dtype());
    if let Some(b) = bias {
        common = DType::promote(common, b.dtype());
    }
    let ct = common.compute();
    let x = contiguous_as(input, ct)?;
    let wt = contiguous_as(weight, ct)?;
    let bt = bias.map(|b| contiguous_as(b, ct)).transpose()?;
    let shape = [n, o, oh, ow];
    let geo = Geometry { n, c, o, groups, g };
    let out = match ct {
        DType::F32 | DType::F64 => dispatch_float!(ct, T => {
            let simd = crate::cpu::features::level();
            run::<T>(&geo, x.as_slice(), wt.as_slice(), bt.as_ref().map(|b| b.as_slice()), &shape,
                &|m, k, nn, a, b, c| gemm::<T>(simd, m, nn, k, a, b, c))
        }, unreachable!()),
        _ => dispatch_num!(ct, T => {
            run::<T>(&geo, x.as_slice(), wt.as_slice(), bt.as_ref().map(|b| b.as_slice()), &shape,
                &|m, k, nn, a, b, c| matmul_int(1, m, k, nn, a, b, c))
        }, unreachable!()),
    }?;
    // back to the caller's rank: no batch dim for an unbatched input, no H for conv1d
    let mut final_shape = vec![n, o];
    if spatial == 2 {
        final_shape.push(oh);
    }
    final_shape.push(ow);
    if nd == spatial + 1 {
        final_shape.remove(0);
    }
    super::finish(out.reshape(&final_shape)?, common)
}

/// The sizes of a convolution as batched 2-D.
struct Geometry {
    n: usize,
    c: usize,
    o: usize,
    groups: usize,
    g: Window,
}

/// A parallel matrix product `c = a @ b` (m x k times k x n).
type Product<'a, T> = &'a (dyn Fn(usize, usize, usize, &[T], &[T], &mut [T]) + Sync);

/// Below this many multiply-adds per (image, group), images and groups run in parallel, each with
/// the plain product; above it, one at a time with the parallel im2col and product.
const SMALL_UNIT: usize = 1 << 20;

/// The convolution of contiguous `x` (N, C, H, W) by `w` (O, C/groups, kH, kW): per image and
/// group, `out (O/groups, oH*oW) = w_g (O/groups, C/groups*kH*kW) @ im2col(x_g)`, plus the bias.
fn run<T: Num>(
    geo: &Geometry,
    x: &[T],
    w: &[T],
    bias: Option<&[T]>,
    shape: &[usize],
    product: Product<T>,
) -> Result<Tensor> {
    let Geometry { n, c, o, groups, g } = *geo;
    let (cg, og) = (c / groups, o / groups);
    let (k, p, plane) = (cg * g.kh * g.kw, g.oh * g.ow, g.h * g.w);
    let units = n * groups;
    // a 1x1 kernel with stride 1 and no padding: the input already is the column matrix
    let direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0 && p == plane;
    let work = og.saturating_mul(k).saturating_mul(p);
    let parallel_units = units > 1 && work < SMALL_UNIT;
    let chunks = if parallel_units { units.min(4 * crate::pool::num_threads().max(1)) } else { 1 };
    let per = units.div_ceil(chunks.max(1)).max(1);
    let chunks = units.div_ceil(per).max(1);
    let cols_len = if direct { Some(0) } else { chunks.checked_mul(k).and_then(|v| v.checked_mul(p)) };
    let cols_len = cols_len.ok_or_else(|| Error::OutOfMemory("conv: the im2col matrix is too large".into()))?;
    let mut scratch = try_vec(cols_len, T::zero(), "conv: im2col")?;
    let unit = |u: usize, cols: &mut [T], o_ptr: usize, small: bool| {
        let (img, gi) = (u / groups, u % groups);
        let xs = &x[(img * c + gi * cg) * plane..(img * c + (gi + 1) * cg) * plane];
        let cols: &[T] = if direct {
            xs
        } else {
            im2col(xs, cg, &g, cols);
            cols
        };
        let off = (img * o + gi * og) * p;
        // SAFETY: the output rows of (image, group) `u` are written by this unit only.
        let dst = unsafe { std::slice::from_raw_parts_mut((o_ptr as *mut T).add(off), og * p) };
        let wg = &w[gi * og * k..(gi + 1) * og * k];
        if small {
            small_product(og, k, p, wg, cols, dst);
        } else {
            product(og, k, p, wg, cols, dst);
        }
        if let Some(b) = bias {
            for (row, &bv) in dst.chunks_exact_mut(p.max(1)).zip(&b[gi * og..(gi + 1) * og]) {
                row.iter_mut().for_each(|v| *v = v.add(bv));
            }
        }
    };
    fresh::<T>(shape, |out| {
        if out.is_empty() {
            return;
        }
        let op = out.as_mut_ptr() as usize;
        if parallel_units {
            let sp = scratch.as_mut_ptr() as usize;
            crate::pool::parallel_chunks(units, per, &|r| {
                let ci = r.start / per;
                let cols: &mut [T] = if direct {
                    &mut [] // the input is the column matrix: no scratch
                } else {
                    // SAFETY: chunk `ci` of the scratch (chunks * k * p long) is used by this chunk only.
                    unsafe { std::slice::from_raw_parts_mut((sp as *mut T).add(ci * k * p), k * p) }
                };
                for u in r {
                    unit(u, cols, op, true);
                }
            });
        } else {
            for u in 0..units {
                unit(u, &mut scratch, op, false);
            }
        }
    })
}

/// The pooling op.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pool {
    Max,
    Avg,
    /// The int64 flat indices (in each (H, W) plane) of the values `Max` picks.
    MaxIndices,
}

/// The options of a 2-D pooling, per dim (h, w).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolParams {
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub dilation: [usize; 2],
    pub ceil_mode: bool,
    pub count_include_pad: bool,
    /// torch's `divisor_override` (average pooling): every window's divisor.
    pub divisor: Option<usize>,
}

/// torch's pooling output size (`pooling_output_shape`): in ceil mode the last window must start
/// inside the input or its left padding.
fn pool_out(op: &str, len: usize, k: usize, s: usize, pad: usize, d: usize, ceil: bool) -> Result<usize> {
    let (len, k, s, pad, d) = (len as i128, k as i128, s as i128, pad as i128, d as i128);
    let num = len + 2 * pad - d * (k - 1) - 1 + if ceil { s - 1 } else { 0 };
    let mut out = num.div_euclid(s) + 1;
    if ceil && (out - 1) * s >= len + pad {
        out -= 1;
    }
    if out < 1 {
        return Err(Error::InvalidArgument(format!(
            "{op}: the output would be empty (input size {len}, kernel {k}, stride {s}, padding {pad}, dilation {d})"
        )));
    }
    usize::try_from(out).map_err(|_| Error::InvalidArgument(format!("{op}: output size {out} is too large")))
}

/// torch `max_pool2d` / `avg_pool2d` on (N, C, H, W) or (C, H, W). Max pooling keeps the dtype
/// (padding is -inf; NaN propagates); average pooling keeps float dtypes and gives float64 for
/// integers. Bool is refused.
pub fn pool2d(kind: Pool, input: &Tensor, p: &PoolParams) -> Result<Tensor> {
    let op = if kind == Pool::Avg { "avg_pool2d" } else { "max_pool2d" };
    if input.ndim() != 3 && input.ndim() != 4 {
        return Err(Error::InvalidArgument(format!(
            "{op}: the input must be (N, C, H, W) or (C, H, W), got {} dims",
            input.ndim()
        )));
    }
    if input.dtype() == DType::Bool {
        return Err(Error::DType(format!("{op}: bool tensors are not supported")));
    }
    positive(op, "kernel size", &p.kernel)?;
    positive(op, "stride", &p.stride)?;
    positive(op, "dilation", &p.dilation)?;
    if kind == Pool::Avg && p.dilation != [1, 1] {
        return Err(Error::InvalidArgument(format!("{op}: dilation is not supported")));
    }
    if p.divisor == Some(0) || (kind != Pool::Avg && p.divisor.is_some()) {
        return Err(Error::InvalidArgument(format!("{op}: divisor must be positive (average pooling only)")));
    }
    for i in 0..2 {
        // torch: padding at most half the (effective) kernel
        let eff = if kind != Pool::Avg {
            p.dilation[i].saturating_mul(p.kernel[i] - 1).saturating_add(1)
        } else {
            p.kernel[i]
        };
        if p.padding[i] > eff / 2 {
            return Err(Error::InvalidArgument(format!(
                "{op}: padding {:?} must be at most half the kernel size {:?}",
                p.padding, p.kernel
            )));
        }
    }
    let sh = input.shape();
    let nd = sh.len();
    let (h, w) = (sh[nd - 2], sh[nd - 1]);
    let planes: usize = sh[..nd - 2].iter().product();
    let oh = pool_out(op, h, p.kernel[0], p.stride[0], p.padding[0], p.dilation[0], p.ceil_mode)?;
    let ow = pool_out(op, w, p.kernel[1], p.stride[1], p.padding[1], p.dilation[1], p.ceil_mode)?;
    let g = Window {
        h,
        w,
        kh: p.kernel[0],
        kw: p.kernel[1],
        sh: p.stride[0],
        sw: p.stride[1],
        ph: p.padding[0],
        pw: p.padding[1],
        dh: p.dilation[0],
        dw: p.dilation[1],
        oh,
        ow,
    };
    let mut shape = sh[..nd - 2].to_vec();
    shape.extend([oh, ow]);
    let dt = input.dtype();
    let ct = dt.compute();
    let x = contiguous_as(input, ct)?;
    match kind {
        Pool::Max => {
            let out = dispatch_num!(ct, T => fresh::<T>(&shape, |o| max_pool(x.as_slice::<T>(), planes, &g, o)),
                unreachable!())?;
            super::finish(out, dt)
        }
        Pool::MaxIndices => dispatch_num!(ct, T => fresh::<i64>(&shape, |o| {
            max_pool_indices(x.as_slice::<T>(), planes, &g, o)
        }), unreachable!()),
        Pool::Avg => {
            let od = if dt.is_float() { ct } else { DType::F64 };
            let out = dispatch_num!(ct, S => dispatch_float!(od, D => fresh::<D>(&shape, |o| {
                avg_pool(x.as_slice::<S>(), planes, &g, p.count_include_pad, p.divisor, o)
            }), unreachable!()), unreachable!())?;
            super::finish(out, if dt.is_float() { dt } else { DType::F64 })
        }
    }
}
