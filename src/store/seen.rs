//! A look before the work: whether applications were taken in already, so that a
//! redelivered message is answered without its signature check. Only a fast path:
//! [`super::commit::record_batch`] decides duplicates and conflicts for good, in its
//! transaction.

use std::collections::HashMap;

use deadpool_postgres::GenericClient;

use super::commit::Recorded;
use super::StoreError;
use crate::domain::envelope::Envelope;

/// `Some(Duplicate)` when the application is recorded with the same document,
/// `Some(Conflict)` when with another, `None` when it is new (as far as committed data
/// shows).
pub async fn known(
    client: &impl GenericClient,
    envelope: &Envelope,
) -> Result<Option<Recorded>, StoreError> {
    let one = (
        envelope.application_id.as_ref(),
        envelope.document_sha256.as_bytes().as_slice(),
    );
    Ok(known_many(client, &[one]).await?.remove(0))
}

/// [`known`] for each `(application_id, document_sha256)` of a batch, in order, in one
/// query.
pub async fn known_many(
    client: &impl GenericClient,
    items: &[(&str, &[u8])],
) -> Result<Vec<Option<Recorded>>, StoreError> {
    let mut ids: Vec<&str> = items.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    let statement = client
        .prepare_cached(
            "SELECT application_id, document_sha256 FROM applications
             WHERE application_id = ANY($1)",
        )
        .await?;
    let rows = client.query(&statement, &[&ids]).await?;
    let stored: HashMap<String, Vec<u8>> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    Ok(items
        .iter()
        .map(|(id, sha256)| {
            stored.get(*id).map(|s| {
                if s.as_slice() == *sha256 {
                    Recorded::Duplicate
                } else {
                    Recorded::Conflict
                }
            })
        })
        .collect())
}
