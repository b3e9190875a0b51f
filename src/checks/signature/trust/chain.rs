//! Path building: a leaf's chain to a configured root, checked by webpki at an instant,
//! with the configured CRLs' entries and the key usage its store's leaves need.

use rustls_pki_types::{CertificateDer, UnixTime};
use webpki::{
    CertRevocationList, EndEntityCert, ExpirationPolicy, KeyUsage, RevocationCheckDepth,
    RevocationOptionsBuilder, UnknownStatusPolicy,
};

use super::TrustStore;

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

impl TrustStore {
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
    /// holds a certificate revoked only after the time-stamp
    /// ([`crate::checks::signature::timestamp`]).
    pub(in crate::checks::signature) fn verify_chain_unrevoked(
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
        let crls: Vec<&CertRevocationList<'_>> = self.crls.lists().iter().collect();
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
