//! Test time-stamping authorities: RFC 3161 tokens (a SignedData over a TSTInfo, with the
//! content-type, message-digest and ESS signing-certificate attributes) assembled with the
//! `cms`/`der` types over any signer, and set into a CMS signer's unsigned attributes as
//! CAdES-T does. [`RsaTsa`] is an RSA TSA made with the openssl command line (its key signs
//! through `openssl dgst`), so genTime is ours to choose; the GOST TSA is built from the
//! GOST test PKI (`gost_pki`).
#![allow(dead_code)]

use std::path::PathBuf;

use cms::content_info::ContentInfo;
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{Any, ObjectIdentifier as Oid, OctetString, SetOfVec};
use der::{Decode, Encode, Tag};
use sha1::Sha1;
use sha2::{Digest as _, Sha256};
use time::macros::datetime;
use time::OffsetDateTime;
use x509_cert::attr::Attribute;
use x509_cert::spki::AlgorithmIdentifierOwned;
use x509_cert::Certificate;

use super::openssl::{self, utc_stamp, CaDir, KeyType};

pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");
const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const ID_CT_TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
const CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
const SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
const SIGNATURE_TIME_STAMP_TOKEN: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.14");
const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
const POLICY: Oid = Oid::new_unwrap("1.2.398.3.3.2.6.1");

/// A function of bytes to bytes: a hash, or a signing key.
pub type BytesFn = Box<dyn Fn(&[u8]) -> Vec<u8>>;

/// Who signs a token and how.
pub struct TsaSigner {
    pub cert_der: Vec<u8>,
    pub extra_certs: Vec<Vec<u8>>,
    /// The signer's digest algorithm and the hash it names.
    pub digest_oid: Oid,
    pub digest: BytesFn,
    pub signature_alg: AlgorithmIdentifierOwned,
    pub sign: BytesFn,
}

/// What a token says.
#[derive(Clone)]
pub struct Token {
    pub gen_time: OffsetDateTime,
    pub imprint_algorithm: Oid,
    pub imprint: Vec<u8>,
    /// ESSCertIDv2 (SHA-256) rather than ESSCertID (SHA-1).
    pub ess_v2: bool,
    /// Flip one bit of the TSA's signature after signing.
    pub flip_signature: bool,
}

impl Token {
    /// A token over `signature_value` (the signer's `signature` OCTET STRING contents)
    /// under SHA-256.
    pub fn sha256(signature_value: &[u8], gen_time: OffsetDateTime) -> Self {
        Self {
            gen_time,
            imprint_algorithm: SHA256,
            imprint: Sha256::digest(signature_value).to_vec(),
            ess_v2: true,
            flip_signature: false,
        }
    }
}

fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    Any::new(Tag::Sequence, parts.concat())
        .unwrap()
        .to_der()
        .unwrap()
}

fn attr(oid: Oid, value: Any) -> Attribute {
    Attribute {
        oid,
        values: SetOfVec::try_from(vec![value]).unwrap(),
    }
}

/// A DER GeneralizedTime.
fn generalized(at: OffsetDateTime) -> Vec<u8> {
    Any::new(Tag::GeneralizedTime, utc_stamp(at).into_bytes())
        .unwrap()
        .to_der()
        .unwrap()
}

/// The DER TSTInfo of `token`.
pub fn tst_info(token: &Token) -> Vec<u8> {
    let algorithm = AlgorithmIdentifierOwned {
        oid: token.imprint_algorithm,
        parameters: None,
    };
    seq(&[
        1u8.to_der().unwrap(),
        POLICY.to_der().unwrap(),
        seq(&[
            algorithm.to_der().unwrap(),
            OctetString::new(token.imprint.clone())
                .unwrap()
                .to_der()
                .unwrap(),
        ]),
        0x1234u32.to_der().unwrap(),
        generalized(token.gen_time),
    ])
}

