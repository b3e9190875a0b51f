//! The one seam through which signature algorithms enter: a table of
//! `SignatureVerificationAlgorithm`s used both for the certificate chain (by webpki) and for
//! the CMS signer (by us), plus the digests the CMS message-digest attribute may use.
//!
//! The national CA's GOST algorithms (module [`super::gost`]) enter here like the others: an
//! instance per spelling in [`SUPPORTED`], a digest each, rows in [`CMS_SIGNATURES`].

use der::asn1::ObjectIdentifier as Oid;
use der::Encode;
use rustls_pki_types::{alg_id, AlgorithmIdentifier, SignatureVerificationAlgorithm};
use sha2::Digest as _;
use x509_cert::spki::AlgorithmIdentifierOwned;

use super::gost::algorithms::{self as gost, GostAlgorithm};
use super::gost::hash::GostHash;

/// The digest of a CMS signer's `digestAlgorithm`: the hash of the messageDigest attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digest {
    Sha256,
    Gost(GostHash),
}

impl Digest {
    pub fn hash(self, data: &[u8]) -> Vec<u8> {
        match self {
            Self::Sha256 => sha2::Sha256::digest(data).to_vec(),
            Self::Gost(hash) => hash.digest(data),
        }
    }
}

const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");

// NCA RK: hashes, then signature and key OIDs (a CMS signer may name either).
const STREEBOG_512: Oid = Oid::new_unwrap("1.2.398.3.10.1.3.3");
const STREEBOG_256: Oid = Oid::new_unwrap("1.2.398.3.10.1.3.2");
const GOST_34311: Oid = Oid::new_unwrap("1.2.398.3.10.1.3.1");
const GOST_34311_PARAMS: Oid = Oid::new_unwrap("1.2.398.3.10.1.3.1.1.0");
const GOST2015_512_SIG: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.2.3.2");
const GOST2015_512_KEY: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.2.2");
const GOST2015_256_SIG: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.2.3.1");
const GOST2015_256_KEY: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.2.1");
const GOST2004_SIG: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.1.2");
const GOST2004_KEY: Oid = Oid::new_unwrap("1.2.398.3.10.1.1.1.1");

/// How a CMS `SignerInfo` names its algorithm, the digest of its messageDigest attribute,
/// and the X.509 signature algorithm (as webpki's `signature_alg_id()` spells it) that it
/// means. CMS signers write RSA as `rsaEncryption` plus a separate digest, so the pair is
/// what identifies the algorithm.
struct CmsSignature {
    digest_oid: Oid,
    signature: Oid,
    digest: Digest,
    means: AlgorithmIdentifier,
}

const fn row(
    digest_oid: Oid,
    signature: Oid,
    digest: Digest,
    means: AlgorithmIdentifier,
) -> CmsSignature {
    CmsSignature {
        digest_oid,
        signature,
        digest,
        means,
    }
}

const G512: Digest = Digest::Gost(GostHash::Streebog512);
const G256: Digest = Digest::Gost(GostHash::Streebog256);
const G94: Digest = Digest::Gost(GostHash::Gost34311);

const CMS_SIGNATURES: &[CmsSignature] = &[
    row(
        SHA256,
        RSA_ENCRYPTION,
        Digest::Sha256,
        alg_id::RSA_PKCS1_SHA256,
    ),
    row(
        SHA256,
        SHA256_WITH_RSA,
        Digest::Sha256,
        alg_id::RSA_PKCS1_SHA256,
    ),
    row(
        SHA256,
        ECDSA_WITH_SHA256,
        Digest::Sha256,
        alg_id::ECDSA_SHA256,
    ),
    row(
        STREEBOG_512,
        GOST2015_512_SIG,
        G512,
        gost_id(&gost::GOST2015_512),
    ),
    row(
        STREEBOG_512,
        GOST2015_512_KEY,
        G512,
        gost_id(&gost::GOST2015_512),
    ),
    row(
        STREEBOG_256,
        GOST2015_256_SIG,
        G256,
        gost_id(&gost::GOST2015_256),
    ),
    row(
        STREEBOG_256,
        GOST2015_256_KEY,
        G256,
        gost_id(&gost::GOST2015_256),
    ),
    row(GOST_34311, GOST2004_SIG, G94, gost_id(&gost::GOST2004)),
    row(GOST_34311, GOST2004_KEY, G94, gost_id(&gost::GOST2004)),
    row(
        GOST_34311_PARAMS,
        GOST2004_SIG,
        G94,
        gost_id(&gost::GOST2004),
    ),
    row(
        GOST_34311_PARAMS,
        GOST2004_KEY,
        G94,
        gost_id(&gost::GOST2004),
    ),
];

