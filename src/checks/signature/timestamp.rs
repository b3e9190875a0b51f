//! Signature time-stamp tokens (contract section 4; RFC 3161 inside CMS as CAdES-T,
//! RFC 5126, puts them): an unsigned attribute of the signer holding a SignedData over a
//! `TSTInfo`, by a time-stamping authority (TSA) that chains to
//! `signature.tsa_trust_anchors`, whose message imprint is the hash of the signer's
//! signature value. A valid token's `genTime` is the signing time the signer's chain is
//! judged at. The token's own signature goes through the same path as an applicant's:
//! [`super::signed_data`], [`super::eds`]'s signer check, the trust store's chain.

use std::sync::Arc;

use cms::signed_data::SignerInfo;
use der::asn1::ObjectIdentifier as Oid;
use der::Encode;
use sha1::{Digest as _, Sha1};
use time::{Duration, OffsetDateTime};
use x509_cert::ext::pkix::ExtendedKeyUsage;

use super::algorithms::digest_of;
use super::certificate::{chain_failure_when, unix_time};
use super::revocation::{CrlGap, MissingCrls};
use super::signed_data::{self, Signed};
use super::trust::{Crls, TrustError, TrustStore};
use super::tst_info::{self, ID_CT_TST_INFO, ID_SIGNING_CERTIFICATE, ID_SIGNING_CERTIFICATE_V2};
use crate::domain::instant::rfc3339;
use crate::domain::reason::{Failure, ReasonCode};

pub const TSA_ANCHORS_SETTING: &str = "signature.tsa_trust_anchors";
/// id-aa-signatureTimeStampToken (RFC 3161, appendix A).
pub const ID_AA_SIGNATURE_TIME_STAMP_TOKEN: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");
const TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");

/// The TSAs (`signature.tsa_trust_anchors`, with the CRLs of `signature.crls`), whether
/// a token is required (`signature.require_timestamp`) and how far `genTime` may lie after
/// `submitted_at` (`signature.clock_skew_s`).
#[derive(Debug)]
pub struct Timestamps {
    tsa: Option<Box<TrustStore>>,
    pub require: bool,
    pub clock_skew: Duration,
}

impl Default for Timestamps {
    fn default() -> Self {
        Self {
            tsa: None,
            require: false,
            clock_skew: Duration::seconds(300),
        }
    }
}

impl Timestamps {
    pub fn new(tsa: Option<TrustStore>, require: bool, clock_skew: Duration) -> Self {
        Self {
            tsa: tsa.map(Box::new),
            require,
            clock_skew,
        }
    }

    /// The TSAs' store: the files of `signature.tsa_trust_anchors` (PEM, each given with a
    /// name) and the CRLs the signers' store consults too (none given: no TSA is trusted).
    /// Errors name `signature.tsa_trust_anchors` and the file.
    pub fn tsa_store(
        anchors: &[(String, Vec<u8>)],
        crls: &Arc<Crls>,
        missing: MissingCrls,
    ) -> Result<Option<TrustStore>, TrustError> {
        if anchors.is_empty() {
            return Ok(None);
        }
        let store = TrustStore::for_time_stamping(TSA_ANCHORS_SETTING, anchors, crls)?;
        Ok(Some(store.with_missing_crls(missing)))
    }

    /// [`Self::tsa_store`] with CRL files not parsed yet, for tests, where the TSA anchors
    /// are given.
    pub fn tsa_from_pem_and_crls(
        anchors: &[(String, Vec<u8>)],
        crls: &[(String, Vec<u8>)],
        missing: MissingCrls,
    ) -> Result<TrustStore, TrustError> {
        let store =
            TrustStore::for_time_stamping(TSA_ANCHORS_SETTING, anchors, &Crls::parse(crls)?)?;
        Ok(store.with_missing_crls(missing))
    }

    pub fn tsa(&self) -> Option<&TrustStore> {
        self.tsa.as_deref()
    }

