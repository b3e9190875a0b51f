//! Registry look-ups, read before the checks run: the applicant's fingerprint registration,
//! invalid-document rows that may match what the application lists, and the holder of an
//! OTP phone. [`load`] reads them for one application; [`load_many`] for a batch, one query
//! per registry, with the same result for each. The household quota is counted later, in
//! the commit, under the employer's lock.

mod many;

pub use many::{load_many, Keys};

use deadpool_postgres::GenericClient;
use time::Date;

use super::StoreError;
use crate::checks::facts::{Facts, FingerprintFact, InvalidDocument};
use crate::domain::envelope::{Envelope, SignatureClaim};
use crate::domain::ids::Sha256;
use crate::domain::request::ERequest;

/// The facts for `envelope`, whose document parsed as `request` (or did not parse).
/// `household_permits_held` is left at 0. The worker reads a batch at once ([`load_many`]);
/// this one-application reading is the rule that batch reading is held to (tests compare
/// them) and what tests prepare single items with.
pub async fn load(
    client: &impl GenericClient,
    envelope: &Envelope,
    request: Option<&ERequest>,
) -> Result<Facts, StoreError> {
    let mut facts = Facts::default();
    if let SignatureClaim::Otp(otp) = &envelope.signature {
        let row = client
            .query_opt(
                "SELECT iin FROM reg_mobile_citizens WHERE phone = $1",
                &[&otp.phone.as_ref()],
            )
            .await?;
        facts.phone_holder_iin = row.map(|r| r.get(0));
    }
    let Some(request) = request else {
        return Ok(facts);
    };
    let row = client
        .query_opt(
            "SELECT fingerprint_record, registered_on FROM reg_biometrics WHERE iin = $1",
            &[&request.applicant.iin.raw()],
        )
        .await?;
    facts.fingerprint = row.map(|r| FingerprintFact {
        record: r.get(0),
        registered_on: r.get::<_, Date>(1),
    });
    facts.invalid_documents = invalid_documents(client, request).await?;
    Ok(facts)
}

/// Rows of the kinds listed (and `passport`) that share a number (ignoring case and
/// surrounding spaces, as the documents check compares them) or a digest with some listed
/// document. A superset of the hits: the documents check decides which match.
async fn invalid_documents(
    client: &impl GenericClient,
    request: &ERequest,
) -> Result<Vec<InvalidDocument>, StoreError> {
    let mut kinds: Vec<&str> = vec!["passport"];
    let mut numbers: Vec<String> = vec![normalise(&request.applicant.passport.number)];
    let mut digests: Vec<&[u8]> = Vec::new();
    for entry in &request.documents {
        kinds.push(&entry.kind);
        numbers.extend(entry.number.as_deref().map(normalise));
        if let Ok(digest) = &entry.sha256 {
            digests.push(digest.as_bytes());
        }
    }
    kinds.sort_unstable();
    kinds.dedup();
    let rows = client
        .query(
            "SELECT kind, number, sha256 FROM reg_invalid_documents
             WHERE kind = ANY($1)
               AND (upper(btrim(number)) = ANY($2) OR sha256 = ANY($3))
             ORDER BY kind, number, sha256",
            &[&kinds, &numbers, &digests],
        )
        .await?;
    rows.iter()
        .map(|r| {
            let sha256: Option<Vec<u8>> = r.get(2);
            Ok(InvalidDocument {
                kind: r.get(0),
                number: r.get(1),
                sha256: sha256.map(|b| digest_from(&b)).transpose()?,
            })
        })
        .collect()
}

/// How an application's document numbers are compared with the registry's
/// `upper(btrim(number))`.
fn normalise(number: &str) -> String {
    number.trim().to_uppercase()
}

pub(crate) fn digest_from(bytes: &[u8]) -> Result<Sha256, StoreError> {
    Sha256::parse(&hex::encode(bytes))
        .map_err(|_| StoreError::Unexpected("a sha256 column is not 32 bytes".into()))
}
