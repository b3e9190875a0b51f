//! CA signatures verified once, when the trust store loads: each configured intermediate's
//! (by the configured CA it names as issuer) and each configured CRL's (likewise). webpki
//! verifies them again on every chain it builds, the CRL's included (rustls/webpki#81, a TODO
//! in `crl/mod.rs`); [`Remembering`] wraps each algorithm webpki is given and answers exactly
//! those (key, message, signature) triples from memory, passing everything else through.
//!
//! Only the result of a pure function on byte-identical inputs is reused: webpki still
//! builds the path and checks every certificate's validity at the instant, the CRLs' entries
//! and the issuers' key usage on every chain, so every decision is the same as without it.
//! A chain through a configured intermediate then costs one public-key operation (the
//! leaf's) instead of three (docs/performance.md).

use der::{Decode, Header, Reader, SliceReader};
use rustls_pki_types::{
    AlgorithmIdentifier, CertificateDer, InvalidSignature, SignatureVerificationAlgorithm,
};
use x509_cert::crl::CertificateList;
use x509_cert::name::Name;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use super::algorithms::{identifier_body, is_for};

/// A signature verified at load, as webpki passes it: the issuer's subjectPublicKey, the
/// signed TBS bytes and the signature bits.
#[derive(Debug)]
struct Verified {
    key: Vec<u8>,
    message: Vec<u8>,
    signature: Vec<u8>,
}

/// An algorithm of the table and the signatures of that algorithm verified at load.
#[derive(Debug)]
pub struct Remembering {
    inner: &'static dyn SignatureVerificationAlgorithm,
    verified: Vec<Verified>,
}

impl SignatureVerificationAlgorithm for Remembering {
    fn verify_signature(
        &self,
        public_key: &[u8],
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), InvalidSignature> {
        // The signature first: it differs within its first bytes for every other input.
        let known = self
            .verified
            .iter()
            .any(|v| v.signature == signature && v.key == public_key && v.message == message);
        if known {
            return Ok(());
        }
        self.inner.verify_signature(public_key, message, signature)
    }

    fn public_key_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.public_key_alg_id()
    }

    fn signature_alg_id(&self) -> AlgorithmIdentifier {
        self.inner.signature_alg_id()
    }

    fn fips(&self) -> bool {
        self.inner.fips()
    }
}

/// The table `base`, each algorithm remembering which of the certificates and CRLs in
/// `signed` (DER) it verified under the key of a certificate in `cas` that is their issuer.
/// An object that verifies under no configured CA is simply not remembered: its chain takes
/// the ordinary path and fails there, as before.
pub fn remembering(
    base: &[&'static dyn SignatureVerificationAlgorithm],
    cas: &[CertificateDer<'_>],
    signed: &[&[u8]],
) -> Vec<Remembering> {
    let mut table: Vec<Remembering> = base
        .iter()
        .map(|&inner| Remembering {
            inner,
            verified: Vec::new(),
        })
        .collect();
    let cas: Vec<Certificate> = cas
        .iter()
        .filter_map(|c| Certificate::from_der(c.as_ref()).ok())
        .collect();
    for object in signed.iter().filter_map(|der| Signed::parse(der)) {
        for ca in cas
            .iter()
            .filter(|ca| ca.tbs_certificate.subject == object.issuer)
        {
            let spki = &ca.tbs_certificate.subject_public_key_info;
            let (Some(key_id), Some(key)) = (
                identifier_body(&spki.algorithm),
                spki.subject_public_key.as_bytes(),
            ) else {
                continue;
            };
            for entry in table
                .iter_mut()
                .filter(|e| is_for(e.inner, &object.algorithm, &key_id))
            {
                if entry
                    .inner
                    .verify_signature(key, object.tbs, &object.signature)
                    .is_ok()
                {
                    entry.verified.push(Verified {
                        key: key.to_vec(),
                        message: object.tbs.to_vec(),
                        signature: object.signature.clone(),
                    });
                }
            }
        }
    }
    table
}

/// A certificate or a CRL (both `SEQUENCE { tbs, signatureAlgorithm, signature }`): the
/// TBS bytes exactly as encoded, the issuer, the algorithm as webpki compares it.
struct Signed<'a> {
    tbs: &'a [u8],
    issuer: Name,
    algorithm: Vec<u8>,
    signature: Vec<u8>,
}

impl<'a> Signed<'a> {
    fn parse(der: &'a [u8]) -> Option<Self> {
        let (issuer, algorithm, signature): (Name, AlgorithmIdentifierOwned, _) =
            match Certificate::from_der(der) {
                Ok(c) => (c.tbs_certificate.issuer, c.signature_algorithm, c.signature),
                Err(_) => {
                    let crl = CertificateList::from_der(der).ok()?;
                    let tbs = crl.tbs_cert_list;
                    (tbs.issuer, crl.signature_algorithm, crl.signature)
                }
            };
        Some(Self {
            tbs: first_element(der)?,
            issuer,
            algorithm: identifier_body(&algorithm)?,
            signature: signature.as_bytes()?.to_vec(),
        })
    }
}

/// The first element of a DER SEQUENCE, header included: the TBS as it was signed.
fn first_element(der: &[u8]) -> Option<&[u8]> {
    let mut reader = SliceReader::new(der).ok()?;
    Header::decode(&mut reader).ok()?;
    reader.tlv_bytes().ok()
}
