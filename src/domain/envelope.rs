//! The `trp.application.submitted.v1` envelope (contract section 2), parsed once at the
//! boundary. What cannot be read becomes an [`EnvelopeError`] naming a dead-letter reason.

use base64::Engine as _;
use serde_json::{Map, Value};
use time::OffsetDateTime;
use uuid::Uuid;

use super::dead_letter::{DeadLetterReason, EnvelopeError};
use super::ids::{ApplicationId, Phone, Sha256};
use super::instant::Instant;

pub const SCHEMA: &str = "trp.application.submitted.v1";

/// A submitted application as the portal sent it: typed, the document bytes kept exactly.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub message_id: Uuid,
    pub application_id: ApplicationId,
    pub submitted_at: Instant,
    /// Exactly the bytes that were signed; never re-serialised.
    pub document: Vec<u8>,
    pub document_sha256: Sha256,
    pub signature: SignatureClaim,
}

/// How the applicant signed.
#[derive(Debug, Clone)]
pub enum SignatureClaim {
    /// A CMS SignedData (DER or BER), detached or attached.
    Eds { cms: Vec<u8> },
    /// A one-time password, attested by the portal's MAC.
    Otp(OtpClaim),
}

/// The portal's attestation of an SMS one-time password. The raw strings are kept, since the
/// MAC covers them exactly as they stand in the message.
#[derive(Debug, Clone)]
pub struct OtpClaim {
    pub otp_id: String,
    pub phone_raw: String,
    pub phone: Phone,
    pub issued_at: Instant,
    pub confirmed_at: Instant,
    pub mac: Vec<u8>,
}

type Fields = Map<String, Value>;

fn err(reason: DeadLetterReason, detail: impl Into<String>) -> EnvelopeError {
    EnvelopeError::new(reason, detail)
}

fn string<'a>(obj: &'a Fields, at: &str, key: &str) -> Result<&'a str, EnvelopeError> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(err(
            DeadLetterReason::MissingField,
            format!("{at}{key} is missing"),
        )),
        Some(Value::String(s)) => Ok(s),
        Some(_) => Err(err(
            DeadLetterReason::InvalidField,
            format!("{at}{key} is not a string"),
        )),
    }
}

fn invalid(at: &str, key: &str, why: impl std::fmt::Display) -> EnvelopeError {
    err(DeadLetterReason::InvalidField, format!("{at}{key} {why}"))
}

fn base64_field(obj: &Fields, at: &str, key: &str) -> Result<Vec<u8>, EnvelopeError> {
    base64::engine::general_purpose::STANDARD
        .decode(string(obj, at, key)?)
        .map_err(|_| {
            err(
                DeadLetterReason::Base64,
                format!("{at}{key} is not standard base64 with padding"),
            )
        })
}

fn instant_field(obj: &Fields, at: &str, key: &str) -> Result<Instant, EnvelopeError> {
    Instant::parse(string(obj, at, key)?).map_err(|e| invalid(at, key, e))
}

impl Envelope {
    /// Parses a message body of at most `max_bytes`.
    pub fn parse(body: &[u8], max_bytes: usize) -> Result<Self, EnvelopeError> {
        if body.len() > max_bytes {
            return Err(err(
                DeadLetterReason::TooLarge,
                format!(
                    "body is {} bytes, over the limit of {max_bytes}",
                    body.len()
                ),
            ));
        }
        let value: Value = serde_json::from_slice(body)
            .map_err(|e| err(DeadLetterReason::NotJson, format!("body is not JSON: {e}")))?;
        let Value::Object(obj) = value else {
            return Err(err(
                DeadLetterReason::NotJson,
                "body is JSON but not an object",
            ));
        };
        let schema = string(&obj, "", "schema")?;
        if schema != SCHEMA {
            return Err(err(
                DeadLetterReason::Schema,
                format!("schema is not {SCHEMA}"),
            ));
        }
        let message_id = Uuid::try_parse(string(&obj, "", "message_id")?)
            .map_err(|_| invalid("", "message_id", "is not a UUID"))?;
        let application_id = ApplicationId::parse(string(&obj, "", "application_id")?)
            .map_err(|e| invalid("", "application_id", e))?;
        let submitted_at = instant_field(&obj, "", "submitted_at")?;
        let document = base64_field(&obj, "", "document")?;
        let signature = parse_signature(obj.get("signature"))?;
        let document_sha256 = Sha256::digest(&document);
        Ok(Self {
            message_id,
            application_id,
            submitted_at,
            document,
            document_sha256,
            signature,
        })
    }

    /// The AMQP `message_id` property must equal the body's. A message without the
    /// property is accepted (the body's id stands); one with another id is not.
    pub fn check_property_message_id(&self, property: Option<&str>) -> Result<(), EnvelopeError> {
        match property {
            Some(p) if Uuid::try_parse(p).ok() != Some(self.message_id) => Err(invalid(
                "",
                "message_id",
                "differs from the AMQP message_id property",
            )),
            _ => Ok(()),
        }
    }

    pub fn submitted_at(&self) -> OffsetDateTime {
        self.submitted_at.at()
    }

    /// `submitted_at` may not lie more than `skew` after `received_at`, the moment the
    /// worker received the message: a portal cannot submit from the future, and a date
    /// set ahead would move the instant certificates are judged at (contract section 9).
    pub fn check_submitted_by(
        &self,
        received_at: OffsetDateTime,
        skew: std::time::Duration,
    ) -> Result<(), EnvelopeError> {
        let ahead = self.submitted_at() - received_at;
        if ahead > skew {
            return Err(invalid(
                "",
                "submitted_at",
                format!(
                    "lies {} s after the message arrived, more than signature.clock_skew_s ({} s)",
                    ahead.whole_seconds(),
                    skew.as_secs()
                ),
            ));
        }
        Ok(())
    }
}

fn parse_signature(value: Option<&Value>) -> Result<SignatureClaim, EnvelopeError> {
    let obj = match value {
        None | Some(Value::Null) => {
            return Err(err(DeadLetterReason::MissingField, "signature is missing"))
        }
        Some(Value::Object(obj)) => obj,
        Some(_) => return Err(invalid("", "signature", "is not an object")),
    };
    const AT: &str = "signature.";
    match string(obj, AT, "method")? {
        "eds" => Ok(SignatureClaim::Eds {
            cms: base64_field(obj, AT, "cms")?,
        }),
        "otp" => parse_otp(obj).map(SignatureClaim::Otp),
        _ => Err(invalid(AT, "method", "is neither eds nor otp")),
    }
}

fn parse_otp(obj: &Fields) -> Result<OtpClaim, EnvelopeError> {
    const AT: &str = "signature.";
    let otp_id = string(obj, AT, "otp_id")?;
    Uuid::try_parse(otp_id).map_err(|_| invalid(AT, "otp_id", "is not a UUID"))?;
    let phone_raw = string(obj, AT, "phone")?;
    let phone = Phone::parse(phone_raw).map_err(|e| invalid(AT, "phone", e))?;
    Ok(OtpClaim {
        otp_id: otp_id.to_owned(),
        phone_raw: phone_raw.to_owned(),
        phone,
        issued_at: instant_field(obj, AT, "issued_at")?,
        confirmed_at: instant_field(obj, AT, "confirmed_at")?,
        mac: base64_field(obj, AT, "mac")?,
    })
}

#[cfg(test)]
#[path = "envelope_tests.rs"]
pub(crate) mod tests;
