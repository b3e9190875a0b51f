//! The trust anchors' files (`signature.trust_anchors`, `signature.tsa_trust_anchors`):
//! PEM certificates, each a root (self-issued: a webpki trust anchor) or an intermediate.

use der::Decode;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, TrustAnchor};

use super::TrustError;

/// The certificates of the anchor files, sorted into roots and intermediates.
pub(super) struct Anchors {
    pub anchors: Vec<TrustAnchor<'static>>,
    /// The roots' certificates, for checking a CA certificate
    /// ([`crate::checks::signature::ca_path`]).
    pub roots: Vec<CertificateDer<'static>>,
    pub intermediates: Vec<CertificateDer<'static>>,
}

impl Anchors {
    /// Parses the files of `setting`, each given with its name; at least one certificate
    /// must be a root. An error names the setting and the file.
    pub fn parse(setting: &'static str, files: &[(String, Vec<u8>)]) -> Result<Self, TrustError> {
        let mut parsed = Anchors {
            anchors: Vec::new(),
            roots: Vec::new(),
            intermediates: Vec::new(),
        };
        for (name, pem) in files {
            for cert in certificates(setting, name, pem)? {
                parsed.add(setting, name, cert)?;
            }
        }
        if parsed.anchors.is_empty() {
            let count = files.len();
            let why = format!("no root (self-issued) certificate among {count} file(s)");
            return Err(TrustError::new(setting, "(all)", why));
        }
        Ok(parsed)
    }

    fn add(
        &mut self,
        setting: &'static str,
        name: &str,
        cert: CertificateDer<'static>,
    ) -> Result<(), TrustError> {
        let bad = |why: String| TrustError::new(setting, name, why);
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
}

fn certificates(
    setting: &'static str,
    name: &str,
    pem: &[u8],
) -> Result<Vec<CertificateDer<'static>>, TrustError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TrustError::new(setting, name, format!("bad PEM: {e}")))?;
    if certs.is_empty() {
        return Err(TrustError::new(setting, name, "holds no PEM certificate"));
    }
    Ok(certs)
}
