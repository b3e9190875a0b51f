//! The CRL files (`signature.crls`), parsed once: the signers' store and the TSAs' store
//! consult the same CRLs, so both hold one [`Crls`] behind an `Arc` instead of parsing the
//! files again each.

use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateRevocationListDer;
use webpki::{CertRevocationList, OwnedCertRevocationList};

use super::{TrustError, CRLS_SETTING};
use crate::checks::signature::revocation::CrlInfo;

/// Every CRL of the configured files, parsed for webpki (the entries a chain is checked
/// against) and for [`crate::checks::signature::revocation`] (issuer, `nextUpdate`,
/// revocation dates); never changed once built.
pub struct Crls {
    /// The files as given, in order: hashed into each store's version.
    files: Vec<Vec<u8>>,
    /// Each CRL, DER: its signature is verified once per store that trusts its issuer
    /// ([`crate::checks::signature::verified_once`]).
    ders: Vec<Vec<u8>>,
    lists: Vec<CertRevocationList<'static>>,
    infos: Arc<[CrlInfo]>,
}

impl std::fmt::Debug for Crls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Crls")
            .field("files", &self.files.len())
            .field("crls", &self.lists.len())
            .finish()
    }
}

impl Crls {
    /// Parses CRL files (PEM, one or more CRLs each, or DER, one), each given with a name
    /// for error messages; an error names `signature.crls` and the file.
    pub fn parse(files: &[(String, Vec<u8>)]) -> Result<Arc<Self>, TrustError> {
        let mut ders = Vec::new();
        let mut lists = Vec::new();
        let mut infos = Vec::new();
        for (name, bytes) in files {
            for der in revocation_lists(name, bytes)? {
                let unusable = |e: &dyn std::fmt::Display| {
                    TrustError::new(CRLS_SETTING, name, format!("not a usable CRL: {e}"))
                };
                let list = OwnedCertRevocationList::from_der(&der).map_err(|e| unusable(&e))?;
                infos.push(CrlInfo::parse(&der).map_err(|e| unusable(&e))?);
                lists.push(list.into());
                ders.push(der);
            }
        }
        Ok(Arc::new(Self {
            files: files.iter().map(|(_, bytes)| bytes.clone()).collect(),
            ders,
            lists,
            infos: infos.into(),
        }))
    }

    pub(super) fn files(&self) -> &[Vec<u8>] {
        &self.files
    }

    pub(super) fn ders(&self) -> &[Vec<u8>] {
        &self.ders
    }

    /// What webpki checks a chain's entries against.
    pub(super) fn lists(&self) -> &[CertRevocationList<'static>] {
        &self.lists
    }

    /// Each CRL's issuer, `nextUpdate` and entries, shared with the stores' revocation
    /// policies.
    pub(super) fn infos(&self) -> Arc<[CrlInfo]> {
        self.infos.clone()
    }
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
