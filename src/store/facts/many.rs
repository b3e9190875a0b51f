//! Registry facts for a batch of applications: one query per registry for the whole batch,
//! pipelined on one connection, each application's share split off by its position in the
//! batch. Every application gets exactly what [`super::load`] reads for it alone.

use std::borrow::Borrow;
use std::collections::HashMap;

use deadpool_postgres::GenericClient;
use time::Date;
use tokio_postgres::Row;

use super::{digest_from, normalise};
use crate::checks::facts::{Facts, FingerprintFact, InvalidDocument};
use crate::domain::envelope::{Envelope, SignatureClaim};
use crate::domain::request::ERequest;
use crate::store::StoreError;

/// What the registries are asked about one application, owned, so that it can travel to the
/// task that reads a batch. No `Debug`: a phone, an IIN and document numbers are personal
/// data.
#[derive(Clone, Default)]
pub struct Keys {
    /// The OTP phone, for the mobile citizens registry.
    phone: Option<String>,
    /// `None` when the document cannot be read: then only the phone is looked up.
    request: Option<RequestKeys>,
}

#[derive(Clone)]
struct RequestKeys {
    iin: String,
    /// The kinds listed, and `passport`; sorted, each once.
    kinds: Vec<String>,
    /// The applicant's passport number and every listed number, as [`normalise`] makes them.
    numbers: Vec<String>,
    /// The well-formed digests listed.
    digests: Vec<Vec<u8>>,
}

impl Keys {
    /// The keys [`super::load`] reads for `envelope`, whose document parsed as `request`.
    pub fn of(envelope: &Envelope, request: Option<&ERequest>) -> Self {
        let phone = match &envelope.signature {
            SignatureClaim::Otp(otp) => Some(otp.phone.as_ref().to_owned()),
            SignatureClaim::Eds { .. } => None,
        };
        let request = request.map(|r| {
            let mut kinds = vec!["passport".to_owned()];
            let mut numbers = vec![normalise(&r.applicant.passport.number)];
            let mut digests = Vec::new();
            for entry in &r.documents {
                kinds.push(entry.kind.clone());
                numbers.extend(entry.number.as_deref().map(normalise));
                if let Ok(digest) = &entry.sha256 {
                    digests.push(digest.as_bytes().to_vec());
                }
            }
            kinds.sort_unstable();
            kinds.dedup();
            RequestKeys {
                iin: r.applicant.iin.raw().to_owned(),
                kinds,
                numbers,
                digests,
            }
        });
        Self { phone, request }
    }
}

/// The facts of each application of `keys`, in order; `household_permits_held` is left at
/// 0. At most one query per registry, all sent at once on `client` (tokio-postgres pipelines
/// concurrent queries on one connection); a registry nobody in the batch needs is not asked.
pub async fn load_many<K: Borrow<Keys>>(
    client: &impl GenericClient,
    keys: &[K],
) -> Result<Vec<Facts>, StoreError> {
    let keys: Vec<&Keys> = keys.iter().map(Borrow::borrow).collect();
    let keys = keys.as_slice();
    let (holders, fingerprints, mut invalid) = tokio::try_join!(
        phone_holders(client, keys),
        fingerprints(client, keys),
        invalid_documents(client, keys),
    )?;
    let facts = keys
        .iter()
        .enumerate()
        .map(|(i, k)| Facts {
            fingerprint: k
                .request
                .as_ref()
                .and_then(|r| fingerprints.get(&r.iin).cloned()),
            invalid_documents: invalid.remove(&i).unwrap_or_default(),
            household_permits_held: 0,
            phone_holder_iin: k.phone.as_ref().and_then(|p| holders.get(p).cloned()),
        })
        .collect();
    Ok(facts)
}

/// Each item once: the arrays sent stay as small as the batch's distinct keys.
fn distinct<'a>(values: impl Iterator<Item = &'a String>) -> Vec<&'a str> {
    let mut v: Vec<&str> = values.map(String::as_str).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Phone to holder's IIN. Text equality in PostgreSQL (deterministic collation) is byte
/// equality, as the map's is.
async fn phone_holders(
    client: &impl GenericClient,
    keys: &[&Keys],
) -> Result<HashMap<String, String>, StoreError> {
    let phones = distinct(keys.iter().filter_map(|k| k.phone.as_ref()));
    if phones.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = "SELECT phone, iin FROM reg_mobile_citizens WHERE phone = ANY($1)";
    let statement = client.prepare_cached(sql).await?;
    let rows = client.query(&statement, &[&phones]).await?;
    Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
}

