//! Checks on the signer's certificate: the chain (by webpki, through the trust store) and
//! what webpki leaves to us, the leaf's key usage bits and the IIN in its subject.

use der::asn1::ObjectIdentifier as Oid;
use der::{Tag, Tagged};
use rustls_pki_types::{CertificateDer, UnixTime};
use time::OffsetDateTime;
use x509_cert::ext::pkix::KeyUsage;
use x509_cert::Certificate;

use super::trust::TrustStore;
use crate::domain::reason::{Failure, ReasonCode};

const SERIAL_NUMBER: Oid = Oid::new_unwrap("2.5.4.5");

/// The instant webpki checks validity at; instants before 1970 become 1970 (no certificate
/// of interest is valid then either).
pub fn unix_time(at: OffsetDateTime) -> UnixTime {
    let secs = u64::try_from(at.unix_timestamp()).unwrap_or(0);
    UnixTime::since_unix_epoch(std::time::Duration::from_secs(secs))
}

/// The chain of `leaf` at `at`, mapped to the signature codes.
pub fn check_chain(
    trust: &TrustStore,
    leaf: (&Certificate, &[u8]),
    extra: &[Vec<u8>],
    at: OffsetDateTime,
) -> Option<Failure> {
    let extra: Vec<CertificateDer<'_>> = extra.iter().map(|c| c.as_slice().into()).collect();
    let error = trust
        .verify_chain(&leaf.1.into(), &extra, unix_time(at))
        .err()?;
    let mut failure = chain_failure(&error);
    failure.detail = format!("{} [{}]", failure.detail, describe(leaf.0));
    Some(failure)
}

/// The chain of `leaf` at a time-stamp's `genTime` (`super::timestamp`): valid then, and
/// not revoked before it. A certificate on the path that a CRL lists as revoked after
/// `genTime` does not fail it: the chain is checked again without the CRLs.
pub fn check_chain_at_stamp(
    trust: &TrustStore,
    leaf: (&Certificate, &[u8]),
    extra: &[Vec<u8>],
    gen_time: OffsetDateTime,
) -> Option<Failure> {
    let certs: Vec<CertificateDer<'_>> = extra.iter().map(|c| c.as_slice().into()).collect();
    let at = unix_time(gen_time);
    let mut error = trust.verify_chain(&leaf.1.into(), &certs, at).err()?;
    let mut revoked_note = String::new();
    if matches!(error, webpki::Error::CertRevoked) {
        match trust.revocation().earliest_revocation(leaf.0, extra) {
            Some(revoked) if revoked > gen_time => {
                error = trust
                    .verify_chain_unrevoked(&leaf.1.into(), &certs, at)
                    .err()?;
            }
            Some(revoked) => {
                revoked_note = format!(", revoked {}", crate::domain::instant::rfc3339(revoked));
            }
            None => {}
        }
    }
    let mut failure = chain_failure_when(&error, "at the time-stamp's genTime");
    failure.detail = format!(
        "{}{revoked_note}; judged at genTime {} [{}]",
        failure.detail,
        crate::domain::instant::rfc3339(gen_time),
        describe(leaf.0)
    );
    Some(failure)
}

/// Which code a webpki error gets (docs/signatures.md, "Which failure gets which code").
pub fn chain_failure(error: &webpki::Error) -> Failure {
    chain_failure_when(error, "at submission")
}

/// [`chain_failure`], the instant the chain was judged at named by `when`.
// `RequiredEkuNotFound` is deprecated but older webpki releases still return it.
#[allow(deprecated)]
pub fn chain_failure_when(error: &webpki::Error, when: &str) -> Failure {
    use webpki::Error as E;
    let expired = format!("had expired {when}");
    let not_yet = format!("was not yet valid {when}");
    let (code, what) = match error {
        E::CertExpired { .. } => (ReasonCode::SignatureExpired, expired.as_str()),
        E::CertNotValidYet { .. } => (ReasonCode::SignatureExpired, not_yet.as_str()),
        E::CertRevoked => (ReasonCode::SignatureRevoked, "is revoked"),
        E::RequiredEkuNotFound | E::RequiredEkuNotFoundContext(_) => (
            ReasonCode::SignatureKeyUsage,
            "has an extended key usage without emailProtection",
        ),
        E::UnknownIssuer => (
            ReasonCode::SignatureUntrusted,
            "does not chain to a configured trust anchor",
        ),
        _ => (
            ReasonCode::SignatureUntrusted,
            "has a chain that cannot be verified",
        ),
    };
    Failure::new(
        code,
        format!("the signer's certificate {what} ({})", explain(error)),
    )
}

