//! Convolution and pooling kernels on contiguous (C, H, W) planes: im2col (the column matrix a
//! convolution multiplies its weights by), a plain product for small or integer convolutions, and
//! max / average pooling. The shapes, padding rules and dtypes are the op layer's
//! ([`crate::ops::conv`]).

use super::math::Num;
use crate::dtype::Elem;

/// The geometry of a 2-D window sliding over an (h, w) plane: kernel (kh, kw), stride, the padding
/// before the first row and column (ph, pw; what lies past the plane's end is padding too),
/// dilation, and the output size (oh, ow).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub h: usize,
    pub w: usize,
    pub kh: usize,
    pub kw: usize,
    pub sh: usize,
    pub sw: usize,
    pub ph: usize,
    pub pw: usize,
    pub dh: usize,
    pub dw: usize,
    pub oh: usize,
    pub ow: usize,
}

/// The outputs `lo..hi` (of `n`) whose input `o * stride + off` lies in `0..len`.
fn span(n: usize, stride: usize, off: isize, len: usize) -> (usize, usize) {
    let lo = if off < 0 { off.unsigned_abs().div_ceil(stride) } else { 0 };
    let room = len as isize - off;
    let hi = if room <= 0 { 0 } else { (room as usize - 1) / stride + 1 };
    let (lo, hi) = (lo.min(n), hi.min(n));
    (lo, hi.max(lo))
}

/// Row `r = (c * kh + i) * kw + j` of the column matrix: `dst[oy * ow + ox] =
/// x[c][oy*sh + i*dh - ph][ox*sw + j*dw - pw]`, 0 in the padding.
fn im2col_row<T: Num>(x: &[T], g: &Window, r: usize, dst: &mut [T]) {
    let (c, i, j) = (r / (g.kh * g.kw), (r / g.kw) % g.kh, r % g.kw);
    let plane = &x[c * g.h * g.w..(c + 1) * g.h * g.w];
    let (ylo, yhi) = span(g.oh, g.sh, (i * g.dh) as isize - g.ph as isize, g.h);
    let (xlo, xhi) = span(g.ow, g.sw, (j * g.dw) as isize - g.pw as isize, g.w);
    for (oy, d) in dst.chunks_exact_mut(g.ow).enumerate() {
        if oy < ylo || oy >= yhi {
            d.fill(T::zero());
            continue;
        }
        let iy = oy * g.sh + i * g.dh - g.ph;
        let row = &plane[iy * g.w..(iy + 1) * g.w];
        d[..xlo].fill(T::zero());
        d[xhi..].fill(T::zero());
        let ix0 = (xlo * g.sw + j * g.dw).wrapping_sub(g.pw);
        if g.sw == 1 {
            d[xlo..xhi].copy_from_slice(&row[ix0..ix0 + (xhi - xlo)]);
        } else {
            for (k, v) in d[xlo..xhi].iter_mut().enumerate() {
                *v = row[ix0 + k * g.sw];
            }
        }
    }
}

/// The column matrix of one image (group): `x` is (c, h, w) contiguous, `cols` (c*kh*kw, oh*ow)
/// row-major, every element written. Large matrices are filled on the pool, by rows.
pub fn im2col<T: Num>(x: &[T], c: usize, g: &Window, cols: &mut [T]) {
    let (rows, p) = (c * g.kh * g.kw, g.oh * g.ow);
    assert!(x.len() >= c * g.h * g.w && cols.len() >= rows * p, "im2col: buffers too small");
    if p == 0 {
        return;
    }
    if rows * p < super::PAR_MIN {
        for (r, d) in cols[..rows * p].chunks_exact_mut(p).enumerate() {
            im2col_row(x, g, r, d);
        }
        return;
    }
    let cp = cols.as_mut_ptr() as usize;
    crate::pool::parallel_for(rows, (super::PAR_MIN / 4 / p).max(1), &|rs| {
        for r in rs {
            // SAFETY: row r of `cols` (checked long enough above) is written by this chunk only.
            let d = unsafe { std::slice::from_raw_parts_mut((cp as *mut T).add(r * p), p) };
            im2col_row(x, g, r, d);
        }
    });
}

/// `o = w @ cols` for row-major `w` (m x k), `cols` (k x n), `o` (m x n) with a plain loop, on
/// this thread: for small products and for the integer types (wrapping, as numpy's matmul).
pub fn small_product<T: Num>(m: usize, k: usize, n: usize, w: &[T], cols: &[T], o: &mut [T]) {
    for (r, orow) in o[..m * n].chunks_exact_mut(n.max(1)).enumerate().take(m) {
        orow.fill(T::zero());
        for p in 0..k {
            let s = w[r * k + p];
            for (d, &v) in orow.iter_mut().zip(&cols[p * n..(p + 1) * n]) {
                *d = d.add(s.mul(v));
            }
        }
    }
}