    /// What the trust version adds for this policy; `None` for the default (no TSA, no
    /// requirement), so that a store without TSAs keeps its version.
    pub(super) fn version_part(&self) -> Option<String> {
        let tsa = self.tsa.as_ref().map(|t| t.version());
        (tsa.is_some() || self.require)
            .then(|| format!("T{}R{}", tsa.unwrap_or_default(), self.require))
    }
}

/// A token that verified: when, by whom, over what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeStamp {
    pub gen_time: OffsetDateTime,
    /// The TSA certificate's subject (RFC 4514): an authority, never a person.
    pub tsa: String,
    /// The message imprint's hash algorithm, for people (`SHA-256`, `Streebog-512`, ...).
    pub imprint_algorithm: &'static str,
    pub imprint: Vec<u8>,
    /// The CAs on the TSA's path whose CRL is missing or stale at the check's `now`.
    pub waiting_for: Vec<CrlGap>,
}

impl TimeStamp {
    /// Whether the imprint is the hash of `data` under the imprint's algorithm.
    pub fn covers(&self, data: &[u8], algorithm: super::algorithms::Digest) -> bool {
        algorithm.hash(data) == self.imprint
    }
}

/// Why a token does not verify; every one is `signature.invalid` on an application.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TokenError(pub String);

fn bad(detail: impl Into<String>) -> TokenError {
    TokenError(detail.into())
}

/// Verifies one token (a CMS ContentInfo, DER or BER) against `tsa` (`None`: no TSA
/// configured, so nothing can verify); `now` finds the TSA path's CRL gaps.
pub fn verify_token(
    token: &[u8],
    tsa: Option<&TrustStore>,
    now: OffsetDateTime,
) -> Result<(TimeStamp, super::algorithms::Digest), TokenError> {
    let signed = signed_data::parse(token).map_err(|e| bad(e.to_string()))?;
    if signed.content_type != ID_CT_TST_INFO {
        return Err(bad("its content is not a TSTInfo"));
    }
    let content = signed
        .content
        .as_deref()
        .ok_or_else(|| bad("it carries no TSTInfo"))?;
    let info = tst_info::parse(content).map_err(bad)?;
    let (digest, imprint_algorithm) = digest_of(&info.imprint_algorithm).ok_or_else(|| {
        bad(format!(
            "its imprint algorithm {} is not one the worker computes",
            info.imprint_algorithm
        ))
    })?;
    check_tsa_certificate(&signed)?;
    let Some(tsa) = tsa else {
        return Err(bad(format!(
            "no time-stamping authority is configured ({TSA_ANCHORS_SETTING})"
        )));
    };
    check_signing_certificate(&signed)?;
    super::eds::check_signer_signature(&signed, content, tsa)
        .map_err(|f| bad(format!("its signature does not verify ({})", f.detail)))?;
    tsa.verify_chain(
        &signed.signer_cert_der.as_slice().into(),
        &signed
            .other_certs
            .iter()
            .map(|c| c.as_slice().into())
            .collect::<Vec<_>>(),
        unix_time(info.gen_time),
    )
    .map_err(|e| {
        let what = chain_failure_when(&e, "at genTime").detail;
        bad(what.replace("the signer's certificate", "the TSA's certificate"))
    })?;
    let stamp = TimeStamp {
        gen_time: info.gen_time,
        tsa: signed.signer_cert.tbs_certificate.subject.to_string(),
        imprint_algorithm,
        imprint: info.imprint,
        waiting_for: tsa.crl_gaps(&signed.signer_cert, &signed.other_certs, now),
    };
    Ok((stamp, digest))
}

