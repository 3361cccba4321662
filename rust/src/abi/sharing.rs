//! Handing tensor references to other threads through tokens.
//!
//! The `sharing with other threads` section of `cobalt.h`.

use super::args::EXACT_INT_LIMIT;
use super::handle::{get, into_handle, CobaltTensor};
use super::references::cobalt_release;
use super::trampoline::{trampoline, Plain};
use crate::error::Error;
use crate::ops;
use std::sync::Arc;

fn shares() -> &'static std::sync::Mutex<std::collections::HashMap<u64, usize>> {
    static S: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<u64, usize>>> = std::sync::OnceLock::new();
    S.get_or_init(Default::default)
}

/// A fresh share token: nonzero, below 2^53 (exact as a double), hard to guess.
fn next_token() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    let seed = *SEED.get_or_init(|| {
        let local = 0u8;
        let here = (&local as *const u8 as u64).rotate_left(32);
        // NOTE: wasm32-unknown-unknown has neither a clock nor a process id (both panic there); its
        // tokens never leave the instance, so the address alone seeds them.
        #[cfg(not(target_family = "wasm"))]
        let here = here
            ^ std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
            ^ (std::process::id() as u64) << 16;
        here
    });
    let mut z = seed.wrapping_add(COUNTER.fetch_add(1, Ordering::Relaxed).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11).max(1)
}

/// The key of a share token: a whole number in `1..2^53`.
fn share_token(token: f64) -> Option<u64> {
    ((1.0..EXACT_INT_LIMIT).contains(&token) && token.fract() == 0.0).then_some(token as u64)
}

/// Hands one reference to `t` to another thread: returns a token (a whole number below 2^53, as a
/// double) that `cobalt_from_shared` redeems exactly once, on any thread; 0 on failure. A tensor
/// over adopted memory (`cobalt_adopt`) is copied first, since that memory belongs to one thread.
///
/// # Safety
/// `t` is a live handle.
#[no_mangle]
pub unsafe extern "C" fn cobalt_share(t: *const CobaltTensor) -> f64 {
    trampoline(|| {
        let src = get(t)?;
        let h = if src.storage().adoption_id() != 0 {
            into_handle(ops::copy_contiguous(src)?)
        } else {
            // SAFETY: `t` is live (checked above); the new reference goes into the table.
            unsafe { Arc::increment_strong_count(t) };
            t as *mut CobaltTensor
        };
        let mut table = shares().lock().unwrap_or_else(|e| e.into_inner());
        let mut k = next_token();
        while table.contains_key(&k) {
            k = next_token();
        }
        table.insert(k, h as usize);
        Ok(Plain::<f64, 0>(k as f64))
    })
}

/// Redeems a `cobalt_share` token: the shared tensor (+1), or NULL with `COBALT_INVALID_ARGUMENT`
/// when the token is unknown or was redeemed already (never a double release).
#[no_mangle]
pub extern "C" fn cobalt_from_shared(token: f64) -> *mut CobaltTensor {
    trampoline(|| {
        let Some(k) = share_token(token) else {
            return Err(Error::InvalidArgument(format!("fromShared: {token} is not a share token")));
        };
        let h = shares().lock().unwrap_or_else(|e| e.into_inner()).remove(&k);
        match h {
            Some(h) => Ok(h as *mut CobaltTensor),
            None => Err(Error::InvalidArgument(
                "fromShared: unknown share token (claimed already, or not made by cb.share in this process)".into(),
            )),
        }
    })
}

/// Drops an unredeemed `cobalt_share` token and its reference; returns 1 if it was outstanding, 0 if not.
#[no_mangle]
pub extern "C" fn cobalt_unshare(token: f64) -> i32 {
    trampoline(|| {
        let h = share_token(token).and_then(|k| shares().lock().unwrap_or_else(|e| e.into_inner()).remove(&k));
        Ok(Plain::<i32, 0>(match h {
            Some(h) => {
                // SAFETY: the table held one reference to this live handle.
                unsafe { cobalt_release(h as *const CobaltTensor) };
                1
            }
            None => 0,
        }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::abi::*;
    use crate::dtype::DType;
    use crate::tensor::Tensor;
    use std::ffi::c_void;

    #[test]
    fn share_tokens_redeem_once_and_reject_made_up_values() {
        let t = trampoline(|| Tensor::zeros(DType::F32, &[3]));
        // SAFETY: `t` is a live handle (made above, not yet released).
        let token = unsafe { cobalt_share(t) };
        assert_eq!(share_token(token), Some(token as u64));
        // SAFETY: as above.
        unsafe { assert_eq!(cobalt_refcount(t), 2) };
        assert!(cobalt_from_shared(token + 1.0).is_null());
        assert!(cobalt_from_shared(0.5).is_null());
        assert!(cobalt_from_shared(f64::NAN).is_null());
        let u = cobalt_from_shared(token);
        assert_eq!(u, t);
        assert!(cobalt_from_shared(token).is_null(), "a second claim fails");
        assert_eq!(cobalt_last_status(), 1);
        // SAFETY: as above.
        let t2 = unsafe { cobalt_share(t) };
        assert_eq!(cobalt_unshare(t2), 1);
        assert_eq!(cobalt_unshare(t2), 0);
        // SAFETY: `t` and `u` (the same handle) hold two references, released here.
        unsafe {
            assert_eq!(cobalt_refcount(t), 2);
            cobalt_release(u);
            cobalt_release(t);
        }
    }

    #[test]
    fn shared_adopted_memory_is_copied() {
        let mut buf = [1.0f32, 2.0, 3.0];
        let shape = [3i64];
        // SAFETY: `buf` holds 3 float32s and outlives the tensor (released below).
        let t = unsafe { cobalt_adopt(0, shape.as_ptr(), 1, buf.as_mut_ptr() as *mut c_void, 77) };
        assert!(!t.is_null());
        // SAFETY: `t` is live.
        assert_eq!(unsafe { cobalt_adoption(t) }, 77);
        // SAFETY: `t` is live.
        let u = cobalt_from_shared(unsafe { cobalt_share(t) });
        // SAFETY: `u` is live (a new handle).
        assert_eq!(unsafe { cobalt_adoption(u) }, 0);
        buf[0] = 9.0;
        assert_eq!(get(u).unwrap().as_slice::<f32>(), &[1.0, 2.0, 3.0]);
        // SAFETY: both are live and released once.
        unsafe {
            cobalt_release(u);
            cobalt_release(t);
        }
        // SAFETY: `buf` outlives the call (which fails: adoption id 0).
        assert!(unsafe { cobalt_adopt(0, shape.as_ptr(), 1, buf.as_mut_ptr() as *mut c_void, 0) }.is_null());
    }
}
