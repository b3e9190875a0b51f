//! Intake: the application row is the idempotency key. A second delivery of an application
//! is a duplicate when its document is the same, a conflict when it is not.

use deadpool_postgres::Transaction;

use super::Prepared;
use crate::domain::envelope::SignatureClaim;
use crate::domain::request::salvage_contacts;
use crate::store::StoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Intake {
    New,
    Duplicate,
    Conflict,
}

/// Inserts every item's application row, in the order of the ids (two batches sharing ids
/// then wait for each other instead of deadlocking; items with one id keep their order, so
/// the first of them is the one taken in). Returns one verdict per item, in item order.
pub(super) async fn take_in(
    tx: &Transaction<'_>,
    items: &[Prepared],
) -> Result<Vec<Intake>, StoreError> {
    let insert = tx
        .prepare_cached(
            "INSERT INTO applications (application_id, message_id, document_sha256, document,
                 signature_method, submitted_at, received_at, subspecies, language)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (application_id) DO NOTHING",
        )
        .await?;
    let existing = tx
        .prepare_cached("SELECT document_sha256 FROM applications WHERE application_id = $1")
        .await?;
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| {
        let id = |i: usize| items[i].envelope.application_id.as_ref();
        id(a).cmp(id(b))
    });
    let mut verdicts = vec![Intake::New; items.len()];
    for i in order {
        let item = &items[i];
        let e = &item.envelope;
        let (subspecies, language) = labels(item);
        let method = match e.signature {
            SignatureClaim::Eds { .. } => "eds",
            SignatureClaim::Otp(_) => "otp",
        };
        let inserted = tx
            .execute(
                &insert,
                &[
                    &e.application_id.as_ref(),
                    &e.message_id,
                    &e.document_sha256.as_bytes().as_slice(),
                    &e.document,
                    &method,
                    &e.submitted_at(),
                    &item.received_at,
                    &subspecies,
                    &language,
                ],
            )
            .await?;
        if inserted == 0 {
            let row = tx
                .query_one(&existing, &[&e.application_id.as_ref()])
                .await?;
            let stored: Vec<u8> = row.get(0);
            verdicts[i] = if stored == e.document_sha256.as_bytes() {
                Intake::Duplicate
            } else {
                Intake::Conflict
            };
        }
    }
    Ok(verdicts)
}

/// The subspecies and language of the document, where they can be read.
fn labels(item: &Prepared) -> (Option<&'static str>, Option<&'static str>) {
    match &item.document {
        Ok(r) => (Some(r.subspecies.as_str()), Some(r.language.as_str())),
        Err(_) => (
            None,
            salvage_contacts(&item.envelope.document).map(|(language, _)| language.as_str()),
        ),
    }
}