/// IIN to fingerprint registration.
async fn fingerprints(
    client: &impl GenericClient,
    keys: &[&Keys],
) -> Result<HashMap<String, FingerprintFact>, StoreError> {
    let iins = distinct(
        keys.iter()
            .filter_map(|k| k.request.as_ref().map(|r| &r.iin)),
    );
    if iins.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = "SELECT iin, fingerprint_record, registered_on FROM reg_biometrics
               WHERE iin = ANY($1)";
    let statement = client.prepare_cached(sql).await?;
    let rows = client.query(&statement, &[&iins]).await?;
    Ok(rows
        .iter()
        .map(|r| {
            let fact = FingerprintFact {
                record: r.get(1),
                registered_on: r.get::<_, Date>(2),
            };
            (r.get(0), fact)
        })
        .collect())
}

/// The rule of [`super::load`], applied by the database to each application on its own:
/// rows of one of its kinds whose `upper(btrim(number))` equals one of its numbers, or whose
/// digest equals one of its digests. Each application's kinds, numbers and digests travel as
/// `(position, value)` pairs; the union keeps a row once per application.
const INVALID_DOCUMENTS: &str = "
    WITH kinds   AS (SELECT * FROM unnest($1::int4[], $2::text[])  AS k(app, kind)),
         numbers AS (SELECT * FROM unnest($3::int4[], $4::text[])  AS n(app, number)),
         digests AS (SELECT * FROM unnest($5::int4[], $6::bytea[]) AS d(app, sha256))
    SELECT k.app, r.kind, r.number, r.sha256
      FROM kinds k
      JOIN numbers n ON n.app = k.app
      JOIN reg_invalid_documents r ON r.kind = k.kind AND upper(btrim(r.number)) = n.number
    UNION
    SELECT k.app, r.kind, r.number, r.sha256
      FROM kinds k
      JOIN digests d ON d.app = k.app
      JOIN reg_invalid_documents r ON r.kind = k.kind AND r.sha256 = d.sha256
    ORDER BY 1, 2, 3, 4";

/// Position in the batch to the rows [`super::load`] would read for that application, in
/// its order (kind, number, digest).
async fn invalid_documents(
    client: &impl GenericClient,
    keys: &[&Keys],
) -> Result<HashMap<usize, Vec<InvalidDocument>>, StoreError> {
    let (mut kinds, mut numbers, mut digests) =
        (Pairs::default(), Pairs::default(), Pairs::default());
    for (i, k) in keys.iter().enumerate() {
        let Some(r) = &k.request else { continue };
        let app = i32::try_from(i).map_err(|_| StoreError::Unexpected("batch too large".into()))?;
        kinds.extend(app, r.kinds.iter().map(String::as_str));
        numbers.extend(app, r.numbers.iter().map(String::as_str));
        digests.extend(app, r.digests.iter().map(Vec::as_slice));
    }
    if kinds.apps.is_empty() {
        return Ok(HashMap::new());
    }
    let statement = client.prepare_cached(INVALID_DOCUMENTS).await?;
    let params: [&(dyn tokio_postgres::types::ToSql + Sync); 6] = [
        &kinds.apps,
        &kinds.values,
        &numbers.apps,
        &numbers.values,
        &digests.apps,
        &digests.values,
    ];
    let rows = client.query(&statement, &params).await?;
    let mut found: HashMap<usize, Vec<InvalidDocument>> = HashMap::new();
    for r in &rows {
        let (app, row) = invalid_document(r)?;
        found.entry(app).or_default().push(row);
    }
    Ok(found)
}

/// One row of [`INVALID_DOCUMENTS`]: whose, and what.
fn invalid_document(r: &Row) -> Result<(usize, InvalidDocument), StoreError> {
    let app = usize::try_from(r.get::<_, i32>(0))
        .map_err(|_| StoreError::Unexpected("a negative position".into()))?;
    let sha256: Option<Vec<u8>> = r.get(3);
    let row = InvalidDocument {
        kind: r.get(1),
        number: r.get(2),
        sha256: sha256.map(|b| digest_from(&b)).transpose()?,
    };
    Ok((app, row))
}

/// Values of several applications in two parallel arrays: whose, and what.
struct Pairs<T> {
    apps: Vec<i32>,
    values: Vec<T>,
}

impl<T> Default for Pairs<T> {
    fn default() -> Self {
        Self {
            apps: Vec::new(),
            values: Vec::new(),
        }
    }
}

impl<T> Pairs<T> {
    fn extend(&mut self, app: i32, values: impl Iterator<Item = T>) {
        for value in values {
            self.apps.push(app);
            self.values.push(value);
        }
    }
}
