//! The native thread pool, shared by async jobs and by large sync kernels (`parallel_for`), and
//! the job type behind the ABI's async calls (generic over its result: the pool knows no tensors).
//!
//! Size: `COBALT_NUM_THREADS`, else the available parallelism; `set_num_threads` changes it at run
//! time (extra workers exit when idle). `parallel_for` lets the calling thread take chunks too, so
//! a kernel running on a pool thread (inside an async job) never waits for a free worker.

use crate::error::{Error, Result};
use std::collections::VecDeque;
use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};

type Task = Box<dyn FnOnce() + Send + 'static>;

struct Pool {
    queue: Mutex<VecDeque<Task>>,
    ready: Condvar,
    target: AtomicUsize,
    running: AtomicUsize,
}

fn pool() -> &'static Arc<Pool> {
    static POOL: OnceLock<Arc<Pool>> = OnceLock::new();
    POOL.get_or_init(|| {
        let n = std::env::var("COBALT_NUM_THREADS")
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
        let p = Arc::new(Pool {
            queue: Mutex::new(VecDeque::new()),
            ready: Condvar::new(),
            target: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
        });
        grow(&p, n);
        p
    })
}

/// True where `std::thread` cannot spawn (wasm32 without the atomics feature): the pool has one
/// "thread", the caller, and every task runs inline when it is submitted.
const INLINE: bool = cfg!(all(target_family = "wasm", not(target_feature = "atomics")));

fn grow(p: &Arc<Pool>, n: usize) {
    let n = if INLINE { 1 } else { n };
    p.target.store(n, Ordering::SeqCst);
    if INLINE {
        return;
    }
    while p.running.load(Ordering::SeqCst) < n {
        let id = p.running.fetch_add(1, Ordering::SeqCst);
        let q = p.clone();
        std::thread::Builder::new()
            .name(format!("cobalt-{id}"))
            .spawn(move || worker(q))
            .expect("spawn a cobalt pool thread");
    }
}

fn worker(p: Arc<Pool>) {
    loop {
        let task = {
            let mut q = p.queue.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                // shrink: leave when there are more workers than wanted and nothing to do
                if q.is_empty() && p.running.load(Ordering::SeqCst) > p.target.load(Ordering::SeqCst) {
                    p.running.fetch_sub(1, Ordering::SeqCst);
                    return;
                }
                if let Some(t) = q.pop_front() {
                    break t;
                }
                q = p.ready.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        };
        // Tasks catch their own panics; this is a last line so a worker never dies silently.
        let _ = catch_unwind(AssertUnwindSafe(task));
    }
}

fn spawn(task: Task) {
    if INLINE {
        task();
        return;
    }
    let p = pool();
    p.queue.lock().unwrap_or_else(|e| e.into_inner()).push_back(task);
    p.ready.notify_one();
}

/// Threads in the pool (the target size).
pub fn num_threads() -> usize {
    pool().target.load(Ordering::SeqCst)
}

/// Resizes the pool (at least 1 thread).
pub fn set_num_threads(n: usize) -> Result<()> {
    if n == 0 || n > 1024 {
        return Err(Error::InvalidArgument(format!("set_num_threads: {n} is not in 1..=1024")));
    }
    if INLINE && n > 1 {
        return Err(Error::InvalidArgument(format!(
            "set_num_threads: {n} threads, but this build (WebAssembly without threads) runs on one"
        )));
    }
    let p = pool();
    if n > p.running.load(Ordering::SeqCst) {
        grow(p, n);
    } else {
        p.target.store(n, Ordering::SeqCst);
        p.ready.notify_all();
    }
    Ok(())
}

struct Shared {
    next: AtomicUsize,
    done: Mutex<usize>,
    all_done: Condvar,
    panicked: AtomicBool,
    chunks: usize,
}

/// Runs `f` over `0..n` in chunks of at least `min_chunk`, on the pool and the calling thread;
/// returns when every chunk is done. A panic in any chunk panics here.
pub fn parallel_for(n: usize, min_chunk: usize, f: &(dyn Fn(Range<usize>) + Sync)) {
    let threads = num_threads();
    parallel_chunks(n, n.div_ceil(threads.max(1) * 4).max(min_chunk.max(1)), f);
}

