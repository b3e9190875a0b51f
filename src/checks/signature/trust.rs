//! The trust store: the national CA's roots and intermediates and its CRLs, read into an
//! immutable value. It is part of a [`crate::reload::Snapshot`], swapped whole on a reload,
//! so no check sees half of an old and half of a new store.

use std::path::PathBuf;

use der::Decode;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{
    CertificateDer, CertificateRevocationListDer, SignatureVerificationAlgorithm, TrustAnchor,
    UnixTime,
};
use sha2::{Digest as _, Sha256};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, KeyUsage, OwnedCertRevocationList,
    RevocationCheckDepth, RevocationOptionsBuilder, UnknownStatusPolicy,
};
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::algorithms::{self, CmsAlgorithm, SUPPORTED};
use super::revocation::{CrlGap, CrlInfo, MissingCrls, Revocation};
use super::timestamp::Timestamps;
use super::verified_once::{self, Remembering};

pub const ANCHORS_SETTING: &str = "signature.trust_anchors";
pub const CRLS_SETTING: &str = "signature.crls";

/// emailProtection (1.3.6.1.5.5.7.3.4), DER content octets. NCA person certificates carry it;
/// a leaf with no EKU extension passes too.
const EMAIL_PROTECTION: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x04];
/// timeStamping (1.3.6.1.5.5.7.3.8): a TSA's leaf must carry it (RFC 3161, 2.3).
const TIME_STAMPING: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08];

/// Which leaves a store's chains end in: applicants' signing certificates, or TSAs'.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Leaves {
    Signers,
    TimeStamping,
}

/// A trust anchor or CRL file that cannot be used; names the setting and the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {file}: {why}")]
pub struct TrustError {
    pub setting: &'static str,
    pub file: String,
    pub why: String,
}

impl TrustError {
    fn new(setting: &'static str, file: &str, why: impl Into<String>) -> Self {
        Self {
            setting,
            file: file.to_owned(),
            why: why.into(),
        }
    }
}

/// Roots (self-issued certificates), intermediates and CRLs; never changed once built.
pub struct TrustStore {
    anchors: Vec<TrustAnchor<'static>>,
    /// The roots' certificates, for checking a CA certificate ([`super::ca_path`]).
    roots: Vec<CertificateDer<'static>>,
    intermediates: Vec<CertificateDer<'static>>,
    crls: Vec<CertRevocationList<'static>>,
    /// [`SUPPORTED`], each algorithm remembering the intermediates' and CRLs' signatures it
    /// verified at load ([`verified_once`]): what chains and CMS signers are verified with.
    algorithms: Vec<Remembering>,
    /// Whether a chain's CRLs are there and fresh ([`super::revocation`]).
    revocation: Revocation,
    version: String,
    leaves: Leaves,
    /// The time-stamping authorities and the policy for time-stamp tokens
    /// ([`super::timestamp`]); none by default.
    timestamps: Timestamps,
}

impl std::fmt::Debug for TrustStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrustStore")
            .field("anchors", &self.anchors.len())
            .field("intermediates", &self.intermediates.len())
            .field("crls", &self.crls.len())
            .field("version", &self.version)
            .finish()
    }
}

/// Reads the files of `setting`, each with its name for error messages; an error names the
/// setting and the file.
pub fn read_files(
    setting: &'static str,
    paths: &[PathBuf],
) -> Result<Vec<(String, Vec<u8>)>, TrustError> {
    paths
        .iter()
        .map(|p| {
            let name = p.display().to_string();
            std::fs::read(p)
                .map(|bytes| (name.clone(), bytes))
                .map_err(|e| TrustError::new(setting, &name, format!("cannot read: {e}")))
        })
        .collect()
}

impl TrustStore {
    /// Reads the files named by `signature.trust_anchors` and `signature.crls`.
    pub fn load(anchor_paths: &[PathBuf], crl_paths: &[PathBuf]) -> Result<Self, TrustError> {
        Self::from_pem_and_crls(
            &read_files(ANCHORS_SETTING, anchor_paths)?,
            &read_files(CRLS_SETTING, crl_paths)?,
        )
    }

    /// Builds the store from PEM certificate files and CRL files (PEM or DER), each given
    /// with a name for error messages.
    pub fn from_pem_and_crls(
        anchor_pems: &[(String, Vec<u8>)],
        crls: &[(String, Vec<u8>)],
    ) -> Result<Self, TrustError> {
        Self::with_algorithms(SUPPORTED.list, anchor_pems, crls)
    }

