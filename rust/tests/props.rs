//! Property tests (proptest) of the shape rules: broadcasting, reshape/permute round trips.

use cobalt::shape::broadcast_shapes;
use cobalt::{ops, BinaryOp, Tensor};
use proptest::prelude::*;

fn shape(max_nd: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..5, 0..=max_nd)
}

/// A shape and a second one broadcast-compatible with it (trailing dims equal or 1, maybe fewer).
fn compatible_pair() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    shape(4).prop_flat_map(|a| {
        let n = a.len();
        (Just(a.clone()), 0..=n, prop::collection::vec(any::<bool>(), n)).prop_map(move |(a, skip, ones)| {
            let b = a[skip..].iter().zip(&ones[skip..]).map(|(&d, &one)| if one { 1 } else { d }).collect();
            (a, b)
        })
    })
}

/// A shape and another with the same element count: adjacent dims merged, ones inserted.
fn regrouped() -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    shape(4).prop_flat_map(|a| {
        let n = a.len();
        (Just(a), prop::collection::vec(any::<bool>(), n), any::<bool>()).prop_map(|(a, merge, one)| {
            let mut b: Vec<usize> = vec![];
            for (i, &d) in a.iter().enumerate() {
                match b.last_mut() {
                    Some(last) if merge[i] => *last *= d,
                    _ => b.push(d),
                }
            }
            if one {
                b.insert(b.len() / 2, 1);
            }
            (a, b)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn broadcasting_is_symmetric((a, b) in compatible_pair()) {
        let ab = broadcast_shapes("t", &a, &b).unwrap();
        let ba = broadcast_shapes("t", &b, &a).unwrap();
        prop_assert_eq!(&*ab, &*ba);
        prop_assert_eq!(&*ab, &a[..]); // b was derived from a, so a is the broadcast
    }

    #[test]
    fn broadcasting_with_ones_is_identity(a in shape(5)) {
        let ones = vec![1; a.len()];
        prop_assert_eq!(&*broadcast_shapes("t", &a, &ones).unwrap(), &a[..]);
        prop_assert_eq!(&*broadcast_shapes("t", &a, &[]).unwrap(), &a[..]);
    }

    #[test]
    fn incompatible_dims_are_refused(d1 in 2usize..6, d2 in 2usize..6) {
        prop_assume!(d1 != d2);
        prop_assert!(broadcast_shapes("t", &[d1], &[3, d2]).is_err());
    }

    #[test]
    fn broadcast_add_equals_explicit_expansion((a, b) in compatible_pair()) {
        let na: usize = a.iter().product();
        let nb: usize = b.iter().product();
        let va: Vec<f64> = (0..na).map(|i| i as f64).collect();
        let vb: Vec<f64> = (0..nb).map(|i| (i * 100) as f64).collect();
        let ta = Tensor::from_vec(&a, &va).unwrap();
        let tb = Tensor::from_vec(&b, &vb).unwrap();
        let sum = ops::binary(BinaryOp::Add, &ta, &tb).unwrap();
        let zeros = Tensor::from_vec(&a, &vec![0.0; na]).unwrap();
        let expanded_b = ops::binary(BinaryOp::Add, &zeros, &tb).unwrap();
        let direct = ops::binary(BinaryOp::Add, &ta, &expanded_b).unwrap();
        prop_assert_eq!(sum.to_f64_vec(), direct.to_f64_vec());
    }

    #[test]
    fn permute_then_inverse_is_identity(a in shape(5), seed in any::<u64>()) {
        let n = a.len();
        let mut perm: Vec<usize> = (0..n).collect();
        let mut s = seed;
        for i in (1..n).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            perm.swap(i, (s >> 33) as usize % (i + 1));
        }
        let mut inv = vec![0; n];
        for (i, &p) in perm.iter().enumerate() { inv[p] = i; }
        let v: Vec<f32> = (0..a.iter().product::<usize>()).map(|i| i as f32).collect();
        let t = Tensor::from_vec(&a, &v).unwrap();
        let back = t.permute(&perm).unwrap().permute(&inv).unwrap();
        prop_assert_eq!(back.shape(), t.shape());
        prop_assert_eq!(back.to_f64_vec(), t.to_f64_vec());
    }

    #[test]
    fn reshape_preserves_row_major_order((a, b) in regrouped()) {
        let n: usize = a.iter().product();
        let v: Vec<f64> = (0..n).map(|i| i as f64 * 1.5).collect();
        let t = Tensor::from_vec(&a, &v).unwrap();
        let r = t.reshape(&b).unwrap();
        prop_assert_eq!(r.shape(), &b[..]);
        prop_assert_eq!(r.to_f64_vec(), v.clone());
        // a reshape of a transpose equals a reshape of its contiguous copy
        let tt = t.transpose();
        prop_assert_eq!(tt.reshape(&b).unwrap().to_f64_vec(), tt.contiguous().unwrap().reshape(&b).unwrap().to_f64_vec());
    }
}
