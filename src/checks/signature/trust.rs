//! The trust store: the national CA's roots and intermediates and its CRLs, built from the
//! files' bytes (read at the edge: [`crate::reload::Sources::trust`]) into an immutable
//! value. It is part of a [`crate::reload::Snapshot`], swapped whole on a reload, so no
//! check sees half of an old and half of a new store.
//!
//! Where to look: [`anchors`] sorts the anchor files into roots and intermediates,
//! [`Crls`] parses the CRL files once for both stores (the signers' and the TSAs'),
//! [`chain`] builds and checks a leaf's path; this file puts them together.

mod anchors;
mod chain;
mod crls;

use std::sync::Arc;

use der::Decode;
use rustls_pki_types::{CertificateDer, SignatureVerificationAlgorithm, TrustAnchor};
use sha2::{Digest as _, Sha256};
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::algorithms::{self, CmsAlgorithm, SUPPORTED};
use super::revocation::{CrlGap, MissingCrls, Revocation};
use super::timestamp::Timestamps;
use super::verified_once::{self, Remembering};
use anchors::Anchors;
use chain::Leaves;
pub use crls::Crls;

pub const ANCHORS_SETTING: &str = "signature.trust_anchors";
pub const CRLS_SETTING: &str = "signature.crls";

/// A trust anchor or CRL file that cannot be used; names the setting and the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: {file}: {why}")]
pub struct TrustError {
    pub setting: &'static str,
    pub file: String,
    pub why: String,
}

impl TrustError {
    pub fn new(setting: &'static str, file: &str, why: impl Into<String>) -> Self {
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
    /// Shared with the TSAs' store of the same snapshot.
    crls: Arc<Crls>,
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
            .field("crls", &self.crls.lists().len())
            .field("version", &self.version)
            .finish()
    }
}

impl TrustStore {
    /// The signers' store: the files of `signature.trust_anchors` (PEM, each given with a
    /// name for error messages) and the CRLs.
    pub fn new(anchor_pems: &[(String, Vec<u8>)], crls: &Arc<Crls>) -> Result<Self, TrustError> {
        Self::build(SUPPORTED.list, ANCHORS_SETTING, anchor_pems, crls)
    }

    /// [`Self::new`] with CRL files (PEM or DER) not parsed yet: a store alone, as tests
    /// and tools build one.
    pub fn from_pem_and_crls(
        anchor_pems: &[(String, Vec<u8>)],
        crls: &[(String, Vec<u8>)],
    ) -> Result<Self, TrustError> {
        Self::new(anchor_pems, &Crls::parse(crls)?)
    }

    /// The TSAs' store (`setting` names their anchors' files): its leaves need the
    /// timeStamping EKU ([`super::timestamp`]).
    pub(super) fn for_time_stamping(
        setting: &'static str,
        anchor_pems: &[(String, Vec<u8>)],
        crls: &Arc<Crls>,
    ) -> Result<Self, TrustError> {
        let mut store = Self::build(SUPPORTED.list, setting, anchor_pems, crls)?;
        store.leaves = Leaves::TimeStamping;
        Ok(store)
    }

    /// [`Self::from_pem_and_crls`] over another table of algorithms: a test wraps each in a
    /// counter to count public-key operations.
    #[cfg(test)]
    pub(crate) fn with_algorithms(
        base: &[&'static dyn SignatureVerificationAlgorithm],
        anchor_pems: &[(String, Vec<u8>)],
        crls: &[(String, Vec<u8>)],
    ) -> Result<Self, TrustError> {
        Self::build(base, ANCHORS_SETTING, anchor_pems, &Crls::parse(crls)?)
    }

    fn build(
        base: &[&'static dyn SignatureVerificationAlgorithm],
        setting: &'static str,
        anchor_pems: &[(String, Vec<u8>)],
        crls: &Arc<Crls>,
    ) -> Result<Self, TrustError> {
        let Anchors {
            anchors,
            roots,
            intermediates,
        } = Anchors::parse(setting, anchor_pems)?;
        let mut store = TrustStore {
            anchors,
            roots,
            intermediates,
            crls: crls.clone(),
            algorithms: Vec::new(),
            revocation: Revocation::default(),
            version: version(anchor_pems, crls.files()),
            leaves: Leaves::Signers,
            timestamps: Timestamps::default(),
        };
        store.algorithms = store.remembering(base);
        store.revocation = store.revocation_of(MissingCrls::default());
        Ok(store)
    }

    /// This store, with `missing` as the policy for a CA without a CRL
    /// (`signature.allow_missing_crls`; by default the application waits).
    pub fn with_missing_crls(mut self, missing: MissingCrls) -> Self {
        self.revocation = self.revocation_of(missing);
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

    fn revocation_of(&self, missing: MissingCrls) -> Revocation {
        let parse = |ders: &[CertificateDer<'static>]| -> Vec<x509_cert::Certificate> {
            ders.iter()
                .filter_map(|d| x509_cert::Certificate::from_der(d).ok())
                .collect()
        };
        Revocation::new(
            &parse(&self.roots),
            &parse(&self.intermediates),
            self.crls.infos(),
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
            .chain(self.crls.ders().iter().map(Vec::as_slice))
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

    /// The configured roots and intermediates, DER.
    pub fn certificates(&self) -> (&[CertificateDer<'static>], &[CertificateDer<'static>]) {
        (&self.roots, &self.intermediates)
    }

    /// The CRLs, shared with the other store of the snapshot.
    #[cfg(test)]
    pub(crate) fn crls(&self) -> &Arc<Crls> {
        &self.crls
    }

    /// Hex SHA-256 over every anchor and CRL file, in order: recorded with decisions.
    pub fn version(&self) -> String {
        self.version.clone()
    }
}

fn version(anchors: &[(String, Vec<u8>)], crls: &[Vec<u8>]) -> String {
    let mut hash = Sha256::new();
    let anchors = anchors.iter().map(|(_, bytes)| bytes);
    let tagged = anchors
        .map(|bytes| (b'A', bytes))
        .chain(crls.iter().map(|bytes| (b'C', bytes)));
    for (tag, bytes) in tagged {
        // Tag and length keep the boundaries between files in the hash.
        hash.update([tag]);
        hash.update((bytes.len() as u64).to_be_bytes());
        hash.update(bytes);
    }
    hex::encode(hash.finalize())
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;
