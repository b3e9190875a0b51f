//! Commits in batches: handlers of concurrent deliveries each submit one item and wait for
//! its result; one task gathers up to `max_size` items (waiting at most `max_wait` after the
//! first) and commits them in one transaction. One transaction per batch is what lets the
//! worker keep up with the broker; a batch of one costs no more than no batching.

use std::future::Future;
use std::time::Duration;

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Semaphore};
use tokio::time::Instant;
use tokio_util::task::TaskTracker;

type Reply<R, E> = oneshot::Sender<Result<R, E>>;

/// The handle handlers submit through. When the last handle is dropped, the batching task
/// commits what it holds and ends.
pub struct Batcher<T, R, E> {
    tx: mpsc::Sender<(T, Reply<R, E>)>,
}

impl<T, R, E> Clone for Batcher<T, R, E> {
    fn clone(&self) -> Self {
        Self {
            tx: self.tx.clone(),
        }
    }
}

/// Why a submitted item has no result: the batching task is gone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the batching task has stopped")]
pub struct Stopped;

impl<T, R, E> Batcher<T, R, E> {
    /// Submits one item and waits for its result.
    pub async fn submit(&self, item: T) -> Result<Result<R, E>, Stopped> {
        let (reply, result) = oneshot::channel();
        self.tx.send((item, reply)).await.map_err(|_| Stopped)?;
        result.await.map_err(|_| Stopped)
    }
}

/// Starts the batching task. `commit` gets the items in submission order and returns one
/// result per item, or one error for the whole batch (which every item then receives).
/// One batch is committed at a time.
pub fn spawn<T, R, E, F, Fut>(
    max_size: usize,
    max_wait: Duration,
    commit: F,
) -> (Batcher<T, R, E>, tokio::task::JoinHandle<()>)
where
    T: Send + 'static,
    R: Send + 'static,
    E: Clone + Send + 'static,
    F: Fn(Vec<T>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<R>, E>> + Send + 'static,
{
    spawn_concurrent(max_size, max_wait, 1, commit)
}

/// [`spawn`], with up to `at_once` batches committed concurrently: while one batch waits
/// for its commit (a round trip and a flush to disk), the next one fills and goes. The
/// task ends once the last handle is dropped and every batch it started is done.
pub fn spawn_concurrent<T, R, E, F, Fut>(
    max_size: usize,
    max_wait: Duration,
    at_once: usize,
    commit: F,
) -> (Batcher<T, R, E>, tokio::task::JoinHandle<()>)
where
    T: Send + 'static,
    R: Send + 'static,
    E: Clone + Send + 'static,
    F: Fn(Vec<T>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Vec<R>, E>> + Send + 'static,
{
    let max_size = max_size.max(1);
    let slots = Arc::new(Semaphore::new(at_once.max(1)));
    let (tx, mut rx) = mpsc::channel::<(T, Reply<R, E>)>(max_size * 2);
    let task = tokio::spawn(async move {
        let running = TaskTracker::new();
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            let deadline = Instant::now() + max_wait;
            while batch.len() < max_size {
                match tokio::time::timeout_at(deadline, rx.recv()).await {
                    Ok(Some(next)) => batch.push(next),
                    Ok(None) | Err(_) => break,
                }
            }
            let (items, replies): (Vec<T>, Vec<Reply<R, E>>) = batch.into_iter().unzip();
            let slot = slots.clone().acquire_owned().await.expect("never closed");
            let committing = commit(items);
            running.spawn(async move {
                deliver(committing.await, replies);
                drop(slot);
            });
        }
        running.close();
        running.wait().await;
    });
    (Batcher { tx }, task)
}

fn deliver<R, E: Clone>(results: Result<Vec<R>, E>, replies: Vec<Reply<R, E>>) {
    match results {
        Ok(results) => {
            debug_assert_eq!(results.len(), replies.len(), "one result per item");
            for (reply, result) in replies.into_iter().zip(results) {
                // A handler that stopped waiting no longer needs its result.
                let _ = reply.send(Ok(result));
            }
        }
        Err(e) => {
            for reply in replies {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[tokio::test]
    async fn concurrent_submissions_share_a_commit() {
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let seen = sizes.clone();
        let (batcher, task) = spawn(8, Duration::from_millis(50), move |items: Vec<u32>| {
            seen.lock().unwrap().push(items.len());
            async move { Ok::<_, String>(items.into_iter().map(|i| i * 10).collect()) }
        });
        let handles: Vec<_> = (0..20u32)
            .map(|i| {
                let b = batcher.clone();
                tokio::spawn(async move { b.submit(i).await })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), Ok(Ok(i as u32 * 10)));
        }
        drop(batcher);
        task.await.unwrap();
        let sizes = sizes.lock().unwrap();
        assert_eq!(sizes.iter().sum::<usize>(), 20);
        assert!(sizes.iter().all(|&n| n <= 8), "{sizes:?}");
        assert!(sizes.len() < 20, "some items shared a commit: {sizes:?}");
    }

    #[tokio::test]
    async fn batches_commit_concurrently_up_to_the_bound() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (now, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (n, m) = (now.clone(), most.clone());
        let (batcher, task) =
            spawn_concurrent(1, Duration::from_millis(1), 2, move |items: Vec<u8>| {
                let (n, m) = (n.clone(), m.clone());
                async move {
                    let running = n.fetch_add(1, Ordering::SeqCst) + 1;
                    m.fetch_max(running, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    n.fetch_sub(1, Ordering::SeqCst);
                    Ok::<_, ()>(items)
                }
            });
        let handles: Vec<_> = (0..6u8)
            .map(|i| {
                let b = batcher.clone();
                tokio::spawn(async move { b.submit(i).await })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), Ok(Ok(i as u8)));
        }
        drop(batcher);
        task.await.unwrap();
        assert_eq!(most.load(Ordering::SeqCst), 2, "two at once, never more");
    }

    #[tokio::test]
    async fn a_failed_commit_reaches_every_item() {
        let (batcher, _task) = spawn(4, Duration::from_millis(20), |_: Vec<u8>| async {
            Err::<Vec<u8>, _>("database down".to_owned())
        });
        let (a, b) = tokio::join!(batcher.submit(1), batcher.submit(2));
        assert_eq!(a, Ok(Err("database down".to_owned())));
        assert_eq!(b, Ok(Err("database down".to_owned())));
    }

    #[tokio::test]
    async fn a_lone_item_waits_no_longer_than_max_wait() {
        let (batcher, _task) = spawn(
            100,
            Duration::from_millis(10),
            |items: Vec<u8>| async move { Ok::<_, ()>(items) },
        );
        let started = std::time::Instant::now();
        assert_eq!(batcher.submit(5).await, Ok(Ok(5)));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
