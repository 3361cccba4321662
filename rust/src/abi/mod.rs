//! The C ABI: the only `extern "C"` surface of cobalt. `include/cobalt.h` is its manual.
//!
//! # Contract
//! The contract (status codes, the last error per thread, ownership and references, data pointer
//! lifetimes, no unwinding) is written once, in `include/cobalt.h`; `tests/header.rs` checks that the
//! header declares exactly these exports with the same signatures. How this side keeps it:
//! - Every exported body runs inside `trampoline` (`catch_unwind`): a Rust panic becomes
//!   `COBALT_PANIC` with its message (`Error::from_panic`); it never unwinds into the caller and never
//!   aborts. What a failing call returns is chosen by its return type (`trampoline::AbiReturn`).
//!   The only exports outside it return constants or read the last status or error out; none of
//!   them can panic.
//! - A new handle is the return value, not an out-param, because it was measured: Deno reads a
//!   pointer result in ~5 ns, while turning an out-param's 64-bit value into a pointer object costs
//!   ~130 ns (BigInt + `Deno.UnsafePointer.create`), more than the rest of a small op.
//! - Handles are `Arc`s (`handle`): `cobalt_retain`/`cobalt_release` are its atomic count.
//!
//! # Layout
//! One module per section of `include/cobalt.h`, in its order: `library`, `references`,
//! `creation`, `inspection`, `ops`, `in_place`, `files`, `jobs` (async jobs and the thread pool),
//! `sharing`. Beside them: `trampoline` (the one guard every exported body runs in), `handle` (the
//! opaque handle types) and `args` (reading shape, axes and number arguments).

mod args;
mod creation;
mod files;
mod handle;
mod in_place;
mod inspection;
mod jobs;
mod library;
mod linalg;
mod ops;
mod references;
mod sharing;
mod trampoline;

pub use creation::*;
pub use files::*;
pub use in_place::*;
pub use inspection::*;
pub use jobs::*;
pub use library::*;
pub use linalg::*;
pub use ops::*;
pub use references::*;
pub use sharing::*;

pub use handle::{CobaltJob, CobaltTensor};

/// Bumped on any incompatible change of this surface; loaders refuse a library with another value.
pub const COBALT_ABI_VERSION: u32 = 6;
/// Largest number of dimensions a tensor may have.
pub const COBALT_MAX_NDIM: usize = 32;
