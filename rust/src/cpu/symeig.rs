//! Symmetric eigenvalues and eigenvectors on contiguous row-major float64 matrices: Householder
//! tridiagonalisation, then the implicit QL method (EISPACK's tred2 and tql2, on the transpose so
//! every inner loop runs along a row). [`super::lapack::svd`] starts from these eigenvectors too.

use super::lapack::{axpy_neg, dot, linalg, multiversion, rotate};
use crate::alloc::try_vec;
use crate::error::Result;

multiversion! {
    /// tred2's fused step: `e[k] += row[k] * f` and the sum of `row[k] * d[k]`, over the rows' length.
    fn dot_axpy(row: &[f64], d: &[f64], e: &mut [f64], f: f64) -> f64 {
        let mut g = 0.0;
        for ((&r, &dk), ek) in row.iter().zip(d).zip(e.iter_mut()) {
            g += r * dk;
            *ek += r * f;
        }
        g
    }
}

multiversion! {
    /// tred2's rank-2 update `row[k] -= f * e[k] + g * d[k]`.
    fn rank2(row: &mut [f64], f: f64, e: &[f64], g: f64, d: &[f64]) {
        for ((r, &ek), &dk) in row.iter_mut().zip(e).zip(d) {
            *r -= f * ek + g * dk;
        }
    }
}

/// Eigenvalues (ascending, in `d`) and, with `vectors`, eigenvectors of the symmetric n x n
/// matrix `w` (whose full content is read): on return row j of `w` is the eigenvector of `d[j]`.
/// Householder tridiagonalisation then the implicit QL method (EISPACK's tred2 and tql2, here on
/// the transpose so every inner loop runs along a row).
pub fn eigh(n: usize, w: &mut [f64], d: &mut [f64], vectors: bool) -> Result<()> {
    if n == 0 {
        return Ok(());
    }
    let mut e = try_vec(n, 0.0, "eigh")?;
    // w[j][k] plays tred2's V[k][j]
    for j in 0..n {
        d[j] = w[j * n + n - 1];
    }
    for i in (1..n).rev() {
        let scale: f64 = d[..i].iter().map(|v| v.abs()).sum();
        let mut h = 0.0;
        if scale == 0.0 {
            e[i] = d[i - 1];
            for j in 0..i {
                d[j] = w[j * n + i - 1];
                w[j * n + i] = 0.0;
                w[i * n + j] = 0.0;
            }
        } else {
            for v in &mut d[..i] {
                *v /= scale;
                h += *v * *v;
            }
            let f = d[i - 1];
            let mut g = h.sqrt();
            if f > 0.0 {
                g = -g;
            }
            e[i] = scale * g;
            h -= f * g;
            d[i - 1] = f - g;
            e[..i].iter_mut().for_each(|v| *v = 0.0);
            for j in 0..i {
                let f = d[j];
                w[i * n + j] = f;
                let row = &w[j * n..j * n + i];
                let g = e[j] + row[j] * f + dot_axpy(&row[j + 1..i], &d[j + 1..i], &mut e[j + 1..i], f);
                e[j] = g;
            }
            let mut f = 0.0;
            for j in 0..i {
                e[j] /= h;
                f += e[j] * d[j];
            }
            let hh = f / (h + h);
            for j in 0..i {
                e[j] -= hh * d[j];
            }
            for j in 0..i {
                let (f, g) = (d[j], e[j]);
                rank2(&mut w[j * n + j..j * n + i], f, &e[j..i], g, &d[j..i]);
                d[j] = w[j * n + i - 1];
                w[j * n + i] = 0.0;
            }
        }
        d[i] = h;
    }
    // accumulate the transformations
    for i in 0..n - 1 {
        w[i * n + n - 1] = w[i * n + i];
        w[i * n + i] = 1.0;
        let h = d[i + 1];
        if h != 0.0 {
            for k in 0..=i {
                d[k] = w[(i + 1) * n + k] / h;
            }
            for j in 0..=i {
                let g = dot(&w[(i + 1) * n..(i + 1) * n + i + 1], &w[j * n..j * n + i + 1]);
                axpy_neg(&mut w[j * n..j * n + i + 1], g, &d[..=i]);
            }
        }
        for k in 0..=i {
            w[(i + 1) * n + k] = 0.0;
        }
    }
    for j in 0..n {
        d[j] = w[j * n + n - 1];
        w[j * n + n - 1] = 0.0;
    }
    w[(n - 1) * n + n - 1] = 1.0;
    e[0] = 0.0;
    // implicit QL
    for i in 1..n {
        e[i - 1] = e[i];
    }
    e[n - 1] = 0.0;
    let eps = f64::EPSILON;
    let (mut f, mut tst1) = (0.0f64, 0.0f64);
    for l in 0..n {
        tst1 = tst1.max(d[l].abs() + e[l].abs());
        let mut m = l;
        while m < n - 1 && e[m].abs() > eps * tst1 {
            m += 1;
        }
        if m > l {
            let mut iter = 0;
            loop {
                iter += 1;
                if iter > 60 || !tst1.is_finite() {
                    return Err(linalg("eigh: the eigenvalue iteration did not converge".into()));
                }
                let g = d[l];
                let mut p = (d[l + 1] - g) / (2.0 * e[l]);
                let mut r = p.hypot(1.0);
                if p < 0.0 {
                    r = -r;
                }
                d[l] = e[l] / (p + r);
                d[l + 1] = e[l] * (p + r);
                let dl1 = d[l + 1];
                let mut h = g - d[l];
                for v in &mut d[l + 2..] {
                    *v -= h;
                }
                f += h;
                p = d[m];
                let (mut c, mut c2, mut c3) = (1.0f64, 1.0f64, 1.0f64);
                let el1 = e[l + 1];
                let (mut s, mut s2) = (0.0f64, 0.0f64);
                for i in (l..m).rev() {
                    c3 = c2;
                    c2 = c;
                    s2 = s;
                    let g = c * e[i];
                    h = c * p;
                    r = p.hypot(e[i]);
                    e[i + 1] = s * r;
                    s = e[i] / r;
                    c = p / r;
                    p = c * d[i] - s * g;
                    d[i + 1] = h + s * (c * g + s * d[i]);
                    if vectors {
                        let (top, bot) = w.split_at_mut((i + 1) * n);
                        // (v_i, v_i+1) <- (c v_i - s v_i+1, s v_i + c v_i+1)
                        rotate(&mut top[i * n..], &mut bot[..n], c, s);
                    }
                }
                p = -s * s2 * c3 * el1 * e[l] / dl1;
                e[l] = s * p;
                d[l] = c * p;
                if e[l].abs() <= eps * tst1 {
                    break;
                }
            }
        }
        d[l] += f;
        e[l] = 0.0;
    }
    // ascending, vectors along
    for i in 0..n.saturating_sub(1) {
        let mut k = i;
        for j in i + 1..n {
            if d[j] < d[k] {
                k = j;
            }
        }
        if k != i {
            d.swap(i, k);
            if vectors {
                let (top, bot) = w.split_at_mut(k * n);
                top[i * n..(i + 1) * n].swap_with_slice(&mut bot[..n]);
            }
        }
    }
    Ok(())
}
