//! Tensor: a dtype, a layout and shared storage. Views (reshape, permute) share the storage `Arc`.

use crate::dispatch;
use crate::dtype::{DType, Elem};
use crate::error::{Error, Result};
use crate::layout::{for_each_offsets, Layout};
use crate::shape::numel;
use crate::storage::{ReleaseFn, Storage};
use std::ffi::c_void;
use std::sync::Arc;

/// An n-dimensional array. Cloning is cheap (the storage is shared).
#[derive(Clone)]
pub struct Tensor {
    storage: Arc<Storage>,
    layout: Layout,
    dtype: DType,
}

impl std::fmt::Debug for Tensor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Tensor({}, {:?})", self.dtype.name(), self.layout.shape)
    }
}

/// Bytes of a contiguous `shape` of `dtype`, or `OutOfMemory` when that overflows.
fn nbytes(dtype: DType, shape: &[usize]) -> Result<usize> {
    numel(shape)?.checked_mul(dtype.size()).ok_or_else(|| Error::OutOfMemory(format!("shape {shape:?} is too large")))
}

impl Tensor {
    /// A zero-filled contiguous tensor.
    pub fn zeros(dtype: DType, shape: &[usize]) -> Result<Tensor> {
        Ok(Tensor::contiguous_over(Storage::zeroed(nbytes(dtype, shape)?)?, dtype, shape))
    }

    /// A contiguous tensor whose elements the caller will all overwrite (see
    /// [`Storage::for_overwrite`]): kernels' outputs.
    pub fn empty(dtype: DType, shape: &[usize]) -> Result<Tensor> {
        Ok(Tensor::contiguous_over(Storage::for_overwrite(nbytes(dtype, shape)?)?, dtype, shape))
    }

    /// A row-major tensor of `shape` over all of `storage`.
    fn contiguous_over(storage: Storage, dtype: DType, shape: &[usize]) -> Tensor {
        Tensor { storage: Arc::new(storage), layout: Layout::contiguous(shape), dtype }
    }

    /// A tensor filled with `value` (converted to the dtype).
    pub fn full(dtype: DType, shape: &[usize], value: f64) -> Result<Tensor> {
        let t = Tensor::zeros(dtype, shape)?;
        if value != 0.0 || value.is_sign_negative() {
            dispatch!(dtype, T => {
                // SAFETY: `t` is fresh, contiguous and not shared.
                unsafe { t.slice_mut::<T>() }.fill(T::from_f64(value))
            });
        }
        Ok(t)
    }

    /// `n` values from `start` to `stop` (included when `n > 1`), like `numpy.linspace`.
    pub fn linspace(dtype: DType, start: f64, stop: f64, n: usize) -> Result<Tensor> {
        if !start.is_finite() || !stop.is_finite() {
            return Err(Error::InvalidArgument(format!(
                "linspace: start and stop must be finite (got {start}, {stop})"
            )));
        }
        let t = Tensor::zeros(dtype, &[n])?;
        let step = if n > 1 { (stop - start) / (n - 1) as f64 } else { 0.0 };
        // numpy >= 2: integer dtypes take the floor of each value (not its truncation)
        let int = matches!(dtype, DType::I32 | DType::I64 | DType::U8);
        dispatch!(dtype, T => {
            // SAFETY: fresh and unshared.
            let o = unsafe { t.slice_mut::<T>() };
            for (i, v) in o.iter_mut().enumerate() {
                let x = if n > 1 && i == n - 1 { stop } else { start + i as f64 * step };
                *v = T::from_f64(if int { x.floor() } else { x });
            }
        });
        Ok(t)
    }

    /// Values `start, start+step, ...` below `stop` (above, for a negative step), like `numpy.arange`.
    pub fn arange(dtype: DType, start: f64, stop: f64, step: f64) -> Result<Tensor> {
        if step == 0.0 || !step.is_finite() || !start.is_finite() || !stop.is_finite() {
            return Err(Error::InvalidArgument(format!(
                "arange: start, stop and step must be finite and step non-zero (got {start}, {stop}, {step})"
            )));
        }
        let n = ((stop - start) / step).ceil().max(0.0);
        if n > (1u64 << 48) as f64 {
            return Err(Error::OutOfMemory(format!("arange: {n} elements is too many")));
        }
        let t = Tensor::zeros(dtype, &[n as usize])?;
        dispatch!(dtype, T => {
            // SAFETY: fresh and unshared.
            for (i, v) in unsafe { t.slice_mut::<T>() }.iter_mut().enumerate() {
                *v = T::from_f64(start + i as f64 * step);
            }
        });
        Ok(t)
    }

