//! Checks a CA certificate (an NCA root or intermediate) against the trust store, for
//! `certificate verify`: webpki validates only end-entity paths (a CA given as the leaf is
//! `CaUsedAsEndEntity`), so this walks up to a configured root itself. Each signature is
//! checked through the same algorithm table (`algorithms::SUPPORTED`) that webpki uses, and
//! each certificate's validity at the instant; CRLs are not consulted here (webpki does not
//! expose CRL signature checks; revocation of CAs is checked on every signer's chain).

use der::{Decode, Encode};
use rustls_pki_types::{CertificateDer, UnixTime};
use x509_cert::Certificate;

use super::algorithms::{identifier_body, is_for, SUPPORTED};
use super::trust::TrustStore;

/// More than any NCA path (root, CA): a loop guard, not a policy.
const MAX_DEPTH: usize = 6;

/// Whether `der` is a CA certificate that chains to a configured root, each certificate on
/// the way valid at `at`. Errors are webpki's, for the same code mapping as signer chains.
pub fn verify_ca(trust: &TrustStore, der: &[u8], at: UnixTime) -> Result<(), webpki::Error> {
    let (roots, intermediates) = trust.certificates();
    let parse = |c: &CertificateDer<'_>| Certificate::from_der(c.as_ref()).ok();
    let roots: Vec<Certificate> = roots.iter().filter_map(parse).collect();
    let intermediates: Vec<Certificate> = intermediates.iter().filter_map(parse).collect();
    let mut current = Certificate::from_der(der).map_err(|_| webpki::Error::BadDer)?;
    for _ in 0..MAX_DEPTH {
        check_validity(&current, at)?;
        if roots.iter().any(|r| signs(r, &current)) {
            return Ok(());
        }
        current = intermediates
            .iter()
            .find(|i| *i != &current && signs(i, &current))
            .cloned()
            .ok_or(webpki::Error::UnknownIssuer)?;
    }
    Err(webpki::Error::MaximumPathDepthExceeded)
}

fn check_validity(cert: &Certificate, at: UnixTime) -> Result<(), webpki::Error> {
    let validity = &cert.tbs_certificate.validity;
    let secs = |t: x509_cert::time::Time| UnixTime::since_unix_epoch(t.to_unix_duration());
    let (not_before, not_after) = (secs(validity.not_before), secs(validity.not_after));
    if at < not_before {
        return Err(webpki::Error::CertNotValidYet {
            time: at,
            not_before,
        });
    }
    if at > not_after {
        return Err(webpki::Error::CertExpired {
            time: at,
            not_after,
        });
    }
    Ok(())
}

/// Whether `issuer` names and signs `cert`: subject = issuer, and the signature verifies
/// with an algorithm whose identifiers match both certificates, byte for byte.
fn signs(issuer: &Certificate, cert: &Certificate) -> bool {
    if issuer.tbs_certificate.subject != cert.tbs_certificate.issuer {
        return false;
    }
    let spki = &issuer.tbs_certificate.subject_public_key_info;
    let (Some(sig_id), Some(key_id), Some(key), Ok(tbs)) = (
        identifier_body(&cert.signature_algorithm),
        identifier_body(&spki.algorithm),
        spki.subject_public_key.as_bytes(),
        cert.tbs_certificate.to_der(),
    ) else {
        return false;
    };
    let Some(signature) = cert.signature.as_bytes() else {
        return false;
    };
    SUPPORTED
        .list
        .iter()
        .filter(|alg| is_for(**alg, &sig_id, &key_id))
        .any(|alg| alg.verify_signature(key, &tbs, signature).is_ok())
}
