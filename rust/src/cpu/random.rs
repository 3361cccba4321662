//! Seeded random numbers: the same seed gives the same values on every platform and runtime
//! (xoshiro256** seeded by SplitMix64; normals by the Box-Muller transform).

use crate::dtype::{DType, Elem};
use std::sync::atomic::{AtomicU64, Ordering};

struct Xoshiro([u64; 4]);

impl Xoshiro {
    fn new(seed: u64) -> Xoshiro {
        let mut z = seed;
        let mut next = || {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut x = z;
            x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            x ^ (x >> 31)
        };
        Xoshiro([next(), next(), next(), next()])
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let r = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        r
    }

    /// Uniform in [0, 1) with 53 random bits.
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

static UNSEEDED: AtomicU64 = AtomicU64::new(0x853C_49E6_748F_EA9B);

/// A fresh seed for calls without one (distinct per call within a process).
pub fn next_seed() -> u64 {
    UNSEEDED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
}

/// Fills `o` from the generator seeded by `seed`: `normal == false`, uniform in [0, 1); `true`,
/// standard normal. Values are drawn in float64 and rounded once into `T` (a float type).
pub fn fill<T: Elem>(o: &mut [T], seed: u64, normal: bool) {
    let mut rng = Xoshiro::new(seed);
    if normal {
        for pair in o.chunks_mut(2) {
            let u1 = 1.0 - rng.uniform(); // (0, 1]: log is finite
            let u2 = rng.uniform();
            let r = (-2.0 * u1.ln()).sqrt();
            let th = 2.0 * std::f64::consts::PI * u2;
            pair[0] = T::from_f64(r * th.cos());
            if pair.len() > 1 {
                pair[1] = T::from_f64(r * th.sin());
            }
        }
    } else {
        // rounding to a narrower float may reach 1.0: keep the interval half-open
        let ulp_below_one = match T::DTYPE {
            DType::F16 => 2f64.powi(-11),
            DType::BF16 => 2f64.powi(-8),
            DType::F32 => 2f64.powi(-24),
            _ => 0.0,
        };
        let below = T::from_f64(1.0 - ulp_below_one);
        for v in o.iter_mut() {
            let x = T::from_f64(rng.uniform());
            *v = if x.to_f64() >= 1.0 { below } else { x };
        }
    }
}