    /// A contiguous tensor holding a copy of `bytes` (native-endian elements of `dtype`).
    pub fn from_bytes(dtype: DType, shape: &[usize], bytes: &[u8]) -> Result<Tensor> {
        let t = Tensor::zeros(dtype, shape)?;
        if bytes.len() != t.storage.nbytes() {
            return Err(Error::InvalidArgument(format!(
                "from_bytes: {} bytes given, shape {shape:?} of {} needs {}",
                bytes.len(),
                dtype.name(),
                t.storage.nbytes()
            )));
        }
        // SAFETY: both regions are `bytes.len()` long and distinct.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), t.storage.as_ptr(), bytes.len()) };
        Ok(t)
    }

    /// A contiguous tensor with the values of `data`.
    pub fn from_vec<T: Elem>(shape: &[usize], data: &[T]) -> Result<Tensor> {
        // SAFETY: any initialised slice of plain numbers can be viewed as bytes.
        let bytes = unsafe { std::slice::from_raw_parts(data.as_ptr() as *const u8, std::mem::size_of_val(data)) };
        Tensor::from_bytes(T::DTYPE, shape, bytes)
    }

    /// Adopts caller memory without copying; `release(ctx)` runs when the last view is dropped.
    ///
    /// # Safety
    /// `ptr` must be valid for `numel(shape) * dtype.size()` bytes, aligned for `dtype`, until `release`.
    pub unsafe fn from_external(
        dtype: DType,
        shape: &[usize],
        ptr: *mut u8,
        release: Option<ReleaseFn>,
        ctx: *mut c_void,
    ) -> Result<Tensor> {
        let nbytes = nbytes(dtype, shape)?;
        if !(ptr as usize).is_multiple_of(dtype.size()) {
            return Err(Error::InvalidArgument(format!(
                "external memory for {} must be {}-byte aligned",
                dtype.name(),
                dtype.size()
            )));
        }
        Ok(Tensor::contiguous_over(Storage::external(ptr, nbytes, release, ctx)?, dtype, shape))
    }

    /// A 1-D uint8 tensor over a read-only, copy-on-write mapping of a whole file.
    pub fn map_file(path: &std::path::Path) -> Result<Tensor> {
        let s = Storage::map_file(path)?;
        let n = s.nbytes();
        Ok(Tensor::contiguous_over(s, DType::U8, &[n]))
    }

    /// A contiguous view of this tensor's storage bytes from `byte_offset`, read as `dtype` with
    /// `shape` (no copy). Refused unless it fits the storage and is aligned for the dtype.
    pub fn reinterpret(&self, dtype: DType, shape: &[usize], byte_offset: usize) -> Result<Tensor> {
        let bytes = numel(shape)?
            .checked_mul(dtype.size())
            .and_then(|b| b.checked_add(byte_offset))
            .ok_or_else(|| Error::InvalidArgument("reinterpret: size overflows".into()))?;
        if bytes > self.storage.nbytes() {
            return Err(Error::InvalidArgument(format!(
                "reinterpret: {bytes} bytes needed, the storage has {}",
                self.storage.nbytes()
            )));
        }
        // The view's offset counts elements from the storage base: both must be aligned (an aligned
        // sum of an unaligned base and offset would round the offset down: the wrong bytes).
        if !byte_offset.is_multiple_of(dtype.size()) || !(self.storage.as_ptr() as usize).is_multiple_of(dtype.size()) {
            return Err(Error::InvalidArgument(format!(
                "reinterpret: offset {byte_offset} of a storage at {:#x} is not aligned for {}",
                self.storage.as_ptr() as usize,
                dtype.name()
            )));
        }
        let layout = Layout::contiguous(shape).with_offset(byte_offset / dtype.size());
        Ok(Tensor { storage: self.storage.clone(), layout, dtype })
    }

    /// A contiguous copy with the bytes of every element reversed (endianness swap).
    pub fn byteswap(&self) -> Result<Tensor> {
        let c = crate::ops::copy_contiguous(self)?;
        let w = self.dtype.size();
        if w > 1 {
            // SAFETY: `c` is fresh, contiguous and unshared: its numel * w bytes are ours.
            let bytes = unsafe { std::slice::from_raw_parts_mut(c.data_ptr(), c.numel() * w) };
            bytes.chunks_exact_mut(w).for_each(|e| e.reverse());
        }
        Ok(c)
    }

    pub fn dtype(&self) -> DType {
        self.dtype
    }
    pub fn shape(&self) -> &[usize] {
        &self.layout.shape
    }
    pub fn layout(&self) -> &Layout {
        &self.layout
    }
    pub fn ndim(&self) -> usize {
        self.layout.ndim()
    }
    pub fn numel(&self) -> usize {
        self.layout.numel()
    }
    pub fn storage(&self) -> &Arc<Storage> {
        &self.storage
    }
    pub fn is_contiguous(&self) -> bool {
        self.layout.is_contiguous()
    }

