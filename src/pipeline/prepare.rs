//! The reads before the signature check, for concurrent deliveries at once: whether each
//! application was taken in already, and its registry facts. Handlers submit one
//! [`Lookup`] each; a batch (up to `batch.max_size`, waiting at most `batch.max_wait_ms`
//! after the first) costs one query on `applications` and one per registry, all pipelined
//! on one connection.

use std::borrow::Borrow;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use futures_util::FutureExt;

use super::batcher::{self, Batcher};
use crate::checks::Facts;
use crate::config::Batch;
use crate::domain::envelope::Envelope;
use crate::domain::request::ERequest;
use crate::store::commit::Recorded;
use crate::store::facts::{self, Keys};
use crate::store::{seen, StoreError};

/// What is asked about one application. No `Debug`: the keys are personal data.
pub struct Lookup {
    application_id: String,
    document_sha256: [u8; 32],
    keys: Keys,
}

impl Lookup {
    /// The lookup for `envelope`, whose document parsed as `request` (or did not parse).
    pub fn of(envelope: &Envelope, request: Option<&ERequest>) -> Self {
        Self {
            application_id: envelope.application_id.as_ref().to_owned(),
            document_sha256: *envelope.document_sha256.as_bytes(),
            keys: Keys::of(envelope, request),
        }
    }
}

impl Borrow<Keys> for Lookup {
    fn borrow(&self) -> &Keys {
        &self.keys
    }
}

/// What the reads found for one application.
pub enum Found {
    /// Taken in before, with the same document (`Duplicate`) or another (`Conflict`):
    /// answered from committed data, without checks.
    Known(Recorded),
    /// New as far as committed data shows: its registry facts, for the checks.
    New(Facts),
}

/// One item's outcome: found, or why not.
pub type ItemResult = Result<Found, Arc<StoreError>>;

/// The handle handlers submit their lookups through; a transient error reaches every item
/// of the batch (hence the `Arc`).
pub type Gatherer = Batcher<Lookup, ItemResult, Arc<StoreError>>;

/// Starts the gathering task. It ends when the last handle is dropped.
pub fn spawn(pool: Pool, batch: &Batch) -> (Gatherer, tokio::task::JoinHandle<()>) {
    let max_wait = Duration::from_millis(batch.max_wait_ms.into());
    batcher::spawn(usize::from(batch.max_size), max_wait, move |items| {
        let pool = pool.clone();
        async move { gather(&pool, &items).await }
    })
}

/// Reads `items` as one batch; `Err` (transient) means every item should be retried. When
/// the batch fails for a reason a retry would not cure (data one item brought, a bug), its
/// items are read one by one, so that one of them does not hold back the others.
pub async fn gather(pool: &Pool, items: &[Lookup]) -> Result<Vec<ItemResult>, Arc<StoreError>> {
    match read(pool, items).await {
        Ok(found) => Ok(found.into_iter().map(Ok).collect()),
        Err(e) if e.is_transient() => Err(Arc::new(e)),
        Err(e) if items.len() == 1 => Ok(vec![Err(Arc::new(e))]),
        Err(e) => {
            tracing::error!(error = %e, items = items.len(), "registry reads failed for good; reading the items one by one");
            let mut results = Vec::with_capacity(items.len());
            for item in items {
                let one = read(pool, std::slice::from_ref(item)).await;
                results.push(one.map(|mut found| found.remove(0)).map_err(Arc::new));
            }
            Ok(results)
        }
    }
}

/// One round trip for the batch: the applications taken in already, and every registry.
/// A panic (a bug) becomes an error of the batch rather than the end of the gathering task.
pub async fn read(pool: &Pool, items: &[Lookup]) -> Result<Vec<Found>, StoreError> {
    AssertUnwindSafe(read_unguarded(pool, items))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| {
            Err(StoreError::Unexpected(
                "reading the registries panicked".into(),
            ))
        })
}

async fn read_unguarded(pool: &Pool, items: &[Lookup]) -> Result<Vec<Found>, StoreError> {
    let client = pool.get().await?;
    let ids: Vec<(&str, &[u8])> = items
        .iter()
        .map(|i| (i.application_id.as_str(), i.document_sha256.as_slice()))
        .collect();
    let (known, facts) = tokio::try_join!(
        seen::known_many(&client, &ids),
        facts::load_many(&client, items),
    )?;
    Ok(known
        .into_iter()
        .zip(facts)
        .map(|(known, facts)| match known {
            Some(recorded) => Found::Known(recorded),
            None => Found::New(facts),
        })
        .collect())
}
