//! The OTP branch of the signature check: the portal's HMAC-SHA256 attestation that the
//! applicant confirmed a one-time password sent by SMS (contract section 2).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretSlice};
use time::{Duration, OffsetDateTime};

use crate::domain::envelope::OtpClaim;
use crate::domain::ids::Sha256;
use crate::domain::reason::{Failure, ReasonCode};

/// The OTP attestation key shared with the portal. A secret: its `Debug` shows nothing of it
/// and it has no `Display`.
#[derive(Debug)]
pub struct OtpKey(SecretSlice<u8>);

impl OtpKey {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(SecretSlice::from(bytes))
    }

    /// The key as configured: standard base64. The error never repeats the value.
    pub fn from_base64(value: &str) -> Result<Self, OtpKeyError> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .map_err(|_| OtpKeyError::NotBase64)?;
        if bytes.is_empty() {
            return Err(OtpKeyError::Empty);
        }
        Ok(Self::new(bytes))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OtpKeyError {
    #[error("signature.otp_key is not standard base64")]
    NotBase64,
    #[error("signature.otp_key is empty")]
    Empty,
}

#[derive(Debug)]
pub struct OtpSettings {
    pub key: OtpKey,
    /// Longest time from sending the password to its confirmation (`signature.otp_lifetime_s`).
    pub lifetime: Duration,
}

impl OtpSettings {
    pub const DEFAULT_LIFETIME: Duration = Duration::seconds(300);
}

/// What the OTP branch needs from the application and the registries.
pub struct OtpInput<'a> {
    pub claim: &'a OtpClaim,
    pub document_sha256: &'a Sha256,
    pub submitted_at: OffsetDateTime,
    /// `None` when the document cannot be read: the phone-holder comparison is skipped.
    pub applicant_iin: Option<&'a str>,
    /// The IIN the mobile citizens registry gives for the phone.
    pub phone_holder_iin: Option<&'a str>,
}

/// Every failure found, at most one per code.
pub fn verify(input: &OtpInput<'_>, settings: &OtpSettings) -> Vec<Failure> {
    let found = [
        check_mac(input, &settings.key),
        check_order(input),
        check_lifetime(input, settings.lifetime),
        check_phone(input),
    ];
    super::one_per_code(found)
}

/// The exact bytes the portal's MAC covers.
pub fn mac_message(claim: &OtpClaim, document_sha256: &Sha256) -> String {
    format!(
        "{}\n{}\n{}\n{}\n{}",
        claim.otp_id,
        claim.phone_raw,
        claim.issued_at.raw(),
        claim.confirmed_at.raw(),
        document_sha256.to_hex()
    )
}

fn check_mac(input: &OtpInput<'_>, key: &OtpKey) -> Option<Failure> {
    let message = mac_message(input.claim, input.document_sha256);
    let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(key.0.expose_secret()) else {
        return Some(otp_invalid("the OTP attestation key is unusable"));
    };
    mac.update(message.as_bytes());
    // `verify_slice` compares in constant time.
    mac.verify_slice(&input.claim.mac)
        .err()
        .map(|_| otp_invalid("the portal's OTP attestation (MAC) does not verify"))
}

/// Confirmed before issued, or after the application was submitted: not a real sequence.
fn check_order(input: &OtpInput<'_>) -> Option<Failure> {
    let confirmed = input.claim.confirmed_at.at();
    if confirmed < input.claim.issued_at.at() {
        return Some(otp_invalid("the OTP was confirmed before it was issued"));
    }
    (confirmed > input.submitted_at)
        .then(|| otp_invalid("the OTP was confirmed after the application was submitted"))
}

/// The time from sending to confirming, at most the lifetime (a negative time is
/// [`check_order`]'s).
fn check_lifetime(input: &OtpInput<'_>, lifetime: Duration) -> Option<Failure> {
    let took = input.claim.confirmed_at.at() - input.claim.issued_at.at();
    (took > lifetime).then(|| {
        Failure::new(
            ReasonCode::SignatureOtpExpired,
            format!(
                "the OTP was confirmed {} s after it was issued; its lifetime is {} s",
                took.whole_seconds(),
                lifetime.whole_seconds()
            ),
        )
    })
}

fn check_phone(input: &OtpInput<'_>) -> Option<Failure> {
    let applicant = input.applicant_iin?;
    (input.phone_holder_iin != Some(applicant)).then(|| {
        Failure::new(
            ReasonCode::SignaturePhoneNotRegistered,
            "the phone is not registered to the applicant in the mobile citizens registry",
        )
    })
}

fn otp_invalid(detail: &str) -> Failure {
    Failure::new(ReasonCode::SignatureOtpInvalid, detail)
}

#[cfg(test)]
#[path = "otp_tests.rs"]
mod tests;
