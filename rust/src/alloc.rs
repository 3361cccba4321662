//! Fallible scratch allocations: a buffer sized by user input (an axis length, a count) fails with
//! `OutOfMemory` instead of aborting the process (Rust's infallible `Vec` allocation aborts, past
//! the ABI's `catch_unwind` guard).

use crate::error::{Error, Result};

/// An empty `Vec` with room for exactly `n` elements, or `OutOfMemory` naming `what`.
pub fn try_with_capacity<T>(n: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(n).map_err(|_| oom::<T>(n, what))?;
    Ok(v)
}

/// `n` copies of `value` (`vec![value; n]`), or `OutOfMemory` naming `what`.
pub fn try_vec<T: Clone>(n: usize, value: T, what: &str) -> Result<Vec<T>> {
    let mut v = try_with_capacity(n, what)?;
    v.resize(n, value);
    Ok(v)
}

fn oom<T>(n: usize, what: &str) -> Error {
    Error::OutOfMemory(format!(
        "{what}: cannot allocate a scratch buffer of {n} elements ({} bytes each)",
        std::mem::size_of::<T>()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn huge_requests_fail_without_aborting() {
        assert!(matches!(try_vec(1usize << 62, 0u64, "t"), Err(Error::OutOfMemory(_))));
        assert!(matches!(try_with_capacity::<u8>(usize::MAX, "t"), Err(Error::OutOfMemory(_))));
        // larger than the address space but not overflowing isize: the allocator refuses
        assert!(matches!(try_vec(1usize << 49, 0u8, "t"), Err(Error::OutOfMemory(_))));
        assert_eq!(try_vec(3, 7i32, "t").unwrap(), [7, 7, 7]);
    }
}