    /// [`Self::from_pem_and_crls`] over another table of algorithms: a test wraps each in a
    /// counter to count public-key operations.
    pub(crate) fn with_algorithms(
        base: &[&'static dyn SignatureVerificationAlgorithm],
        anchor_pems: &[(String, Vec<u8>)],
        crls: &[(String, Vec<u8>)],
    ) -> Result<Self, TrustError> {
        let mut store = TrustStore {
            anchors: Vec::new(),
            roots: Vec::new(),
            intermediates: Vec::new(),
            crls: Vec::new(),
            algorithms: Vec::new(),
            revocation: Revocation::default(),
            version: version(anchor_pems, crls),
            leaves: Leaves::Signers,
            timestamps: Timestamps::default(),
        };
        for (name, pem) in anchor_pems {
            for cert in certificates(name, pem)? {
                store.add_certificate(name, cert)?;
            }
        }
        if store.anchors.is_empty() {
            let files = anchor_pems.len();
            let why = format!("no root (self-issued) certificate among {files} file(s)");
            return Err(TrustError::new(ANCHORS_SETTING, "(all)", why));
        }
        let mut crl_ders = Vec::new();
        let mut crl_infos = Vec::new();
        for (name, bytes) in crls {
            for der in revocation_lists(name, bytes)? {
                let unusable = |e: &dyn std::fmt::Display| {
                    TrustError::new(CRLS_SETTING, name, format!("not a usable CRL: {e}"))
                };
                let crl = OwnedCertRevocationList::from_der(&der).map_err(|e| unusable(&e))?;
                crl_infos.push(CrlInfo::parse(&der).map_err(|e| unusable(&e))?);
                store.crls.push(crl.into());
                crl_ders.push(der);
            }
        }
        store.algorithms = store.remembering(base, &crl_ders);
        store.revocation = store.revocation_of(crl_infos, MissingCrls::default());
        Ok(store)
    }

    /// This store, with `missing` as the policy for a CA without a CRL
    /// (`signature.allow_missing_crls`; by default the application waits).
    pub fn with_missing_crls(mut self, missing: MissingCrls) -> Self {
        let crls = self.revocation.crls().to_vec();
        self.revocation = self.revocation_of(crls, missing);
        self
    }

    /// This store, with the time-stamping authorities and policy of `timestamps`. The
    /// version covers them: a decision records which TSAs its time was trusted from.
    pub fn with_timestamps(mut self, timestamps: Timestamps) -> Self {
        if let Some(extra) = timestamps.version_part() {
            let mut hash = Sha256::new();
            hash.update(self.version.as_bytes());
            hash.update(extra.as_bytes());
            self.version = hex::encode(hash.finalize());
        }
        self.timestamps = timestamps;
        self
    }

    /// The time-stamping authorities and the policy for time-stamp tokens.
    pub fn timestamps(&self) -> &Timestamps {
        &self.timestamps
    }

    /// This store as one of time-stamping authorities: its leaves need timeStamping.
    pub(super) fn for_time_stamping(mut self) -> Self {
        self.leaves = Leaves::TimeStamping;
        self
    }

    fn revocation_of(&self, crls: Vec<CrlInfo>, missing: MissingCrls) -> Revocation {
        let parse = |ders: &[CertificateDer<'static>]| -> Vec<x509_cert::Certificate> {
            ders.iter()
                .filter_map(|d| x509_cert::Certificate::from_der(d).ok())
                .collect()
        };
        Revocation::new(
            &parse(&self.roots),
            &parse(&self.intermediates),
            crls,
            missing,
        )
    }

    /// The configured CRLs' issuers and `nextUpdate`s, and the policy for missing ones.
    pub fn revocation(&self) -> &Revocation {
        &self.revocation
    }

    /// The CAs on `leaf`'s path whose CRL is missing or stale at `now`
    /// ([`Revocation::gaps`]): while there is one, the signer's revocation status is
    /// unknown.
    pub fn crl_gaps(
        &self,
        leaf: &x509_cert::Certificate,
        extra: &[Vec<u8>],
        now: time::OffsetDateTime,
    ) -> Vec<CrlGap> {
        self.revocation.gaps(leaf, extra, now)
    }

    /// `base`, each algorithm remembering the configured intermediates' and CRLs'
    /// signatures by configured CAs: verified here, once ([`verified_once`]).
    fn remembering(
        &self,
        base: &[&'static dyn SignatureVerificationAlgorithm],
        crl_ders: &[Vec<u8>],
    ) -> Vec<Remembering> {
        let cas: Vec<CertificateDer<'_>> = self
            .roots
            .iter()
            .chain(&self.intermediates)
            .map(|c| CertificateDer::from(c.as_ref()))
            .collect();
        let signed: Vec<&[u8]> = self
            .intermediates
            .iter()
            .map(|c| c.as_ref())
            .chain(crl_ders.iter().map(Vec::as_slice))
            .collect();
        verified_once::remembering(base, &cas, &signed)
    }

    /// The algorithm table chains and CMS signers are verified with.
    fn table(&self) -> Vec<&dyn SignatureVerificationAlgorithm> {
        self.algorithms
            .iter()
            .map(|a| a as &dyn SignatureVerificationAlgorithm)
            .collect()
    }

    /// [`algorithms::Algorithms::for_cms_signer`], through this store's table.
    pub fn cms_algorithm(
        &self,
        digest: &AlgorithmIdentifierOwned,
        signature: &AlgorithmIdentifierOwned,
        public_key: &AlgorithmIdentifierOwned,
    ) -> Option<CmsAlgorithm<'_>> {
        algorithms::cms_signer(&self.table(), digest, signature, public_key)
    }

    fn add_certificate(
        &mut self,
        name: &str,
        cert: CertificateDer<'static>,
    ) -> Result<(), TrustError> {
        let bad = |why: String| TrustError::new(ANCHORS_SETTING, name, why);
        let parsed = x509_cert::Certificate::from_der(&cert)
            .map_err(|e| bad(format!("not an X.509 certificate: {e}")))?;
        let tbs = &parsed.tbs_certificate;
        if tbs.subject != tbs.issuer {
            self.intermediates.push(cert);
            return Ok(());
        }
        let anchor = webpki::anchor_from_trusted_cert(&cert)
            .map_err(|e| bad(format!("not usable as a trust anchor: {e}")))?;
        self.anchors.push(anchor.to_owned());
        self.roots.push(cert);
        Ok(())
    }

    /// The configured roots and intermediates, DER.
    pub fn certificates(&self) -> (&[CertificateDer<'static>], &[CertificateDer<'static>]) {
        (&self.roots, &self.intermediates)
    }

    /// Hex SHA-256 over every anchor and CRL file, in order: recorded with decisions.
    pub fn version(&self) -> String {
        self.version.clone()
    }

    /// Builds and checks the chain of `leaf` at `at`: path to a configured root through the
    /// configured intermediates and `extra` (those the signature carries), validity at `at`,
    /// the emailProtection EKU when an EKU is present, and the configured CRLs.
    pub fn verify_chain(
        &self,
        leaf: &CertificateDer<'_>,
        extra: &[CertificateDer<'_>],
        at: UnixTime,
    ) -> Result<(), webpki::Error> {
        self.verify(leaf, extra, at, true)
    }

    /// [`Self::verify_chain`] without the CRLs: for a time-stamped signature whose path
    /// holds a certificate revoked only after the time-stamp ([`super::timestamp`]).
    pub(super) fn verify_chain_unrevoked(
        &self,
        leaf: &CertificateDer<'_>,
        extra: &[CertificateDer<'_>],
        at: UnixTime,
    ) -> Result<(), webpki::Error> {
        self.verify(leaf, extra, at, false)
    }

    fn verify(
        &self,
        leaf: &CertificateDer<'_>,
        extra: &[CertificateDer<'_>],
        at: UnixTime,
        with_crls: bool,
    ) -> Result<(), webpki::Error> {
        let leaf = EndEntityCert::try_from(leaf)?;
        let intermediates: Vec<CertificateDer<'_>> = self
            .intermediates
            .iter()
            .chain(extra)
            .map(|c| CertificateDer::from(c.as_ref()))
            .collect();
        let crls: Vec<&CertRevocationList<'_>> = self.crls.iter().collect();
        // webpki judges the entries only. Whether every CA on the path has a CRL, and
        // whether it is past its nextUpdate, is [`Self::crl_gaps`]'s question, asked beside
        // this one: an application with a gap is not decided on this result at all.
        let crls = if with_crls { crls } else { Vec::new() };
        let revocation = RevocationOptionsBuilder::new(&crls).ok().map(|b| {
            b.with_depth(RevocationCheckDepth::Chain)
                .with_status_policy(UnknownStatusPolicy::Allow)
                .with_expiration_policy(ExpirationPolicy::Ignore)
                .build()
        });
        leaf.verify_for_usage(
            &self.table(),
            &self.anchors,
            &intermediates,
            at,
            match self.leaves {
                Leaves::Signers => KeyUsage::required_if_present(EMAIL_PROTECTION),
                Leaves::TimeStamping => KeyUsage::required(TIME_STAMPING),
            },
            revocation,
            None,
        )
        .map(|_| ())
    }
}

fn certificates(name: &str, pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TrustError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TrustError::new(ANCHORS_SETTING, name, format!("bad PEM: {e}")))?;
    if certs.is_empty() {
        return Err(TrustError::new(
            ANCHORS_SETTING,
            name,
            "holds no PEM certificate",
        ));
    }
    Ok(certs)
}

/// The DER CRLs of a CRL file, PEM (one or more) or DER (one).
fn revocation_lists(name: &str, bytes: &[u8]) -> Result<Vec<Vec<u8>>, TrustError> {
    let bad = |why: String| TrustError::new(CRLS_SETTING, name, why);
    let ders: Vec<Vec<u8>> = if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
        CertificateRevocationListDer::pem_slice_iter(bytes)
            .map(|r| r.map(|d| d.as_ref().to_vec()))
            .collect::<Result<_, _>>()
            .map_err(|e| bad(format!("bad PEM: {e}")))?
    } else {
        vec![bytes.to_vec()]
    };
    if ders.is_empty() {
        return Err(bad("holds no PEM CRL".into()));
    }
    Ok(ders)
}

fn version(anchors: &[(String, Vec<u8>)], crls: &[(String, Vec<u8>)]) -> String {
    let mut hash = Sha256::new();
    for (tag, files) in [(b'A', anchors), (b'C', crls)] {
        for (_, bytes) in files {
            // Tag and length keep the boundaries between files in the hash.
            hash.update([tag]);
            hash.update((bytes.len() as u64).to_be_bytes());
            hash.update(bytes);
        }
    }
    hex::encode(hash.finalize())
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;