/// RFC 3161, 2.3: the TSA's certificate has exactly one extended key usage extension,
/// critical, with the purpose timeStamping.
fn check_tsa_certificate(signed: &Signed) -> Result<(), TokenError> {
    match signed.signer_cert.tbs_certificate.get::<ExtendedKeyUsage>() {
        Ok(Some((true, eku))) if eku.0.contains(&TIME_STAMPING) => Ok(()),
        Ok(Some((false, _))) => Err(bad(
            "the TSA's certificate has an extended key usage that is not critical",
        )),
        Ok(_) => Err(bad(
            "the TSA's certificate has no extended key usage timeStamping",
        )),
        Err(_) => Err(bad(
            "the TSA's certificate has a malformed extended key usage extension",
        )),
    }
}

/// The signed attributes must name the TSA's certificate in a signing-certificate
/// attribute, v2 (RFC 5816) or v1 (RFC 2634, SHA-1): its first certificate hash is the
/// hash of the certificate that signed.
fn check_signing_certificate(signed: &Signed) -> Result<(), TokenError> {
    let attrs = signed
        .signer
        .signed_attrs
        .as_ref()
        .ok_or_else(|| bad("its signer has no signed attributes"))?;
    let found = attrs.iter().find_map(|a| match a.oid {
        oid if oid == ID_SIGNING_CERTIFICATE_V2 => Some((true, a)),
        oid if oid == ID_SIGNING_CERTIFICATE => Some((false, a)),
        _ => None,
    });
    let Some((v2, attr)) = found else {
        return Err(bad(
            "its signed attributes have no signing-certificate attribute",
        ));
    };
    let value = attr
        .values
        .iter()
        .next()
        .ok_or_else(|| bad("its signing-certificate attribute is empty"))?;
    let id = tst_info::ess_cert_id(value, v2).map_err(bad)?;
    let cert = &signed.signer_cert_der;
    let hash = match id.algorithm {
        None => Sha1::digest(cert).to_vec(),
        Some(oid) => match digest_of(&oid) {
            Some((digest, _)) => digest.hash(cert),
            None => {
                return Err(bad(format!(
                    "its signing-certificate hash {oid} is unknown"
                )))
            }
        },
    };
    if hash != id.hash {
        return Err(bad(
            "its signing-certificate attribute names another certificate than the TSA's",
        ));
    }
    Ok(())
}

/// The signer's time-stamp token, if it carries one, verified against the configured
/// TSAs: its imprint must be the hash of the signer's signature value and its `genTime`
/// no later than `submitted_at` plus the clock skew. A token that does not verify is
/// `signature.invalid`, the detail saying that it was the time-stamp.
pub fn of_signer(
    signer: &SignerInfo,
    trust: &TrustStore,
    submitted_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<Option<TimeStamp>, Failure> {
    let mut values = signer
        .unsigned_attrs
        .iter()
        .flat_map(|attrs| attrs.iter())
        .filter(|a| a.oid == ID_AA_SIGNATURE_TIME_STAMP_TOKEN)
        .flat_map(|a| a.values.iter());
    let Some(value) = values.next() else {
        return Ok(None);
    };
    if values.next().is_some() {
        return Err(refused("the signer carries more than one"));
    }
    let token = value
        .to_der()
        .map_err(|e| refused(&format!("cannot be encoded: {e}")))?;
    let policy = trust.timestamps();
    let (stamp, digest) = verify_token(&token, policy.tsa(), now)
        .map_err(|e| refused(&format!("does not verify: {e}")))?;
    if !stamp.covers(signer.signature.as_bytes(), digest) {
        return Err(refused(
            "does not cover this signature: its message imprint is not the hash of the \
             signer's signature value",
        ));
    }
    if stamp.gen_time > submitted_at + policy.clock_skew {
        return Err(refused(&format!(
            "is later than the submission: genTime {} after submitted_at {} plus the \
             clock skew",
            rfc3339(stamp.gen_time),
            rfc3339(submitted_at)
        )));
    }
    Ok(Some(stamp))
}

fn refused(what: &str) -> Failure {
    Failure::new(
        ReasonCode::SignatureInvalid,
        format!("the signature time-stamp token {what}"),
    )
}