/// The signature algorithm id as NCA writes it (OID + NULL): every key spelling of that
/// algorithm has an instance with it.
const fn gost_id(alg: &'static GostAlgorithm) -> AlgorithmIdentifier {
    AlgorithmIdentifier::from_slice(alg.signature_id())
}

/// The digest a hash algorithm identifier names, and its name for people: what a
/// time-stamp token's message imprint and ESSCertIDv2 may use (SHA-256, Streebog-512 and
/// -256, GOST 34.311-95 in either of NCA's spellings). `None`: not one the worker computes.
pub fn digest_of(oid: &Oid) -> Option<(Digest, &'static str)> {
    let found = [
        (SHA256, Digest::Sha256, "SHA-256"),
        (STREEBOG_512, G512, "Streebog-512"),
        (STREEBOG_256, G256, "Streebog-256"),
        (GOST_34311, G94, "GOST 34.311-95"),
        (GOST_34311_PARAMS, G94, "GOST 34.311-95"),
    ];
    found
        .into_iter()
        .find(|(id, _, _)| id == oid)
        .map(|(_, digest, name)| (digest, name))
}

/// What verifies a CMS signer: the algorithm, and the digest of its messageDigest attribute.
#[derive(Clone, Copy)]
pub struct CmsAlgorithm<'a> {
    pub verifier: &'a dyn SignatureVerificationAlgorithm,
    pub digest: Digest,
}

/// The algorithms the worker accepts, for chains and signers alike.
pub struct Algorithms {
    pub list: &'static [&'static dyn SignatureVerificationAlgorithm],
}

/// RSA PKCS#1 v1.5 and ECDSA P-256 with SHA-256, and the national CA's GOST algorithms
/// (each in every spelling of its identifiers): what the contract names.
/// ECDSA P-384 stays out: nothing in the contract uses it.
pub static SUPPORTED: Algorithms = Algorithms {
    list: &[
        webpki::aws_lc_rs::RSA_PKCS1_2048_8192_SHA256,
        webpki::aws_lc_rs::ECDSA_P256_SHA256,
        &gost::GOST2015_512,
        &gost::GOST2015_512_NO_NULL,
        &gost::GOST2015_512_NO_HASH,
        &gost::GOST2015_512_BARE,
        &gost::GOST2015_256,
        &gost::GOST2015_256_NO_NULL,
        &gost::GOST2015_256_NO_HASH,
        &gost::GOST2015_256_BARE,
        &gost::GOST2004,
        &gost::GOST2004_NO_NULL,
        &gost::GOST2004_NO_HASH,
        &gost::GOST2004_BARE,
    ],
};

impl Algorithms {
    /// The algorithm that verifies a CMS signer's signature, and the digest its
    /// messageDigest attribute must use: chosen by the signer's digest and signature
    /// algorithm and by the key type of its certificate. One table for every algorithm.
    pub fn for_cms_signer(
        &self,
        digest: &AlgorithmIdentifierOwned,
        signature: &AlgorithmIdentifierOwned,
        public_key: &AlgorithmIdentifierOwned,
    ) -> Option<CmsAlgorithm<'static>> {
        cms_signer(self.list, digest, signature, public_key)
    }
}

