//! The household quota (contract section 4.3): an employer holds at most five valid permits
//! for household work. Replicas serialise per employer on an advisory lock keyed by the BIN,
//! taken for the rest of the transaction, so the count and the new permit are one step.

use std::collections::HashMap;

use deadpool_postgres::Transaction;
use time::Date;

use crate::domain::iin::Bin;
use crate::domain::request::ERequest;
use crate::store::StoreError;

/// The employer whose household quota this application uses, if any.
pub(crate) fn household_employer(request: &ERequest) -> Option<&Bin> {
    request
        .employer
        .as_ref()
        .filter(|e| e.household)
        .map(|e| &e.bin)
}

/// The advisory-lock key of an employer: the BIN's 12 digits as a number (below 10^12, so
/// it never meets the migration lock's key).
fn lock_key(bin: &Bin) -> Result<i64, StoreError> {
    bin.as_string()
        .parse()
        .map_err(|_| StoreError::Unexpected("a BIN is not 12 digits".into()))
}

/// Locks every household employer among `requests`, each once, in ascending key order.
pub(super) async fn lock_employers<'a>(
    tx: &Transaction<'_>,
    requests: impl Iterator<Item = &'a ERequest>,
) -> Result<(), StoreError> {
    let mut keys = requests
        .filter_map(household_employer)
        .map(lock_key)
        .collect::<Result<Vec<_>, _>>()?;
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&key])
            .await?;
    }
    Ok(())
}

/// Household approvals made earlier in this batch, per employer: their permits are written
/// at the end of the batch, so the count in the database does not see them yet.
#[derive(Debug, Default)]
pub(super) struct Pending(HashMap<String, u32>);

impl Pending {
    pub(super) fn approved(&self, bin: &Bin) -> u32 {
        self.0.get(&bin.as_string()).copied().unwrap_or(0)
    }

    pub(super) fn approve(&mut self, bin: &Bin) {
        *self.0.entry(bin.as_string()).or_insert(0) += 1;
    }
}

/// Household permits the employer holds on `submitted_on`: those of the `reg_permits`
/// registry and those this worker issued and committed (see [`Pending`] for the batch's
/// own), each
/// while `valid_until` is not before the submission date. A permit of ours that the
/// registry lists too counts once.
pub(crate) async fn held(
    tx: &Transaction<'_>,
    bin: &Bin,
    submitted_on: Date,
) -> Result<u32, StoreError> {
    let count = tx
        .prepare_cached(
            "SELECT (SELECT count(*) FROM reg_permits r
                      WHERE r.employer_bin = $1 AND r.household AND r.valid_until >= $2)
                  + (SELECT count(*) FROM permits p
                      WHERE p.employer_bin = $1 AND p.household AND p.valid_until >= $2
                        AND NOT EXISTS (SELECT 1 FROM reg_permits r WHERE r.number = p.number))",
        )
        .await?;
    let row = tx
        .query_one(&count, &[&bin.as_string(), &submitted_on])
        .await?;
    let n: i64 = row.get(0);
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}
