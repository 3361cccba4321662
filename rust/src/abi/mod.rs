//! The C ABI: the only `extern "C"` surface of cobalt. `include/cobalt.h` is its manual.
//!
//! # Contract
//! - Calls that create a tensor return the new handle, or NULL on failure; `cobalt_last_status()`
//!   then gives the status code. Other fallible calls return an `int32_t` status: `0` = OK, positive
//!   codes are stable and append-only (`cobalt_status_str`). The message of the last failure on the
//!   calling thread is copied out by `cobalt_last_error`. Other results go in out-params, last.
//!   NOTE: the handle is the return value, not an out-param, because it was measured: Deno reads a
//!   pointer result in ~5 ns, while turning an out-param's 64-bit value into a pointer object costs
//!   ~130 ns (BigInt + `Deno.UnsafePointer.create`), more than the rest of a small op.
//! - Every exported body runs inside `trampoline` (`catch_unwind`): a Rust panic becomes
//!   `COBALT_PANIC` with its message; it never unwinds into the caller and never aborts. What a
//!   failing call returns is chosen by its return type (`trampoline::AbiReturn`). The only
//!   exceptions return constants or read the last status or error out; none of them can panic.
//! - Ownership: a returned handle carries one reference (+1); handle arguments are
//!   borrowed. `cobalt_retain` adds a reference, `cobalt_release` drops one (`NULL` is a no-op); the
//!   tensor dies with its last reference. The refcount is atomic: handles may cross threads.
//! - A data pointer (`cobalt_data`) is valid while a reference to its tensor lives. Views
//!   (`cobalt_reshape`, `cobalt_permute`) share storage with their source through that refcount.
//! - Hot calls take no 64-bit integer parameters (Deno passes those as BigInt): shapes travel as
//!   `const int64_t*` + `int32_t` length, scalars as `double`.
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
pub use ops::*;
pub use references::*;
pub use sharing::*;

pub use handle::{CobaltJob, CobaltTensor};

/// Bumped on any incompatible change of this surface; loaders refuse a library with another value.
pub const COBALT_ABI_VERSION: u32 = 6;
/// Largest number of dimensions a tensor may have.
pub const COBALT_MAX_NDIM: usize = 32;
