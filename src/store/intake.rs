//! A look before the work: whether an application was taken in already, so that a
//! redelivered message skips the signature check and the registry reads. Only a fast path:
//! [`super::commit::record_batch`] decides duplicates and conflicts for good, in its
//! transaction.

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
    let row = client
        .query_opt(
            "SELECT document_sha256 FROM applications WHERE application_id = $1",
            &[&envelope.application_id.as_ref()],
        )
        .await?;
    Ok(row.map(|r| {
        let stored: Vec<u8> = r.get(0);
        if stored == envelope.document_sha256.as_bytes() {
            Recorded::Duplicate
        } else {
            Recorded::Conflict
        }
    }))
}