/// Runs `body(plane, out_plane)` for each of `planes` output planes of `plane_out` elements on the
/// pool (chunks of about 64k window reads).
fn per_plane<T: Send + Sync>(
    planes: usize,
    plane_out: usize,
    reads: usize,
    o: &mut [T],
    body: &(dyn Fn(usize, &mut [T]) + Sync),
) {
    assert!(o.len() >= planes * plane_out, "pool: output too small");
    let op = o.as_mut_ptr() as usize;
    let min = (super::PAR_MIN / (plane_out * reads).max(1)).max(1);
    crate::pool::parallel_for(planes, min, &|r| {
        for pl in r {
            // SAFETY: output plane `pl` (inside `o`, checked above) is written by this chunk only.
            let d = unsafe { std::slice::from_raw_parts_mut((op as *mut T).add(pl * plane_out), plane_out) };
            body(pl, d);
        }
    });
}

/// The taps of output position `o` along one dim: calls `f(v)` for each kernel tap `i` whose input
/// position `v = o*s + i*d - p` lies inside `0..len` (the others are padding).
#[inline(always)]
fn taps(o: usize, s: usize, k: usize, d: usize, p: usize, len: usize, mut f: impl FnMut(usize)) {
    for i in 0..k {
        let v = (o * s + i * d).wrapping_sub(p);
        if v < len {
            f(v);
        }
    }
}

/// The maximum of the window of output (oy, ox) in `src` (one plane) and its flat index in the
/// plane, as torch's kernel finds them: taps in row-major order, a larger value or any NaN takes
/// over (so a NaN wins, the last NaN's index), and the first tap inside the plane is the index
/// when nothing beats the lowest value.
#[inline(always)]
fn window_max<T: Num>(src: &[T], g: &Window, oy: usize, ox: usize) -> (T, usize) {
    let (mut best, mut at) = (T::lowest(), usize::MAX);
    taps(oy, g.sh, g.kh, g.dh, g.ph, g.h, |iy| {
        taps(ox, g.sw, g.kw, g.dw, g.pw, g.w, |ix| {
            let v = src[iy * g.w + ix];
            // `v != v` only for NaN
            #[allow(clippy::eq_op)]
            if v > best || v != v {
                best = v;
                at = iy * g.w + ix;
            } else if at == usize::MAX {
                at = iy * g.w + ix;
            }
        });
    });
    (best, at)
}

/// Max pooling of `planes` contiguous (h, w) planes of `x` into (oh, ow) planes of `o`: padding
/// never wins (it is -inf), a NaN in a window is the result (torch).
pub fn max_pool<T: Num>(x: &[T], planes: usize, g: &Window, o: &mut [T]) {
    assert!(x.len() >= planes * g.h * g.w, "max_pool: input too small");
    per_plane(planes, g.oh * g.ow, g.kh * g.kw, o, &|pl, d| {
        let src = &x[pl * g.h * g.w..(pl + 1) * g.h * g.w];
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                d[oy * g.ow + ox] = window_max(src, g, oy, ox).0;
            }
        }
    });
}

/// The flat indices (`iy * w + ix` in its plane) of the values [`max_pool`] picks: torch's
/// `return_indices`.
pub fn max_pool_indices<T: Num>(x: &[T], planes: usize, g: &Window, o: &mut [i64]) {
    assert!(x.len() >= planes * g.h * g.w, "max_pool: input too small");
    per_plane(planes, g.oh * g.ow, g.kh * g.kw, o, &|pl, d| {
        let src = &x[pl * g.h * g.w..(pl + 1) * g.h * g.w];
        for oy in 0..g.oh {
            for ox in 0..g.ow {
                d[oy * g.ow + ox] = window_max(src, g, oy, ox).1 as i64;
            }
        }
    });
}

