//! The one seam through which signature algorithms enter: a table of
//! `SignatureVerificationAlgorithm`s used both for the certificate chain (by webpki) and for
//! the CMS signer (by us), plus the digests the CMS message-digest attribute may use.
//!
//! The national CA's GOST algorithms are added here later (a `SignatureVerificationAlgorithm`
//! each, a digest each, a row in [`CMS_SIGNATURES`]); nothing else on the path changes.

use der::asn1::ObjectIdentifier as Oid;
use der::Encode;
use rustls_pki_types::{alg_id, AlgorithmIdentifier, SignatureVerificationAlgorithm};
use sha2::Digest as _;
use x509_cert::spki::AlgorithmIdentifierOwned;

/// A digest a signer may name in its `digestAlgorithm`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    Sha256,
}

impl Digest {
    pub fn from_oid(oid: &Oid) -> Option<Self> {
        (*oid == SHA256).then_some(Self::Sha256)
    }

    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
        }
    }
}

const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");

/// How a CMS `SignerInfo` names its algorithm, and the X.509 signature algorithm (as webpki's
/// `signature_alg_id()` spells it) that it means. CMS signers write RSA as `rsaEncryption`
/// plus a separate digest, so the pair is what identifies the algorithm.
struct CmsSignature {
    digest: Oid,
    signature: Oid,
    means: AlgorithmIdentifier,
}

const CMS_SIGNATURES: &[CmsSignature] = &[
    CmsSignature {
        digest: SHA256,
        signature: RSA_ENCRYPTION,
        means: alg_id::RSA_PKCS1_SHA256,
    },
    CmsSignature {
        digest: SHA256,
        signature: SHA256_WITH_RSA,
        means: alg_id::RSA_PKCS1_SHA256,
    },
    CmsSignature {
        digest: SHA256,
        signature: ECDSA_WITH_SHA256,
        means: alg_id::ECDSA_SHA256,
    },
];

/// The algorithms the worker accepts, for chains and signers alike.
pub struct Algorithms {
    pub list: &'static [&'static dyn SignatureVerificationAlgorithm],
}

/// RSA PKCS#1 v1.5 and ECDSA P-256, with SHA-256: what the contract names besides GOST.
/// ECDSA P-384 stays out: nothing in the contract uses it.
pub static SUPPORTED: Algorithms = Algorithms {
    list: &[
        webpki::ring::RSA_PKCS1_2048_8192_SHA256,
        webpki::ring::ECDSA_P256_SHA256,
    ],
};

impl Algorithms {
    /// The algorithm that verifies a CMS signer's signature: chosen by the signer's digest
    /// and signature algorithm and by the key type of its certificate.
    pub fn for_cms_signer(
        &self,
        digest: &AlgorithmIdentifierOwned,
        signature: &AlgorithmIdentifierOwned,
        public_key: &AlgorithmIdentifierOwned,
    ) -> Option<&'static dyn SignatureVerificationAlgorithm> {
        let means = CMS_SIGNATURES
            .iter()
            .find(|row| row.digest == digest.oid && row.signature == signature.oid)?;
        let key = identifier_body(public_key)?;
        self.list.iter().copied().find(|alg| {
            alg.signature_alg_id().as_ref() == means.means.as_ref()
                && alg.public_key_alg_id().as_ref() == key.as_slice()
        })
    }
}

/// An AlgorithmIdentifier as webpki compares them: the DER of the OID and the parameters,
/// without the enclosing SEQUENCE.
fn identifier_body(id: &AlgorithmIdentifierOwned) -> Option<Vec<u8>> {
    let mut body = id.oid.to_der().ok()?;
    if let Some(params) = &id.parameters {
        body.extend(params.to_der().ok()?);
    }
    Some(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::asn1::Any;

    fn id(oid: Oid, params: Option<Any>) -> AlgorithmIdentifierOwned {
        AlgorithmIdentifierOwned {
            oid,
            parameters: params,
        }
    }

    #[test]
    fn cms_rsa_and_ecdsa_map_onto_webpki_algorithms() {
        let null = Some(Any::null());
        let rsa_key = id(RSA_ENCRYPTION, null.clone());
        let sha256 = id(SHA256, None);
        for sig in [RSA_ENCRYPTION, SHA256_WITH_RSA] {
            let alg = SUPPORTED.for_cms_signer(&sha256, &id(sig, null.clone()), &rsa_key);
            assert!(alg.is_some(), "{sig}");
        }
        let p256 = Oid::new_unwrap("1.2.840.10045.3.1.7");
        let ec_key = id(Oid::new_unwrap("1.2.840.10045.2.1"), Some(Any::from(&p256)));
        let ecdsa = id(ECDSA_WITH_SHA256, None);
        assert!(SUPPORTED.for_cms_signer(&sha256, &ecdsa, &ec_key).is_some());
        // An ECDSA signature with an RSA key, or an unknown digest, has no algorithm.
        assert!(SUPPORTED
            .for_cms_signer(&sha256, &ecdsa, &rsa_key)
            .is_none());
        let sha1 = id(Oid::new_unwrap("1.3.14.3.2.26"), None);
        assert!(SUPPORTED.for_cms_signer(&sha1, &ecdsa, &ec_key).is_none());
    }
}
