//! `trp-worker explain <application_id> --replay`: the three checks run again on the stored
//! envelope under today's files (trust anchors, CRLs, rules, calendar) and registries, with
//! the worker's own code ([`crate::checks::signature::check`], [`super::facts::load`],
//! [`super::commit::quota::held`], [`super::commit::judge`]), and set beside the stored
//! decision. Nothing is written, published or sent: the reads run in one read-only
//! transaction. The signature is judged at `submitted_at`, as the worker judged it.

mod report;

pub use report::{write_text, Changes, Replay, Side};

use base64::Engine as _;
use deadpool_postgres::Pool;
use serde_json::{json, Value};
use time::OffsetDateTime;

use super::commit::{judge, quota, Context, Leases, Prepared};
use super::StoreError;
use crate::checks::signature::{self, OtpSettings, SignatureInput, Verdict};
use crate::domain::envelope::{Envelope, SCHEMA};
use crate::domain::instant::{rfc3339, KZ_OFFSET};
use crate::domain::reason::Failure;
use crate::domain::request::ERequest;
use crate::reload::Snapshot;

/// What became of a replay.
#[derive(Debug)]
pub enum Replayed {
    Done(Box<Replay>),
    /// Never taken in.
    NotFound,
    /// Taken in but not decided (cannot happen with the worker's one transaction; kept
    /// for a database written by hand).
    NotDecided,
    /// The envelope's personal data was purged (retention) at this instant.
    Purged(OffsetDateTime),
    /// An OTP application, and no `signature.otp_key` to check its MAC with.
    NoOtpKey,
}

/// Today's configuration: the files in force and the OTP settings (`None`: no key set).
pub struct Today<'a> {
    pub snapshot: &'a Snapshot,
    pub otp: Option<&'a OtpSettings>,
    /// The instant CRLs are judged fresh or stale at.
    pub now: OffsetDateTime,
}

/// Replays `application_id` under `today`.
pub async fn replay(
    pool: &Pool,
    application_id: &str,
    today: &Today<'_>,
) -> Result<Replayed, StoreError> {
    let mut client = pool.get().await?;
    let tx = client
        .build_transaction()
        .read_only(true)
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .start()
        .await?;
    let Some(row) = tx
        .query_opt(
            "SELECT a.message_id, a.submitted_at, a.received_at, a.document, a.signature,
                    a.purged_at, a.signature_method, d.outcome, d.due_at, d.decided_at, d.reasons,
                    d.checks, d.facts, d.rules_version, d.calendar_version, d.trust_version,
                    coalesce(p.household, false)
             FROM applications a
             LEFT JOIN decisions d USING (application_id)
             LEFT JOIN permits p USING (application_id)
             WHERE a.application_id = $1",
            &[&application_id],
        )
        .await?
    else {
        return Ok(Replayed::NotFound);
    };
    if let Some(at) = row.get::<_, Option<OffsetDateTime>>(5) {
        return Ok(Replayed::Purged(at));
    }
    let Some(outcome) = row.get::<_, Option<String>>(7) else {
        return Ok(Replayed::NotDecided);
    };
    let method: String = row.get(6);
    let otp = match (method.as_str(), today.otp) {
        ("otp", None) => return Ok(Replayed::NoOtpKey),
        (_, otp) => otp,
    };
    let stored_signature: Option<Value> = row.get(4);
    let checks: Value = row.get(11);
    let envelope = rebuild(
        application_id,
        row.get(0),
        row.get(1),
        row.get::<_, Option<Vec<u8>>>(3).unwrap_or_default(),
        stored_signature.as_ref(),
    )?;
    let document = ERequest::parse(&envelope.document);
    let mut facts = super::facts::load(&tx, &envelope, document.as_ref().ok()).await?;
    if let Some(bin) = document.as_ref().ok().and_then(quota::household_employer) {
        let held = quota::held(&tx, bin, envelope.submitted_at.kz_date()).await?;
        // Its own permit, if it was approved, is not one it competed with.
        let own = u32::from(row.get::<_, bool>(16));
        facts.household_permits_held = held.saturating_sub(own);
    }
    tx.commit().await?;
    let applicant_iin = document
        .as_ref()
        .ok()
        .map(|r| r.applicant.iin.raw().to_owned());
    // An EDS check never consults the OTP settings; an OTP one has the key (above).
    let no_otp = OtpSettings {
        key: signature::OtpKey::new(Vec::new()),
        lifetime: OtpSettings::DEFAULT_LIFETIME,
    };
    let verdict = match &stored_signature {
        Some(_) => signature::check(
            &SignatureInput {
                envelope: &envelope,
                applicant_iin: applicant_iin.as_deref(),
                facts: &facts,
                now: today.now,
            },
            &today.snapshot.trust,
            otp.unwrap_or(&no_otp),
        ),
        // Taken in before the signature was kept: its stored verdict stands.
        None => Verdict::decided(stored_signature_failures(&checks)),
    };
    let stored = report::Stored {
        outcome,
        due_at: row.get(8),
        reasons: row.get(10),
        checks,
        facts: row.get(12),
        rules_version: row.get(13),
        calendar_version: row.get(14),
        trust_version: row.get(15),
    };
    let decided_at: OffsetDateTime = row.get(9);
    let today_side = if verdict.is_decidable() {
        let signing_time = verdict.signing_time(&envelope);
        let prepared = Prepared {
            envelope,
            document,
            signature: verdict.failures,
            signing_time,
            facts: facts.clone(),
            received_at: row.get(2),
        };
        let ctx = Context {
            rules: &today.snapshot.rules,
            calendar: &today.snapshot.calendar,
            trust_version: Some(&today.snapshot.trust_version),
            now: decided_at,
            leases: Leases::default(),
        };
        Ok(judge(&prepared, &facts, &ctx)?)
    } else {
        Err(verdict.waiting_for)
    };
    Ok(Replayed::Done(Box::new(report::compare(
        application_id,
        stored,
        today_side,
        &facts,
        applicant_iin.as_deref(),
        today,
        stored_signature.is_some(),
    ))))
}

/// The envelope as the worker parsed it, from what `applications` keeps: the same parser
/// reads it again. Without a stored signature, an empty EDS stands in (not checked).
fn rebuild(
    application_id: &str,
    message_id: uuid::Uuid,
    submitted_at: OffsetDateTime,
    document: Vec<u8>,
    signature: Option<&Value>,
) -> Result<Envelope, StoreError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let body = json!({
        "schema": SCHEMA,
        "message_id": message_id.to_string(),
        "application_id": application_id,
        "submitted_at": rfc3339(submitted_at.to_offset(KZ_OFFSET)),
        "document": b64.encode(&document),
        "signature": signature.cloned().unwrap_or_else(|| json!({"method": "eds", "cms": ""})),
    });
    let bytes = serde_json::to_vec(&body).map_err(|e| StoreError::Unexpected(e.to_string()))?;
    Envelope::parse(&bytes, usize::MAX).map_err(|e| {
        StoreError::Unexpected(format!("the stored envelope does not parse: {}", e.detail))
    })
}

/// The signature check's failures as the decision stored them.
fn stored_signature_failures(checks: &Value) -> Vec<Failure> {
    checks
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == "signature")
        .and_then(|c| serde_json::from_value(c["failures"].clone()).ok())
        .unwrap_or_default()
}