    /// Pointer to the first element (storage base + offset).
    pub fn data_ptr(&self) -> *mut u8 {
        // SAFETY: layouts never point past their storage (checked when views are built).
        unsafe { self.storage.as_ptr().add(self.layout.offset * self.dtype.size()) }
    }

    /// The elements as a slice; the tensor must be contiguous and of type `T`.
    pub fn as_slice<T: Elem>(&self) -> &[T] {
        assert!(self.is_contiguous() && T::DTYPE == self.dtype, "as_slice on a strided or mistyped tensor");
        // SAFETY: contiguous layout of numel elements of T inside the storage.
        unsafe { std::slice::from_raw_parts(self.data_ptr() as *const T, self.numel()) }
    }

    /// Mutable elements of a tensor that was just built and is not shared.
    ///
    /// # Safety
    /// No other reference may read or write this storage concurrently.
    #[allow(clippy::mut_from_ref)] // the storage is raw memory; exclusivity is the caller's promise
    pub(crate) unsafe fn slice_mut<T: Elem>(&self) -> &mut [T] {
        debug_assert!(self.is_contiguous() && T::DTYPE == self.dtype);
        std::slice::from_raw_parts_mut(self.data_ptr() as *mut T, self.numel())
    }

    /// The whole storage as elements of `T` (the tensor's dtype) and the layout of this view over
    /// them: a kernel's input (see [`crate::cpu`]).
    pub(crate) fn view<T: Elem>(&self) -> (&[T], &Layout) {
        assert_eq!(T::DTYPE, self.dtype, "view of a mistyped tensor");
        let len = self.storage.nbytes() / std::mem::size_of::<T>();
        // SAFETY: the storage holds `len` elements of T, aligned for T (owned blocks are 64-byte
        // aligned, adopted memory and reinterpreted views are checked), and no one writes it while
        // this view is read (tensors are immutable but for documented in-place writes).
        (unsafe { std::slice::from_raw_parts(self.storage.as_ptr() as *const T, len) }, &self.layout)
    }

    /// [`Tensor::view`] for writing through the view (an in-place op).
    ///
    /// # Safety
    /// No other reference may read or write this storage while the slice lives.
    #[allow(clippy::mut_from_ref)] // the storage is raw memory; exclusivity is the caller's promise
    pub(crate) unsafe fn view_mut<T: Elem>(&self) -> (&mut [T], &Layout) {
        assert_eq!(T::DTYPE, self.dtype, "view of a mistyped tensor");
        let len = self.storage.nbytes() / std::mem::size_of::<T>();
        // SAFETY: as in `view`; exclusivity is the caller's promise.
        (unsafe { std::slice::from_raw_parts_mut(self.storage.as_ptr() as *mut T, len) }, &self.layout)
    }

    /// A new tensor with the same storage and another layout.
    pub(crate) fn with_layout(&self, layout: Layout) -> Tensor {
        Tensor { storage: self.storage.clone(), layout, dtype: self.dtype }
    }

    /// A view of `shape` with `strides` (in elements) starting `offset` elements after this view's
    /// first element; refused unless every element it can reach lies inside the storage.
    pub fn as_strided(&self, shape: &[usize], strides: &[isize], offset: isize) -> Result<Tensor> {
        if shape.len() != strides.len() {
            return Err(Error::InvalidArgument("as_strided: shape and strides differ in length".into()));
        }
        let numel = numel(shape)?;
        // i128: no sum or product of these can wrap (see `layout::extent`)
        let start = self.layout.offset as i128 + offset as i128;
        let capacity = (self.storage.nbytes() / self.dtype.size()) as i128;
        if numel == 0 {
            // an empty view reads nothing: any offset is harmless, keep it inside the storage
            return Ok(self.with_layout(Layout::new(shape.into(), strides.into(), start.clamp(0, capacity) as usize)));
        }
        let (lo, hi) = crate::layout::extent(shape, strides, start);
        if lo < 0 || hi >= capacity {
            return Err(Error::InvalidArgument(format!(
                "as_strided: the view reaches elements {lo}..={hi} of a storage of {capacity}"
            )));
        }
        Ok(self.with_layout(Layout::new(shape.into(), strides.into(), start as usize)))
    }