/// [`Algorithms::for_cms_signer`] over any table of the same algorithms (the trust store's
/// own, [`super::verified_once`]).
pub fn cms_signer<'a>(
    list: &[&'a dyn SignatureVerificationAlgorithm],
    digest: &AlgorithmIdentifierOwned,
    signature: &AlgorithmIdentifierOwned,
    public_key: &AlgorithmIdentifierOwned,
) -> Option<CmsAlgorithm<'a>> {
    let row = CMS_SIGNATURES
        .iter()
        .find(|row| row.digest_oid == digest.oid && row.signature == signature.oid)?;
    let key = identifier_body(public_key)?;
    let verifier = list
        .iter()
        .copied()
        .find(|alg| is_for(*alg, row.means.as_ref(), &key))?;
    Some(CmsAlgorithm {
        verifier,
        digest: row.digest,
    })
}

/// The body of an AlgorithmIdentifier (a signature's or a public key's), as webpki compares
/// them: the DER of the OID and the parameters, without the enclosing SEQUENCE. The one
/// helper for it: the CMS signer's table, the CA path ([`super::ca_path`]) and the
/// signatures verified at load ([`super::verified_once`]) all compare through it.
pub(crate) fn identifier_body(id: &AlgorithmIdentifierOwned) -> Option<Vec<u8>> {
    let mut body = id.oid.to_der().ok()?;
    if let Some(params) = &id.parameters {
        body.extend(params.to_der().ok()?);
    }
    Some(body)
}

/// Whether `alg` verifies signatures whose algorithm and key identifiers have these bodies
/// ([`identifier_body`]), as webpki picks an algorithm from its table.
pub(crate) fn is_for(
    alg: &dyn SignatureVerificationAlgorithm,
    signature_id: &[u8],
    key_id: &[u8],
) -> bool {
    alg.signature_alg_id().as_ref() == signature_id && alg.public_key_alg_id().as_ref() == key_id
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

    /// The SPKI algorithm of a KZ key as NCA writes it: key OID, SEQUENCE { set, hash }.
    fn kz_key(key: &str, set: &str, hash: &str) -> AlgorithmIdentifierOwned {
        let mut params = Oid::new_unwrap(set).to_der().unwrap();
        params.extend(Oid::new_unwrap(hash).to_der().unwrap());
        let mut seq = vec![0x30, u8::try_from(params.len()).unwrap()];
        seq.extend(params);
        id(
            Oid::new_unwrap(key),
            Some(der::Decode::from_der(&seq).unwrap()),
        )
    }

    #[test]
    fn cms_gost_signers_map_onto_the_gost_algorithms_with_their_hash() {
        let key512 = kz_key(
            "1.2.398.3.10.1.1.2.2",
            "1.2.398.3.10.1.1.2.2.1",
            "1.2.398.3.10.1.3.3",
        );
        let key2004 = kz_key(
            "1.2.398.3.10.1.1.1.1",
            "1.2.398.3.10.1.1.1.1.1",
            "1.2.398.3.10.1.3.1.1.0",
        );
        let streebog512 = id(STREEBOG_512, None);
        for sig in [GOST2015_512_SIG, GOST2015_512_KEY] {
            let found = SUPPORTED.for_cms_signer(&streebog512, &id(sig, None), &key512);
            let digest = found.map(|a| a.digest);
            assert_eq!(digest, Some(Digest::Gost(GostHash::Streebog512)), "{sig}");
        }
        for digest in [GOST_34311, GOST_34311_PARAMS] {
            let found =
                SUPPORTED.for_cms_signer(&id(digest, None), &id(GOST2004_SIG, None), &key2004);
            assert_eq!(
                found.map(|a| a.digest),
                Some(Digest::Gost(GostHash::Gost34311))
            );
        }
        // A GOST signature with SHA-256, another GOST hash, or another kind of key: none.
        let sig512 = id(GOST2015_512_SIG, None);
        let sha256 = id(SHA256, None);
        assert!(SUPPORTED
            .for_cms_signer(&sha256, &sig512, &key512)
            .is_none());
        let streebog256 = id(STREEBOG_256, None);
        assert!(SUPPORTED
            .for_cms_signer(&streebog256, &sig512, &key512)
            .is_none());
        assert!(SUPPORTED
            .for_cms_signer(&streebog512, &sig512, &key2004)
            .is_none());
    }
}
