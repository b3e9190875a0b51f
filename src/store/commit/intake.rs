//! Intake: the application row is the idempotency key. A second delivery of an application
//! is a duplicate when its document is the same, a conflict when it is not.

use std::collections::{HashMap, HashSet};

use deadpool_postgres::Transaction;
use time::OffsetDateTime;
use uuid::Uuid;

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

/// Inserts every item's application row in one statement, in the order of the ids (two
/// batches sharing ids then wait for each other instead of deadlocking). Of several items
/// with one id the first is the one taken in; the others are judged against it. Returns one
/// verdict per item, in item order.
pub(super) async fn take_in(
    tx: &Transaction<'_>,
    items: &[Prepared],
) -> Result<Vec<Intake>, StoreError> {
    // The first item of each id, in id order.
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        first
            .entry(item.envelope.application_id.as_ref())
            .or_insert(i);
    }
    let mut order: Vec<usize> = first.values().copied().collect();
    order.sort_by_key(|&i| items[i].envelope.application_id.as_ref());
    let inserted = insert(tx, items, &order).await?;
    let others: Vec<&str> = order
        .iter()
        .map(|&i| items[i].envelope.application_id.as_ref())
        .filter(|id| !inserted.contains(*id))
        .collect();
    let stored = stored_digests(tx, &others).await?;
    let verdicts = items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let id = item.envelope.application_id.as_ref();
            let digest = item.envelope.document_sha256.as_bytes().as_slice();
            match (inserted.contains(id), stored.get(id)) {
                (true, _) if first[id] == i => Intake::New,
                (true, _) => same(items[first[id]].envelope.document_sha256.as_bytes(), digest),
                (false, Some(stored)) => same(stored, digest),
                // Neither inserted nor found: cannot happen inside one transaction.
                (false, None) => Intake::Conflict,
            }
        })
        .collect();
    Ok(verdicts)
}

fn same(stored: &[u8], digest: &[u8]) -> Intake {
    if stored == digest {
        Intake::Duplicate
    } else {
        Intake::Conflict
    }
}

/// Inserts the rows of `order` (indexes into `items`); returns the ids it inserted.
async fn insert(
    tx: &Transaction<'_>,
    items: &[Prepared],
    order: &[usize],
) -> Result<HashSet<String>, StoreError> {
    let mut ids: Vec<&str> = Vec::with_capacity(order.len());
    let mut message_ids: Vec<Uuid> = Vec::with_capacity(order.len());
    let mut digests: Vec<&[u8]> = Vec::with_capacity(order.len());
    let mut documents: Vec<&[u8]> = Vec::with_capacity(order.len());
    let mut methods: Vec<&str> = Vec::with_capacity(order.len());
    let mut submitted: Vec<OffsetDateTime> = Vec::with_capacity(order.len());
    let mut received: Vec<OffsetDateTime> = Vec::with_capacity(order.len());
    let mut subspecies: Vec<Option<&str>> = Vec::with_capacity(order.len());
    let mut languages: Vec<Option<&str>> = Vec::with_capacity(order.len());
    let mut signatures: Vec<serde_json::Value> = Vec::with_capacity(order.len());
    for &i in order {
        let (item, e) = (&items[i], &items[i].envelope);
        let (s, l) = labels(item);
        ids.push(e.application_id.as_ref());
        message_ids.push(e.message_id);
        digests.push(e.document_sha256.as_bytes().as_slice());
        documents.push(&e.document);
        methods.push(match e.signature {
            SignatureClaim::Eds { .. } => "eds",
            SignatureClaim::Otp(_) => "otp",
        });
        submitted.push(e.submitted_at());
        received.push(item.received_at);
        subspecies.push(s);
        languages.push(l);
        signatures.push(super::json::signature(&e.signature));
    }
    let statement = tx
        .prepare_cached(
            "INSERT INTO applications (application_id, message_id, document_sha256, document,
                 signature_method, submitted_at, received_at, subspecies, language, signature)
             SELECT * FROM unnest($1::text[], $2::uuid[], $3::bytea[], $4::bytea[], $5::text[],
                 $6::timestamptz[], $7::timestamptz[], $8::text[], $9::text[], $10::jsonb[])
             ON CONFLICT (application_id) DO NOTHING
             RETURNING application_id",
        )
        .await?;
    let rows = tx
        .query(
            &statement,
            &[
                &ids,
                &message_ids,
                &digests,
                &documents,
                &methods,
                &submitted,
                &received,
                &subspecies,
                &languages,
                &signatures,
            ],
        )
        .await?;
    Ok(rows.iter().map(|r| r.get(0)).collect())
}

/// The stored document digests of applications taken in before.
async fn stored_digests(
    tx: &Transaction<'_>,
    ids: &[&str],
) -> Result<HashMap<String, Vec<u8>>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let statement = tx
        .prepare_cached(
            "SELECT application_id, document_sha256 FROM applications
             WHERE application_id = ANY($1)",
        )
        .await?;
    let rows = tx.query(&statement, &[&ids]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
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
