//! The batcher's commit: one transaction for the batch; when it fails for a reason that a
//! retry would not cure (a bug, a calendar that does not cover the year), the items are
//! committed one by one, so that one poisoned application does not hold back the others
//! that shared its batch.

use std::sync::Arc;

use deadpool_postgres::Pool;

use crate::store::commit::{record_batch, Context, Prepared, Recorded};
use crate::store::StoreError;

/// One item's outcome: recorded, or why not.
pub type ItemResult = Result<Recorded, Arc<StoreError>>;

/// Commits `items`; `Err` (transient) means the whole batch should be retried.
pub async fn commit(
    pool: &Pool,
    items: &[Prepared],
    ctx: &Context<'_>,
) -> Result<Vec<ItemResult>, Arc<StoreError>> {
    match record_batch(pool, items, ctx).await {
        Ok(recorded) => Ok(recorded.into_iter().map(Ok).collect()),
        Err(e) if e.is_transient() => Err(Arc::new(e)),
        Err(e) if items.len() == 1 => Ok(vec![Err(Arc::new(e))]),
        Err(e) => {
            tracing::error!(error = %e, items = items.len(), "batch failed for good; committing its items one by one");
            let mut results = Vec::with_capacity(items.len());
            for item in items {
                let one = record_batch(pool, std::slice::from_ref(item), ctx).await;
                results.push(one.map(|mut r| r.remove(0)).map_err(Arc::new));
            }
            Ok(results)
        }
    }
}