/// webpki's error, with validity bounds as RFC 3339 instead of seconds.
fn explain(error: &webpki::Error) -> String {
    let instant = |t: &UnixTime| {
        let secs = i64::try_from(t.as_secs()).unwrap_or(i64::MAX);
        OffsetDateTime::from_unix_timestamp(secs)
            .map(crate::domain::instant::rfc3339)
            .unwrap_or_else(|_| secs.to_string())
    };
    match error {
        webpki::Error::CertExpired { not_after, .. } => {
            format!("valid until {}", instant(not_after))
        }
        webpki::Error::CertNotValidYet { not_before, .. } => {
            format!("valid from {}", instant(not_before))
        }
        other => format!("{other:?}"),
    }
}

/// The leaf must have been valid at `signed_at`, the signing time its signer states in the
/// `signingTime` signed attribute (the chain is judged at `submitted_at` by
/// [`check_chain`]; a signature that says it was made outside its certificate's validity is
/// refused all the same).
pub fn check_valid_at_signing(cert: &Certificate, signed_at: OffsetDateTime) -> Option<Failure> {
    let validity = &cert.tbs_certificate.validity;
    let bound = |t: &x509_cert::time::Time| {
        let secs = i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX);
        OffsetDateTime::from_unix_timestamp(secs).unwrap_or(OffsetDateTime::UNIX_EPOCH)
    };
    let (from, until) = (bound(&validity.not_before), bound(&validity.not_after));
    if (from..=until).contains(&signed_at) {
        return None;
    }
    let rfc3339 = crate::domain::instant::rfc3339;
    Some(Failure::new(
        ReasonCode::SignatureExpired,
        format!(
            "the signer's certificate was not valid at the signing time the signature states \
             (signingTime {}; valid from {} until {}) [{}]",
            rfc3339(signed_at),
            rfc3339(from),
            rfc3339(until),
            describe(cert)
        ),
    ))
}

/// The leaf must allow digitalSignature or nonRepudiation. A certificate without the
/// extension allows every use (RFC 5280, 4.2.1.3).
pub fn check_key_usage(cert: &Certificate) -> Option<Failure> {
    match cert.tbs_certificate.get::<KeyUsage>() {
        Ok(None) => None,
        Ok(Some((_, ku))) if ku.digital_signature() || ku.non_repudiation() => None,
        Ok(Some(_)) => Some(Failure::new(
            ReasonCode::SignatureKeyUsage,
            "the signer's certificate allows neither digitalSignature nor nonRepudiation",
        )),
        Err(_) => Some(Failure::new(
            ReasonCode::SignatureKeyUsage,
            "the signer's certificate has a malformed key usage extension",
        )),
    }
}

/// The subject must hold exactly one serialNumber, `IIN` followed by the applicant's IIN.
/// The detail never repeats the certificate's serialNumber: it may be another person's IIN.
pub fn check_signer_iin(cert: &Certificate, applicant_iin: &str) -> Option<Failure> {
    let serials: Vec<&[u8]> = cert
        .tbs_certificate
        .subject
        .0
        .iter()
        .flat_map(|rdn| rdn.0.iter())
        .filter(|atv| atv.oid == SERIAL_NUMBER)
        .filter(|atv| {
            matches!(
                atv.value.tag(),
                Tag::PrintableString | Tag::Utf8String | Tag::Ia5String
            )
        })
        .map(|atv| atv.value.value())
        .collect();
    let expected = format!("IIN{applicant_iin}");
    match serials.as_slice() {
        [one] if *one == expected.as_bytes() => None,
        [] => Some(Failure::new(
            ReasonCode::SignatureSignerMismatch,
            "the signer's certificate names no IIN in its subject serialNumber",
        )),
        _ => Some(Failure::new(
            ReasonCode::SignatureSignerMismatch,
            "the signer's certificate is not the applicant's: its subject serialNumber is not IIN followed by the applicant's IIN",
        )),
    }
}

/// The issuer and the serial number, to name a certificate in details. The issuer is a CA,
/// never a person, so this carries no personal data.
pub fn describe(cert: &Certificate) -> String {
    let tbs = &cert.tbs_certificate;
    format!(
        "issued by \"{}\", serial {}",
        tbs.issuer,
        hex::encode(tbs.serial_number.as_bytes())
    )
}
