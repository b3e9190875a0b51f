//! The EDS branch of the signature check: a CMS SignedData over the document, by a
//! certificate of the configured national CA, of the applicant.

use der::asn1::{ObjectIdentifier as Oid, OctetString};
use der::{Decode, Encode};
use time::OffsetDateTime;

use super::certificate::{
    check_chain, check_chain_at_stamp, check_key_usage, check_signer_iin, check_valid_at_signing,
};
use super::signed_data::{self, Signed, ID_DATA};
use super::timestamp::{self, TimeStamp};
use super::trust::TrustStore;
use super::Verdict;
use crate::domain::reason::{Failure, ReasonCode};

const ID_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");

/// What the EDS branch needs from the application.
pub struct EdsInput<'a> {
    pub cms: &'a [u8],
    pub document: &'a [u8],
    pub submitted_at: OffsetDateTime,
    /// `None` when the document cannot be read: the IIN comparison is skipped.
    pub applicant_iin: Option<&'a str>,
}

/// Every failure found, at most one per code (the first found names the detail).
pub fn verify(input: &EdsInput<'_>, trust: &TrustStore) -> Vec<Failure> {
    match signed_data::parse(input.cms) {
        Ok(signed) => failures(&signed, input, trust, input.submitted_at).0,
        Err(e) => vec![invalid(e.to_string())],
    }
}

/// [`verify`], and the CAs on the signer's path whose CRL is missing or stale at `now`
/// (the signature's revocation status waits for them).
pub fn check(input: &EdsInput<'_>, trust: &TrustStore, now: OffsetDateTime) -> Verdict {
    match signed_data::parse(input.cms) {
        Ok(signed) => {
            let (failures, timestamp) = failures(&signed, input, trust, now);
            let mut waiting_for = trust.crl_gaps(&signed.signer_cert, &signed.other_certs, now);
            if let Some(stamp) = &timestamp {
                waiting_for.extend(stamp.waiting_for.iter().cloned());
            }
            Verdict {
                failures,
                waiting_for,
                timestamp,
            }
        }
        Err(e) => Verdict::decided(vec![invalid(e.to_string())]),
    }
}

/// The failures, and the time-stamp the chain was judged by (none: at `submitted_at`).
fn failures(
    signed: &Signed,
    input: &EdsInput<'_>,
    trust: &TrustStore,
    now: OffsetDateTime,
) -> (Vec<Failure>, Option<TimeStamp>) {
    let leaf = (&signed.signer_cert, signed.signer_cert_der.as_slice());
    let (stamp, stamp_failure) =
        match timestamp::of_signer(&signed.signer, trust, input.submitted_at, now) {
            Ok(Some(stamp)) => (Some(stamp), None),
            Ok(None) if trust.timestamps().require => (
                None,
                Some(invalid(
                    "the signature carries no time-stamp token and signature.require_timestamp \
                     is set",
                )),
            ),
            Ok(None) => (None, None),
            Err(failure) => (None, Some(failure)),
        };
    let chain = match &stamp {
        Some(stamp) => check_chain_at_stamp(trust, leaf, &signed.other_certs, stamp.gen_time),
        None => check_chain(trust, leaf, &signed.other_certs, input.submitted_at),
    };
    let found = [
        check_content(signed, input.document),
        check_signer_signature(signed, input.document, trust).err(),
        stamp_failure,
        chain,
        check_key_usage(&signed.signer_cert),
        input
            .applicant_iin
            .and_then(|iin| check_signer_iin(&signed.signer_cert, iin)),
        check_signing_time(signed),
    ];
    (super::one_per_code(found), stamp)
}