    /// A view broadcast to `shape` (numpy `broadcast_to`): new leading dims and dims of size 1
    /// stretch with stride 0.
    pub fn expand(&self, shape: &[usize]) -> Result<Tensor> {
        if shape == self.shape() {
            return Ok(self.clone());
        }
        let nd = self.ndim();
        if shape.len() < nd {
            return Err(Error::shape("expand", self.shape(), shape));
        }
        numel(shape)?; // a broadcast view is not stored, but its element count must be a usize
        let pad = shape.len() - nd;
        for i in 0..nd {
            let (have, want) = (self.shape()[i], shape[pad + i]);
            if have != want && have != 1 {
                return Err(Error::shape("expand", self.shape(), shape));
            }
        }
        let strides = self.layout.broadcast_strides(shape);
        Ok(self.with_layout(Layout::new(shape.into(), strides, self.layout.offset)))
    }

    /// A view of `len` elements along `axis` from `start`.
    pub fn narrow(&self, axis: usize, start: usize, len: usize) -> Result<Tensor> {
        if axis >= self.ndim() || start.checked_add(len).is_none_or(|end| end > self.shape()[axis]) {
            return Err(Error::Index(format!("narrow: {start} + {len} is outside dim {axis} of {:?}", self.shape())));
        }
        let mut shape: Vec<usize> = self.shape().to_vec();
        shape[axis] = len;
        // an empty slice (start may be the dim's end) keeps the offset: nothing past the end
        let off = if len == 0 {
            self.layout.offset as isize
        } else {
            self.layout.offset as isize + start as isize * self.layout.strides[axis]
        };
        Ok(self.with_layout(Layout::new(shape[..].into(), self.layout.strides.clone(), off as usize)))
    }

    /// Elements in row-major order as `f64` (for tests and printing).
    ///
    /// # Panics
    /// When the buffer cannot be allocated (a panic, which the ABI guard catches; never an abort).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        let mut out = crate::alloc::try_with_capacity(self.numel(), "to_f64_vec").unwrap_or_else(|e| panic!("{e}"));
        dispatch!(self.dtype, T => {
            let (x, l) = self.view::<T>();
            // SAFETY: every offset the layout yields lies within the storage.
            for_each_offsets(&l.shape, [&l.strides], [l.offset], |[o]| out.push(unsafe { *x.get_unchecked(o) }.to_f64()));
        });
        out
    }

    /// The same elements in a contiguous layout: `self` (shared) when already contiguous, else a copy.
    pub fn contiguous(&self) -> Result<Tensor> {
        if self.is_contiguous() {
            return Ok(self.clone());
        }
        crate::ops::copy_contiguous(self)
    }

    /// A view with another shape of the same number of elements; copies only when no view exists.
    pub fn reshape(&self, shape: &[usize]) -> Result<Tensor> {
        match self.layout.reshape(shape)? {
            Some(l) => Ok(self.with_layout(l)),
            None => self.contiguous()?.reshape(shape),
        }
    }

    /// A view with dims reordered.
    pub fn permute(&self, perm: &[usize]) -> Result<Tensor> {
        Ok(self.with_layout(self.layout.permute(perm)?))
    }

    /// A view with the dims reversed (`numpy.transpose` without axes).
    pub fn transpose(&self) -> Tensor {
        let perm: Vec<usize> = (0..self.ndim()).rev().collect();
        self.with_layout(self.layout.permute(&perm).expect("reversal is a permutation"))
    }

    /// A contiguous copy converted to `dtype` (shares storage when the dtype is already right).
    pub fn astype(&self, dtype: DType) -> Result<Tensor> {
        if dtype == self.dtype {
            return Ok(self.clone());
        }
        crate::ops::cast(self, dtype)
    }
}

#[cfg(test)]
mod reinterpret_tests {
    use super::*;

    #[test]
    fn reinterpret_refuses_an_unaligned_base_even_when_base_plus_offset_is_aligned() {
        let mut buf = vec![0u64; 4]; // 8-byte aligned
        let base = buf.as_mut_ptr() as *mut u8;
        // SAFETY: 31 bytes from base + 1 lie inside the 32-byte buffer, which outlives the tensors;
        // u8 needs no alignment.
        let t = unsafe { Tensor::from_external(DType::U8, &[31], base.add(1), None, std::ptr::null_mut()) }.unwrap();
        // base + 1 + 3 is 4-byte aligned, but the view would start at element 3 / 4 = 0: refused
        let e = t.reinterpret(DType::F32, &[2], 3).unwrap_err();
        assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
        // an aligned base and offset still work
        let a = Tensor::from_vec::<u8>(&[16], &[0; 16]).unwrap();
        assert_eq!(a.reinterpret(DType::F32, &[2], 8).unwrap().shape(), &[2]);
        assert!(a.reinterpret(DType::F32, &[2], 2).is_err());
    }
}