/// Average pooling (torch `avg_pool2d`, no dilation) of `planes` (h, w) planes of `x` into (oh, ow)
/// planes of `o`, summed in float64. A window's divisor is `divisor` when given; else it counts
/// the window's padding when `count_include_pad` (but not what lies past the padding, where ceil
/// mode lets a window reach), otherwise only its elements inside the plane.
pub fn avg_pool<S: Elem, D: Elem>(
    x: &[S],
    planes: usize,
    g: &Window,
    count_include_pad: bool,
    divisor: Option<usize>,
    o: &mut [D],
) {
    assert!(x.len() >= planes * g.h * g.w, "avg_pool: input too small");
    per_plane(planes, g.oh * g.ow, g.kh * g.kw, o, &|pl, d| {
        let src = &x[pl * g.h * g.w..(pl + 1) * g.h * g.w];
        for oy in 0..g.oh {
            let y0 = (oy * g.sh) as isize - g.ph as isize;
            let y1 = (y0 + g.kh as isize).min((g.h + g.ph) as isize);
            let (ya, yb) = (y0.max(0) as usize, (y1.min(g.h as isize)).max(0) as usize);
            for ox in 0..g.ow {
                let x0 = (ox * g.sw) as isize - g.pw as isize;
                let x1 = (x0 + g.kw as isize).min((g.w + g.pw) as isize);
                let (xa, xb) = (x0.max(0) as usize, (x1.min(g.w as isize)).max(0) as usize);
                let mut sum = 0.0f64;
                for iy in ya..yb.max(ya) {
                    for &v in &src[iy * g.w + xa..iy * g.w + xb.max(xa)] {
                        sum += v.to_f64();
                    }
                }
                let inside = (yb.saturating_sub(ya) * xb.saturating_sub(xa)) as f64;
                let div = match divisor {
                    Some(d) => d as f64,
                    None if count_include_pad => ((y1 - y0) * (x1 - x0)) as f64,
                    None => inside,
                };
                d[oy * g.ow + ox] = D::from_f64(if inside == 0.0 { 0.0 } else { sum / div });
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn win(h: usize, w: usize, k: usize, s: usize, p: usize, d: usize) -> Window {
        let o = |n: usize| (n + 2 * p - d * (k - 1) - 1) / s + 1;
        Window { h, w, kh: k, kw: k, sh: s, sw: s, ph: p, pw: p, dh: d, dw: d, oh: o(h), ow: o(w) }
    }

    /// im2col against the definition, with every stride, padding and dilation mix on a small plane.
    #[test]
    fn im2col_matches_the_definition() {
        let (c, h, w) = (2, 5, 7);
        let x: Vec<f64> = (0..c * h * w).map(|v| v as f64 + 1.0).collect();
        for (k, s, p, d) in [(3, 1, 1, 1), (3, 2, 1, 1), (2, 3, 0, 2), (1, 1, 0, 1), (3, 1, 2, 2), (5, 2, 2, 1)] {
            let g = win(h, w, k, s, p, d);
            let mut cols = vec![f64::NAN; c * k * k * g.oh * g.ow];
            im2col(&x, c, &g, &mut cols);
            for ci in 0..c {
                for i in 0..k {
                    for j in 0..k {
                        for oy in 0..g.oh {
                            for ox in 0..g.ow {
                                let (iy, ix) =
                                    ((oy * s + i * d) as isize - p as isize, (ox * s + j * d) as isize - p as isize);
                                let want = if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < w {
                                    x[ci * h * w + iy as usize * w + ix as usize]
                                } else {
                                    0.0
                                };
                                let r = (ci * k + i) * k + j;
                                assert_eq!(cols[r * g.oh * g.ow + oy * g.ow + ox], want, "{k} {s} {p} {d}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn pools_skip_padding_and_propagate_nan() {
        let x = [1.0f32, 2.0, 3.0, 4.0];
        let g = win(2, 2, 2, 1, 1, 1);
        let mut o = vec![0.0f32; 9];
        max_pool(&x, 1, &g, &mut o);
        assert_eq!(o, [1.0, 2.0, 2.0, 3.0, 4.0, 4.0, 3.0, 4.0, 4.0]);
        avg_pool(&x, 1, &g, true, None, &mut o);
        assert_eq!(o, [0.25, 0.75, 0.5, 1.0, 2.5, 1.5, 0.75, 1.75, 1.0]);
        avg_pool(&x, 1, &g, false, None, &mut o);
        assert_eq!(o, [1.0, 1.5, 2.0, 2.0, 2.5, 3.0, 3.0, 3.5, 4.0]);
        avg_pool(&x, 1, &g, false, Some(2), &mut o);
        assert_eq!(o, [0.5, 1.5, 1.0, 2.0, 5.0, 3.0, 1.5, 3.5, 2.0]);
        let mut m = vec![0.0f32; 1];
        let nan = [1.0, f32::NAN, 5.0, f32::NAN];
        max_pool(&nan, 1, &win(2, 2, 2, 1, 0, 1), &mut m);
        assert!(m[0].is_nan());
        let mut at = vec![0i64; 1];
        max_pool_indices(&nan, 1, &win(2, 2, 2, 1, 0, 1), &mut at);
        assert_eq!(at, [3]); // torch: the last NaN
        let mut at = vec![0i64; 9];
        max_pool_indices(&x, 1, &g, &mut at);
        assert_eq!(at, [0, 1, 1, 2, 3, 3, 2, 3, 3]);
    }
}
