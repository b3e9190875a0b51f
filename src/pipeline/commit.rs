//! The batcher's commit: one transaction for the batch; when it fails for a reason that a
//! retry would not cure (a bug, a calendar that does not cover the year), the items are
//! committed one by one, so that one poisoned application does not hold back the others
//! that shared its batch.

use std::sync::Arc;

use deadpool_postgres::Pool;
use time::OffsetDateTime;

use crate::reload::Snapshot;
use crate::store::commit::{commit_batch, Context, Leases, Prepared, Recorded, Written};
use crate::store::StoreError;

/// One item's outcome: recorded, or why not.
pub type ItemResult = Result<Recorded, Arc<StoreError>>;

/// An application whose signature was checked under `snapshot`: it is decided under the
/// same one (rules, calendar, and the trust version recorded), so that each application is
/// checked and decided wholly under one set of files even when a reload lands in between.
#[derive(Debug, Clone)]
pub struct Checked {
    pub prepared: Prepared,
    pub snapshot: Arc<Snapshot>,
}

/// Commits a batch of checked applications: one [`commit`] per snapshot among them (one,
/// but around a reload), each with that snapshot's rules, calendar and trust version.
/// A transient failure of the first commit fails the batch, as [`commit`] does; of a later
/// one, only its own items (those before it are committed).
pub async fn commit_checked(
    pool: &Pool,
    items: Vec<Checked>,
    now: OffsetDateTime,
    leases: Leases,
) -> Result<(Vec<ItemResult>, Written), Arc<StoreError>> {
    let count = items.len();
    let mut groups: Vec<(Arc<Snapshot>, Vec<usize>, Vec<Prepared>)> = Vec::new();
    for (at, item) in items.into_iter().enumerate() {
        match groups
            .iter_mut()
            .find(|(s, _, _)| Arc::ptr_eq(s, &item.snapshot))
        {
            Some((_, at_s, prepared)) => {
                at_s.push(at);
                prepared.push(item.prepared);
            }
            None => groups.push((item.snapshot, vec![at], vec![item.prepared])),
        }
    }
    let mut results: Vec<Option<ItemResult>> = vec![None; count];
    let mut written = Written::default();
    for (n, (snapshot, at_s, prepared)) in groups.into_iter().enumerate() {
        let ctx = Context {
            rules: &snapshot.rules,
            calendar: &snapshot.calendar,
            trust_version: Some(&snapshot.trust_version),
            now,
            leases,
        };
        match commit(pool, &prepared, &ctx).await {
            Ok((group, wrote)) => {
                written.append(wrote);
                for (at, result) in at_s.into_iter().zip(group) {
                    results[at] = Some(result);
                }
            }
            Err(e) if n == 0 => return Err(e),
            Err(e) => {
                for at in at_s {
                    results[at] = Some(Err(e.clone()));
                }
            }
        }
    }
    let results = results
        .into_iter()
        .map(|r| r.expect("every item is in one group"))
        .collect();
    Ok((results, written))
}

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