/// A time-stamp token (ContentInfo, DER) saying `token`, signed by `tsa`.
pub fn token(tsa: &TsaSigner, token: &Token) -> Vec<u8> {
    let info = tst_info(token);
    let cert = Certificate::from_der(&tsa.cert_der).unwrap();
    let ess = if token.ess_v2 {
        let hash = Sha256::digest(&tsa.cert_der).to_vec();
        (SIGNING_CERTIFICATE_V2, hash)
    } else {
        (SIGNING_CERTIFICATE, Sha1::digest(&tsa.cert_der).to_vec())
    };
    let ess_value = seq(&[seq(&[seq(&[OctetString::new(ess.1)
        .unwrap()
        .to_der()
        .unwrap()])])]);
    let attrs = SetOfVec::try_from(vec![
        attr(CONTENT_TYPE, Any::from(&ID_CT_TST_INFO)),
        attr(
            MESSAGE_DIGEST,
            Any::encode_from(&OctetString::new((tsa.digest)(&info)).unwrap()).unwrap(),
        ),
        attr(ess.0, Any::from_der(&ess_value).unwrap()),
    ])
    .unwrap();
    let mut signature = (tsa.sign)(&attrs.to_der().unwrap());
    if token.flip_signature {
        let last = signature.len() - 1;
        signature[last] ^= 0x01;
    }
    let digest_alg = AlgorithmIdentifierOwned {
        oid: tsa.digest_oid,
        parameters: None,
    };
    let signer = SignerInfo {
        version: cms::content_info::CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(cms::cert::IssuerAndSerialNumber {
            issuer: cert.tbs_certificate.issuer.clone(),
            serial_number: cert.tbs_certificate.serial_number.clone(),
        }),
        digest_alg: digest_alg.clone(),
        signed_attrs: Some(attrs),
        signature_algorithm: tsa.signature_alg.clone(),
        signature: OctetString::new(signature).unwrap(),
        unsigned_attrs: None,
    };
    let mut certs = vec![cms::cert::CertificateChoices::Certificate(cert)];
    for extra in &tsa.extra_certs {
        let extra = Certificate::from_der(extra).unwrap();
        certs.push(cms::cert::CertificateChoices::Certificate(extra));
    }
    let signed = SignedData {
        version: cms::content_info::CmsVersion::V3,
        digest_algorithms: SetOfVec::try_from(vec![digest_alg]).unwrap(),
        encap_content_info: EncapsulatedContentInfo {
            econtent_type: ID_CT_TST_INFO,
            econtent: Some(Any::encode_from(&OctetString::new(info).unwrap()).unwrap()),
        },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).unwrap())),
        crls: None,
        signer_infos: SignerInfos(SetOfVec::try_from(vec![signer]).unwrap()),
    };
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&signed).unwrap(),
    }
    .to_der()
    .unwrap()
}

fn signed_data(cms: &[u8]) -> SignedData {
    ContentInfo::from_der(cms)
        .unwrap()
        .content
        .decode_as()
        .unwrap()
}

/// The signer's `signature` value (OCTET STRING contents) of a DER CMS with one signer.
pub fn signature_value(cms: &[u8]) -> Vec<u8> {
    let data = signed_data(cms);
    let signer = data.signer_infos.0.iter().next().unwrap();
    signer.signature.as_bytes().to_vec()
}

/// `cms` (DER, one signer) with `tokens` as the signer's signatureTimeStampToken
/// attribute values: what a CAdES-T signing tool sends.
pub fn stamp(cms: &[u8], tokens: &[Vec<u8>]) -> Vec<u8> {
    let mut data = signed_data(cms);
    let mut signers = data.signer_infos.0.into_vec();
    let values: Vec<Any> = tokens.iter().map(|t| Any::from_der(t).unwrap()).collect();
    signers[0].unsigned_attrs = Some(
        SetOfVec::try_from(vec![Attribute {
            oid: SIGNATURE_TIME_STAMP_TOKEN,
            values: SetOfVec::try_from(values).unwrap(),
        }])
        .unwrap(),
    );
    data.signer_infos = SignerInfos(SetOfVec::try_from(signers).unwrap());
    ContentInfo {
        content_type: ID_SIGNED_DATA,
        content: Any::encode_from(&data).unwrap(),
    }
    .to_der()
    .unwrap()
}

