//! cobalt: a tensor core with a plain C ABI (see [`abi`]), built to be driven from Deno and Bun.
//!
//! The core (`dtype`, `shape`, `layout`, `storage`, `tensor`, `op`, `ops`, `cpu`) knows nothing
//! of FFI; `abi` is the only `extern "C"` surface. `ops` is the op layer on tensors; the `cpu`
//! kernels under it take element slices and layouts and know no tensors.

pub mod abi;
pub mod alloc;
pub mod cpu;
pub mod dtype;
pub mod error;
pub mod layout;
pub mod op;
pub mod ops;
pub mod pool;
pub mod shape;
pub mod storage;
pub mod tensor;

pub use dtype::DType;
pub use error::{Error, Result};
pub use layout::Layout;
pub use op::{BinaryOp, ReduceOp, ScanOp, UnaryOp};
pub use storage::{empty_cache, memory_stats, MemoryStats, Storage};
pub use tensor::Tensor;
