//! Merges validated rows into a registry table a range at a time:
//! `INSERT ... SELECT FROM unnest(...) ON CONFLICT`, updating only rows that differ, so that
//! loading the same file twice writes nothing.

use std::ops::Range;

use deadpool_postgres::Transaction;

use super::rows::Rows;
use crate::store::StoreError;

impl Rows {
    /// Merges rows `r` into the registry table.
    pub(super) async fn merge(
        &self,
        tx: &Transaction<'_>,
        r: Range<usize>,
    ) -> Result<(), StoreError> {
        match self {
            Self::Biometrics {
                iin,
                record,
                registered_on,
            } => {
                tx.execute(
                    "INSERT INTO reg_biometrics AS t (iin, fingerprint_record, registered_on)
                     SELECT * FROM unnest($1::text[], $2::text[], $3::date[])
                     ON CONFLICT (iin) DO UPDATE
                       SET fingerprint_record = EXCLUDED.fingerprint_record,
                           registered_on = EXCLUDED.registered_on
                       WHERE (t.fingerprint_record, t.registered_on)
                             IS DISTINCT FROM (EXCLUDED.fingerprint_record, EXCLUDED.registered_on)",
                    &[&&iin[r.clone()], &&record[r.clone()], &&registered_on[r]],
                )
                .await?;
            }
            Self::InvalidDocuments {
                kind,
                number,
                sha256,
            } => {
                // The key is the whole row: a row already there is left as it is.
                tx.execute(
                    "INSERT INTO reg_invalid_documents (kind, number, sha256)
                     SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[])
                     ON CONFLICT ON CONSTRAINT reg_invalid_documents_key DO NOTHING",
                    &[&&kind[r.clone()], &&number[r.clone()], &&sha256[r]],
                )
                .await?;
            }
            Self::MobileCitizens { phone, iin } => {
                tx.execute(
                    "INSERT INTO reg_mobile_citizens AS t (phone, iin)
                     SELECT * FROM unnest($1::text[], $2::text[])
                     ON CONFLICT (phone) DO UPDATE SET iin = EXCLUDED.iin
                       WHERE t.iin IS DISTINCT FROM EXCLUDED.iin",
                    &[&&phone[r.clone()], &&iin[r]],
                )
                .await?;
            }
            Self::Permits {
                number,
                holder_iin,
                employer_bin,
                household,
                valid_from,
                valid_until,
            } => {
                tx.execute(
                    "INSERT INTO reg_permits AS t (number, holder_iin, employer_bin, household,
                         valid_from, valid_until)
                     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[],
                         $5::date[], $6::date[])
                     ON CONFLICT (number) DO UPDATE
                       SET holder_iin = EXCLUDED.holder_iin, employer_bin = EXCLUDED.employer_bin,
                           household = EXCLUDED.household, valid_from = EXCLUDED.valid_from,
                           valid_until = EXCLUDED.valid_until
                       WHERE (t.holder_iin, t.employer_bin, t.household, t.valid_from, t.valid_until)
                             IS DISTINCT FROM (EXCLUDED.holder_iin, EXCLUDED.employer_bin,
                                EXCLUDED.household, EXCLUDED.valid_from, EXCLUDED.valid_until)",
                    &[
                        &&number[r.clone()],
                        &&holder_iin[r.clone()],
                        &&employer_bin[r.clone()],
                        &&household[r.clone()],
                        &&valid_from[r.clone()],
                        &&valid_until[r],
                    ],
                )
                .await?;
            }
        }
        Ok(())
    }
}