const EXT: &str = "[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
[tsa_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
[noeku_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
";

/// An RSA test TSA made with openssl: a root (`<name>-root.pem`, with an empty CRL
/// `<name>-root.crl`), the TSA (`tsa`, EKU timeStamping, critical) and a TSA certificate
/// without the EKU (`noeku`), all valid 2020 to 2045.
pub struct RsaTsa {
    ca: CaDir,
}

impl RsaTsa {
    /// A TSA under a root named `CN=<root_cn>`.
    pub fn new(root_cn: &str) -> Self {
        let ca = CaDir::new(EXT);
        ca.root(
            "root",
            KeyType::Rsa,
            &format!("/C=KZ/CN={root_cn}"),
            "ca_ext",
        );
        ca.leaf("root", "tsa", KeyType::Rsa, "/C=KZ/CN=TEST TSA", "tsa_ext");
        let noeku = "/C=KZ/CN=TEST TSA WITHOUT EKU";
        ca.leaf("root", "noeku", KeyType::Rsa, noeku, "noeku_ext");
        let (issued, next) = (
            datetime!(2026-01-01 0:00 UTC),
            datetime!(2045-01-01 0:00 UTC),
        );
        ca.crl("root", issued, next, "root.crl");
        Self { ca }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.ca.path(name)
    }

    /// The DER of `<name>.pem`.
    pub fn der(&self, name: &str) -> Vec<u8> {
        self.ca.der(name)
    }

    /// The signer of tokens by `name` ("tsa" or "noeku"), RSA PKCS#1 v1.5 with SHA-256.
    pub fn signer(&self, name: &str) -> TsaSigner {
        let key = self.path(&format!("{name}.key"));
        let dir = self.ca.dir().to_owned();
        TsaSigner {
            cert_der: self.der(name),
            extra_certs: Vec::new(),
            digest_oid: SHA256,
            digest: Box::new(|data| Sha256::digest(data).to_vec()),
            signature_alg: AlgorithmIdentifierOwned {
                oid: RSA_ENCRYPTION,
                parameters: Some(Any::null()),
            },
            sign: Box::new(move |message| {
                let file = tempfile::NamedTempFile::new_in(&dir).unwrap();
                std::fs::write(file.path(), message).unwrap();
                let key = key.display().to_string();
                let input = file.path().display().to_string();
                openssl::run(&dir, &["dgst", "-sha256", "-sign", &key, &input])
            }),
        }
    }

    /// (name, bytes) of the root PEM and the root CRL, for the trust store.
    pub fn anchors(&self) -> Vec<(String, Vec<u8>)> {
        let root = self.path("root.pem");
        vec![("tsa-root.pem".into(), std::fs::read(root).unwrap())]
    }

    pub fn crl(&self) -> (String, Vec<u8>) {
        let crl = std::fs::read(self.path("root.crl")).unwrap();
        ("tsa-root.crl".into(), crl)
    }
}

/// `cert` (DER, by `issuer_key`) again with a critical extended key usage timeStamping
/// added (`eku`), or as it is (`!eku`), signed again by `issuer_key`: a GOST TSA
/// certificate from one of `gost_pki`'s.
pub fn with_time_stamping(cert: &[u8], issuer_key: &super::gost_pki::Key, eku: bool) -> Vec<u8> {
    use x509_cert::ext::pkix::ExtendedKeyUsage;
    let mut cert = Certificate::from_der(cert).unwrap();
    if eku {
        let value = ExtendedKeyUsage(vec![Oid::new_unwrap("1.3.6.1.5.5.7.3.8")]);
        let extension = x509_cert::ext::Extension {
            extn_id: Oid::new_unwrap("2.5.29.37"),
            critical: true,
            extn_value: OctetString::new(value.to_der().unwrap()).unwrap(),
        };
        let tbs = &mut cert.tbs_certificate;
        tbs.extensions.get_or_insert_with(Vec::new).push(extension);
    }
    let signature = issuer_key.sign(&cert.tbs_certificate.to_der().unwrap());
    cert.signature = der::asn1::BitString::from_bytes(&signature).unwrap();
    cert.to_der().unwrap()
}

/// A signer of tokens with a GOST test key and its certificate.
pub fn gost_signer(cert_der: Vec<u8>, key: super::gost_pki::Key) -> TsaSigner {
    use trp_worker::checks::signature::gost::algorithms::Kind;
    let digest_oid = match key.kind {
        Kind::Gost2015_512 => Oid::new_unwrap("1.2.398.3.10.1.3.3"),
        Kind::Gost2015_256 => Oid::new_unwrap("1.2.398.3.10.1.3.2"),
        Kind::Gost2004 => Oid::new_unwrap("1.2.398.3.10.1.3.1"),
    };
    let kind = key.kind;
    TsaSigner {
        cert_der,
        extra_certs: Vec::new(),
        digest_oid,
        digest: Box::new(move |data| kind.hash().digest(data)),
        signature_alg: key.signature_algorithm(),
        sign: Box::new(move |message| key.sign(message)),
    }
}