/// Like [`parallel_for`] with chunks of exactly `chunk` items (the last may be shorter): for a few
/// large, equal items (GEMM blocks), where the default chunking would leave one thread idle at
/// the end.
pub fn parallel_chunks(n: usize, chunk: usize, f: &(dyn Fn(Range<usize>) + Sync)) {
    let threads = num_threads();
    let chunk = chunk.max(1);
    let chunks = n.div_ceil(chunk);
    if chunks <= 1 || threads <= 1 {
        f(0..n);
        return;
    }
    let shared = Arc::new(Shared {
        next: AtomicUsize::new(0),
        done: Mutex::new(0),
        all_done: Condvar::new(),
        panicked: AtomicBool::new(false),
        chunks,
    });
    // SAFETY: `f` outlives every call made through this pointer: a helper only calls it after
    // claiming a chunk, and we do not return before every claimed chunk has finished.
    let fp: &'static (dyn Fn(Range<usize>) + Sync) = unsafe { std::mem::transmute(f) };
    let run = move |s: &Shared| loop {
        let c = s.next.fetch_add(1, Ordering::SeqCst);
        if c >= s.chunks {
            return;
        }
        let r = c * chunk..((c + 1) * chunk).min(n);
        if catch_unwind(AssertUnwindSafe(|| fp(r))).is_err() {
            s.panicked.store(true, Ordering::SeqCst);
        }
        let mut d = s.done.lock().unwrap_or_else(|e| e.into_inner());
        *d += 1;
        if *d == s.chunks {
            s.all_done.notify_all();
        }
    };
    for _ in 0..threads.min(chunks - 1) {
        let s = shared.clone();
        spawn(Box::new(move || run(&s)));
    }
    run(&shared);
    let mut d = shared.done.lock().unwrap_or_else(|e| e.into_inner());
    while *d < chunks {
        d = shared.all_done.wait(d).unwrap_or_else(|e| e.into_inner());
    }
    if shared.panicked.load(Ordering::SeqCst) {
        panic!("a parallel kernel chunk panicked");
    }
}

enum State<T> {
    Pending,
    Done(Result<T>),
    Taken,
}

/// A computation running on the pool, and its result once it has run.
pub struct Job<T> {
    state: Mutex<State<T>>,
    finished: Condvar,
}

impl<T: Send + 'static> Job<T> {
    /// Starts `f` on the pool. A panic in `f` becomes its `Error::Panic` result. Whatever `f`
    /// owns (a job's inputs) is dropped before the job reads as finished.
    pub fn submit(f: impl FnOnce() -> Result<T> + Send + 'static) -> Arc<Job<T>> {
        let job = Arc::new(Job { state: Mutex::new(State::Pending), finished: Condvar::new() });
        let j = job.clone();
        spawn(Box::new(move || {
            let r = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(Error::from_panic(p.as_ref())));
            *j.state.lock().unwrap_or_else(|e| e.into_inner()) = State::Done(r);
            j.finished.notify_all();
        }));
        job
    }

    /// A job that has run already, on the calling thread: `f`'s result (a panic becomes its
    /// `Error::Panic`). For work smaller than handing it to a pool thread costs.
    pub fn run_here(f: impl FnOnce() -> Result<T>) -> Arc<Job<T>> {
        let r = catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(Error::from_panic(p.as_ref())));
        Arc::new(Job { state: Mutex::new(State::Done(r)), finished: Condvar::new() })
    }

    /// True once the job has finished.
    pub fn is_done(&self) -> bool {
        !matches!(*self.state.lock().unwrap_or_else(|e| e.into_inner()), State::Pending)
    }

    /// Blocks until the job has finished.
    pub fn wait(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while matches!(*s, State::Pending) {
            s = self.finished.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The result (once): waits if needed.
    pub fn take(&self) -> Result<T> {
        self.wait();
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match std::mem::replace(&mut *s, State::Taken) {
            State::Done(r) => r,
            _ => Err(Error::InvalidArgument("job result was already taken".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_for_covers_every_index_once() {
        let hits: Vec<AtomicUsize> = (0..10_000).map(|_| AtomicUsize::new(0)).collect();
        parallel_for(hits.len(), 7, &|r| {
            for i in r {
                hits[i].fetch_add(1, Ordering::SeqCst);
            }
        });
        assert!(hits.iter().all(|h| h.load(Ordering::SeqCst) == 1));
    }

    #[test]
    fn nested_parallel_for_inside_jobs_does_not_deadlock() {
        let jobs: Vec<_> = (0..16)
            .map(|i| {
                Job::submit(move || {
                    let sum = AtomicUsize::new(0);
                    parallel_for(1000, 10, &|r| {
                        sum.fetch_add(r.len(), Ordering::SeqCst);
                    });
                    Ok(sum.load(Ordering::SeqCst) + i)
                })
            })
            .collect();
        for (i, j) in jobs.iter().enumerate() {
            assert_eq!(j.take().unwrap(), 1000 + i);
        }
    }

    #[test]
    fn job_panics_become_errors() {
        let j = Job::<()>::submit(|| panic!("boom"));
        assert!(matches!(j.take(), Err(Error::Panic(m)) if m == "boom"));
    }
}
