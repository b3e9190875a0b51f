//! The signature check off the async runtime's threads: in tokio's blocking pool, at most
//! a fixed number at once. A GOST 34.10-2015 (512) signature costs about 1.7 ms of CPU; a
//! burst of them run inline would starve broker heartbeats, batch deadlines and `/healthz`.

use std::num::NonZeroUsize;
use std::sync::Arc;

use tokio::sync::Semaphore;

/// Why work sent to the pool has no result. The caller retries the delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Lost {
    /// The work panicked (a bug, or an input that trips one); the pool lives on.
    #[error("the signature check panicked")]
    Panicked,
    /// The runtime is shutting down.
    #[error("the signature check was cancelled")]
    Cancelled,
}

/// A bounded share of the blocking pool. Cheap to clone; clones share the bound.
#[derive(Clone)]
pub struct SignaturePool {
    permits: Arc<Semaphore>,
}

impl SignaturePool {
    /// At most `size` checks at once (0 is taken as 1).
    pub fn new(size: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(size.max(1))),
        }
    }

    /// One check at a time per core the process may use.
    pub fn per_core() -> Self {
        Self::new(std::thread::available_parallelism().map_or(1, NonZeroUsize::get))
    }

    /// Runs `work` on a blocking thread once a slot is free, and waits for its result. The
    /// slot is held by the blocking thread, so it is freed when the work ends even if the
    /// caller stopped waiting.
    pub async fn run<T, F>(&self, work: F) -> Result<T, Lost>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| Lost::Cancelled)?;
        let done = tokio::task::spawn_blocking(move || {
            let _slot = permit;
            work()
        });
        done.await.map_err(|e| {
            if e.is_panic() {
                Lost::Panicked
            } else {
                Lost::Cancelled
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    #[tokio::test]
    async fn a_panic_is_a_named_outcome_and_the_pool_lives_on() {
        let pool = SignaturePool::new(1);
        let lost = pool.run(|| -> u8 { panic!("a check that trips") }).await;
        assert_eq!(lost, Err(Lost::Panicked));
        assert_eq!(pool.run(|| 7).await, Ok(7), "the slot was given back");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn no_more_than_size_run_at_once() {
        let pool = SignaturePool::new(2);
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let runs: Vec<_> = (0..8)
            .map(|_| {
                let (pool, now, most) = (pool.clone(), now.clone(), most.clone());
                tokio::spawn(async move {
                    pool.run(move || {
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(n, Ordering::SeqCst);
                        std::thread::sleep(Duration::from_millis(20));
                        now.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                })
            })
            .collect();
        for run in runs {
            run.await.unwrap().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }

    /// On a runtime with one thread, timers still fire on time while checks burn CPU: the
    /// checks are not on that thread.
    #[tokio::test(flavor = "current_thread")]
    async fn checks_do_not_starve_the_runtime() {
        let pool = SignaturePool::new(2);
        let busy = |ms| {
            move || {
                let until = Instant::now() + Duration::from_millis(ms);
                while Instant::now() < until {
                    std::hint::spin_loop();
                }
            }
        };
        let started = Instant::now();
        let timer = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            started.elapsed()
        });
        let checks = tokio::spawn({
            let pool = pool.clone();
            async move { tokio::join!(pool.run(busy(400)), pool.run(busy(400))) }
        });
        let late = timer.await.unwrap();
        assert!(
            late < Duration::from_millis(200),
            "a 20 ms timer took {late:?}"
        );
        let (a, b) = checks.await.unwrap();
        assert_eq!((a, b), (Ok(()), Ok(())));
    }
}