/// When the signer states a `signingTime` (a signed attribute, so covered by the
/// signature), its certificate must have been valid then. More than one value, or one that
/// is not a Time, is a malformed signature.
fn check_signing_time(signed: &Signed) -> Option<Failure> {
    let attrs = signed.signer.signed_attrs.as_ref()?;
    let mut values = attrs
        .iter()
        .filter(|a| a.oid == ID_SIGNING_TIME)
        .flat_map(|a| a.values.iter());
    let value = values.next()?;
    if values.next().is_some() {
        return Some(invalid(
            "the signed attributes hold more than one signingTime",
        ));
    }
    let time = value
        .to_der()
        .ok()
        .and_then(|der| x509_cert::time::Time::from_der(&der).ok());
    let Some(time) = time else {
        return Some(invalid("the signingTime attribute is not a Time"));
    };
    let secs = i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
    let signed_at = OffsetDateTime::from_unix_timestamp(secs).ok()?;
    check_valid_at_signing(&signed.signer_cert, signed_at)
}

fn invalid(detail: impl Into<String>) -> Failure {
    Failure::new(ReasonCode::SignatureInvalid, detail)
}

/// Signed content must be plain data; attached content must be the document, byte for byte.
fn check_content(signed: &Signed, document: &[u8]) -> Option<Failure> {
    if signed.content_type != ID_DATA {
        return Some(invalid("the signed content is not of type id-data"));
    }
    match &signed.content {
        Some(content) if content != document => Some(invalid(
            "the attached content differs from the submitted document",
        )),
        _ => None,
    }
}

/// The signer's signature over the document (no signed attributes) or over the DER SET of
/// signed attributes, whose message digest must be the document's hash.
pub(super) fn check_signer_signature(
    signed: &Signed,
    document: &[u8],
    trust: &TrustStore,
) -> Result<(), Failure> {
    let signer = &signed.signer;
    let spki = &signed.signer_cert.tbs_certificate.subject_public_key_info;
    let algorithm = trust
        .cms_algorithm(
            &signer.digest_alg,
            &signer.signature_algorithm,
            &spki.algorithm,
        )
        .ok_or_else(|| {
            invalid(format!(
                "unsupported signature algorithm {} with digest {} for a {} key",
                signer.signature_algorithm.oid, signer.digest_alg.oid, spki.algorithm.oid
            ))
        })?;
    let message = match &signer.signed_attrs {
        None => document.to_vec(),
        Some(attrs) => {
            // The digest the algorithm table pairs with the signer's algorithm (SHA-256,
            // Streebog, GOST 34.311-95): one path for every algorithm.
            check_attributes(attrs, signed, algorithm.digest.hash(document))?;
            // The signature covers the attributes as a DER SET, not as the [0] in the CMS.
            attrs
                .to_der()
                .map_err(|e| invalid(format!("signed attributes cannot be encoded: {e}")))?
        }
    };
    let key = spki
        .subject_public_key
        .as_bytes()
        .ok_or_else(|| invalid("the signer's public key is not a whole number of bytes"))?;
    algorithm
        .verifier
        .verify_signature(key, &message, signer.signature.as_bytes())
        .map_err(|_| invalid("the signature does not verify over the submitted document"))
}

fn check_attributes(
    attrs: &cms::signed_data::SignedAttributes,
    signed: &Signed,
    document_digest: Vec<u8>,
) -> Result<(), Failure> {
    let single = |oid: Oid, name: &str| {
        let mut values = attrs
            .iter()
            .filter(|a| a.oid == oid)
            .flat_map(|a| a.values.iter());
        match (values.next(), values.next()) {
            (Some(value), None) => Ok(value),
            _ => Err(invalid(format!(
                "the signed attributes need exactly one {name}"
            ))),
        }
    };
    let content_type: Oid = single(ID_CONTENT_TYPE, "content type")?
        .decode_as()
        .map_err(|_| invalid("the content-type attribute is not an OID"))?;
    if content_type != signed.content_type {
        return Err(invalid(
            "the content-type attribute differs from the content's type",
        ));
    }
    let digest: OctetString = single(ID_MESSAGE_DIGEST, "message digest")?
        .decode_as()
        .map_err(|_| invalid("the message-digest attribute is not an OCTET STRING"))?;
    if digest.as_bytes() != document_digest.as_slice() {
        return Err(invalid(
            "the signed message digest is not the hash of the submitted document",
        ));
    }
    Ok(())
}
