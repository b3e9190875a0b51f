//! The batcher's commit: one transaction for the batch; when it fails for a reason that a
//! retry would not cure (a bug, a calendar that does not cover the year), the items are
//! committed one by one, so that one poisoned application does not hold back the others
//! that shared its batch.

use std::sync::Arc;

use deadpool_postgres::Pool;

use crate::store::commit::{commit_batch, Context, Prepared, Recorded, Written};
use crate::store::StoreError;

/// One item's outcome: recorded, or why not.
pub type ItemResult = Result<Recorded, Arc<StoreError>>;

/// Commits `items`; returns each item's result and what the batch wrote, to send. `Err`
/// (transient) means the whole batch should be retried.
pub async fn commit(
    pool: &Pool,
    items: &[Prepared],
    ctx: &Context<'_>,
) -> Result<(Vec<ItemResult>, Written), Arc<StoreError>> {
    match commit_batch(pool, items, ctx).await {
        Ok(c) => Ok((c.recorded.into_iter().map(Ok).collect(), c.written)),
        Err(e) if e.is_transient() => Err(Arc::new(e)),
        Err(e) if items.len() == 1 => Ok((vec![Err(Arc::new(e))], Written::default())),
        Err(e) => {
            tracing::error!(error = %e, items = items.len(), "batch failed for good; committing its items one by one");
            let mut results = Vec::with_capacity(items.len());
            let mut written = Written::default();
            for item in items {
                match commit_batch(pool, std::slice::from_ref(item), ctx).await {
                    Ok(mut one) => {
                        results.push(Ok(one.recorded.remove(0)));
                        written.append(one.written);
                    }
                    Err(e) => results.push(Err(Arc::new(e))),
                }
            }
            Ok((results, written))
        }
    }
}
